"""The `saring` command line: serve, train, evaluate, screen files, retrain and manage model versions.

Every command reads the same `Settings` (environment `SARING_*`) as the service; flags override paths.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from screening.errors import ScreeningError
from screening.registry import ModelRegistry, ensure_default_model, train_and_register
from service.cli_args import settings_from_args
from service.cli_batch import add_commands as add_batch_commands


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app

    settings = settings_from_args(args)
    registry = ModelRegistry(settings.models_dir)
    if settings.train_if_missing and registry.active_version() is None:
        print(f"Tidak ada model aktif di {settings.models_dir}; melatih model bawaan...", file=sys.stderr)
        ensure_default_model(registry, settings.training_data_dir)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    registry = ModelRegistry(settings.models_dir)
    version = train_and_register(registry, settings.training_data_dir, activate=not args.no_activate)
    meta = registry.read_metadata(version)
    print(f"model {version} saved in {settings.models_dir / version}" + ("" if args.no_activate else " (active)"))
    for genre, m in meta["metrics"].items():
        print(
            f"  {genre:8s} n={m['n']:5d}  macro-F1={m['macro_f1']:.3f}  ROC-AUC={m['roc_auc']:.3f}  "
            f"Brier={m['brier']:.3f}  ECE={m['ece']:.3f}  (out-of-fold estimate)"
        )
    return 0


def _print_metrics(report: dict[str, Any]) -> None:
    def line(name: str, m: dict[str, Any]) -> str:
        auc = "n/a" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
        return (
            f"{name:8s} n={m['n']:6d}  accuracy={m['accuracy']:.3f}  macro-F1={m['macro_f1']:.3f}  "
            f"ROC-AUC={auc}  Brier={m['brier']:.3f}  ECE={m['ece']:.3f}"
        )

    print(line("all", report))
    for genre, m in report["by_genre"].items():
        print(line(genre, m) + f"  threshold={m['threshold']:.3f}")
    (tv, fh), (fv, th) = report["confusion_matrix"]["matrix"]
    print("confusion matrix at the decision threshold (rows: true, columns: predicted)")
    print(f"            valid   hoax\n  valid  {tv:7d} {fh:6d}\n  hoax   {fv:7d} {th:6d}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from screening.evaluate import cross_validate, evaluate_file, write_report

    settings = settings_from_args(args)
    if args.cv:
        from screening.data import load_training_data
        from screening.evaluate import topic_holdout

        rows = load_training_data(settings.training_data_dir)
        cv = cross_validate(rows, folds=args.folds)
        metrics = write_report(cv, Path(args.out), topics=topic_holdout(rows))
        if args.json:
            _print_json(metrics)
        else:
            print((Path(args.out) / "cv_report.md").read_text("utf-8"))
        return 0
    if not args.file:
        print("saring evaluate: give a labelled FILE or --cv", file=sys.stderr)
        return 2
    registry = ModelRegistry(settings.models_dir)
    trained = registry.load(args.version)
    report = evaluate_file(trained.model, Path(args.file), threshold=args.threshold)
    report["model_version"] = trained.version
    if args.json:
        _print_json(report)
    else:
        print(f"model {trained.version} on {args.file}")
        _print_metrics(report)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    registry = ModelRegistry(settings.models_dir)
    if args.action == "list":
        versions = registry.versions()
        if args.json:
            _print_json(versions)
            return 0
        if not versions:
            print(f"no models under {settings.models_dir}")
        for meta in versions:
            flag = "*" if meta.get("active") else " "
            scores = "  ".join(
                f"{g}: F1={m['macro_f1']:.3f} AUC={m['roc_auc']:.3f}" for g, m in meta.get("metrics", {}).items()
            )
            rows = meta.get("training_data", {}).get("n_rows")
            print(f"{flag} {meta['version']}  {meta['created_at'][:19]}  rows={rows}  {scores}")
        return 0
    if args.action == "activate":
        if not args.version:
            print("saring models activate VERSION", file=sys.stderr)
            return 2
        registry.activate(args.version)
        print(f"active: {args.version}")
        return 0
    version = registry.rollback()
    print(f"rolled back; active: {version}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saring", description="Hoax screening for Indonesian community news.")
    sub = parser.add_subparsers(dest="command", required=True)

    def paths(p: argparse.ArgumentParser) -> None:
        p.add_argument("--models-dir", type=Path, help="model registry directory (SARING_MODELS_DIR)")
        p.add_argument("--training-data", type=Path, help="labelled data directory (SARING_TRAINING_DATA_DIR)")

    p = sub.add_parser("serve", help="start the HTTP service (trains a default model on first use)")
    paths(p)
    p.add_argument("--host", help="bind address (SARING_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (SARING_PORT, default 8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("train", help="train a new model version from the training data")
    paths(p)
    p.add_argument("--no-activate", action="store_true", help="store the version without serving it")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="score a labelled CSV/JSONL file, or cross-validate (--cv)")
    paths(p)
    p.add_argument("file", nargs="?", help="labelled file with text,label[,title]")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--version", help="model version (default: active)")
    p.add_argument("--threshold", type=float, help="decision threshold (default: the model's, per genre)")
    p.add_argument("--cv", action="store_true", help="grouped cross-validation report per genre with baseline")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--out", default="reports", help="where --cv writes cv_report.md and reliability.png")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("models", help="list, activate or roll back model versions")
    paths(p)
    p.add_argument("action", choices=["list", "activate", "rollback"])
    p.add_argument("version", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)

    add_batch_commands(sub)  # screen, retrain
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ScreeningError as exc:
        print(f"saring: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
