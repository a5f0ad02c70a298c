"""Where chunks are screened: in this process, in a local process pool, or on a Dask cluster.

Every engine screens the same records with the same model version, so results do not depend on the engine or
the number of jobs. A worker returns its rows already encoded as output lines (a few hundred bytes a row), or
writes them to a part file, never result objects. Pool workers load the Screener once each; one that cannot
load it reports the error with the first chunk it is given (the parent then stops with that one error), and a
worker whose parent has died exits by itself instead of lingering as an orphan. Dask workers load it once per
worker process from the registry directory (a path they reach), read their own partitions of the input file
(screening/batch/partitions.py) and, when the output is a file, write each partition's rows to a part file
beside it that the client merges.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from screening.batch.partitions import PartitionSource, csv_partitions, jsonl_partitions, measure_range, read_partition
from screening.batch.records import BatchError, BatchUsageError, Chunk, ChunkResult, Partition, Pending, RowError
from screening.batch.writer import Encoding, encode_errors, part_file
from screening.errors import InvalidInputError, ScreeningError
from screening.policy import DecisionPolicy
from screening.registry import ModelRegistry, TrainedModel
from screening.screen import BATCH_YOUNG_GC_THRESHOLD, Screener, settle_heap
from screening.submission import Submission

Engine = Literal["local", "dask"]
PARENT_CHECK_INTERVAL_S = 0.5  # how long a worker may outlive a parent killed with SIGKILL


@dataclass(frozen=True)
class ScreenerSpec:
    """Where a worker finds the model (a registry directory, a fixed version: the active one when None) and the
    decision policy to screen with (the deployment defaults unless the caller's settings say otherwise)."""

    models_dir: Path
    version: str | None = None
    policy: DecisionPolicy = field(default_factory=DecisionPolicy)

    def resolved(self) -> tuple[ScreenerSpec, TrainedModel]:
        """The same spec pinned to a concrete version, and that version loaded and verified: every worker (and a
        resumed run) uses one model, a model that cannot load stops the run here, before any worker starts, and a
        runner in this process screens with the model loaded here (`make_runner(verified=...)`)."""
        registry = ModelRegistry(self.models_dir)
        if self.version is not None and (Path(self.version).name != self.version or not self._stored(self.version)):
            raise BatchUsageError(
                f"versi model {self.version!r} tidak ada di {self.models_dir}; lihat `saring models list`"
            )
        version = self.version or registry.active_version()
        if version is None:
            raise BatchUsageError(f"tidak ada model aktif di {self.models_dir}; jalankan `saring train` dulu")
        return replace(self, version=version), registry.load(version)

    def _stored(self, version: str) -> bool:
        return (Path(self.models_dir) / version).is_dir()

    def load(self, verified: TrainedModel | None = None) -> Screener:
        """The Screener, warmed up and left out of the garbage collector's passes (it screens for the whole run;
        forked workers inherit it, and the collector's batch settings); from `verified`, the model `resolved` loaded
        for this spec, when given (not read and checked twice)."""
        trained = verified if verified is not None else ModelRegistry(self.models_dir).load(self.version)
        screener = Screener.from_trained(trained, policy=self.policy).warm_up()
        settle_heap(BATCH_YOUNG_GC_THRESHOLD)
        return screener


def screen_chunk(screener: Screener, chunk: Chunk, encoding: Encoding) -> ChunkResult:
    """Screen a chunk in one `screen_many` call into encoded output lines; a row the library refuses becomes an
    error record."""
    errors = list(chunk.errors)
    submissions = [Submission(text=r.text, title=r.title) for r in chunk.rows]
    # the output carries scores, rules and notices, not quality findings: their explanations are not made
    outcomes = screener.screen_many(submissions, explain=False, suggest_spelling=False)
    records = []
    decisions: dict[str, int] = {}
    for r, outcome in zip(chunk.rows, outcomes, strict=True):
        if isinstance(outcome, InvalidInputError):
            errors.append(RowError(r.line, r.id, f"tidak dapat disaring: {outcome}"))
            continue
        decisions[outcome.decision] = decisions.get(outcome.decision, 0) + 1
        records.append(
            {
                "id": r.id,
                "line": r.line,
                "hoax_risk": outcome.hoax_risk,
                "decision": outcome.decision,
                "quality_score": outcome.quality.score,
                "rules": [m.rule_id for m in outcome.rules],
                "rule_messages": [m.message for m in outcome.rules],
                "notices": [n.message for n in outcome.notices],
                "kept": r.kept,
                "extra": r.extra,
            }
        )
    errors.sort(key=lambda e: e.line)
    return ChunkResult(
        index=chunk.index,
        output=encoding.encode(records),
        error_lines=encode_errors(errors),
        rows=len(chunk.rows) + len(chunk.errors),
        screened=len(records),
        errors=len(errors),
        decisions=decisions,
        end_offset=chunk.end_offset,
        end_line=chunk.end_line,
        missing=dict(chunk.missing),
    )


def screen_partition(
    screener: Screener, source: PartitionSource, part: Partition, encoding: Encoding, out: IO[bytes]
) -> ChunkResult:
    """Read a partition of the input file and screen it, chunk by chunk, writing its output rows to `out` as they
    are screened (so a worker holds one chunk's rows, not the partition's); the result carries the rest."""
    error_lines = bytearray()
    rows = screened = errors = 0
    decisions: dict[str, int] = {}
    missing: dict[str, int] = {}
    end_line = part.start_line
    for chunk in read_partition(source, part):
        result = screen_chunk(screener, chunk, encoding)
        out.write(result.output)
        error_lines += result.error_lines
        rows, screened, errors = rows + result.rows, screened + result.screened, errors + result.errors
        for counts, more in ((decisions, result.decisions), (missing, result.missing)):
            for name, count in more.items():
                counts[name] = counts.get(name, 0) + count
        end_line = result.end_line
    return ChunkResult(
        part.index, b"", bytes(error_lines), rows, screened, errors, decisions, part.end, end_line, missing
    )


def write_partition(
    screener: Screener, source: PartitionSource, part: Partition, encoding: Encoding, parts_dir: str
) -> ChunkResult:
    """Screen a partition into its part file in `parts_dir` (under a temporary name until it is complete and
    durable, so a part that exists is whole) and return what the client needs to merge it: its size and counts."""
    path = part_file(parts_dir, part.index, encoding.fmt)
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "wb") as f:
            result = screen_partition(screener, source, part, encoding, f)
            f.flush()
            os.fsync(f.fileno())
            size = f.tell()
        os.replace(tmp, path)
    except OSError as exc:
        raise BatchError(f"pekerja tidak dapat menulis bagian keluaran {path}: {exc.strerror or exc}") from exc
    return replace(result, part=path, part_bytes=size)


