"""`saring screen` (batch screening of files) and `saring retrain` (retrain with editors' labels).

Registered into the `saring` parser by `add_commands(subparsers)`; the work itself lives in `screening.batch`
and `screening.retrain`, this module only parses flags and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from screening.batch import BatchOptions, BatchSummary, Fields, Progress, ScreenerSpec, screen_file
from screening.errors import ScreeningError
from service.cli_args import settings_from_args


# -- screen -----------------------------------------------------------------------------------------------------
class ProgressBar:
    """A one-line progress bar with rate and ETA, redrawn at most a few times a second on a terminal."""

    def __init__(self, stream: TextIO, *, min_interval: float = 0.2) -> None:
        self.stream = stream
        self.min_interval = min_interval
        self._last = 0.0
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self._last < self.min_interval:
            return
        self._last = now
        self.stream.write("\r" + render_progress(p) + "\033[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def render_progress(p: Progress, width: int = 24) -> str:
    done_rows = p.rows - p.resumed_from_rows
    rate = done_rows / p.elapsed if p.elapsed > 0 else 0.0
    text = f"{p.rows:,} baris  {rate:,.0f} baris/detik"
    if p.total_bytes:
        fraction = min(1.0, p.input_bytes / p.total_bytes)
        filled = int(fraction * width)
        bytes_rate = (p.input_bytes - p.resumed_from_bytes) / p.elapsed if p.elapsed > 0 else 0.0
        eta = (p.total_bytes - p.input_bytes) / bytes_rate if bytes_rate > 0 else float("inf")
        eta_text = "?" if eta == float("inf") else time.strftime("%H:%M:%S", time.gmtime(eta))
        text = f"[{'#' * filled}{'.' * (width - filled)}] {fraction:6.1%}  {text}  ETA {eta_text}"
    return text


def format_summary(summary: BatchSummary, *, output: str, errors: str | None) -> str:
    d = summary.decisions
    lines = [
        f"saring screen: {summary.rows:,} rows read, {summary.screened:,} screened, {summary.errors:,} errors "
        f"in {summary.seconds:.1f} s ({summary.rows_per_second:,.0f} rows/s, engine {summary.engine}, "
        f"{summary.jobs} jobs, model {summary.model_version})",
        f"  publish {d.get('publish', 0):,}  review {d.get('review', 0):,}  reject {d.get('reject', 0):,}",
        f"  output: {output}",
    ]
    if summary.resumed_from_rows:
        lines.append(f"  resumed after {summary.resumed_from_rows:,} rows already done")
    if summary.errors and errors:
        lines.append(f"  errors: {errors}")
    return "\n".join(lines)


def cmd_screen(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    spec = ScreenerSpec(
        settings.models_dir,
        args.version,
        settings.default_thresholds,
        base_rates=tuple(sorted(settings.base_rates.items())),  # screen as the service does
    )
    from_stdin = args.input == "-"
    to_stdout = args.out in (None, "-")
    if args.resume and to_stdout:
        print("saring screen: --resume needs --out FILE", file=sys.stderr)
        return 2
    input_arg: Path | Any = sys.stdin.buffer if from_stdin else Path(args.input)
    output_arg: Path | Any = sys.stdout.buffer if to_stdout else Path(args.out)
    errors_arg: Path | Any
    if args.errors:
        errors_arg = Path(args.errors)
    elif to_stdout:
        errors_arg = sys.stderr.buffer  # no output file to put the report beside
    else:
        errors_arg = None
    options = BatchOptions(
        fields=Fields(text=args.text_field, title=args.title_field, id=args.id_field),
        input_format=args.input_format or ("jsonl" if from_stdin else None),
        output_format=args.format,
        chunk_size=args.chunk_size,
        jobs=args.jobs,
        engine=args.engine,
        scheduler=args.scheduler,
    )
    show_progress = not args.quiet and sys.stderr.isatty()
    bar = ProgressBar(sys.stderr) if show_progress else None
    try:
        summary = screen_file(
            spec, input_arg, output_arg, errors=errors_arg, options=options, resume=args.resume, progress=bar
        )
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        hint = " (continue with --resume)" if not to_stdout else ""
        print(f"saring screen: interrupted{hint}", file=sys.stderr)
        return 130
    if bar is not None:
        bar.close()
    if not args.quiet:
        errors_name = str(args.errors or (f"{args.out}.errors.jsonl" if not to_stdout else "stderr"))
        print(format_summary(summary, output=args.out or "stdout", errors=errors_name), file=sys.stderr)
    return 0


# -- retrain ----------------------------------------------------------------------------------------------------
def cmd_retrain(args: argparse.Namespace) -> int:
    from screening.registry import ModelRegistry
    from screening.retrain import RetrainOptions, retrain
    from screening.store import Store

    settings = settings_from_args(args)
    registry = ModelRegistry(settings.models_dir)
    store = Store(settings.database_url.get_secret_value())
    try:
        store.migrate()
        report = retrain(
            registry,
            settings.training_data_dir,
            labels=store.labels_for_training(),
            options=RetrainOptions(
                margin=args.margin,
                holdout_fraction=args.holdout,
                seed=args.seed,
                force=args.force,
                dry_run=args.dry_run,
            ),
            progress=None if args.quiet else lambda msg: print(f"saring retrain: {msg}", file=sys.stderr),
        )
    finally:
        store.close()
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(report.describe())
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `screen` and `retrain` on the `saring` sub-command parser."""
    p = sub.add_parser(
        "screen",
        help="screen a CSV/JSONL file (or - for standard input) into JSONL/CSV, streaming, on all cores",
        description="Screen every row of INPUT and write id, hoax_risk, decision, quality_score and fired rules "
        "in input order. Rows that cannot be screened go to the error report with their line number.",
    )
    p.add_argument("input", help="CSV or JSONL file, or - for JSONL on standard input")
    p.add_argument("--out", help="output file (.jsonl or .csv); default: JSONL on standard output")
    p.add_argument("--format", choices=["jsonl", "csv"], help="output format (default: from --out's extension)")
    p.add_argument("--input-format", choices=["jsonl", "csv"], help="input format (default: from the extension)")
    p.add_argument("--text-field", default="text", help="column/field holding the text (default: text)")
    p.add_argument("--title-field", help="column/field holding the title (optional)")
    p.add_argument("--id-field", help="column/field holding the row id (default: the line number)")
    p.add_argument("--errors", help="error report (JSONL; default: OUTPUT.errors.jsonl, or stderr for stdout)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    p.add_argument("--chunk-size", type=int, default=256, help="rows per work unit (default: 256)")
    p.add_argument("--engine", choices=["local", "dask"], default="local", help="local processes or a Dask cluster")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --engine dask)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--version", help="model version (default: the active one, fixed for the whole run)")
    p.add_argument("--models-dir", type=Path, help="model registry directory (SARING_MODELS_DIR)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser(
        "retrain",
        help="train a candidate on training data + editors' labels; promote it only if it is not worse",
        description="Builds a candidate from the base training data plus the labels editors stored, compares it "
        "with the current recipe on one grouped hold-out per genre, and promotes it only when macro-F1 and "
        "ROC-AUC of every genre drop by at most --margin.",
    )
    p.add_argument("--models-dir", type=Path, help="model registry directory (SARING_MODELS_DIR)")
    p.add_argument("--training-data", type=Path, help="base labelled data directory (SARING_TRAINING_DATA_DIR)")
    p.add_argument("--database-url", help="label store (SARING_DATABASE_URL)")
    p.add_argument("--margin", type=float, default=0.01, help="largest allowed drop per genre and metric")
    p.add_argument("--holdout", type=float, default=0.2, help="share of groups held out for the comparison")
    p.add_argument("--seed", type=int, default=0, help="seed of the grouped hold-out split")
    p.add_argument("--force", action="store_true", help="retrain even if no label changed since the current model")
    p.add_argument("--dry-run", action="store_true", help="compare only; register nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=cmd_retrain)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m service.cli_batch screen|retrain ...`: these two commands without the rest of `saring`."""
    parser = argparse.ArgumentParser(prog="saring", description="Batch screening and retraining.")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ScreeningError as exc:
        print(f"saring: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
