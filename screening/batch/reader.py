"""Reading a batch input: JSONL lines or CSV records (which may span lines), as bytes, into chunks of rows.

A record that cannot be read (bad UTF-8, not JSON, no text, a text or title longer than the API accepts)
becomes a `RowError` in its chunk instead of stopping the run. A field the caller named that the input lacks
(a CSV column, or a JSONL field none of the first rows has) stops the run before its first chunk. The reader
tracks the byte offset and line number after every record, so a checkpoint can say exactly where to continue.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from screening.batch.records import BatchError, BatchUsageError, Chunk, Fields, Row, RowError
from screening.submission import MAX_TEXT_CHARS, MAX_TITLE_CHARS

InputFormat = Literal["csv", "jsonl"]
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a single record beyond this is reported, not held in memory
PROBE_ROWS = 50  # JSONL objects looked at for the named fields before the first chunk is handed on
PROBE_BYTES = 8 * 1024 * 1024  # ... or fewer, when they are long
HEAD_BYTES = 4096  # what is looked at to tell CSV from JSONL when no suffix or format says

csv.field_size_limit(MAX_RECORD_BYTES)


def detect_format(path: Path | None, given: str | None = None, *, head: bytes | None = None) -> InputFormat:
    """The input format: `given`, else the file's suffix, else (a stream, a name without suffix) what `head`,
    the input's first bytes, holds: JSONL when it starts with "{", CSV otherwise."""
    if given in ("csv", "jsonl"):
        return given  # type: ignore[return-value]
    if given:
        raise BatchUsageError(f"format masukan {given!r} tidak dikenal (csv atau jsonl)")
    suffix = path.suffix.lower() if path is not None else ""
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == "":
        start = (head or b"").removeprefix(b"\xef\xbb\xbf").lstrip()
        return "csv" if start and not start.startswith(b"{") else "jsonl"
    raise BatchUsageError(f"{path}: format tidak dapat ditebak dari akhiran nama berkas; beri --input-format")


def peek_head(stream: IO[bytes]) -> bytes | None:
    """The first bytes of `stream` without consuming them (None when a stream can neither peek nor seek)."""
    peek = getattr(stream, "peek", None)
    if callable(peek):
        return bytes(peek(HEAD_BYTES)[:HEAD_BYTES])
    if stream.seekable():
        position = stream.tell()
        head = stream.read(HEAD_BYTES)
        stream.seek(position)
        return head
    return None


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _too_long(what: str, value: str, limit: int) -> str:
    size, most = _thousands(len(value)), _thousands(limit)
    return f"{what} terlalu panjang ({size} karakter; paling banyak {most}, sama dengan API)"


# the json and csv modules' English words for what is wrong with a record, as the error report says them
_JSON_PROBLEMS = {
    "Expecting value": "nilai tidak ada atau tidak sah",
    "Expecting ',' delimiter": "koma pemisah tidak ada",
    "Expecting ':' delimiter": "titik dua setelah nama field tidak ada",
    "Expecting property name enclosed in double quotes": "nama field harus diapit tanda kutip ganda",
    "Unterminated string starting at": "tanda kutip teks tidak ditutup",
    "Extra data": "ada data lain setelah objek JSON",
    "Invalid control character at": "karakter kendali di dalam teks",
    "Invalid \\escape": "garis miring terbalik (\\) yang tidak sah",
}
_CSV_PROBLEMS = {
    "new-line character seen in unquoted field": "karakter CR di luar tanda kutip; simpan ulang berkasnya sebagai CSV",
    "field larger than field limit": f"sebuah kolom lebih panjang dari {MAX_RECORD_BYTES} bita",
}


def _json_problem(exc: json.JSONDecodeError) -> str:
    problem = _JSON_PROBLEMS.get(exc.msg, exc.msg)
    if exc.msg == "Invalid control character at" and exc.doc[exc.pos : exc.pos + 1] in ("\n", "\r"):
        problem = "tanda kutip teks tidak ditutup sebelum akhir baris"
    return f"bukan JSON yang sah ({problem}, pada karakter ke-{exc.colno})"


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    known = next((ours for theirs, ours in _CSV_PROBLEMS.items() if text.startswith(theirs)), text)
    return f"CSV rusak ({known})"


class LineSource:
    """Raw lines of a binary stream with the byte offset after each line; counts physical lines."""

    def __init__(self, stream: IO[bytes], offset: int, line_no: int) -> None:
        self.stream = stream
        self.offset = offset
        self.line_no = line_no  # lines consumed so far

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.stream.readline(MAX_RECORD_BYTES + 1)
            if not line:
                return
            self.offset += len(line)
            self.line_no += 1
            yield line