# -- worker side of the local pool ---------------------------------------------------------------------------
_worker_screener: Screener | None = None  # one per worker process, set by the pool initializer
_worker_error: ScreeningError | None = None  # why it could not be loaded
_worker_encoding: Encoding | None = None
# loaded by the parent before its workers fork: they start with it (its arrays' pages shared) and load nothing
_inherited: tuple[ScreenerSpec, Screener] | None = None


def _init_worker(spec: ScreenerSpec, encoding: Encoding, parent_pid: int) -> None:
    """Load the Screener; never raise (a failing initializer breaks the pool with a traceback per worker)."""
    global _worker_screener, _worker_error, _worker_encoding
    _worker_encoding = encoding
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    if _inherited is not None and _inherited[0] == spec:
        _worker_screener = _inherited[1]
        return
    try:
        _worker_screener = spec.load()
    except ScreeningError as exc:
        _worker_error = exc


def _exit_when_orphaned(parent_pid: int) -> None:
    # Workers inherit the pool's pipes, so they never see end-of-file when the parent dies; watch it instead.
    while os.getppid() == parent_pid:
        threading.Event().wait(PARENT_CHECK_INTERVAL_S)
    os._exit(1)


def _screen_in_worker(chunk: Chunk) -> ChunkResult:
    if _worker_screener is None or _worker_encoding is None:
        raise _worker_error or BatchError("proses pekerja tidak punya model")
    return screen_chunk(_worker_screener, chunk, _worker_encoding)


