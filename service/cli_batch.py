"""`saring screen` (batch screening of files) and `saring retrain` (retrain with editors' labels).

Registered into the `saring` parser by `add_commands(subparsers)`; the work itself lives in `screening.batch`
and `screening.training.retrain`, this module only parses flags and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from screening.batch import BatchOptions, BatchSummary, Fields, Progress, ScreenerSpec, screen_file
from service.cli_args import (
    SaringParser,
    UsageError,
    number,
    positive_int,
    probability,
    run_command,
    settings_from_args,
)
from service.retrain_text import in_indonesian

if TYPE_CHECKING:
    from screening.training.retrain import RetrainReport


# -- screen -----------------------------------------------------------------------------------------------------
class ProgressBar:
    """A one-line progress bar with rate and time left, redrawn at most a few times a second on a terminal."""

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
    text = f"{number(p.rows)} baris  {number(rate)} baris/detik"
    if p.total_bytes:
        fraction = min(1.0, p.input_bytes / p.total_bytes)
        filled = int(fraction * width)
        bytes_rate = (p.input_bytes - p.resumed_from_bytes) / p.elapsed if p.elapsed > 0 else 0.0
        eta = (p.total_bytes - p.input_bytes) / bytes_rate if bytes_rate > 0 else float("inf")
        eta_text = "?" if eta == float("inf") else time.strftime("%H:%M:%S", time.gmtime(eta))
        text = f"[{'#' * filled}{'.' * (width - filled)}] {number(100 * fraction, 1):>5}%  {text}  sisa {eta_text}"
    return text


def format_summary(summary: BatchSummary, *, output: str, errors: str | None, fields: Fields) -> str:
    d = summary.decisions
    lines = [
        f"saring screen: {number(summary.rows)} baris dibaca, {number(summary.screened)} disaring, "
        f"{number(summary.errors)} galat dalam {number(summary.seconds, 1)} detik "
        f"({number(summary.rows_per_second)} baris/detik, mesin {summary.engine}, "
        f"{summary.jobs} proses, model {summary.model_version})",
        f"  keputusan: publish {number(d.get('publish', 0))}  review {number(d.get('review', 0))}  "
        f"reject {number(d.get('reject', 0))}",
        f"  keluaran: {output}",
    ]
    if summary.resumed_from_rows:
        lines.append(f"  dilanjutkan setelah {number(summary.resumed_from_rows)} baris yang sudah selesai")
    if summary.errors and errors:
        lines.append(f"  galat: {errors}")
    for name, count in summary.missing_fields.items():
        scope = "semua" if count >= summary.rows else f"{number(count)} dari {number(summary.rows)}"
        lines.append(f"  peringatan: field {name!r} tidak ada pada {scope} baris (salah nama?)")
    return "\n".join(lines)


def _fields(args: argparse.Namespace) -> Fields:
    keep = tuple(name.strip() for name in (args.keep_columns or "").split(",") if name.strip())
    return Fields(
        text=args.text_field, title=args.title_field, id=args.id_field, keep=keep, keep_all=args.keep_all_columns
    )


def cmd_screen(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    spec = ScreenerSpec(settings.models_dir, args.version, policy=settings.policy)  # screen as the service does
    from_stdin = args.input == "-"
    to_stdout = args.out in (None, "-")
    if args.resume and to_stdout:
        raise UsageError("--resume memerlukan --out BERKAS")
    input_arg: Path | Any = sys.stdin.buffer if from_stdin else Path(args.input)
    output_arg: Path | Any = sys.stdout.buffer if to_stdout else Path(args.out)
    errors_arg: Path | Any
    if args.errors:
        errors_arg = Path(args.errors)
    elif to_stdout:
        errors_arg = sys.stderr.buffer  # no output file to put the report beside
    else:
        errors_arg = None
    fields = _fields(args)
    options = BatchOptions(
        fields=fields,
        input_format=args.input_format,
        output_format=args.format,
        rule_messages=args.rule_messages,
        chunk_size=args.chunk_size,
        jobs=args.jobs,
        engine=args.engine,
        scheduler=args.scheduler,
        partition_bytes=args.partition_mb * 1024 * 1024,
    )
    show_progress = not args.quiet and sys.stderr.isatty()
    bar = ProgressBar(sys.stderr) if show_progress else None
    try:
        summary = screen_file(
            spec, input_arg, output_arg, errors=errors_arg, options=options, resume=args.resume, progress=bar
        )
    except KeyboardInterrupt:
        hint = " (lanjutkan dengan --resume)" if not to_stdout else ""
        print(f"saring screen: dihentikan{hint}", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        errors_name = str(args.errors or (f"{args.out}.errors.jsonl" if not to_stdout else "stderr"))
        print(format_summary(summary, output=args.out or "stdout", errors=errors_name, fields=fields), file=sys.stderr)
    return 0


# -- retrain ----------------------------------------------------------------------------------------------------
_OUTCOMES = {
    "promoted": "versi {new} dipakai (sebelumnya {previous})",
    "kept": "{previous} tetap dipakai; kandidat tidak lebih baik",
    "unchanged": "tidak ada yang dikerjakan; {previous} dilatih dengan data yang sama",
    "dry_run": "uji coba: tidak ada yang didaftarkan",
    "held_for_review": "model calon ditahan untuk diperiksa; {previous} tetap dipakai",
}


def describe_label_counts(counts: dict[str, int]) -> str:
    """What became of the editors' labels in a training run (`LabelRows.counts()`), in one line."""
    return (
        f"label editor: {counts['stored']} tersimpan, {counts['used']} dipakai, {counts['folded']} digabung "
        f"dengan label lain untuk teks yang sama, {counts['left_out_conflicts']} teks berkonflik ditinggalkan "
        "(putusan terakhir para editornya berbeda; selesaikan di antrean tinjauan)"
    )