def _text_field(obj: dict[str, Any], name: str, rid: str, line: int) -> str | RowError:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        return RowError(line, rid, f"{name!r} bukan teks")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return RowError(line, rid, "bukan UTF-8 yang sah")
    return value


def _row_from_mapping(obj: dict[str, Any], line: int, fields: Fields, missing: dict[str, int]) -> Row | RowError:
    for name in fields.explicit():
        if name not in obj:
            missing[name] = missing.get(name, 0) + 1
    rid = obj.get(fields.id_name)
    rid_str = str(line) if rid is None or rid == "" else str(rid)
    if fields.text not in obj or obj[fields.text] is None:
        return RowError(line, rid_str, f"kolom {fields.text!r} tidak ada")
    text = _text_field(obj, fields.text, rid_str, line)
    title = _text_field(obj, fields.title_name, rid_str, line)
    if isinstance(text, RowError):
        return text
    if isinstance(title, RowError):
        return title
    if not text.strip():
        return RowError(line, rid_str, f"{fields.text!r} kosong")
    # the limits of one submission, so a file is screened as the API would screen its rows
    if len(text) > MAX_TEXT_CHARS:
        return RowError(line, rid_str, _too_long("teks", text, MAX_TEXT_CHARS))
    if len(title) > MAX_TITLE_CHARS:
        return RowError(line, rid_str, _too_long("judul", title, MAX_TITLE_CHARS))
    kept = tuple(obj.get(name) for name in fields.keep)
    if not fields.keep_all:
        return Row(line, rid_str, title, text, kept)
    extra = tuple((k, v) for k, v in obj.items() if k != fields.text and k not in fields.keep)
    return Row(line, rid_str, title, text, kept, extra)


@dataclass
class _FieldProbe:
    """The keys of the first JSONL objects, to refuse a named field none of them has (a typo, most likely)."""

    wanted: tuple[str, ...]
    seen: set[str] = field(default_factory=set)
    objects: int = 0
    done: bool = False

    def observe(self, obj: dict[str, Any]) -> None:
        if not self.done:
            self.objects += 1
            self.seen.update(obj)

    def satisfied(self) -> bool:
        return all(name in self.seen for name in self.wanted)

    def check(self) -> None:
        self.done = True
        absent = [name for name in self.wanted if name not in self.seen]
        if absent and self.objects:
            names = ", ".join(repr(n) for n in absent)
            found = sorted(self.seen)
            shown = ", ".join(found[:30]) + (", ..." if len(found) > 30 else "") if found else "tidak ada"
            rows = "baris pertama" if self.objects == 1 else f"{self.objects} baris pertama"
            raise BatchUsageError(f"baris JSONL tidak punya field {names} (field yang ada pada {rows}: {shown})")


def _probed(records: Iterator[Row | RowError], src: LineSource, probe: _FieldProbe) -> Iterator[Row | RowError]:
    """`records`, after the first few have shown that every named field occurs."""
    start, held = src.offset, []
    for record in records:
        held.append(record)
        if probe.satisfied() or probe.objects >= PROBE_ROWS or src.offset - start >= PROBE_BYTES:
            break
    probe.check()
    yield from held
    yield from records


def _jsonl_records(
    src: LineSource, fields: Fields, missing: dict[str, int], probe: _FieldProbe | None = None
) -> Iterator[Row | RowError]:
    for raw in src:
        line = src.line_no
        if len(raw) > MAX_RECORD_BYTES:
            yield RowError(line, None, f"baris lebih panjang dari {MAX_RECORD_BYTES} bita")
            # skip the rest of an overlong line without holding it
            while not raw.endswith(b"\n"):
                raw = src.stream.readline(MAX_RECORD_BYTES)
                if not raw:
                    break
                src.offset += len(raw)
            continue
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8").removeprefix("\ufeff") if line == 1 else raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield RowError(line, None, "bukan UTF-8 yang sah")
            continue
        except json.JSONDecodeError as exc:
            yield RowError(line, None, _json_problem(exc))
            continue
        if not isinstance(obj, dict):
            yield RowError(line, None, "bukan objek JSON")
            continue
        if probe is not None:
            probe.observe(obj)
        yield _row_from_mapping(obj, line, fields, missing)


