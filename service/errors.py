"""The one place that turns failures into HTTP responses: `{"error": {"code": ..., "message": ...}}`.

Messages are for editors (Bahasa Indonesia); codes and field names are English and stable for programs.

    screening.store.ScreeningMismatchError -> 422 screening_mismatch (a label's screening id: unknown or other text)
    screening.store.LabelNotFoundError   -> 404 label_not_found
    screening.store.LabelDeletedError    -> 409 label_deleted (an admin deleted it; its history stays readable)
    screening.errors.InvalidInputError   -> 422 invalid_input
    screening.errors.TrainingDataError   -> 422 training_data_invalid
    screening.errors.ModelArtifactError  -> 409 model_invalid
    screening.errors.RulesError          -> 503 rules_invalid
    screening.store.StoreError           -> 503 store_unavailable
    other screening.errors.ScreeningError-> 500 screening_failed
    request validation (pydantic)        -> 422 invalid_request, with `details` (field + problem, never the input)
    HTTP errors from routing             -> their status (404 not_found, 405 method_not_allowed, ...)
    anything else                        -> 500 internal_error (a bug: logged with the request id)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from screening.errors import InvalidInputError, ModelArtifactError, RulesError, ScreeningError, TrainingDataError
from screening.store import LabelDeletedError, LabelNotFoundError, ScreeningMismatchError, StoreError
from service.problems import validation_details

log = logging.getLogger("saring.service")

_STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Permintaan tidak dapat dibaca (JSON rusak?)."),
    401: ("unauthorized", "Kunci API tidak ada atau tidak valid."),
    403: ("forbidden", "Tidak berhak."),
    404: ("not_found", "Alamat tidak ditemukan."),
    405: ("method_not_allowed", "Metode HTTP ini tidak didukung untuk alamat ini."),
    413: ("payload_too_large", "Isi permintaan terlalu besar."),
    415: ("unsupported_media_type", "Gunakan Content-Type: application/json."),
    422: ("invalid_request", "Permintaan tidak valid."),
    429: ("rate_limited", "Terlalu banyak permintaan. Coba lagi sebentar lagi."),
    503: ("unavailable", "Layanan sedang tidak siap. Coba lagi sebentar lagi."),
}


class ApiError(Exception):
    """An HTTP error raised by the service itself, already phrased for the caller."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        details: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.details = list(details) if details is not None else None


def error_body(code: str, message: str, details: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = list(details)
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    details: Sequence[Mapping[str, Any]] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=dict(headers or {}))


def internal_error_response() -> JSONResponse:
    return error_response(500, "internal_error", "Terjadi kesalahan internal pada layanan.")


def screening_error_to_api(exc: ScreeningError) -> ApiError:
    """Map a library error to what the caller sees (also used per item in batch responses)."""
    if isinstance(exc, ScreeningMismatchError):
        if exc.reason == "unknown":
            message = (
                "screening_id ini tidak ada di log penyaringan; kirim label tanpa screening_id atau periksa id-nya."
            )
        else:
            message = "screening_id ini milik penyaringan teks lain; label harus untuk teks yang disaring itu."
        return ApiError(422, "screening_mismatch", message)
    if isinstance(exc, LabelNotFoundError):
        return ApiError(404, "label_not_found", f"Label {exc.label_id} tidak ada.")
    if isinstance(exc, LabelDeletedError):
        return ApiError(
            409,
            "label_deleted",
            f"Label {exc.label_id} sudah dihapus dan tidak dapat diubah lagi; riwayatnya tetap dapat dibaca "
            f"(GET /v1/labels/{exc.label_id}/history).",
        )
    if isinstance(exc, InvalidInputError):
        return ApiError(422, "invalid_input", f"Teks tidak dapat disaring: {exc}")
    if isinstance(exc, TrainingDataError):
        return ApiError(422, "training_data_invalid", f"Data latih tidak dapat dipakai: {exc}")
    if isinstance(exc, ModelArtifactError):
        return ApiError(409, "model_invalid", f"Model tidak dapat dimuat: {exc}")
    if isinstance(exc, RulesError):
        return ApiError(503, "rules_invalid", "Berkas aturan rusak; hubungi pengelola layanan.")
    if isinstance(exc, StoreError):
        return ApiError(
            503,
            "store_unavailable",
            "Basis data tidak dapat dihubungi. Coba lagi sebentar lagi.",
            headers={"Retry-After": "5"},
        )
    return ApiError(500, "screening_failed", "Penyaringan gagal karena kesalahan internal.")


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers, details=exc.details)

    async def on_screening_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ScreeningError)
        api = screening_error_to_api(exc)
        if api.status >= 500:
            log.error("screening error", extra={"error_type": type(exc).__name__}, exc_info=exc)
        return error_response(api.status, api.code, api.message, headers=api.headers)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = validation_details(exc.errors())
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(400, "bad_request", "Isi permintaan bukan JSON yang sah.", details=details)
        return error_response(422, "invalid_request", "Permintaan tidak valid; periksa kolom berikut.", details=details)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code, message = _STATUS_CODES.get(exc.status_code, ("http_error", "Permintaan gagal."))
        return error_response(exc.status_code, code, message, headers=exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Normally reached only without RequestContextMiddleware, which answers unexpected errors itself.
        log.error("unhandled error", extra={"error_type": type(exc).__name__}, exc_info=exc)
        return internal_error_response()

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(ScreeningError, on_screening_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
