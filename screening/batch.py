"""Batch screening of CSV or JSONL files in constant memory, on local processes or a Dask cluster.

    spec = ScreenerSpec(models_dir=Path("models"))             # resolves the active version once
    summary = screen_file(spec, Path("posts.jsonl"), Path("out.jsonl"), options=BatchOptions(jobs=4))

How a run flows:
  reader   the input is read as bytes, one record at a time (a JSONL line or a CSV record, which may span
           lines), and cut into chunks of `chunk_size` rows; a row that cannot be read (bad UTF-8, not JSON,
           no text) becomes an error record in its chunk instead of stopping the run.
  engine   chunks go to workers that each hold one Screener (loaded once per worker process, or scattered
           once to every Dask worker) and screen a chunk with `Screener.screen_many`; at most
           `max_in_flight` chunks are read ahead, so memory does not grow with the file.
  writer   results come back in input order and are appended to the output and the error report; after
           the files are flushed and fsynced, a checkpoint (`<output>.checkpoint.json`) records the input
           byte offset, the row count and the output sizes. `resume=True` truncates the outputs to the
           checkpointed sizes and continues from the checkpointed input offset, so no row is lost or doubled.

Every engine screens the same chunks with the same model version, so results do not depend on the engine or
the number of jobs. Progress is reported through a callback; this module never prints.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from screening.errors import InvalidInputError, ScreeningError
from screening.registry import ModelRegistry
from screening.result import Thresholds
from screening.screen import DEFAULT_BASE_RATES, DEFAULT_THRESHOLDS, Screener
from screening.submission import Submission

InputFormat = Literal["csv", "jsonl"]
OutputFormat = Literal["jsonl", "csv"]
Engine = Literal["local", "dask"]
OUTPUT_FIELDS = ("id", "line", "hoax_risk", "decision", "quality_score", "rules")
CHECKPOINT_VERSION = 1
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a single record beyond this is reported, not held in memory

csv.field_size_limit(MAX_RECORD_BYTES)


class BatchError(ScreeningError):
    """A batch run cannot start or continue (unreadable input, mismatching checkpoint, unknown format)."""


# -- what a worker needs ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScreenerSpec:
    """Where a worker finds the model (a registry directory, a fixed version: the active one when None) and how
    to screen with it (thresholds, deployment base rates per genre, as in `Screener`)."""

    models_dir: Path
    version: str | None = None
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    base_rates: tuple[tuple[str, float], ...] = tuple(DEFAULT_BASE_RATES.items())

    def resolved(self) -> ScreenerSpec:
        """The same spec pinned to a concrete version, so every worker (and a resumed run) uses one model."""
        if self.version is not None:
            return self
        version = ModelRegistry(self.models_dir).active_version()
        if version is None:
            raise BatchError(f"no active model under {self.models_dir}; run `saring train`")
        return replace(self, version=version)

    def load(self) -> Screener:
        return Screener.from_registry(
            ModelRegistry(self.models_dir),
            self.version,
            default_thresholds=self.thresholds,
            base_rates=dict(self.base_rates),
        )


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line number of the record's first line in the input
    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    id: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive input records; `end_offset`/`end_rows` locate the input just after its last record."""

    index: int
    rows: list[Row]
    errors: list[RowError]
    end_offset: int
    end_rows: int
    end_line: int = 0


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """One output record per screened row, plus the rows that could not be screened."""

    index: int
    records: list[dict[str, Any]]
    errors: list[RowError]


def screen_chunk(screener: Screener, chunk: Chunk) -> ChunkResult:
    """Screen a chunk in one `screen_many` call; a row the library refuses becomes an error record."""
    errors = list(chunk.errors)
    outcomes = screener.screen_many([Submission(text=r.text, title=r.title) for r in chunk.rows], explain=False)
    records = []
    for r, outcome in zip(chunk.rows, outcomes, strict=True):
        if isinstance(outcome, InvalidInputError):
            errors.append(RowError(r.line, r.id, str(outcome)))
            continue
        records.append(
            {
                "id": r.id,
                "line": r.line,
                "hoax_risk": outcome.hoax_risk,
                "decision": outcome.decision,
                "quality_score": outcome.quality.score,
                "rules": [m.rule_id for m in outcome.rules],
            }
        )
    errors.sort(key=lambda e: e.line)
    return ChunkResult(chunk.index, records, errors)