# -- worker side of Dask -------------------------------------------------------------------------------------
_dask_lock = threading.Lock()
_dask_loaded: tuple[ScreenerSpec, Screener] | None = None  # the one Screener of this worker process


def _dask_screener(spec: ScreenerSpec) -> Screener:
    global _dask_loaded
    with _dask_lock:
        if _dask_loaded is None or _dask_loaded[0] != spec:
            _dask_loaded = (spec, spec.load())
        return _dask_loaded[1]


def _dask_screen_chunk(spec: ScreenerSpec, encoding: Encoding, chunk: Chunk) -> ChunkResult:
    return screen_chunk(_dask_screener(spec), chunk, encoding)


def _dask_screen_partition(
    spec: ScreenerSpec, encoding: Encoding, source: PartitionSource, part: Partition, parts_dir: str | None
) -> ChunkResult:
    screener = _dask_screener(spec)
    if parts_dir is not None:
        return write_partition(screener, source, part, encoding, parts_dir)
    out = io.BytesIO()  # the output is a stream only the client can write to: the rows go back to it
    return replace(screen_partition(screener, source, part, encoding, out), output=out.getvalue())


# -- runners ----------------------------------------------------------------------------------------------------
class _Done:
    def __init__(self, value: ChunkResult) -> None:
        self._value = value

    def result(self) -> ChunkResult:
        return self._value


class Runner(Protocol):
    parallelism: int

    def submit(self, chunk: Chunk) -> Pending: ...

    def close(self) -> None: ...


class _InlineRunner:
    """One job: screen in this process, no pool to start or feed."""

    parallelism = 1

    def __init__(self, spec: ScreenerSpec, encoding: Encoding, verified: TrainedModel | None) -> None:
        self.screener = spec.load(verified)
        self.encoding = encoding

    def submit(self, chunk: Chunk) -> Pending:
        return _Done(screen_chunk(self.screener, chunk, self.encoding))

    def close(self) -> None:
        pass


class _PoolResult:
    """A pool future whose failure reads as a batch error, not as a pool traceback."""

    def __init__(self, future: Future[ChunkResult]) -> None:
        self.future = future

    def result(self) -> ChunkResult:
        try:
            return self.future.result()
        except BrokenProcessPool as exc:
            raise BatchError("sebuah proses pekerja mati (kehabisan memori?); lanjutkan dengan --resume") from exc


class _PoolRunner:
    """A process pool whose workers each load the Screener once."""

    def __init__(self, spec: ScreenerSpec, encoding: Encoding, jobs: int, verified: TrainedModel | None) -> None:
        global _inherited
        self.parallelism = jobs
        context = multiprocessing.get_context()
        if context.get_start_method() == "fork":
            try:
                _inherited = (spec, spec.load(verified))
            except ScreeningError:
                _inherited = None  # each worker reports it with the first chunk it is given
        self.pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(spec, encoding, os.getpid())
        )

    def submit(self, chunk: Chunk) -> Pending:
        try:
            return _PoolResult(self.pool.submit(_screen_in_worker, chunk))
        except BrokenProcessPool as exc:
            raise BatchError("sebuah proses pekerja mati (kehabisan memori?); lanjutkan dengan --resume") from exc

    def close(self) -> None:
        global _inherited
        self.pool.shutdown(wait=True, cancel_futures=True)
        _inherited = None


