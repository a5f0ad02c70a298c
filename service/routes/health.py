"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response, Security
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from service.deps import HolderDep, MetricsDep, SettingsDep, current_store, metrics_key_scheme
from service.errors import ApiError
from service.schemas import ErrorResponse, Health, Readiness
from service.security import presented_key

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "model not loaded or store unreachable"}},
    summary="Ready to screen: a model is loaded and the store answers",
)
async def readyz(request: Request, holder: HolderDep) -> JSONResponse:
    screener = holder.screener
    # the store as it is: a readiness probe must not wait for audit rows on their way
    reachable = await run_in_threadpool(current_store(request).ping)
    active = await run_in_threadpool(holder.registry.active_version)
    ready = screener is not None and reachable
    body = Readiness(
        status="ready" if ready else "not_ready",
        model_loaded=screener is not None,
        model_version=screener.model_version if screener is not None else None,
        active_version=active,
        process_id=os.getpid(),
        store_reachable=reachable,
        checked_at=datetime.now(UTC),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Security(metrics_key_scheme)],
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition"},
        401: {"model": ErrorResponse, "description": "SARING_METRICS_KEY is set and was not sent"},
    },
    summary="Prometheus metrics (with `Authorization: Bearer <SARING_METRICS_KEY>` when that is set)",
)
async def metrics(request: Request, settings: SettingsDep, registry: MetricsDep) -> Response:
    expected = settings.metrics_key.get_secret_value()
    if expected:
        presented = presented_key(request) or ""
        if not hmac.compare_digest(presented.encode("utf-8", "surrogatepass"), expected.encode("utf-8")):
            raise ApiError(
                401,
                "unauthorized",
                "Metrik memerlukan kunci metrik: kirim 'Authorization: Bearer <SARING_METRICS_KEY>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
    return Response(registry.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
