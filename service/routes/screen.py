"""`POST /v1/screen` and `POST /v1/screen/batch`."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from screening.errors import InvalidInputError
from screening.result import ScreenResult, Thresholds
from service.actions import is_brief, screen_and_record, screen_many_and_record
from service.deps import ScreeningDep
from service.errors import ApiError, screening_error_to_api
from service.problems import validation_details
from service.responses import EncodedJSONResponse
from service.retention import RetentionSweeper, sweep_quietly
from service.schemas import (
    COMMON_ERRORS,
    BatchScreenRequest,
    BatchScreenResponse,
    ScreenRequest,
    ScreenResponse,
    Submission,
    ThresholdsIn,
    errors,
)

router = APIRouter(prefix="/v1", tags=["screening"])


async def _sweep_if_due(sweeper: RetentionSweeper) -> None:
    if sweeper.due():
        await run_in_threadpool(sweep_quietly, sweeper)


def _stricter(thresholds: ThresholdsIn | None) -> Thresholds | None:
    return thresholds.to_thresholds() if thresholds is not None else None


@router.post(
    "/screen",
    response_model=ScreenResponse,
    responses=errors(*COMMON_ERRORS, 503),
    summary="Screen one article or post",
    response_description="Hoax risk, decision, quality, evidence; the model version is also in `X-Model-Version`.",
)
async def screen(body: ScreenRequest, parts: ScreeningDep) -> EncodedJSONResponse:
    result = await parts.limiter.run(
        partial(screen_and_record, explain=body.explain),
        parts.screener,
        parts.audit,
        parts.metrics,
        body,
        _stricter(body.thresholds),
        parts.caller,
        parts.request_id,
        brief=is_brief(parts.audit, [body], max_chars=parts.settings.inline_max_chars),
    )
    await _sweep_if_due(parts.sweeper)
    return EncodedJSONResponse(result, headers={"X-Model-Version": result.model_version})


@router.post(
    "/screen/batch",
    response_model=BatchScreenResponse,
    responses=errors(*COMMON_ERRORS, 503),
    summary="Screen several submissions; each item succeeds or fails on its own",
)
async def screen_batch(body: BatchScreenRequest, parts: ScreeningDep) -> EncodedJSONResponse:
    settings, screener = parts.settings, parts.screener
    if len(body.items) > settings.max_batch_items:
        raise ApiError(
            422,
            "batch_too_large",
            f"Satu batch berisi paling banyak {settings.max_batch_items} butir; diterima {len(body.items)}.",
        )
    entries: list[dict[str, Any]] = [{"index": i, "result": None, "error": None} for i in range(len(body.items))]
    valid: list[tuple[int, Submission]] = []
    for i, raw in enumerate(body.items):
        try:
            valid.append((i, Submission.model_validate(raw)))
        except ValidationError as exc:
            entries[i]["error"] = {
                "code": "invalid_item",
                "message": "Butir ini tidak valid; periksa kolom berikut.",
                "details": validation_details(exc.errors()),
            }
    total_chars = sum(len(s.title) + len(s.text) for _, s in valid)
    if total_chars > settings.max_batch_chars:
        raise ApiError(
            422,
            "batch_too_large",
            f"Satu batch berisi paling banyak {settings.max_batch_chars} karakter; diterima {total_chars}. "
            "Bagi menjadi beberapa batch.",
        )
    outcomes: list[ScreenResult | InvalidInputError] = []
    if valid:
        submissions = [s for _, s in valid]
        outcomes = await parts.limiter.run(
            partial(screen_many_and_record, explain=body.explain),
            screener,
            parts.audit,
            parts.metrics,
            submissions,
            _stricter(body.thresholds),
            parts.caller,
            parts.request_id,
            brief=is_brief(parts.audit, submissions, max_chars=settings.inline_max_chars),
        )
    for (i, _), outcome in zip(valid, outcomes, strict=True):
        if isinstance(outcome, ScreenResult):
            entries[i]["result"] = outcome
        else:
            api = screening_error_to_api(outcome)
            entries[i]["error"] = {"code": api.code, "message": api.message, "details": None}
    failed = sum(1 for e in entries if e["error"] is not None)
    await _sweep_if_due(parts.sweeper)
    return EncodedJSONResponse(
        {
            "model_version": screener.model_version,
            "items": entries,
            "succeeded": len(entries) - failed,
            "failed": failed,
        },
        headers={"X-Model-Version": screener.model_version},
    )
