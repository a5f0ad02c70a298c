"""Where chunks are screened: in this process, in a local process pool, or on a Dask cluster.

Every engine screens the same chunks with the same model version, so results do not depend on the engine or
the number of jobs. Pool workers load the Screener once each; one that cannot load it reports the error with
the first chunk it is given (the parent then stops with that one error), and a worker whose parent has died
exits by itself instead of lingering as an orphan.
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from screening.batch.records import BatchError, BatchUsageError, Chunk, ChunkResult, RowError
from screening.errors import InvalidInputError, ScreeningError
from screening.policy import DecisionPolicy
from screening.registry import ModelRegistry
from screening.screen import Screener
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

    def resolved(self) -> ScreenerSpec:
        """The same spec pinned to a concrete, verified version, so every worker (and a resumed run) uses one
        model, and a model that cannot load stops the run here, before any worker starts."""
        registry = ModelRegistry(self.models_dir)
        if self.version is not None and (Path(self.version).name != self.version or not self._stored(self.version)):
            raise BatchUsageError(
                f"versi model {self.version!r} tidak ada di {self.models_dir}; lihat `saring models list`"
            )
        version = self.version or registry.active_version()
        if version is None:
            raise BatchUsageError(f"tidak ada model aktif di {self.models_dir}; jalankan `saring train` dulu")
        registry.load(version)
        return replace(self, version=version)

    def _stored(self, version: str) -> bool:
        return (Path(self.models_dir) / version).is_dir()

    def load(self) -> Screener:
        return Screener.from_registry(ModelRegistry(self.models_dir), self.version, policy=self.policy)


def screen_chunk(screener: Screener, chunk: Chunk) -> ChunkResult:
    """Screen a chunk in one `screen_many` call; a row the library refuses becomes an error record."""
    errors = list(chunk.errors)
    outcomes = screener.screen_many([Submission(text=r.text, title=r.title) for r in chunk.rows], explain=False)
    records = []
    for r, outcome in zip(chunk.rows, outcomes, strict=True):
        if isinstance(outcome, InvalidInputError):
            errors.append(RowError(r.line, r.id, f"tidak dapat disaring: {outcome}"))
            continue
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
    return ChunkResult(chunk.index, records, errors)


# -- worker side of the local pool ---------------------------------------------------------------------------
_worker_screener: Screener | None = None  # one per worker process, set by the pool initializer
_worker_error: ScreeningError | None = None  # why it could not be loaded


def _init_worker(spec: ScreenerSpec, parent_pid: int) -> None:
    """Load the Screener; never raise (a failing initializer breaks the pool with a traceback per worker)."""
    global _worker_screener, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
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
    if _worker_screener is None:
        raise _worker_error or BatchError("proses pekerja tidak punya model")
    return screen_chunk(_worker_screener, chunk)


# -- runners ----------------------------------------------------------------------------------------------------
class Pending(Protocol):
    def result(self) -> ChunkResult: ...


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

    def __init__(self, spec: ScreenerSpec) -> None:
        self.screener = spec.load()

    def submit(self, chunk: Chunk) -> Pending:
        return _Done(screen_chunk(self.screener, chunk))

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

    def __init__(self, spec: ScreenerSpec, jobs: int) -> None:
        self.parallelism = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(spec, os.getpid()))

    def submit(self, chunk: Chunk) -> Pending:
        try:
            return _PoolResult(self.pool.submit(_screen_in_worker, chunk))
        except BrokenProcessPool as exc:
            raise BatchError("sebuah proses pekerja mati (kehabisan memori?); lanjutkan dengan --resume") from exc

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _DaskRunner:
    """Chunks as tasks on a Dask cluster; the Screener is scattered once to every worker (no shared disk needed)."""

    def __init__(self, spec: ScreenerSpec, scheduler: str | Any | None) -> None:
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
        self.screener = self.client.scatter(spec.load(), broadcast=True, hash=False)

    def submit(self, chunk: Chunk) -> Pending:
        future: Pending = self.client.submit(screen_chunk, self.screener, chunk, pure=False)
        return future

    def close(self) -> None:
        self.client.cancel([self.screener])
        if self._owns_client:
            self.client.close()


def make_runner(spec: ScreenerSpec, *, engine: Engine, jobs: int, scheduler: str | Any | None) -> Runner:
    if engine == "dask":
        return _DaskRunner(spec, scheduler)
    if engine != "local":
        raise BatchError(f"mesin {engine!r} tidak dikenal (local atau dask)")
    jobs = jobs or os.cpu_count() or 1
    return _InlineRunner(spec) if jobs == 1 else _PoolRunner(spec, jobs)
