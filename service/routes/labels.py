"""`/v1/labels`: editors' verdicts, stored durably for retraining, listed and exported; an `Idempotency-Key` makes
retries safe. An admin corrects or deletes a label; every change stays in its history."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from screening.labels import Label
from screening.store import LabelFilter, LabelOutcome, ScreeningMismatchError, text_sha256
from service.deps import AdminDep, EditorDep, IdempotencyDep, StoreDep
from service.exports import label_export_lines, label_history_out, label_out, streamed
from service.idempotency import KEY_PATTERN
from service.schemas import (
    COMMON_ERRORS,
    LabelCorrection,
    LabelCreated,
    LabelDeleted,
    LabelHistoryOut,
    LabelOut,
    LabelsPage,
    LabelSubmission,
    errors,
)

SCREENING_WAIT_S = 2.0  # well past the audit writer's commit interval (20 ms), also under load

router = APIRouter(prefix="/v1", tags=["labels"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=KEY_PATTERN,
        description="any unique string (e.g. a UUID) per label; a retry with the same key and body returns the "
        "first response (header `Idempotent-Replayed: true`) without storing again; another body is 409",
    ),
]
LabelQuery = Annotated[Label | None, Query(description="only this verdict")]
EditorQuery = Annotated[str | None, Query(max_length=128, description="only this editor (key name or key id)")]
SinceQuery = Annotated[datetime | None, Query(description="only labels recorded at or after (ISO 8601; UTC if naive)")]
TextQuery = Annotated[
    str | None, Query(pattern=r"^[0-9a-f]{64}$", description="only labels of this text (its sha256, lower-case hex)")
]
LabelId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the label's id")]


@router.post(
    "/labels",
    status_code=201,
    response_model=LabelCreated,
    responses=errors(*COMMON_ERRORS, 403, 409, 503),
    summary="Record an editor's verdict (editor or admin); 201 only once it is committed",
)
async def add_label(
    body: LabelSubmission,
    caller: EditorDep,
    store: StoreDep,
    cache: IdempotencyDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> LabelCreated:
    def save() -> LabelOutcome:
        return store.save_label(
            text=body.text,
            title=body.title,
            label=body.label,
            note=body.note,
            editor_id=caller.editor,
            screening_id=body.screening_id,
        )

    async def record() -> dict[str, Any]:
        # This process's screenings are committed already (StoreDep); one answered by another worker or replica
        # reaches the database with that process's next audit commit (service.audit), so an unknown one is
        # looked for again for a moment before the label is refused.
        give_up = time.monotonic() + SCREENING_WAIT_S
        while True:
            try:
                outcome = await run_in_threadpool(save)
                break
            except ScreeningMismatchError as exc:
                if exc.reason != "unknown" or time.monotonic() >= give_up:
                    raise
                await asyncio.sleep(0.05)
        return LabelCreated(
            id=outcome.id,
            text_sha256=text_sha256(body.text),
            label=body.label,
            editor=caller.editor,
            duplicate=outcome.duplicate,
            conflict=outcome.conflict,
        ).model_dump()

    if idempotency_key is None:
        return LabelCreated(**await record())
    created, replayed = await cache.run(caller.key_id, idempotency_key, body.model_dump(mode="json"), record)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return LabelCreated(**created)


@router.get(
    "/labels",
    response_model=LabelsPage,
    responses=errors(*COMMON_ERRORS, 403, 503),
    summary="Stored labels, newest first, with conflicts marked (editor or admin)",
)
async def list_labels(
    caller: EditorDep,
    store: StoreDep,
    label: LabelQuery = None,
    editor: EditorQuery = None,
    since: SinceQuery = None,
    text_sha256: TextQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> LabelsPage:
    match = LabelFilter(label=label, editor=editor, since=since, text_sha256=text_sha256)
    page = await run_in_threadpool(lambda: store.list_labels(match, limit=limit, offset=offset))
    items = [label_out(r, conflict=r.text_sha256 in page.conflicts) for r in page.items]
    following = offset + len(items)
    return LabelsPage(
        items=items,
        total=page.total,
        limit=limit,
        offset=offset,
        next_offset=following if following < page.total else None,
    )


@router.get(
    "/labels/export",
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}, "description": "every matching label"},
        **errors(*COMMON_ERRORS, 403, 503),
    },
    response_class=StreamingResponse,
    summary="Every label matching the filters, oldest first, as CSV or JSON lines (editor or admin)",
)
async def export_labels(
    caller: EditorDep,
    store: StoreDep,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "csv",
    label: LabelQuery = None,
    editor: EditorQuery = None,
    since: SinceQuery = None,
    text_sha256: TextQuery = None,
) -> StreamingResponse:
    match = LabelFilter(label=label, editor=editor, since=since, text_sha256=text_sha256)
    return await streamed(label_export_lines(store, match, format), format, "saring-labels")


@router.patch(
    "/labels/{label_id}",
    response_model=LabelOut,
    responses=errors(*COMMON_ERRORS, 403, 404, 409, 503),
    summary="Correct a label's verdict or note (admin); the old value stays in its history",
)
async def correct_label(label_id: LabelId, body: LabelCorrection, caller: AdminDep, store: StoreDep) -> LabelOut:
    change = await run_in_threadpool(
        lambda: store.correct_label(label_id, by=caller.editor, label=body.label, note=body.note)
    )
    return label_out(change.label, conflict=change.conflict)


@router.delete(
    "/labels/{label_id}",
    response_model=LabelDeleted,
    responses=errors(*COMMON_ERRORS, 403, 404, 409, 503),
    summary="Delete a label (admin): it no longer counts anywhere, its history stays readable",
)
async def delete_label(label_id: LabelId, caller: AdminDep, store: StoreDep) -> LabelDeleted:
    change = await run_in_threadpool(lambda: store.delete_label(label_id, by=caller.editor))
    record = change.label
    assert record.deleted_at is not None and record.deleted_by is not None
    return LabelDeleted(
        id=record.id, deleted_at=record.deleted_at, deleted_by=record.deleted_by, conflict=change.conflict
    )


@router.get(
    "/labels/{label_id}/history",
    response_model=LabelHistoryOut,
    responses=errors(*COMMON_ERRORS, 403, 404, 503),
    summary="A label as it is now, deleted or not, and every change made to it (editor or admin)",
)
async def label_history(label_id: LabelId, caller: EditorDep, store: StoreDep) -> LabelHistoryOut:
    def read() -> LabelHistoryOut:
        history = store.label_history(label_id)
        conflict = history.label.text_sha256 in store.conflicts([history.label.text_sha256])
        return label_history_out(history, conflict=conflict)

    return await run_in_threadpool(read)
