"""`POST /v1/labels`: editors' verdicts, stored durably for retraining."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from screening.store import text_sha256
from service.deps import StoreDep
from service.routes.common import COMMON_ERRORS, AdminDep, errors
from service.schemas import LabelCreated, LabelSubmission

router = APIRouter(prefix="/v1", tags=["labels"])


@router.post(
    "/labels",
    status_code=201,
    response_model=LabelCreated,
    responses=errors(*COMMON_ERRORS, 403, 503),
    summary="Record an editor's verdict (admin); 201 only once it is committed",
)
async def add_label(body: LabelSubmission, caller: AdminDep, store: StoreDep) -> LabelCreated:
    label_id = await run_in_threadpool(
        lambda: store.add_label(
            text=body.text,
            title=body.title,
            label=body.label,
            note=body.note,
            editor_id=body.editor_id,
            screening_id=body.screening_id,
        )
    )
    return LabelCreated(id=label_id, text_sha256=text_sha256(body.text), label=body.label)