# -- worker side of the local engine -----------------------------------------------------------------------
_worker_screener: Screener | None = None  # one per worker process, set by the pool initializer


def _init_worker(spec: ScreenerSpec) -> None:
    global _worker_screener
    _worker_screener = spec.load()


def _screen_in_worker(chunk: Chunk) -> ChunkResult:
    if _worker_screener is None:  # pragma: no cover - the initializer always runs first
        raise BatchError("worker has no screener")
    return screen_chunk(_worker_screener, chunk)


# -- engines --------------------------------------------------------------------------------------------------
class _Pending(Protocol):
    def result(self) -> ChunkResult: ...


class _Done:
    def __init__(self, value: ChunkResult) -> None:
        self._value = value

    def result(self) -> ChunkResult:
        return self._value


class _Runner(Protocol):
    parallelism: int

    def submit(self, chunk: Chunk) -> _Pending: ...

    def close(self) -> None: ...


class _InlineRunner:
    """One job: screen in this process, no pool to start or feed."""

    parallelism = 1

    def __init__(self, spec: ScreenerSpec) -> None:
        self.screener = spec.load()

    def submit(self, chunk: Chunk) -> _Pending:
        return _Done(screen_chunk(self.screener, chunk))

    def close(self) -> None:
        pass


class _PoolRunner:
    """A process pool whose workers each load the Screener once."""

    def __init__(self, spec: ScreenerSpec, jobs: int) -> None:
        self.parallelism = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(spec,))

    def submit(self, chunk: Chunk) -> _Pending:
        future: Future[ChunkResult] = self.pool.submit(_screen_in_worker, chunk)
        return future

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _DaskRunner:
    """Chunks as tasks on a Dask cluster; the Screener is scattered once to every worker (no shared disk needed)."""

    def __init__(self, spec: ScreenerSpec, scheduler: str | Any | None) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise BatchError("the Dask engine needs `pip install 'saring[dask]'`") from exc
        if isinstance(scheduler, Client):
            self.client, self._owns_client = scheduler, False
        elif scheduler:
            self.client, self._owns_client = Client(scheduler), True
        else:
            raise BatchError("the Dask engine needs a scheduler address (--scheduler tcp://host:8786)")
        workers = self.client.scheduler_info().get("workers", {})
        self.parallelism = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
        self.screener = self.client.scatter(spec.load(), broadcast=True, hash=False)

    def submit(self, chunk: Chunk) -> _Pending:
        future: _Pending = self.client.submit(screen_chunk, self.screener, chunk, pure=False)
        return future

    def close(self) -> None:
        self.client.cancel([self.screener])
        if self._owns_client:
            self.client.close()


# -- reading ---------------------------------------------------------------------------------------------------
def detect_format(path: Path | None, given: str | None = None) -> InputFormat:
    if given in ("csv", "jsonl"):
        return given  # type: ignore[return-value]
    if given:
        raise BatchError(f"unknown input format {given!r} (csv or jsonl)")
    suffix = path.suffix.lower() if path is not None else ""
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json", ""):
        return "jsonl"
    raise BatchError(f"{path}: cannot tell the format from the extension; give csv or jsonl")


def output_format_for(path: Path | None, given: str | None = None) -> OutputFormat:
    if given in ("csv", "jsonl"):
        return given  # type: ignore[return-value]
    if given:
        raise BatchError(f"unknown output format {given!r} (jsonl or csv)")
    return "csv" if path is not None and path.suffix.lower() == ".csv" else "jsonl"


class _LineSource:
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