def decoded_lines(src: LineSource, bad_lines: set[int]) -> Iterator[str]:
    for raw in src:
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.add(src.line_no)
            yield raw.decode("utf-8", errors="replace")


def read_csv_header(stream: IO[bytes]) -> tuple[list[str], int, int]:
    """The header row, the byte offset after it and the lines it spans (the stream must be at its start)."""
    src = LineSource(stream, 0, 0)
    bad: set[int] = set()
    reader = csv.reader(decoded_lines(src, bad))
    header = next(reader, None)
    if header is None or bad:
        raise BatchError("masukan CSV tidak punya baris kepala (nama kolom) yang dapat dibaca")
    if header:
        header[0] = header[0].removeprefix("\ufeff")  # spreadsheet programs start UTF-8 CSV with a BOM
    return header, src.offset, src.line_no


def check_csv_fields(header: list[str], fields: Fields) -> None:
    """Every field the caller named must be a column: a typo would otherwise be ignored silently."""
    absent = [name for name in (fields.text, *fields.explicit()) if name not in header]
    if absent:
        names = ", ".join(repr(n) for n in absent)
        raise BatchUsageError(f"kepala CSV tidak punya kolom {names} (kolom yang ada: {', '.join(header)})")


def _csv_records(
    src: LineSource, header: list[str], fields: Fields, missing: dict[str, int]
) -> Iterator[Row | RowError]:
    bad: set[int] = set()
    reader = csv.reader(decoded_lines(src, bad))
    first_line = src.line_no + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowError(first_line, None, _csv_problem(exc))
            first_line = src.line_no + 1
            continue
        line, last = first_line, src.line_no
        first_line = last + 1
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if any(n in bad for n in range(line, last + 1)):
            bad.difference_update(range(line, last + 1))
            yield RowError(line, None, "bukan UTF-8 yang sah")
            continue
        if len(values) > len(header):
            yield RowError(line, None, f"{len(values)} kolom, padahal kepala CSV punya {len(header)}")
            continue
        yield _row_from_mapping(dict(zip(header, values, strict=False)), line, fields, missing)


def read_chunks(
    stream: IO[bytes],
    fmt: InputFormat,
    fields: Fields,
    *,
    chunk_size: int,
    start_offset: int = 0,
    start_rows: int = 0,
    start_line: int = 0,
    check_fields: bool = True,
) -> Iterator[Chunk]:
    """Chunks of rows from `stream`, starting at a record boundary `start_offset` (0, from a checkpoint or a
    partition) with `start_line` lines before it.

    A stream that cannot seek (standard input) is read from where it is, which must be its start. A field the
    caller named that the input lacks raises `BatchUsageError` before the first chunk comes (with
    `check_fields`; a partition after the first leaves it to the reader of the file's first rows).
    """
    if chunk_size < 1:
        raise BatchUsageError("ukuran potongan (chunk_size) paling sedikit 1")
    header: list[str] = []
    position = 0
    if fmt == "csv":
        header, position, header_lines = read_csv_header(stream)
        if check_fields:
            check_csv_fields(header, fields)
        if start_offset < position:
            start_offset, start_line = position, header_lines
    _seek(stream, start_offset, position)
    src = LineSource(stream, start_offset, start_line)
    missing: dict[str, int] = {}
    records: Iterator[Row | RowError]
    if fmt == "csv":
        records = _csv_records(src, header, fields, missing)
    elif check_fields:
        probe = _FieldProbe((fields.text, *fields.explicit()))
        records = _probed(_jsonl_records(src, fields, missing, probe), src, probe)
    else:
        records = _jsonl_records(src, fields, missing)
    rows: list[Row] = []
    errors: list[RowError] = []
    consumed, index = start_rows, 0
    for record in records:
        consumed += 1
        (rows if isinstance(record, Row) else errors).append(record)  # type: ignore[arg-type]
        if len(rows) + len(errors) >= chunk_size:
            yield Chunk(index, rows, errors, src.offset, consumed, src.line_no, dict(missing))
            index += 1
            rows, errors = [], []
            missing.clear()
    if rows or errors:
        yield Chunk(index, rows, errors, src.offset, consumed, src.line_no, dict(missing))


def _seek(stream: IO[bytes], offset: int, position: int) -> None:
    if offset == position:
        return  # already there: a pipe after its CSV header, or the start of any stream
    if stream.seekable():
        stream.seek(offset)
        return
    raise BatchUsageError("masukan standar tidak dapat dilanjutkan (--resume) dari checkpoint; beri nama berkasnya")
