"""Pieces shared by the route modules: documented error responses and the caller dependencies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from service.schemas import ErrorResponse
from service.security import Caller, require_admin, require_editor, require_submitter

SubmitterDep = Annotated[Caller, Depends(require_submitter)]
EditorDep = Annotated[Caller, Depends(require_editor)]
AdminDep = Annotated[Caller, Depends(require_admin)]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the listed error statuses, all with the `ErrorResponse` body."""
    return {status: {"model": ErrorResponse} for status in statuses}


COMMON_ERRORS = (400, 401, 413, 415, 422, 429)
