"""Retraining as an admin job: `POST /v1/retrain` starts it in the background, `GET /v1/retrain/{job_id}` reports it.

The work is `saring retrain` (`screening.training.retrain`) in a child process at low priority, so screening keeps
its throughput; a promoted model is switched in through the holder, so the running service serves it without a
restart (requests in flight finish on the old one).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from screening.errors import RetrainInProgressError
from screening.training.retrain import RetrainOptions
from service.actions import retrain_task
from service.deps import AdminDep, RunnerDep
from service.errors import ApiError
from service.jobs import RetrainJob
from service.schemas import COMMON_ERRORS, errors

router = APIRouter(prefix="/v1", tags=["retrain"])

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


@router.post(
    "/retrain",
    status_code=202,
    response_model=RetrainJobOut,
    responses=errors(*COMMON_ERRORS, 403, 409),
    summary="Retrain with the editors' labels in the background (admin); promotes only a model that is not worse",
)
async def start_retrain(
    request: Request, caller: AdminDep, runner: RunnerDep, body: RetrainRequest | None = None
) -> RetrainJobOut:
    options = body or RetrainRequest()
    task = retrain_task(request, RetrainOptions(margin=options.margin, force=options.force, dry_run=options.dry_run))

    try:
        job = runner.start(task)
    except RetrainInProgressError:
        raise ApiError(409, "retrain_running", "Pelatihan ulang sedang berjalan; tunggu sampai selesai.") from None
    return _out(job)


@router.get(
    "/retrain/{job_id}",
    response_model=RetrainJobOut,
    responses=errors(401, 403, 404, 422, 429),
    summary="Status of a retrain job (admin): running, or its outcome and comparison report",
)
async def retrain_status(job_id: JobIdPath, caller: AdminDep, runner: RunnerDep) -> RetrainJobOut:
    job = runner.get(job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"Pekerjaan pelatihan ulang {job_id!r} tidak ada.")
    return _out(job)
