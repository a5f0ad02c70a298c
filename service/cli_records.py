"""`saring labels export|import|correct|delete|history` and `saring audit export|purge`: the store's records from
the command line.

They open the store of `SARING_DATABASE_URL` (upgrading its schema first, as the service does at start-up).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from screening.errors import InvalidInputError
from screening.labels import Label, parse_label
from screening.store import (
    LabelDeletedError,
    LabelFilter,
    LabelNotFoundError,
    ScreeningFilter,
    ScreeningMismatchError,
    Store,
)
from service.cli_args import UsageError, positive_int, settings_from_args
from service.exports import label_export_lines, label_history_out, screening_export_lines
from service.retention import purge_expired, retention_cutoff
from service.schemas import LabelHistoryOut

T = TypeVar("T")
VERDICT_WORDS = {"hoax": "hoaks", "valid": "valid", None: "-"}


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


def _write_export(lines: Iterator[str], path: str, fmt: Literal["csv", "jsonl"], what: str) -> None:
    """Write an export to `path` (or standard output for -) line by line; say how many rows went where."""
    if path == "-":
        sys.stdout.writelines(lines)
        return
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for line in lines:
            out.write(line)
            count += 1
    print(f"diekspor: {count - (1 if fmt == 'csv' else 0)} {what} ke {path}", file=sys.stderr)


def cmd_labels_export(args: argparse.Namespace) -> int:
    fmt = _format_of(args.file, args.format)
    store, _ = _store(args)
    try:
        _write_export(
            label_export_lines(store, LabelFilter(label=args.label, editor=args.editor), fmt), args.file, fmt, "label"
        )
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


# -- an admin's corrections and deletions -------------------------------------------------------------------------
def _changer(args: argparse.Namespace) -> str:
    if args.by and args.by.strip():
        return str(args.by).strip()
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        raise UsageError("nama pengguna sistem tidak diketahui; beri --by NAMA") from None


def _on_label(args: argparse.Namespace, action: Callable[[Store], T]) -> T:
    """Run `action` on the store; an unknown or deleted label id is a usage mistake, said in one line."""
    store, _ = _store(args)
    try:
        return action(store)
    except LabelNotFoundError:
        raise UsageError(f"label {args.id} tidak ada; lihat `saring labels export -`") from None
    except LabelDeletedError:
        raise UsageError(f"label {args.id} sudah dihapus; riwayatnya: `saring labels history {args.id}`") from None
    finally:
        store.close()


def _conflict_note(conflict: bool) -> str:
    return "; putusan terakhir para editor untuk teks ini masih berbeda (konflik)" if conflict else ""


def cmd_labels_correct(args: argparse.Namespace) -> int:
    verdict: Label | None = None
    if args.label is not None:
        try:
            verdict = parse_label(args.label)
        except InvalidInputError:
            raise UsageError("--label harus hoax/hoaks/1 atau valid/0") from None
    if verdict is None and args.note is None:
        raise UsageError("beri --label, --note, atau keduanya")
    by = _changer(args)
    change = _on_label(args, lambda store: store.correct_label(args.id, by=by, label=verdict, note=args.note))
    if not change.changed:
        print(f"label {args.id} tidak berubah: putusan dan catatannya sudah seperti itu")
        return 0
    print(
        f"label {args.id} dikoreksi oleh {by}: putusan {VERDICT_WORDS[change.label.label]}, "
        f"catatan {change.label.note or '-'}{_conflict_note(change.conflict)}"
    )
    return 0


def cmd_labels_delete(args: argparse.Namespace) -> int:
    by = _changer(args)
    change = _on_label(args, lambda store: store.delete_label(args.id, by=by))
    print(
        f"label {args.id} dihapus oleh {by}: tidak lagi dipakai untuk latih ulang; riwayatnya tetap "
        f"(`saring labels history {args.id}`){_conflict_note(change.conflict)}"
    )
    return 0


def cmd_labels_history(args: argparse.Namespace) -> int:
    def read(store: Store) -> LabelHistoryOut:
        history = store.label_history(args.id)
        return label_history_out(history, conflict=bool(store.conflicts([history.label.text_sha256])))

    out = _on_label(args, read)
    if args.json:
        print(json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    words = {"created": "dibuat", "corrected": "dikoreksi", "deleted": "dihapus"}
    state = "dihapus" if out.label.deleted_at is not None else "berlaku"
    print(f"label {args.id} ({state}), teks {out.label.text_sha256[:12]}: {out.label.text[:60]}")
    for event in out.events:
        change = (
            f"{VERDICT_WORDS[event.previous_label]} -> {VERDICT_WORDS[event.label]}"
            if event.action != "created"
            else VERDICT_WORDS[event.label]
        )
        when = f"{event.at:%Y-%m-%d %H:%M:%S} UTC"
        print(f"  {when}  {words[event.action]:9s} oleh {event.by}: {change}; catatan {event.note or '-'}")
    return 0


# -- audit log -----------------------------------------------------------------------------------------------------
def _date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} bukan tanggal (TTTT-BB-HH atau ISO 8601)") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def cmd_audit_export(args: argparse.Namespace) -> int:
    fmt = _format_of(args.file, args.format)
    if args.since is not None and args.until is not None and args.since >= args.until:
        raise UsageError("rentang tanggal kosong: --since harus sebelum --until")
    match = ScreeningFilter(
        since=args.since,
        until=args.until,
        decision=args.decision,
        model_version=args.model_version,
        kim_group=args.kim_group,
    )
    store, days = _store(args)
    try:
        purge_expired(store, days)  # never write out a text past its retention period
        _write_export(screening_export_lines(store, match, fmt), args.file, fmt, "penyaringan")
    finally:
        store.close()
    return 0


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

    p = actions.add_parser(
        "correct",
        help="koreksi putusan dan/atau catatan sebuah label (tindakan admin); nilai lamanya tetap di riwayat",
        description="Label tetap milik editornya (id dan waktunya tidak berubah); koreksinya dicatat dengan nama "
        "pengoreksi dan waktunya. Konflik, antrean, ekspor dan latih ulang langsung memakai putusan baru.",
    )
    p.add_argument("id", metavar="ID", type=positive_int, help="id label (kolom id pada ekspor)")
    p.add_argument("--label", metavar="PUTUSAN", help="putusan baru: hoax/hoaks/1 atau valid/0")
    p.add_argument("--note", metavar="CATATAN", help='catatan baru ("" menghapus catatan)')
    p.add_argument("--by", metavar="NAMA", help="siapa yang mengoreksi (bawaan: cli:<nama pengguna sistem>)")
    p.set_defaults(func=cmd_labels_correct)

    p = actions.add_parser(
        "delete",
        help="hapus sebuah label (tindakan admin): tidak lagi dipakai di mana pun, riwayatnya tetap",
        description="Label yang dihapus tidak lagi tampil di daftar dan ekspor, tidak dihitung untuk konflik atau "
        "antrean, dan tidak dipakai latih ulang; riwayatnya tetap dapat dibaca (`saring labels history ID`).",
    )
    p.add_argument("id", metavar="ID", type=positive_int, help="id label (kolom id pada ekspor)")
    p.add_argument("--by", metavar="NAMA", help="siapa yang menghapus (bawaan: cli:<nama pengguna sistem>)")
    p.set_defaults(func=cmd_labels_delete)

    p = actions.add_parser("history", help="riwayat sebuah label: dibuat, dikoreksi, dihapus (siapa dan kapan)")
    p.add_argument("id", metavar="ID", type=positive_int, help="id label")
    p.add_argument("--json", action="store_true", help="cetak satu objek JSON (seperti GET /v1/labels/ID/history)")
    p.set_defaults(func=cmd_labels_history)

    audit = sub.add_parser("audit", help="log penyaringan: ekspor, atau hapus teks yang melewati masa simpan")
    actions = audit.add_subparsers(dest="action", required=True, metavar="TINDAKAN")
    p = actions.add_parser(
        "export",
        help="tulis log penyaringan ke berkas CSV/JSONL (- untuk keluaran standar), terlama dulu",
        description="Kolom seperti GET /v1/screenings. Teks yang sudah melewati masa simpan (SARING_RETENTION_DAYS) "
        "dihapus dulu; baris penyaringan yang teksnya dihapus tetap diekspor dengan judul, teks dan penulis kosong "
        "(hash, skor, keputusan dan versi tetap).",
    )
    p.add_argument("file", metavar="FILE", help="berkas tujuan (.csv atau .jsonl), atau -")
    p.add_argument("--format", choices=["csv", "jsonl"], help="format (bawaan: dari akhiran nama berkas)")
    p.add_argument("--since", metavar="TANGGAL", type=_date, help="dibuat pada atau setelah (TTTT-BB-HH, UTC)")
    p.add_argument("--until", metavar="TANGGAL", type=_date, help="dibuat sebelum (TTTT-BB-HH, UTC)")
    p.add_argument("--decision", choices=["publish", "review", "reject"], help="hanya keputusan ini")
    p.add_argument("--model-version", metavar="VERSI", help="hanya versi model ini")
    p.add_argument("--kim-group", metavar="KIM", help="hanya KIM ini")
    p.set_defaults(func=cmd_audit_export)

    p = actions.add_parser(
        "purge",
        help="hapus sekarang judul, teks dan penulis penyaringan yang lebih tua dari masa simpan",
        description="Hash, skor, keputusan, versi model, KIM, kanal, pemanggil dan id permintaan tetap disimpan.",
    )
    p.add_argument(
        "--days", metavar="N", type=positive_int, help="masa simpan dalam hari (bawaan: SARING_RETENTION_DAYS)"
    )
    p.set_defaults(func=cmd_audit_purge)
