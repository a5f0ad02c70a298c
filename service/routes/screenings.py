"""`GET /v1/screenings`: the audit log of screening calls, filtered and paginated, and exported (editor or admin)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from screening.store import ScreeningFilter
from service.deps import EditorDep, StoreDep, SweeperDep
from service.errors import ApiError
from service.exports import ExportFormat, screening_export_lines, screening_out, streamed
from service.retention import RetentionSweeper
from service.schemas import COMMON_ERRORS, ScreeningsPage, errors

router = APIRouter(prefix="/v1", tags=["audit"])


def screening_filter(
    since: Annotated[datetime | None, Query(description="created at or after (ISO 8601; UTC if naive)")] = None,
    until: Annotated[datetime | None, Query(description="created before (ISO 8601; UTC if naive)")] = None,
    decision: Annotated[Literal["publish", "review", "reject"] | None, Query()] = None,
    model_version: Annotated[str | None, Query(max_length=128)] = None,
    kim_group: Annotated[str | None, Query(max_length=200)] = None,
) -> ScreeningFilter:
    """The audit log's filters, shared by the listing and the export."""
    if since is not None and until is not None and _naive_utc(since) >= _naive_utc(until):
        raise ApiError(422, "invalid_request", "Rentang tanggal kosong: `since` harus sebelum `until`.")
    return ScreeningFilter(
        since=since, until=until, decision=decision, model_version=model_version, kim_group=kim_group
    )


ScreeningFilterDep = Annotated[ScreeningFilter, Depends(screening_filter)]


async def _purge_due(sweeper: RetentionSweeper) -> None:
    # Texts past their time must never be shown, even if no screening has triggered a purge lately.
    await run_in_threadpool(lambda: sweeper.sweep(force=True))


@router.get(
    "/screenings",
    response_model=ScreeningsPage,
    responses=errors(*COMMON_ERRORS, 403, 503),
    summary="The audit log, newest first (editor or admin); texts past SARING_RETENTION_DAYS are purged",
)
async def list_screenings(
    sweeper: SweeperDep,
    caller: EditorDep,
    store: StoreDep,
    match: ScreeningFilterDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ScreeningsPage:
    await _purge_due(sweeper)
    page = await run_in_threadpool(lambda: store.list_screenings(match, limit=limit, offset=offset))
    following = offset + len(page.items)
    return ScreeningsPage(
        items=[screening_out(r) for r in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
        next_offset=following if following < page.total else None,
    )


@router.get(
    "/screenings/export",
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}, "description": "every matching audit row"},
        **errors(*COMMON_ERRORS, 403, 503),
    },
    response_class=StreamingResponse,
    summary="Every audit row matching the filters, oldest first, as CSV or JSON lines (editor or admin)",
)
async def export_screenings(
    sweeper: SweeperDep,
    caller: EditorDep,
    store: StoreDep,
    match: ScreeningFilterDep,
    format: Annotated[ExportFormat, Query()] = "csv",
) -> StreamingResponse:
    await _purge_due(sweeper)
    return await streamed(screening_export_lines(store, match, format), format, "saring-screenings")


def _naive_utc(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