class _DaskResult:
    """A Dask future whose lost worker reads as a batch error, not as a scheduler traceback."""

    def __init__(self, future: Any) -> None:
        self.future = future

    def result(self) -> ChunkResult:
        from distributed import KilledWorker

        try:
            return self.future.result()
        except KilledWorker as exc:
            raise BatchError("pekerja Dask mati saat menyaring (kehabisan memori?); lanjutkan dengan --resume") from exc


class DaskRunner:
    """Tasks on a Dask cluster. Given a file, the workers read their own partitions of it (`partitions`) and, given
    a directory for parts, write their output rows there themselves; given a stream, its chunks are sent. Each
    worker process loads the Screener once from the registry directory, which it must reach under the same path
    as the client (as it must the input file and the parts directory)."""

    def __init__(self, spec: ScreenerSpec, encoding: Encoding, scheduler: str | Any | None) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise BatchError("mesin Dask memerlukan `pip install 'saring[dask]'`") from exc
        if isinstance(scheduler, Client):
            self.client, self._owns_client = scheduler, False
        elif scheduler:
            self.client, self._owns_client = Client(scheduler), True
        else:
            raise BatchError("mesin Dask memerlukan alamat penjadwal (--scheduler tcp://host:8786)")
        workers = self.client.scheduler_info().get("workers", {})
        self.parallelism = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
        self.spec = replace(spec, models_dir=Path(spec.models_dir).absolute())
        self.encoding = encoding
        self.source: PartitionSource | None = None
        self.parts_dir: str | None = None

    def submit(self, item: Chunk | Partition) -> Pending:
        if isinstance(item, Partition):
            args: tuple[Any, ...] = (_dask_screen_partition, self.spec, self.encoding, self.source, item)
            args += (self.parts_dir,)
        else:
            args = (_dask_screen_chunk, self.spec, self.encoding, item)
        return _DaskResult(self.client.submit(*args, pure=False))

    def partitions(
        self, source: PartitionSource, *, start_offset: int, start_line: int, parts_dir: Path | None = None
    ) -> Iterator[Partition]:
        """The partitions of `source` from a record boundary on, as the workers are to read them; with `parts_dir`
        (a directory the workers reach) they write each partition's output rows to a part file there."""
        self.source = source
        self.parts_dir = str(parts_dir.absolute()) if parts_dir is not None else None
        if source.fmt == "csv":
            return csv_partitions(source, start_offset=start_offset, start_line=start_line)
        return jsonl_partitions(
            source, os.path.getsize(source.path), start_offset=start_offset, start_line=start_line,
            measure=self._measure,
        )  # fmt: skip

    def _measure(self, ranges: list[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
        floor = ranges[0][0] if ranges else 0
        futures = [self.client.submit(measure_range, self.source_path, s, e, floor, pure=False) for s, e in ranges]
        for future in futures:
            yield future.result()

    @property
    def source_path(self) -> str:
        if self.source is None:
            raise BatchError("tidak ada berkas masukan untuk dibagi")
        return self.source.path

    def close(self) -> None:
        if self._owns_client:
            self.client.close()


def make_runner(
    spec: ScreenerSpec,
    encoding: Encoding,
    *,
    engine: Engine,
    jobs: int,
    scheduler: str | Any | None,
    verified: TrainedModel | None = None,
) -> Runner:
    """The runner of an engine; `verified` is the model `ScreenerSpec.resolved` loaded, which a runner that
    screens in this process (or forks from it) uses instead of loading it again (Dask workers load their own)."""
    if engine == "dask":
        return DaskRunner(spec, encoding, scheduler)
    if engine != "local":
        raise BatchError(f"mesin {engine!r} tidak dikenal (local atau dask)")
    jobs = jobs or os.cpu_count() or 1
    return _InlineRunner(spec, encoding, verified) if jobs == 1 else _PoolRunner(spec, encoding, jobs, verified)
