"""`POST /v1/labels`: editors' verdicts, stored durably for retraining; an `Idempotency-Key` makes retries safe."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from screening.store import text_sha256
from service.deps import StoreDep
from service.idempotency import KEY_PATTERN, IdempotencyCache
from service.routes.common import COMMON_ERRORS, EditorDep, errors
from service.schemas import LabelCreated, LabelSubmission

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
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> LabelCreated:
    async def record() -> dict[str, Any]:
        label_id = await run_in_threadpool(
            lambda: store.add_label(
                text=body.text,
                title=body.title,
                label=body.label,
                note=body.note,
                editor_id=caller.editor,
                screening_id=body.screening_id,
            )
        )
        return LabelCreated(
            id=label_id, text_sha256=text_sha256(body.text), label=body.label, editor=caller.editor
        ).model_dump()

    if idempotency_key is None:
        return LabelCreated(**await record())
    cache: IdempotencyCache = request.app.state.idempotency
    created, replayed = await cache.run(caller.key_id, idempotency_key, body.model_dump(mode="json"), record)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return LabelCreated(**created)