@dataclass(frozen=True)
class Fields:
    text: str = "text"
    title: str | None = None
    id: str | None = None


def _row_from_mapping(obj: dict[str, Any], line: int, fields: Fields) -> Row | RowError:
    rid = obj.get(fields.id) if fields.id else None
    rid_str = str(line) if rid is None or rid == "" else str(rid)
    text = obj.get(fields.text)
    if text is None:
        return RowError(line, rid_str, f"missing {fields.text!r}")
    if not isinstance(text, str):
        return RowError(line, rid_str, f"{fields.text!r} is not a string")
    title = obj.get(fields.title, "") if fields.title else ""
    if title is None:
        title = ""
    if not isinstance(title, str):
        return RowError(line, rid_str, f"{fields.title!r} is not a string")
    if not text.strip():
        return RowError(line, rid_str, f"empty {fields.text!r}")
    for value in (text, title):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return RowError(line, rid_str, "not valid UTF-8")
    return Row(line, rid_str, title, text)


def _jsonl_records(src: _LineSource, fields: Fields) -> Iterator[Row | RowError]:
    for raw in src:
        line = src.line_no
        if len(raw) > MAX_RECORD_BYTES:
            yield RowError(line, None, f"line longer than {MAX_RECORD_BYTES} bytes")
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
            yield RowError(line, None, "not valid UTF-8")
            continue
        except json.JSONDecodeError as exc:
            yield RowError(line, None, f"not valid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            yield RowError(line, None, "not a JSON object")
            continue
        yield _row_from_mapping(obj, line, fields)


def _decoded(src: _LineSource, bad_lines: set[int]) -> Iterator[str]:
    for raw in src:
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.add(src.line_no)
            yield raw.decode("utf-8", errors="replace")


def _csv_header(stream: IO[bytes]) -> tuple[list[str], int, int]:
    """The header row, the byte offset after it and the lines it spans."""
    src = _LineSource(stream, 0, 0)
    bad: set[int] = set()
    reader = csv.reader(_decoded(src, bad))
    header = next(reader, None)
    if header is None or bad:
        raise BatchError("the CSV input has no readable header row")
    if header:
        header[0] = header[0].removeprefix("\ufeff")  # spreadsheet programs start UTF-8 CSV with a BOM
    return header, src.offset, src.line_no


def _csv_records(src: _LineSource, header: list[str], fields: Fields) -> Iterator[Row | RowError]:
    bad: set[int] = set()
    reader = csv.reader(_decoded(src, bad))
    first_line = src.line_no + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowError(first_line, None, f"malformed CSV ({exc})")
            first_line = src.line_no + 1
            continue
        line, last = first_line, src.line_no
        first_line = last + 1
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if any(n in bad for n in range(line, last + 1)):
            bad.difference_update(range(line, last + 1))
            yield RowError(line, None, "not valid UTF-8")
            continue
        if len(values) > len(header):
            yield RowError(line, None, f"{len(values)} fields, the header has {len(header)}")
            continue
        yield _row_from_mapping(dict(zip(header, values, strict=False)), line, fields)


def read_chunks(
    stream: IO[bytes],
    fmt: InputFormat,
    fields: Fields,
    *,
    chunk_size: int,
    start_offset: int = 0,
    start_rows: int = 0,
    start_line: int = 0,
) -> Iterator[Chunk]:
    """Chunks of rows from `stream`, starting at a record boundary `start_offset` (0 or from a checkpoint)."""
    if chunk_size < 1:
        raise BatchError("chunk_size must be at least 1")
    header: list[str] = []
    if fmt == "csv":
        header, header_end, header_lines = _csv_header(stream)
        if fields.text not in header:
            raise BatchError(f"the CSV header has no {fields.text!r} column (columns: {', '.join(header)})")
        if start_offset < header_end:
            start_offset, start_line = header_end, header_lines
    _seek(stream, start_offset)
    src = _LineSource(stream, start_offset, start_line)
    records = _csv_records(src, header, fields) if fmt == "csv" else _jsonl_records(src, fields)
    rows: list[Row] = []
    errors: list[RowError] = []
    consumed = start_rows
    index = 0
    for record in records:
        consumed += 1
        (rows if isinstance(record, Row) else errors).append(record)  # type: ignore[arg-type]
        if len(rows) + len(errors) >= chunk_size:
            yield Chunk(index, rows, errors, src.offset, consumed, src.line_no)
            index += 1
            rows, errors = [], []
    if rows or errors:
        yield Chunk(index, rows, errors, src.offset, consumed, src.line_no)


def _seek(stream: IO[bytes], offset: int) -> None:
    if stream.seekable():
        stream.seek(offset)
        return
    if offset:
        raise BatchError("cannot resume from a non-seekable input (standard input); give a file")


# -- writing ---------------------------------------------------------------------------------------------------
def _encode_records(records: list[dict[str, Any]], fmt: OutputFormat) -> bytes:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in records:
        writer.writerow([r["id"], r["line"], r["hoax_risk"], r["decision"], r["quality_score"], ";".join(r["rules"])])
    return buf.getvalue().encode("utf-8")


def _csv_header_bytes() -> bytes:
    return (",".join(OUTPUT_FIELDS) + "\n").encode("utf-8")


@dataclass
class BatchSummary:
    """What a run did; counters include the rows of the run that was resumed."""

    rows: int = 0  # input records consumed (screened + errors)
    screened: int = 0
    errors: int = 0
    decisions: dict[str, int] = field(default_factory=lambda: {"publish": 0, "review": 0, "reject": 0})
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


@dataclass(frozen=True)
class Progress:
    rows: int
    input_bytes: int  # input offset reached
    total_bytes: int | None  # None for a stream of unknown size
    elapsed: float
    resumed_from_rows: int = 0
    resumed_from_bytes: int = 0


@dataclass(frozen=True)
class BatchOptions:
    """How to read, where to run and how to write a batch run."""

    fields: Fields = Fields()
    input_format: InputFormat | None = None  # from the extension when None
    output_format: OutputFormat | None = None  # from the extension when None
    chunk_size: int = 256
    jobs: int = 0  # 0: os.cpu_count()
    engine: Engine = "local"
    scheduler: str | Any | None = None  # Dask scheduler address or a distributed.Client
    max_in_flight: int = 0  # chunks read ahead; 0: 2 x parallelism
    checkpoint_interval_s: float = 1.0


def _checkpoint_path(output: Path) -> Path:
    return output.with_name(output.name + ".checkpoint.json")


def default_errors_path(output: Path) -> Path:
    return output.with_name(output.name + ".errors.jsonl")


def _fingerprint(
    input_path: Path | None, options: BatchOptions, fmt: InputFormat, out_fmt: OutputFormat, spec: ScreenerSpec
) -> dict[str, Any]:
    fp: dict[str, Any] = {
        "input": str(input_path.resolve()) if input_path is not None else "-",
        "input_format": fmt,
        "output_format": out_fmt,
        "fields": asdict(options.fields),
        "model_version": spec.version,
        "thresholds": asdict(spec.thresholds),
        "base_rates": dict(spec.base_rates),
    }
    if input_path is not None:
        st = input_path.stat()
        fp["input_size"] = st.st_size
        fp["input_mtime_ns"] = st.st_mtime_ns
    return fp


def _write_json_atomic(path: Path, obj: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def screen_file(
    spec: ScreenerSpec,
    input: Path | IO[bytes],
    output: Path | IO[bytes],
    *,
    errors: Path | IO[bytes] | None = None,
    options: BatchOptions = BatchOptions(),
    resume: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> BatchSummary:
    """Screen every record of `input` into `output` (in input order) and unreadable rows into `errors`.

    Paths may be given as `Path` or as binary streams (standard input/output); checkpoints and `resume` need
    an output path. Without `errors`, an output path gets `<output>.errors.jsonl`.
    """
    start = time.perf_counter()
    spec = spec.resolved()
    input_path = input if isinstance(input, Path) else None
    output_path = output if isinstance(output, Path) else None
    fmt = detect_format(input_path, options.input_format)
    out_fmt = output_format_for(output_path, options.output_format)
    if errors is None and output_path is not None:
        errors = default_errors_path(output_path)
    if resume and output_path is None:
        raise BatchError("resume needs an output file")
    fingerprint = _fingerprint(input_path, options, fmt, out_fmt, spec)
    checkpoint_file = _checkpoint_path(output_path) if output_path is not None else None

    summary = BatchSummary(model_version=str(spec.version), engine=options.engine)
    state: dict[str, Any] = {
        "version": CHECKPOINT_VERSION,
        "fingerprint": fingerprint,
        "input_offset": 0,
        "input_rows": 0,
        "input_line": 0,
        "output_bytes": 0,
        "errors_bytes": 0,
        "summary": _counters(summary),
        "complete": False,
    }
    if resume and checkpoint_file is not None and checkpoint_file.is_file():
        saved = json.loads(checkpoint_file.read_text("utf-8"))
        if saved.get("version") != CHECKPOINT_VERSION or saved.get("fingerprint") != fingerprint:
            raise BatchError(f"{checkpoint_file} belongs to another input, model or options; run without resume")
        state = saved
        counters = state["summary"]
        summary.rows, summary.screened, summary.errors = counters["rows"], counters["screened"], counters["errors"]
        summary.decisions = dict(counters["decisions"])
        summary.resumed_from_rows = summary.rows
        if state["complete"]:
            summary.complete = True
            return summary
    elif checkpoint_file is not None:
        checkpoint_file.unlink(missing_ok=True)  # a fresh run: an old checkpoint must not describe the new files

    with contextlib.ExitStack() as stack:
        in_stream: IO[bytes] = stack.enter_context(open(input_path, "rb")) if input_path is not None else input  # type: ignore[assignment]
        out_stream: IO[bytes] = (
            stack.enter_context(_open_at(output_path, state["output_bytes"])) if output_path is not None else output  # type: ignore[assignment]
        )
        err_stream: IO[bytes] | None = None
        if isinstance(errors, Path):
            err_stream = stack.enter_context(_open_at(errors, state["errors_bytes"]))
        elif errors is not None:
            err_stream = errors
        runner = _make_runner(spec, options)
        stack.callback(runner.close)
        summary.jobs = runner.parallelism
        run = _Run(
            summary=summary,
            state=state,
            out_stream=out_stream,
            err_stream=err_stream,
            out_fmt=out_fmt,
            checkpoint_file=checkpoint_file,
            checkpoint_interval_s=options.checkpoint_interval_s,
            progress=progress,
            total_bytes=input_path.stat().st_size if input_path is not None else None,
            started=start,
        )
        if out_fmt == "csv" and state["output_bytes"] == 0:
            out_stream.write(_csv_header_bytes())
            state["output_bytes"] = len(_csv_header_bytes()) if output_path is not None else 0
        chunks = read_chunks(
            in_stream,
            fmt,
            options.fields,
            chunk_size=options.chunk_size,
            start_offset=state["input_offset"],
            start_rows=state["input_rows"],
            start_line=state["input_line"],
        )
        run.drive(chunks, runner, options.max_in_flight or 2 * runner.parallelism)
        out_stream.flush()
        if err_stream is not None:
            err_stream.flush()
    summary.seconds = time.perf_counter() - start
    return summary


def _make_runner(spec: ScreenerSpec, options: BatchOptions) -> _Runner:
    if options.engine == "dask":
        return _DaskRunner(spec, options.scheduler)
    if options.engine != "local":
        raise BatchError(f"unknown engine {options.engine!r} (local or dask)")
    jobs = options.jobs or os.cpu_count() or 1
    return _InlineRunner(spec) if jobs == 1 else _PoolRunner(spec, jobs)


@dataclass
class _Run:
    """The writer side of a run: drains results in input order, writes them, checkpoints, reports progress."""

    summary: BatchSummary
    state: dict[str, Any]  # what the checkpoint may claim: only whole chunks, written and flushed
    out_stream: IO[bytes]
    err_stream: IO[bytes] | None
    out_fmt: OutputFormat
    checkpoint_file: Path | None
    checkpoint_interval_s: float
    progress: Callable[[Progress], None] | None
    total_bytes: int | None
    started: float
    last_checkpoint: float = 0.0

    def drive(self, chunks: Iterator[Chunk], runner: _Runner, max_in_flight: int) -> None:
        resumed_from_bytes = int(self.state["input_offset"])
        self.last_checkpoint = time.perf_counter()
        pending: deque[tuple[Chunk, _Pending]] = deque()
        try:
            for chunk in chunks:
                pending.append((chunk, runner.submit(chunk)))
                while len(pending) >= max_in_flight:
                    self._write(*pending.popleft(), resumed_from_bytes)
            while pending:
                self._write(*pending.popleft(), resumed_from_bytes)
        except BaseException:
            self.checkpoint()  # keep the work finished so far for a resumed run
            raise
        self.summary.complete = True
        self.checkpoint(complete=True)

    def _write(self, chunk: Chunk, future: _Pending, resumed_from_bytes: int) -> None:
        result = future.result()
        summary = self.summary
        self.out_stream.write(_encode_records(result.records, self.out_fmt))
        if result.errors and self.err_stream is not None:
            lines = "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in result.errors)
            self.err_stream.write(lines.encode("utf-8"))
        summary.rows = chunk.end_rows
        summary.screened += len(result.records)
        summary.errors += len(result.errors)
        for r in result.records:
            summary.decisions[r["decision"]] = summary.decisions.get(r["decision"], 0) + 1
        if self.checkpoint_file is not None:
            self.state.update(
                input_offset=chunk.end_offset,
                input_rows=chunk.end_rows,
                input_line=chunk.end_line,
                output_bytes=self.out_stream.tell(),
                errors_bytes=self.err_stream.tell() if self.err_stream is not None else 0,
                summary=_counters(summary),
            )
        now = time.perf_counter()
        if now - self.last_checkpoint >= self.checkpoint_interval_s:
            self.checkpoint()
            self.last_checkpoint = now
        if self.progress is not None:
            self.progress(
                Progress(
                    rows=summary.rows,
                    input_bytes=chunk.end_offset,
                    total_bytes=self.total_bytes,
                    elapsed=now - self.started,
                    resumed_from_rows=summary.resumed_from_rows,
                    resumed_from_bytes=resumed_from_bytes,
                )
            )

    def checkpoint(self, *, complete: bool = False) -> None:
        """Make the outputs durable, then record (atomically) how far they are complete."""
        if self.checkpoint_file is None:
            return
        _durable(self.out_stream)
        if self.err_stream is not None:
            _durable(self.err_stream)
        self.state["complete"] = complete
        _write_json_atomic(self.checkpoint_file, self.state)


def _counters(summary: BatchSummary) -> dict[str, Any]:
    return {
        "rows": summary.rows,
        "screened": summary.screened,
        "errors": summary.errors,
        "decisions": dict(summary.decisions),
    }


def _open_at(path: Path, size: int) -> IO[bytes]:
    """Open for writing at `size` bytes, dropping anything after (0 starts afresh; >0 continues a checkpoint)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "r+b" if path.exists() else "w+b")  # noqa: SIM115 - the caller's ExitStack closes it
    f.seek(0, os.SEEK_END)
    if f.tell() < size:
        f.close()
        raise BatchError(f"{path} is shorter than its checkpoint says; run without resume")
    f.truncate(size)
    f.seek(size)
    return f


def _durable(stream: IO[bytes]) -> None:
    stream.flush()
    with contextlib.suppress(OSError, io.UnsupportedOperation, ValueError):
        os.fsync(stream.fileno())  # a pipe or an in-memory stream has nothing to make durable
