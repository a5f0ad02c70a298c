"""`/v1/labels`: editors' verdicts, stored durably for retraining, listed and exported; an `Idempotency-Key` makes
retries safe."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from screening.labels import Label
from screening.store import LabelFilter, text_sha256
from service.deps import EditorDep, IdempotencyDep, StoreDep
from service.exports import export_lines, label_out
from service.idempotency import KEY_PATTERN
from service.schemas import COMMON_ERRORS, LabelCreated, LabelsPage, LabelSubmission, errors

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
    async def record() -> dict[str, Any]:
        outcome = await run_in_threadpool(
            lambda: store.save_label(
                text=body.text,
                title=body.title,
                label=body.label,
                note=body.note,
                editor_id=caller.editor,
                screening_id=body.screening_id,
            )
        )
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
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> LabelsPage:
    match = LabelFilter(label=label, editor=editor, since=since)
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
) -> StreamingResponse:
    match = LabelFilter(label=label, editor=editor, since=since)
    lines = export_lines(store, match, format)
    # the first label is read before the 200 is sent, so an unreachable store is a 503, not a cut-off file
    first = await run_in_threadpool(lambda: list(itertools.islice(lines, 2)))
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(
        _chain(first, lines),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="saring-labels.{format}"'},
    )


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest
