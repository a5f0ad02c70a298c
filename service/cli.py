"""The `saring` command line: serve, train, evaluate, screen files, retrain and manage model versions.

Every command reads the same `Settings` (environment `SARING_*`) as the service; flags override paths. Every
message is in Bahasa Indonesia (flag names stay English); a user's mistake is one line and exit code 2, a
failure one line and exit code 1 (see `service.cli_args`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from screening.errors import StoreError
from screening.registry import ModelRegistry
from screening.training.train import ensure_default_model, train_and_register
from service.cli_args import (
    SaringParser,
    UsageError,
    number,
    positive_int,
    probability,
    run_command,
    settings_from_args,
)
from service.cli_batch import add_commands as add_batch_commands
from service.cli_batch import describe_label_counts
from service.cli_records import add_commands as add_record_commands


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def active_registry(models_dir: Path, version: str | None = None) -> ModelRegistry:
    """The registry, after checking it has the model asked for (else one line saying how to get one)."""
    registry = ModelRegistry(models_dir)
    if version is None and registry.active_version() is None:
        raise UsageError(f"tidak ada model aktif di {models_dir}; jalankan `saring train` dulu")
    if version is not None and (Path(version).name != version or not (models_dir / version).is_dir()):
        raise UsageError(f"versi model {version!r} tidak ada di {models_dir}; lihat `saring models list`")
    return registry


# serve's flags and the variables that hand them to worker processes
_SERVE_FLAGS = {
    "models_dir": "SARING_MODELS_DIR",
    "training_data": "SARING_TRAINING_DATA_DIR",
    "host": "SARING_HOST",
    "port": "SARING_PORT",
}


def cmd_serve(args: argparse.Namespace) -> int:
    from service.app import create_app
    from service.server import serve

    settings = settings_from_args(args)
    workers = args.workers or settings.workers
    registry = ModelRegistry(settings.models_dir)
    if settings.train_if_missing and registry.active_version() is None:
        print(f"Tidak ada model aktif di {settings.models_dir}; melatih model bawaan...", file=sys.stderr)
        ensure_default_model(registry, settings.training_data_dir)

    def listening(urls: Sequence[str]) -> None:
        where = ", ".join(urls)
        many = f" dengan {workers} proses pekerja" if workers > 1 else ""
        print(f"Saring melayani di {where}{many}; dokumentasi API: {urls[0]}/docs", file=sys.stderr, flush=True)

    if workers > 1:
        # each worker reads its settings from the environment: hand it the flags given here
        os.environ.update({var: str(getattr(args, flag)) for flag, var in _SERVE_FLAGS.items() if getattr(args, flag)})
        serve(None, settings, workers=workers, on_listening=listening)
    else:
        serve(create_app(settings), settings, on_listening=listening)
    return 0


def _stored_labels(database_url: str) -> list[Any]:
    """The editors' current labels in the store (none when the store was never created)."""
    from screening.store import Store, never_created

    if never_created(database_url):
        return []
    store = Store(database_url)
    try:
        store.migrate()
        return list(store.labels_for_training())
    finally:
        store.close()


def cmd_train(args: argparse.Namespace) -> int:
    from screening.training.retrain import train_with_labels

    settings = settings_from_args(args)
    registry = ModelRegistry(settings.models_dir)
    activate = not args.no_activate
    try:
        labels = _stored_labels(settings.database_url.get_secret_value())
    except StoreError as exc:
        raise UsageError(
            f"label editor tidak dapat dibaca ({exc}); perbaiki SARING_DATABASE_URL, atau beri --base-only untuk "
            "melatih tanpa label editor"
        ) from None
    if labels and not args.base_only:
        version, label_rows = train_with_labels(registry, settings.training_data_dir, labels=labels, activate=activate)
        used = describe_label_counts(label_rows.counts())
    elif labels:
        version = train_and_register(registry, settings.training_data_dir, activate=activate)
        used = f"PERHATIAN: {len(labels)} label editor yang tersimpan TIDAK ikut dilatih (--base-only)" + (
            "; model aktif kini tidak memakainya. `saring retrain` memakainya lagi." if activate else ""
        )
    else:
        version = train_and_register(registry, settings.training_data_dir, activate=activate)
        used = "tanpa label editor: belum ada yang tersimpan"
    meta = registry.read_metadata(version)
    print(f"model {version} disimpan di {settings.models_dir / version}" + (" (aktif)" if activate else ""))
    print(f"  {used}")
    for genre, m in meta["metrics"].items():
        print(
            f"  {genre:8s} n={m['n']:5d}  macro-F1={m['macro_f1']:.3f}  ROC-AUC={m['roc_auc']:.3f}  "
            f"Brier={m['brier']:.3f}  ECE={m['ece']:.3f}  (perkiraan out-of-fold)"
        )
    return 0


