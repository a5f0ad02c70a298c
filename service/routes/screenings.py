"""`GET /v1/screenings`: the audit log of screening calls, filtered and paginated (editor or admin)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from screening.store import ScreeningFilter, ScreeningRecord
from service.deps import EditorDep, StoreDep, SweeperDep
from service.errors import ApiError
from service.schemas import COMMON_ERRORS, ScreeningOut, ScreeningsPage, errors

router = APIRouter(prefix="/v1", tags=["audit"])


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
    since: Annotated[datetime | None, Query(description="created at or after (ISO 8601; UTC if naive)")] = None,
    until: Annotated[datetime | None, Query(description="created before (ISO 8601; UTC if naive)")] = None,
    decision: Annotated[Literal["publish", "review", "reject"] | None, Query()] = None,
    model_version: Annotated[str | None, Query(max_length=128)] = None,
    kim_group: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ScreeningsPage:
    if since is not None and until is not None and _naive_utc(since) >= _naive_utc(until):
        raise ApiError(422, "invalid_request", "Rentang tanggal kosong: `since` harus sebelum `until`.")
    # Texts past their time must never be shown, even if no screening has triggered a purge lately.
    await run_in_threadpool(lambda: sweeper.sweep(force=True))
    match = ScreeningFilter(
        since=since, until=until, decision=decision, model_version=model_version, kim_group=kim_group
    )
    page = await run_in_threadpool(lambda: store.list_screenings(match, limit=limit, offset=offset))
    following = offset + len(page.items)
    return ScreeningsPage(
        items=[screening_out(r) for r in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
        next_offset=following if following < page.total else None,
    )


def screening_out(record: ScreeningRecord) -> ScreeningOut:
    purged = record.text_purged_at is not None
    return ScreeningOut(
        screening_id=record.screening_id,
        created_at=record.created_at,
        request_id=record.request_id,
        text_sha256=record.text_sha256,
        title=None if purged else record.title,
        text=None if purged else record.text,
        text_purged_at=record.text_purged_at,
        hoax_risk=record.hoax_risk,
        classifier_risk=record.classifier_risk,
        decision=record.decision,
        model_version=record.model_version,
        ruleset_version=record.ruleset_version,
        kim_group=record.kim_group,
        author=record.author,
        channel=record.channel,
        caller_role=record.caller_role,
        caller_key_id=record.caller_key_id,
    )


def _naive_utc(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
