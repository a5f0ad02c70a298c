"""Writing a batch run: results in input order to the output and the error report, checkpoints, progress.

A file output is written under a temporary name (`<output>.partial`, likewise the error report) and renamed
over its own name only when the run completes, so a run that fails or is stopped never leaves a half-written
output under the final name (nor replaces an earlier one). After the files are flushed and fsynced, a checkpoint
(`<output>.checkpoint.json`) records the input byte offset, the row count and the partial files' sizes; a
resumed run truncates them to those sizes and continues from that offset, so no row is lost or doubled. A run
that completes removes its checkpoint. Dask workers that write their output rows to part files themselves
(`<output>.parts/`) send back only counts and the part's size; the writer appends each part, in input order, to
the output and removes it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from screening.batch.records import BatchError, BatchUsageError, Chunk, ChunkResult, Fields, Pending, RowError

OutputFormat = Literal["jsonl", "csv"]
OUTPUT_FIELDS = ("id", "line", "hoax_risk", "decision", "quality_score", "rules")
RULE_MESSAGES_FIELD = "rule_messages"
NOTICES_FIELD = "notices"  # what explains a decision beyond the thresholds: a known hoax, another language
MESSAGE_FIELDS = (RULE_MESSAGES_FIELD, NOTICES_FIELD)
# messages themselves contain ";"
CSV_LIST_SEPARATORS = {"rules": ";", RULE_MESSAGES_FIELD: " | ", NOTICES_FIELD: " | "}


COPY_BYTES = 1024 * 1024  # the buffer a part file is appended to the output with


def partial_path(path: Path) -> Path:
    """Where a file output is written until the run completes; then it is renamed over `path` in one step."""
    return path.with_name(path.name + ".partial")


def parts_dir(output: Path) -> Path:
    """Where Dask workers write the parts of `output` before the client merges them into it."""
    return output.with_name(output.name + ".parts")


def part_file(directory: str, index: int, fmt: OutputFormat) -> str:
    return os.path.join(directory, f"part-{index:05d}.{fmt}")


def append_part(out: IO[bytes], part: str, size: int) -> None:
    """Append a part file a worker wrote to `out`, then remove it. A part the client cannot see, or sees at
    another size than the worker wrote (a file system that does not share it), stops the run."""
    try:
        with open(part, "rb") as f:
            seen = os.fstat(f.fileno()).st_size
            if seen != size:
                raise BatchError(f"bagian keluaran {part} berukuran {seen} bita, bukan {size} yang ditulis pekerja")
            shutil.copyfileobj(f, out, COPY_BYTES)
    except FileNotFoundError as exc:
        raise BatchError(
            f"bagian keluaran {part} tidak ditemukan; pekerja dan klien harus melihat direktori keluaran yang sama"
        ) from exc
    os.unlink(part)


def output_format_for(path: Path | None, given: str | None = None) -> OutputFormat:
    if given in ("csv", "jsonl"):
        return given  # type: ignore[return-value]
    if given:
        raise BatchUsageError(f"format keluaran {given!r} tidak dikenal (jsonl atau csv)")
    return "csv" if path is not None and path.suffix.lower() == ".csv" else "jsonl"


def output_columns(fields: Fields, *, rule_messages: bool) -> tuple[str, ...]:
    """The output's fields in order: the screening result, then the messages for editors (the fired rules' and
    the decision's notices) and the kept input columns."""
    columns = OUTPUT_FIELDS + (MESSAGE_FIELDS if rule_messages else ())
    clash = [name for name in fields.keep if name in columns]
    if clash:
        raise BatchUsageError(f"kolom {', '.join(map(repr, clash))} sudah ada di keluaran; tidak dapat disalin")
    return columns + fields.keep


def extra_columns(chunk: Chunk | None, columns: tuple[str, ...]) -> tuple[str, ...]:
    """With `Fields.keep_all`, the CSV output's further columns: the other fields of the first chunk's rows, in
    the order they first occur, but any the output already has."""
    names: dict[str, None] = {}
    for row in chunk.rows if chunk is not None else ():
        names.update((name, None) for name, _ in row.extra if name not in columns)
    return tuple(names)