def describe_retrain(report: RetrainReport) -> str:
    """The retrain report for an operator, in Bahasa Indonesia."""
    head = _OUTCOMES[report.outcome].format(new=report.new_version, previous=report.previous_version)
    lines = [f"saring retrain: {head} ({report.seconds:.0f} detik)"]
    if report.data:
        lines.append(
            f"  data: {report.data.get('n_base_rows')} baris dasar + {report.data.get('n_labels')} label editor "
            f"({report.data.get('n_labels_overriding_base')} menggantikan baris dasar)"
        )
        counts = report.data.get("labels")
        if counts:
            lines.append(f"  {describe_label_counts(counts)}")
    if report.holdout:
        lines.append(
            f"  hold-out: {report.holdout.get('n')} baris ({report.holdout.get('n_labels')} label editor), "
            f"seed {report.holdout.get('seed')}"
        )
    for genre, metrics in report.comparison.items():
        parts = [
            f"{name} {m['reference']:.3f} -> {m['candidate']:.3f} ({m['delta']:+.3f})"
            for name, m in metrics.items()
            if m.get("reference") is not None and m.get("candidate") is not None
        ]
        lines.append(f"  {genre:8s} " + ("  ".join(parts) or "tidak ada metrik yang dapat dibandingkan"))
    lines.extend(f"  - {in_indonesian(r)}" for r in report.reasons)
    return "\n".join(lines)


