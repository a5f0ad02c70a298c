"""Background retrain jobs of the service: at most one at a time, its status, progress messages and outcome."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from screening.errors import RetrainInProgressError
from screening.training.retrain import RetrainReport

JobStatus = Literal["queued", "running", "succeeded", "failed"]


@dataclass
class RetrainJob:
    """One admin-triggered retrain: its status, progress messages and, when done, the report or the error."""

    job_id: str
    status: JobStatus = "queued"
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    started_at: str | None = None
    finished_at: str | None = None
    messages: list[str] = field(default_factory=list)
    report: RetrainReport | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["outcome"] = self.report.outcome if self.report is not None else None
        return out


RetrainTask = Callable[[Callable[[str], None]], RetrainReport]


class RetrainJobRunner:
    """Runs at most one retrain at a time in a background thread and remembers the last `keep` jobs.

    `start(task)` returns at once with the job; `task(progress)` does the work (the service binds registry,
    data directory, labels and its holder's `activate`, so a promoted model is served without a restart);
    `get(job_id)` reports the job's status, messages and, when done, its report or error.
    """

    def __init__(self, *, keep: int = 20) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._jobs: dict[str, RetrainJob] = {}
        self._thread: threading.Thread | None = None

    def start(self, task: RetrainTask) -> RetrainJob:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise RetrainInProgressError("a retrain is already running")
            job = RetrainJob(job_id=uuid.uuid4().hex)
            self._jobs[job.job_id] = job
            while len(self._jobs) > self._keep:
                self._jobs.pop(next(iter(self._jobs)))
            self._thread = threading.Thread(
                target=self._run, args=(job, task), name=f"retrain-{job.job_id[:8]}", daemon=True
            )
            self._thread.start()
            return self._snapshot(job)

    def _run(self, job: RetrainJob, task: RetrainTask) -> None:
        def progress(message: str) -> None:
            with self._lock:
                job.messages.append(message)

        with self._lock:
            job.status = "running"
            job.started_at = datetime.now(UTC).isoformat()
        try:
            report = task(progress)
        except Exception as exc:  # the job reports any failure; the served model is untouched
            with self._lock:
                job.status = "failed"
                job.error = f"{type(exc).__name__}: {exc}"
                job.finished_at = datetime.now(UTC).isoformat()
            return
        with self._lock:
            job.status = "succeeded"
            job.report = report
            job.finished_at = datetime.now(UTC).isoformat()

    def _snapshot(self, job: RetrainJob) -> RetrainJob:
        return RetrainJob(**{**job.__dict__, "messages": list(job.messages)})

    def get(self, job_id: str) -> RetrainJob | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return self._snapshot(job) if job is not None else None

    def latest(self) -> RetrainJob | None:
        with self._lock:
            return self._snapshot(next(reversed(self._jobs.values()))) if self._jobs else None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running job (tests, shutdown); True when none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True