def _print_metrics(report: dict[str, Any]) -> None:
    def line(name: str, m: dict[str, Any]) -> str:
        auc = "t/a" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
        return (
            f"{name:8s} n={m['n']:6d}  akurasi={m['accuracy']:.3f}  macro-F1={m['macro_f1']:.3f}  "
            f"ROC-AUC={auc}  Brier={m['brier']:.3f}  ECE={m['ece']:.3f}"
        )

    print(line("semua", report))
    for genre, m in report["by_genre"].items():
        print(line(genre, m) + f"  ambang={m['threshold']:.3f}")
    (tv, fh), (fv, th) = report["confusion_matrix"]["matrix"]
    print("matriks kebingungan pada ambang keputusan (baris: label sebenarnya, kolom: prediksi)")
    print(f"            valid  hoaks\n  valid  {tv:7d} {fh:6d}\n  hoaks  {fv:7d} {th:6d}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from screening.training.evaluate import cross_validate, evaluate_file, write_report

    settings = settings_from_args(args)
    if args.quality:
        from screening.quality.evaluation import main as quality_report

        out = Path(args.out) / "quality_report.md"
        quality_report(["--out", str(out)])
        print(out.read_text("utf-8"))
        return 0
    if args.cv:
        from screening.data import load_training_data
        from screening.training.evaluate import topic_holdout

        rows = load_training_data(settings.training_data_dir)
        cv = cross_validate(rows, folds=args.folds)
        metrics = write_report(cv, Path(args.out), policy=settings.policy, topics=topic_holdout(rows))
        if args.json:
            _print_json(metrics)
        else:
            print((Path(args.out) / "cv_report.md").read_text("utf-8"))
        return 0
    if not args.file:
        raise UsageError("beri berkas berlabel (FILE), --cv atau --quality")
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{path}: berkas tidak ditemukan")
    trained = active_registry(settings.models_dir, args.version).load(args.version)

    def report_bad_row(line: int, reason: str) -> None:
        if not args.quiet:
            print(f"saring evaluate: {path}:{line}: baris dilewati ({reason})", file=sys.stderr)

    report = evaluate_file(
        trained.model,
        path,
        threshold=args.threshold,
        text_field=args.text_field,
        label_field=args.label_field,
        input_format=args.input_format,
        on_bad_row=report_bad_row,
    )
    report["model_version"] = trained.version
    if args.json:
        _print_json(report)
    else:
        print(f"model {trained.version} pada {path}")
        _print_metrics(report)
    if report["skipped"]:
        print(f"saring evaluate: {number(report['skipped'])} baris rusak dilewati", file=sys.stderr)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    registry = ModelRegistry(settings.models_dir)
    if args.action == "list":
        versions = registry.versions()
        if args.json:
            _print_json([v.to_dict() for v in versions])
            return 0
        if not versions:
            print(f"tidak ada model di {settings.models_dir}")
        for info in versions:
            flag = "*" if info.active else " "
            if not info.loadable:
                print(f"{flag} {info.version}  TIDAK DAPAT DIMUAT: {info.problem}")
                continue
            scores = "  ".join(
                f"{g}: F1={m['macro_f1']:.3f} AUC={m['roc_auc']:.3f}"
                for g, m in info.metrics.items()
                if isinstance(m, dict) and m.get("roc_auc") is not None
            )
            print(f"{flag} {info.version}  {(info.created_at or '')[:19]}  baris={info.n_rows}  {scores}")
        return 0
    if args.action == "activate":
        if not args.version:
            raise UsageError("beri versi yang diaktifkan: saring models activate VERSI")
        registry.activate(args.version)
        print(f"aktif: {args.version}")
        return 0
    version = registry.rollback()
    print(f"dikembalikan; aktif: {version}")
    return 0


def version_line() -> str:
    """`saring <package version> (aturan <rules version>)`, read without loading any model or rule set."""
    from importlib import metadata

    from screening.rules.engine import DEFAULT_RULES_PATH

    try:
        package = metadata.version("saring")
    except metadata.PackageNotFoundError:
        package = "tidak terpasang"
    try:
        found = re.search(r'^version:\s*"?([^"\s#]+)', DEFAULT_RULES_PATH.read_text("utf-8"), re.M)
    except OSError:
        found = None
    return f"saring {package} (aturan {found.group(1) if found else 'tidak diketahui'})"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="tampilkan versi Saring dan aturannya lalu keluar")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version_line())
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = SaringParser(prog="saring", description="Penyaringan hoaks untuk berita komunitas berbahasa Indonesia.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, title="perintah", metavar="PERINTAH")

    def paths(p: argparse.ArgumentParser) -> None:
        p.add_argument("--models-dir", metavar="DIR", type=Path, help="direktori registri model (SARING_MODELS_DIR)")
        p.add_argument(
            "--training-data", metavar="DIR", type=Path, help="direktori data berlabel (SARING_TRAINING_DATA_DIR)"
        )

    p = sub.add_parser("serve", help="jalankan layanan HTTP (melatih model bawaan bila belum ada)")
    paths(p)
    p.add_argument("--host", metavar="ALAMAT", help="alamat yang didengarkan (SARING_HOST, bawaan 127.0.0.1)")
    p.add_argument("--port", metavar="PORTA", type=int, help="porta (SARING_PORT, bawaan 8000)")
    p.add_argument(
        "--workers",
        metavar="N",
        type=positive_int,
        help="jumlah proses pekerja yang berbagi porta (SARING_WORKERS, bawaan 1); kira-kira sebanyak inti CPU",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "train",
        help="latih versi model baru dari data latih dan label editor",
        description="Melatih dari awal pada data latih (SARING_TRAINING_DATA_DIR) ditambah label editor yang "
        "tersimpan (SARING_DATABASE_URL), dibaca seperti `saring retrain` membacanya: label yang sama digabung, teks "
        "berkonflik ditinggalkan, label menggantikan baris data latih dengan teks yang sama. Tanpa perbandingan "
        "dengan model aktif (itu `saring retrain`).",
    )
    paths(p)
    p.add_argument("--no-activate", action="store_true", help="simpan versinya tanpa langsung dipakai")
    p.add_argument(
        "--base-only",
        action="store_true",
        help="latih tanpa label editor (dikatakan dengan jelas bila ada label yang tersimpan)",
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "evaluate",
        help="nilai model pada berkas CSV/JSONL berlabel, atau validasi silang (--cv)",
        description="Menilai model aktif pada berkas berlabel (label hoaks/hoax/1 atau valid/0). Berkas dibaca "
        "seperti `saring screen` membacanya; baris rusak (bukan UTF-8, bukan JSON, teks kosong atau lebih dari "
        "20.000 karakter, label tidak dikenal) dilaporkan dengan nomor barisnya lalu dilewati.",
    )
    paths(p)
    p.add_argument("file", nargs="?", metavar="FILE", help="berkas berlabel: kolom teks, label[, title]")
    p.add_argument("--text-field", metavar="KOLOM", default="text", help="kolom/field teks (bawaan: text)")
    p.add_argument("--label-field", metavar="KOLOM", default="label", help="kolom/field label (bawaan: label)")
    p.add_argument(
        "--input-format",
        choices=["jsonl", "csv"],
        help="format berkas (bawaan: dari akhiran nama berkas; tanpa akhiran: dari isinya)",
    )
    p.add_argument("--json", action="store_true", help="cetak satu objek JSON")
    p.add_argument("--quiet", action="store_true", help="jangan cetak baris yang dilewati satu per satu")
    p.add_argument("--version", metavar="VERSI", help="versi model (bawaan: yang aktif)")
    p.add_argument(
        "--threshold", metavar="AMBANG", type=probability, help="ambang keputusan 0-1 (bawaan: milik model, per genre)"
    )
    p.add_argument("--cv", action="store_true", help="validasi silang berkelompok per genre, dengan baseline")
    p.add_argument("--quality", action="store_true", help="ukur skor kualitas (ejaan, 5W1H, judul) pada berita IndoSum")
    p.add_argument("--folds", metavar="N", type=positive_int, default=5, help="jumlah lipatan untuk --cv (bawaan: 5)")
    p.add_argument(
        "--out",
        metavar="BERKAS",
        default="reports",
        help="folder laporan --cv (cv_report.md, reliability.png) dan --quality (quality_report.md)",
    )
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("models", help="daftar, aktifkan, atau kembalikan versi model")
    paths(p)
    p.add_argument("action", choices=["list", "activate", "rollback"], help="list, activate atau rollback")
    p.add_argument("version", nargs="?", metavar="VERSI", help="versi untuk activate")
    p.add_argument("--json", action="store_true", help="cetak JSON")
    p.set_defaults(func=cmd_models)

    add_batch_commands(sub)  # screen, retrain
    add_record_commands(sub)  # labels, audit
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