def cmd_retrain(args: argparse.Namespace) -> int:
    from screening.registry import ModelRegistry
    from screening.store import Store
    from screening.training.retrain import RetrainOptions, retrain

    if args.low_priority:
        os.nice(10)  # below a serving process on the same machine (the service starts retrains this way)
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
            progress=None
            if args.quiet
            else lambda msg: print(f"saring retrain: {in_indonesian(msg)}", file=sys.stderr),
        )
    finally:
        store.close()
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(describe_retrain(report))
    return 0


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Register `screen` and `retrain` on the `saring` sub-command parser."""
    p = sub.add_parser(
        "screen",
        help="saring berkas CSV/JSONL (atau - untuk masukan standar) menjadi JSONL/CSV, mengalir, di semua inti",
        description="Menyaring setiap baris INPUT dan menulis id, line, hoax_risk, decision, quality_score dan "
        "aturan yang terpicu, berurutan seperti masukan. Baris yang tidak dapat disaring (bukan UTF-8, bukan JSON, "
        "teks kosong, teks lebih dari 20.000 karakter atau judul lebih dari 500, batas yang sama dengan API) masuk "
        "ke laporan galat beserta nomor barisnya; baris lain tetap disaring.",
    )
    p.add_argument("input", metavar="INPUT", help="berkas CSV atau JSONL, atau - untuk masukan standar")
    p.add_argument(
        "--out", metavar="BERKAS", help="berkas keluaran (.jsonl atau .csv); bawaan: JSONL ke keluaran standar"
    )
    p.add_argument("--format", choices=["jsonl", "csv"], help="format keluaran (bawaan: dari akhiran --out)")
    p.add_argument(
        "--input-format",
        choices=["jsonl", "csv"],
        help="format masukan (bawaan: dari akhiran nama berkas; tanpa akhiran atau untuk -: JSONL bila isinya "
        "diawali {, selain itu CSV)",
    )
    p.add_argument("--text-field", metavar="KOLOM", default="text", help="kolom/field teks (bawaan: text)")
    p.add_argument("--title-field", metavar="KOLOM", help="kolom/field judul (bawaan: title, bila ada)")
    p.add_argument(
        "--id-field", metavar="KOLOM", help="kolom/field id baris (bawaan: id bila ada, selain itu nomor baris)"
    )
    p.add_argument(
        "--keep-columns",
        metavar="KOLOM,...",
        help="salin kolom/field masukan ini ke keluaran, dipisah koma (misalnya kecamatan,desa)",
    )
    p.add_argument(
        "--keep-all-columns",
        action="store_true",
        help="salin semua kolom/field masukan lain (selain teks) ke keluaran, setelah --keep-columns; yang "
        "bernama sama dengan kolom hasil (id, decision, ...) tidak disalin; kolom keluaran CSV diambil dari "
        "baris-baris pertama",
    )
    p.add_argument(
        "--with-messages",
        "--rule-messages",
        dest="rule_messages",
        action="store_true",
        help="tulis juga pesan untuk editor: pesan setiap aturan yang terpicu (rule_messages) dan catatan yang "
        "menjelaskan keputusan, misalnya hoaks yang sudah dikenal atau bahasa lain (notices)",
    )
    p.add_argument(
        "--errors",
        metavar="BERKAS",
        help="laporan galat (JSONL; bawaan: OUTPUT.errors.jsonl, atau stderr untuk stdout)",
    )
    p.add_argument(
        "--jobs",
        metavar="N",
        type=positive_int,
        default=os.cpu_count() or 1,
        help="jumlah proses pekerja (bawaan: semua inti)",
    )
    p.add_argument(
        "--chunk-size", metavar="N", type=positive_int, default=256, help="baris per satuan kerja (bawaan: 256)"
    )
    p.add_argument(
        "--engine", choices=["local", "dask"], default="local", help="proses lokal (local) atau klaster Dask (dask)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ALAMAT",
        help="alamat penjadwal Dask, misalnya tcp://10.0.0.5:8786 (dengan --engine dask)",
    )
    p.add_argument(
        "--partition-mb",
        metavar="N",
        type=positive_int,
        default=1,
        help="dengan --engine dask: ukuran bagian berkas masukan yang dibaca sendiri oleh setiap pekerja, dalam MB "
        "(bawaan: 1)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="lanjutkan proses yang terputus dari checkpoint-nya (hanya untuk berkas masukan, bukan -)",
    )
    p.add_argument("--version", metavar="VERSI", help="versi model (bawaan: yang aktif, tetap selama proses)")
    p.add_argument("--models-dir", metavar="DIR", type=Path, help="direktori registri model (SARING_MODELS_DIR)")
    p.add_argument("--quiet", action="store_true", help="tanpa bilah kemajuan dan ringkasan")
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser(
        "retrain",
        help="latih kandidat dari data latih + label editor; pakai hanya bila tidak lebih buruk",
        description="Membangun kandidat dari data latih dasar ditambah label yang disimpan editor, "
        "membandingkannya dengan resep saat ini pada satu hold-out berkelompok per genre, dan memakainya hanya "
        "bila macro-F1 dan ROC-AUC setiap genre turun paling banyak --margin.",
    )
    p.add_argument("--models-dir", metavar="DIR", type=Path, help="direktori registri model (SARING_MODELS_DIR)")
    p.add_argument(
        "--training-data", metavar="DIR", type=Path, help="direktori data latih dasar (SARING_TRAINING_DATA_DIR)"
    )
    p.add_argument("--database-url", metavar="URL", help="penyimpanan label (SARING_DATABASE_URL)")
    p.add_argument(
        "--margin",
        metavar="SELISIH",
        type=probability,
        default=0.01,
        help="penurunan terbesar yang diizinkan per metrik",
    )
    p.add_argument(
        "--holdout", metavar="BAGIAN", type=probability, default=0.2, help="bagian kelompok yang disisihkan (hold-out)"
    )
    p.add_argument("--seed", metavar="N", type=int, default=0, help="seed pembagian hold-out berkelompok")
    p.add_argument("--force", action="store_true", help="latih ulang walau tidak ada label yang berubah")
    p.add_argument("--dry-run", action="store_true", help="hanya bandingkan; tidak mendaftarkan apa pun")
    p.add_argument("--json", action="store_true", help="cetak laporan sebagai JSON")
    p.add_argument("--quiet", action="store_true", help="tanpa pesan kemajuan")
    p.add_argument(
        "--low-priority", action="store_true", help="jalan dengan prioritas rendah (nice 10), di samping layanan"
    )
    p.set_defaults(func=cmd_retrain)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m service.cli_batch screen|retrain ...`: these two commands without the rest of `saring`."""
    parser = SaringParser(prog="saring", description="Penyaringan berkas dan pelatihan ulang.")
    add_commands(parser.add_subparsers(dest="command", required=True, title="perintah", metavar="PERINTAH"))
    return run_command(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
