"""Retraining as an admin job: `POST /v1/retrain` starts it in the background, `GET /v1/retrain/{job_id}` reports it.

The work is `saring retrain` (`screening.training.retrain`) in a child process at low priority, so screening keeps
its throughput; a promoted model is switched in through the holder, so the running service serves it without a
restart (requests in flight finish on the old one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from screening.errors import RetrainInProgressError
from screening.training.retrain import RetrainOptions, RetrainReport
from service.deps import ScreenerHolder
from service.errors import ApiError
from service.jobs import RetrainJob, RetrainJobRunner, RetrainTask
from service.routes.common import COMMON_ERRORS, AdminDep, errors
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["retrain"])
_runner_lock = threading.Lock()

JobIdPath = Annotated[str, Path(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$")]


class RetrainRequest(BaseModel):
    """Options of an admin-triggered retrain; all optional."""

    model_config = ConfigDict(extra="forbid")

    margin: float = Field(
        default=0.01, ge=0.0, le=0.2, strict=True, description="largest allowed drop per genre and metric"
    )
    force: bool = Field(
        default=False, strict=True, description="retrain even if no label changed since the current model"
    )
    dry_run: bool = Field(default=False, strict=True, description="compare only; register nothing")


class RetrainJobOut(BaseModel):
    job_id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    outcome: Literal["promoted", "kept", "unchanged", "dry_run"] | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    messages: list[str]
    report: dict[str, Any] | None
    error: str | None


def _out(job: RetrainJob) -> RetrainJobOut:
    return RetrainJobOut(**job.to_dict())


def get_runner(request: Request) -> RetrainJobRunner:
    """The app's job runner, created on first use (one per app, so one retrain at a time per service)."""
    with _runner_lock:
        runner: RetrainJobRunner | None = getattr(request.app.state, "retrain_runner", None)
        if runner is None:
            runner = RetrainJobRunner()
            request.app.state.retrain_runner = runner
        return runner


def retrain_task(request: Request, options: RetrainOptions | None = None) -> RetrainTask:
    """The job a retrain runs: `saring retrain` on the stored labels, in a child process at low priority.

    Fitting holds the GIL for minutes; in a thread of the serving process it cut screening throughput by about
    60 %. The child reads the labels when it starts, stores, verifies and activates a promoted version in the
    registry; this process then serves it at once (requests in flight finish on the old one). A child that fails
    fails the job and leaves the served model untouched. `POST /v1/retrain` and the editors' models page both
    start this.
    """
    holder: ScreenerHolder = request.app.state.holder
    settings: Settings = request.app.state.settings
    chosen = options or RetrainOptions()

    def task(progress: Callable[[str], None]) -> RetrainReport:
        command = [
            sys.executable,
            "-m",
            "service.cli_batch",
            "retrain",
            "--json",
            "--models-dir",
            str(holder.registry.root),
            "--training-data",
            str(settings.training_data_dir),
            "--margin",
            str(chosen.margin),
            "--holdout",
            str(chosen.holdout_fraction),
            "--seed",
            str(chosen.seed),
            "--low-priority",
        ]
        command += ["--force"] if chosen.force else []
        command += ["--dry-run"] if chosen.dry_run else []
        # the database address may hold a password: the environment, never the command line
        env = {**os.environ, "SARING_DATABASE_URL": settings.database_url.get_secret_value()}
        with tempfile.TemporaryFile() as out:
            child = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.PIPE,
                env=env,
                text=True,
            )
            assert child.stderr is not None
            last = ""
            for line in child.stderr:
                last = line.rstrip()
                progress(last.removeprefix("saring retrain: "))
            if child.wait() != 0:
                raise RuntimeError(last or f"saring retrain ended with exit code {child.returncode}")
            out.seek(0)
            report = RetrainReport(**json.loads(out.read().decode("utf-8")))
        if report.outcome == "promoted":
            holder.follow_registry(min_interval_s=0.0)  # serve the version the child activated, now
        return report

    return task


@router.post(
    "/retrain",
    status_code=202,
    response_model=RetrainJobOut,
    responses=errors(*COMMON_ERRORS, 403, 409),
    summary="Retrain with the editors' labels in the background (admin); promotes only a model that is not worse",
)
async def start_retrain(request: Request, caller: AdminDep, body: RetrainRequest | None = None) -> RetrainJobOut:
    options = body or RetrainRequest()
    task = retrain_task(request, RetrainOptions(margin=options.margin, force=options.force, dry_run=options.dry_run))

    try:
        job = get_runner(request).start(task)
    except RetrainInProgressError:
        raise ApiError(409, "retrain_running", "Pelatihan ulang sedang berjalan; tunggu sampai selesai.") from None
    return _out(job)


@router.get(
    "/retrain/{job_id}",
    response_model=RetrainJobOut,
    responses=errors(401, 403, 404, 422, 429),
    summary="Status of a retrain job (admin): running, or its outcome and comparison report",
)
async def retrain_status(job_id: JobIdPath, request: Request, caller: AdminDep) -> RetrainJobOut:
    job = get_runner(request).get(job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"Pekerjaan pelatihan ulang {job_id!r} tidak ada.")
    return _out(job)
