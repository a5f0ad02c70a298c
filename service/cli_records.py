"""`saring labels export|import` and `saring audit purge`: the store's records from the command line.

They open the store of `SARING_DATABASE_URL` (upgrading its schema first, as the service does at start-up).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from screening.errors import InvalidInputError
from screening.labels import parse_label
from screening.store import LabelFilter, ScreeningMismatchError, Store
from service.cli_args import UsageError, positive_int, settings_from_args
from service.exports import export_lines
from service.retention import purge_expired, retention_cutoff


def _store(args: argparse.Namespace) -> tuple[Store, int | None]:
    settings = settings_from_args(args)
    store = Store(settings.database_url.get_secret_value())
    store.migrate()
    return store, settings.retention_days


def _format_of(path: str, given: str | None) -> Literal["csv", "jsonl"]:
    if given in ("csv", "jsonl"):
        return given  # type: ignore[return-value]
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv" or path == "-":
        return "csv"
    raise UsageError(f"format {path!r} tidak dikenali dari akhirannya; beri --format csv atau --format jsonl")


def cmd_labels_export(args: argparse.Namespace) -> int:
    fmt = _format_of(args.file, args.format)
    store, _ = _store(args)
    try:
        lines = export_lines(store, LabelFilter(label=args.label, editor=args.editor), fmt)
        if args.file == "-":
            sys.stdout.writelines(lines)
            return 0
        count = 0
        with open(args.file, "w", encoding="utf-8", newline="") as out:
            for line in lines:
                out.write(line)
                count += 1
        print(f"diekspor: {count - (1 if fmt == 'csv' else 0)} label ke {args.file}", file=sys.stderr)
    finally:
        store.close()
    return 0


def _records(path: str, fmt: Literal["csv", "jsonl"]) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, fields, problem) per record; fields is None when the line cannot be read."""
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8", newline="")  # noqa: SIM115
    try:
        if fmt == "csv":
            reader = csv.DictReader(stream)
            for row in reader:
                yield reader.line_num, dict(row), ""
            return
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                yield number, None, "bukan JSON yang sah"
                continue
            if isinstance(value, dict):
                yield number, value, ""
            else:
                yield number, None, "bukan objek JSON"
    finally:
        if stream is not sys.stdin:
            stream.close()


def cmd_labels_import(args: argparse.Namespace) -> int:
    fmt = _format_of(args.file, args.format)
    store, _ = _store(args)
    stored = folded = bad = 0
    conflicts: set[str] = set()
    try:
        for number, fields, problem in _records(args.file, fmt):
            try:
                if fields is None:
                    raise InvalidInputError(problem)
                editor = args.editor or str(fields.get("editor") or "").strip()
                if not editor:
                    raise InvalidInputError("tidak ada editor (kolom editor kosong; beri --editor NAMA)")
                text = str(fields.get("text") or "")
                if not text.strip():
                    raise InvalidInputError("teks kosong")
                try:
                    verdict = parse_label(fields.get("label"))
                except InvalidInputError:
                    raise InvalidInputError("label harus hoax/hoaks/1 atau valid/0") from None
                outcome = store.save_label(
                    text=text,
                    title=str(fields.get("title") or ""),
                    label=verdict,
                    note=str(fields.get("note") or "").strip() or None,
                    editor_id=editor,
                    screening_id=str(fields.get("screening_id") or "").strip() or None,
                )
            except ScreeningMismatchError as exc:
                bad += 1
                if not args.quiet:
                    what = "tidak ada di log penyaringan" if exc.reason == "unknown" else "milik teks lain"
                    print(f"baris {number} dilewati: screening_id {exc.screening_id!r} {what}", file=sys.stderr)
                continue
            except InvalidInputError as exc:
                bad += 1
                if not args.quiet:
                    print(f"baris {number} dilewati: {exc}", file=sys.stderr)
                continue
            folded += outcome.duplicate
            stored += not outcome.duplicate
            if outcome.conflict:
                conflicts.add(text)
    finally:
        store.close()
    print(
        f"diimpor: {stored} label disimpan, {folded} sama dengan putusan terakhir editornya (tidak disimpan lagi), "
        f"{bad} baris dilewati; {len(conflicts)} teks berkonflik"
    )
    return 0 if bad == 0 else 1


def cmd_audit_purge(args: argparse.Namespace) -> int:
    store, configured = _store(args)
    days = args.days or configured
    if days is None:
        store.close()
        raise UsageError("beri --days N atau atur SARING_RETENTION_DAYS")
    cutoff = retention_cutoff(days)
    try:
        purged = purge_expired(store, days)
    finally:
        store.close()
    print(f"dihapus: teks {purged} penyaringan yang dibuat sebelum {cutoff:%Y-%m-%d %H:%M} UTC ({days} hari)")
    return 0


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Register `labels` and `audit` on the `saring` sub-command parser."""
    labels = sub.add_parser("labels", help="ekspor atau impor label editor")
    actions = labels.add_subparsers(dest="action", required=True, metavar="TINDAKAN")

    p = actions.add_parser("export", help="tulis semua label ke berkas CSV/JSONL (- untuk keluaran standar)")
    p.add_argument("file", metavar="FILE", help="berkas tujuan (.csv atau .jsonl), atau -")
    p.add_argument("--format", choices=["csv", "jsonl"], help="format (bawaan: dari akhiran nama berkas)")
    p.add_argument("--label", choices=["hoax", "valid"], help="hanya label ini")
    p.add_argument("--editor", metavar="NAMA", help="hanya label editor ini")
    p.set_defaults(func=cmd_labels_export)

    p = actions.add_parser(
        "import",
        help="simpan label dari berkas CSV/JSONL (kolom text, label[, title, note, screening_id, editor])",
        description="Setiap baris menjadi label seperti lewat POST /v1/labels: putusan yang sama dengan putusan "
        "terakhir editor yang sama untuk teks itu tidak disimpan lagi, screening_id harus milik teks yang sama, "
        "dan teks yang putusan editornya berbeda dihitung sebagai konflik. Baris rusak dilaporkan lalu dilewati.",
    )
    p.add_argument("file", metavar="FILE", help="berkas sumber (.csv atau .jsonl), atau - untuk masukan standar")
    p.add_argument("--format", choices=["csv", "jsonl"], help="format (bawaan: dari akhiran nama berkas)")
    p.add_argument("--editor", metavar="NAMA", help="editor semua label (bawaan: kolom editor di berkas)")
    p.add_argument("--quiet", action="store_true", help="jangan cetak baris yang dilewati satu per satu")
    p.set_defaults(func=cmd_labels_import)

    audit = sub.add_parser("audit", help="log penyaringan: hapus teks yang melewati masa simpan")
    actions = audit.add_subparsers(dest="action", required=True, metavar="TINDAKAN")
    p = actions.add_parser(
        "purge",
        help="hapus sekarang judul, teks dan penulis penyaringan yang lebih tua dari masa simpan",
        description="Hash, skor, keputusan, versi model, KIM, kanal, pemanggil dan id permintaan tetap disimpan.",
    )
    p.add_argument(
        "--days", metavar="N", type=positive_int, help="masa simpan dalam hari (bawaan: SARING_RETENTION_DAYS)"
    )
    p.set_defaults(func=cmd_audit_purge)