def encode_records(
    records: list[dict[str, Any]], fmt: OutputFormat, columns: tuple[str, ...], keep: tuple[str, ...] = ()
) -> bytes:
    """Output rows; `keep` names the values in each record's "kept" (`Fields.keep`)."""
    rows = [_output_row(r, columns, keep) for r in records]
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in rows:
        writer.writerow([_csv_value(name, r.get(name)) for name in columns])
    return buf.getvalue().encode("utf-8")


def encode_errors(errors: list[RowError]) -> bytes:
    return "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in errors).encode("utf-8")


@dataclass(frozen=True)
class Encoding:
    """How a worker writes its output rows: the format, the columns in order, the names of the kept fields."""

    fmt: OutputFormat
    columns: tuple[str, ...]
    keep: tuple[str, ...] = ()

    def encode(self, records: list[dict[str, Any]]) -> bytes:
        return encode_records(records, self.fmt, self.columns, self.keep)


def csv_header(columns: tuple[str, ...]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(columns)
    return buf.getvalue().encode("utf-8")


def _output_row(record: dict[str, Any], columns: tuple[str, ...], keep: tuple[str, ...]) -> dict[str, Any]:
    row = {name: record[name] for name in columns if name in record and name not in ("kept", "extra")}
    row.update(zip(keep, record["kept"], strict=True))
    for name, value in record.get("extra", ()):
        row.setdefault(name, value)  # an input field never overwrites a result field
    return row


def _csv_value(name: str, value: Any) -> Any:
    if name in CSV_LIST_SEPARATORS:
        return CSV_LIST_SEPARATORS[name].join(value)
    if value is None or isinstance(value, str | int | float):
        return value
    return json.dumps(value, ensure_ascii=False)  # a nested JSON value kept from a JSONL input


@dataclass
class BatchSummary:
    """What a run did; counters include the rows of the run that was resumed."""

    rows: int = 0  # input records consumed (screened + errors)
    screened: int = 0
    errors: int = 0
    decisions: dict[str, int] = field(default_factory=lambda: {"publish": 0, "review": 0, "reject": 0})
    missing_fields: dict[str, int] = field(default_factory=dict)  # named field -> rows that lacked it
    seconds: float = 0.0
    model_version: str = ""
    engine: str = "local"
    jobs: int = 1
    resumed_from_rows: int = 0
    complete: bool = False

    @property
    def rows_per_second(self) -> float:
        return (self.rows - self.resumed_from_rows) / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_per_second": round(self.rows_per_second, 1)}

    def counters(self) -> dict[str, Any]:
        """What a checkpoint keeps, so a resumed run reports the whole input."""
        return {
            "rows": self.rows,
            "screened": self.screened,
            "errors": self.errors,
            "decisions": dict(self.decisions),
            "missing_fields": dict(self.missing_fields),
        }

    def restore(self, counters: dict[str, Any]) -> None:
        self.rows, self.screened, self.errors = counters["rows"], counters["screened"], counters["errors"]
        self.decisions = dict(counters["decisions"])
        self.missing_fields = dict(counters.get("missing_fields", {}))
        self.resumed_from_rows = self.rows


@dataclass(frozen=True)
class Progress:
    rows: int
    input_bytes: int  # input offset reached
    total_bytes: int | None  # None for a stream of unknown size
    elapsed: float
    resumed_from_rows: int = 0
    resumed_from_bytes: int = 0


@dataclass
class Writer:
    """The writer side of a run: drains results in input order, writes them, checkpoints, reports progress."""

    summary: BatchSummary
    state: dict[str, Any]  # what the checkpoint may claim: only whole chunks, written and flushed
    out_stream: IO[bytes]
    err_stream: IO[bytes] | None
    checkpoint_file: Path | None
    checkpoint_interval_s: float
    progress: Callable[[Progress], None] | None
    total_bytes: int | None
    started: float
    publish: list[tuple[Path, Path]] = field(default_factory=list)  # (partial, final) renamed when complete
    last_checkpoint: float = 0.0

    def drive(self, work: Iterable[Any], submit: Callable[[Any], Pending], max_in_flight: int) -> None:
        """Submit the chunks (or partitions) of `work`, at most `max_in_flight` ahead, and write their results as
        they come, in input order."""
        resumed_from_bytes = int(self.state["input_offset"])
        self.last_checkpoint = time.perf_counter()
        pending: deque[Pending] = deque()
        try:
            for item in work:
                pending.append(submit(item))
                while len(pending) >= max_in_flight:
                    self._write(pending.popleft().result(), resumed_from_bytes)
            while pending:
                self._write(pending.popleft().result(), resumed_from_bytes)
        except BaseException:
            self.checkpoint()  # keep the work finished so far for a resumed run
            raise
        self.summary.complete = True
        self.finish()

    def _write(self, result: ChunkResult, resumed_from_bytes: int) -> None:
        summary = self.summary
        if result.part is not None:
            append_part(self.out_stream, result.part, result.part_bytes)
        else:
            self.out_stream.write(result.output)
        if result.error_lines and self.err_stream is not None:
            self.err_stream.write(result.error_lines)
        summary.rows += result.rows
        summary.screened += result.screened
        summary.errors += result.errors
        for decision, count in result.decisions.items():
            summary.decisions[decision] = summary.decisions.get(decision, 0) + count
        for name, count in result.missing.items():
            summary.missing_fields[name] = summary.missing_fields.get(name, 0) + count
        if self.checkpoint_file is not None:
            self.state.update(
                input_offset=result.end_offset,
                input_rows=summary.rows,
                input_line=result.end_line,
                output_bytes=self.out_stream.tell(),
                errors_bytes=self.err_stream.tell() if self.err_stream is not None else 0,
                summary=summary.counters(),
            )
        now = time.perf_counter()
        if now - self.last_checkpoint >= self.checkpoint_interval_s:
            self.checkpoint()
            self.last_checkpoint = now
        if self.progress is not None:
            self.progress(
                Progress(
                    rows=summary.rows,
                    input_bytes=result.end_offset,
                    total_bytes=self.total_bytes,
                    elapsed=now - self.started,
                    resumed_from_rows=summary.resumed_from_rows,
                    resumed_from_bytes=resumed_from_bytes,
                )
            )

    def checkpoint(self) -> None:
        """Make the outputs durable, then record (atomically) how far they are complete."""
        if self.checkpoint_file is None:
            return
        self._durable()
        write_json_atomic(self.checkpoint_file, self.state)

    def finish(self) -> None:
        """Make the outputs durable and give them their names (the output last: it says the run is complete); a
        complete run needs no checkpoint (a crash before this resumes correctly)."""
        self._durable()
        for partial, final in self.publish:
            os.replace(partial, final)
        if self.checkpoint_file is not None:
            self.checkpoint_file.unlink(missing_ok=True)

    def _durable(self) -> None:
        _durable(self.out_stream)
        if self.err_stream is not None:
            _durable(self.err_stream)


def write_json_atomic(path: Path, obj: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def open_at(path: Path, size: int) -> IO[bytes]:
    """Open for writing at `size` bytes, dropping anything after (0 starts afresh; >0 continues a checkpoint)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "r+b" if path.exists() else "w+b")  # noqa: SIM115 - the caller's ExitStack closes it
    f.seek(0, os.SEEK_END)
    if f.tell() < size:
        f.close()
        raise BatchError(f"{path} lebih pendek daripada yang dicatat checkpoint; jalankan tanpa --resume")
    f.truncate(size)
    f.seek(size)
    return f


def _durable(stream: IO[bytes]) -> None:
    stream.flush()
    with contextlib.suppress(OSError, io.UnsupportedOperation, ValueError):
        os.fsync(stream.fileno())  # a pipe or an in-memory stream has nothing to make durable
