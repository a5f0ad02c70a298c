"""The editors' pages under `/ui`: screen a submission, the review queue, model versions; login and logout.

Handlers stay thin: they check the caller and the form, call the same functions the API uses (screening and its
audit record through `screen_and_record`, the store, the `ScreenerHolder`, all from `service.deps`), and render a
template. An error they do not answer themselves becomes the problem page in one place (`ProblemPages`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from screening.errors import RetrainInProgressError, ScreeningError
from screening.result import ScreenResult
from screening.store import LabelFilter, QueueOrder
from service.actions import is_brief, retrain_task, screen_and_record
from service.deps import (
    AuditDep,
    HolderDep,
    LimiterDep,
    MetricsDep,
    ScreenerHolder,
    SettingsDep,
    StoreDep,
    get_runner,
    get_settings,
    peek_runner,
)
from service.errors import ApiError, screening_error_to_api
from service.guard import CONTENT_SECURITY_POLICY
from service.jobs import RetrainJob
from service.observability import request_id_of
from service.retrain_text import in_indonesian
from service.schemas import MAX_NOTE_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, Submission
from service.security import Caller
from service.settings import Role
from service.ui import auth, present

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
QUEUE_PAGE_SIZE = 20
QUEUE_COUNT_LIMIT = 100  # the models page counts queued items up to this, then says "100+"
MAX_UPLOAD_BYTES = 4 * MAX_TEXT_CHARS  # UTF-8 needs at most 4 bytes per character
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
_env.globals.update(
    percent=present.percent,
    risk_percent=present.risk_percent,
    decimal=present.decimal,
    thousands=present.thousands,
    safe_link=present.safe_link,
    KINDS=present.KINDS,
    SUBSCORES=present.SUBSCORES,
    GENRES=present.GENRES,
    METRICS=present.METRICS,
    JOB_STATUS=present.JOB_STATUS,
    RETRAIN_OUTCOMES=present.RETRAIN_OUTCOMES,
    VERDICTS=present.VERDICTS,
    CSRF_FIELD=auth.CSRF_FIELD,
    MAX_TEXT_CHARS=MAX_TEXT_CHARS,
    MAX_TITLE_CHARS=MAX_TITLE_CHARS,
    MAX_NOTE_CHARS=MAX_NOTE_CHARS,
)
templates = Jinja2Templates(env=_env)

PURGED_MESSAGE = "Teks naskah ini sudah dihapus karena masa simpannya (SARING_RETENTION_DAYS) telah lewat."


class ProblemPages(APIRoute):
    """The pages' one mapping of errors to what an editor sees: an `ApiError` (no model loaded, overloaded, ...) or a
    library error (the store unreachable, unusable input, ...) becomes the problem page with its status and message."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return problem(request, _known_caller(request), exc.status, exc.message)
            except ScreeningError as exc:
                api = screening_error_to_api(exc)
                return problem(request, _known_caller(request), api.status, api.message)

        return answer


def _known_caller(request: Request) -> Caller | None:
    caller: Caller | None = getattr(request.state, "caller", None)  # set once the caller is known (`_gate`)
    return caller


router = APIRouter(prefix="/ui", include_in_schema=False, route_class=ProblemPages)
root_router = APIRouter(include_in_schema=False)


def mount_ui(app: FastAPI) -> None:
    """Add the editors' pages and their static files to the service."""
    app.include_router(root_router)
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")


# -- rendering and access ----------------------------------------------------------------------------------------
def render(request: Request, template: str, caller: Caller | None, status: int = 200, **context: Any) -> HTMLResponse:
    settings = get_settings(request)
    token, fresh = auth.csrf_token(request)
    context.setdefault("flash", None)
    context.setdefault("error", None)
    context.setdefault("errors", [])
    response = templates.TemplateResponse(
        request,
        template,
        {
            "caller": caller,
            "is_admin": caller is not None and caller.can("admin"),
            "is_editor": caller is not None and caller.can("editor"),
            "keyless": settings.keyless,
            "deployment_thresholds": settings.policy.thresholds,
            "csrf_token": token,
            "page": template.removesuffix(".html"),
            **context,
        },
        status_code=status,
        headers=SECURITY_HEADERS,
    )
    if fresh:
        auth.set_csrf(response, request, token)
    return response


def problem(request: Request, caller: Caller | None, status: int, message: str) -> HTMLResponse:
    return render(request, "problem.html", caller, status=status, status_code=status, message=message)


def _gate(request: Request, role: Role, *, page: bool) -> Caller | Response:
    """The caller if they may act as `role`; otherwise the response to send (login redirect, 401 or 403 page)."""
    caller = auth.current_caller(request)
    if caller is not None:
        request.state.caller = caller  # the access log names who acted
    if caller is None:
        if page:
            return RedirectResponse(f"/ui/masuk?lanjut={quote(request.url.path)}", status_code=303)
        return problem(request, None, 401, "Sesi Anda berakhir atau belum masuk. Silakan masuk lagi.")
    if not caller.can(role):
        who = "admin" if role == "admin" else "editor atau admin"
        return problem(request, caller, 403, f"Hanya {who} yang boleh membuka atau melakukan ini.")
    return caller


async def _form(request: Request, role: Role) -> tuple[Caller, Any] | Response:
    """The caller and the parsed form of a state-changing POST, after the CSRF and role checks."""
    form = await request.form()
    if not auth.csrf_ok(request, form.get(auth.CSRF_FIELD)):
        return problem(
            request,
            auth.current_caller(request),
            403,
            "Formulir ini tidak berasal dari halaman Saring atau sudah kedaluwarsa. Muat ulang halaman lalu coba lagi.",
        )
    gated = _gate(request, role, page=False)
    if isinstance(gated, Response):
        return gated
    if not auth.within_rate(request, gated):
        return problem(request, gated, 429, "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.")
    return gated, form


def _safe_next(target: str | None) -> str:
    # Only a path of these pages: never another host ("//evil", "https://...") after login.
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/"


@root_router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("")
async def ui_root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


# -- login --------------------------------------------------------------------------------------------------------
@router.get("/masuk", response_class=HTMLResponse)
async def login_page(request: Request, settings: SettingsDep, lanjut: str | None = None) -> Response:
    if settings.keyless:
        return RedirectResponse("/ui/", status_code=303)
    return render(request, "login.html", auth.current_caller(request), next=_safe_next(lanjut))


@router.post("/masuk", response_class=HTMLResponse)
async def login(request: Request, settings: SettingsDep) -> Response:
    form = await request.form()
    target = _safe_next(str(form.get("lanjut") or ""))
    if settings.keyless:
        return RedirectResponse("/ui/", status_code=303)
    if not auth.csrf_ok(request, form.get(auth.CSRF_FIELD)):
        return problem(request, None, 403, "Formulir masuk kedaluwarsa. Muat ulang halaman lalu coba lagi.")
    if not auth.within_rate(request, None):
        return render(request, "login.html", None, status=429, next=target, error="Terlalu banyak percobaan.")
    presented = form.get("kunci")
    key = presented.strip() if isinstance(presented, str) else ""
    try:
        caller = auth.check_key(request, key)
    except ApiError as exc:  # too many wrong keys from this address
        return render(request, "login.html", None, status=exc.status, next=target, error=exc.message)
    if caller is None:
        return render(request, "login.html", None, status=401, next=target, error="Kunci API tidak dikenal.")
    request.state.caller = caller
    response = RedirectResponse(target, status_code=303)
    auth.set_login(response, request, caller)
    return response


@router.post("/keluar")
async def logout(request: Request) -> Response:
    form = await request.form()
    if not auth.csrf_ok(request, form.get(auth.CSRF_FIELD)):
        return problem(request, auth.current_caller(request), 403, "Formulir keluar kedaluwarsa. Muat ulang halaman.")
    response = RedirectResponse("/ui/masuk", status_code=303)
    auth.clear_login(response, request)
    return response


# -- screening ----------------------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def screen_page(request: Request) -> Response:
    gated = _gate(request, "submitter", page=True)
    if isinstance(gated, Response):
        return gated
    return render(
        request, "screen.html", gated, form={"title": "", "text": "", "author": "", "kim_group": ""}, result=None
    )


async def _uploaded_text(upload: UploadFile) -> str:
    raw = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValueError(f"Berkas terlalu besar: paling banyak {present.thousands(MAX_TEXT_CHARS)} karakter.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("Berkas bukan teks UTF-8. Simpan ulang sebagai .txt (UTF-8) lalu unggah lagi.") from None


def _submission_problems(exc: ValidationError) -> list[str]:
    names = {"text": "Teks", "title": "Judul", "author": "Penulis", "kim_group": "Nama KIM"}
    out = []
    for err in exc.errors():
        field = names.get(str(err["loc"][0]) if err["loc"] else "", "Isian")
        kind = err["type"]
        if kind in ("string_too_short", "missing"):
            out.append(f"{field} wajib diisi.")
        elif kind == "string_too_long":
            limit = present.thousands(err["ctx"]["max_length"])
            out.append(f"{field} terlalu panjang (paling banyak {limit} karakter).")
        elif field == "Teks" and "hanya berisi spasi" in str(err.get("msg")):
            out.append("Teks wajib diisi (bukan hanya spasi).")
        else:
            out.append(f"{field} tidak dapat dipakai: mengandung karakter yang tidak valid.")
    return out


@router.post("/periksa", response_class=HTMLResponse)
async def screen_submission(
    request: Request, holder: HolderDep, audit: AuditDep, limiter: LimiterDep, metrics: MetricsDep
) -> Response:
    checked = await _form(request, "submitter")
    if isinstance(checked, Response):
        return checked
    caller, form = checked
    # Browsers send a textarea with CRLF line ends; the API receives what the client had, usually LF.
    fields = {
        name: str(form.get(name) or "").replace("\r\n", "\n") for name in ("title", "text", "author", "kim_group")
    }
    upload = form.get("berkas")
    errors: list[str] = []
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            fields["text"] = (await _uploaded_text(upload)).replace("\r\n", "\n")
        except ValueError as exc:
            errors.append(str(exc))
    submission: Submission | None = None
    if not errors:
        try:
            submission = Submission.model_validate(
                {
                    "title": fields["title"],
                    "text": fields["text"],
                    "author": fields["author"].strip() or None,
                    "kim_group": fields["kim_group"].strip() or None,
                }
            )
        except ValidationError as exc:
            errors.extend(_submission_problems(exc))
    if submission is None:
        return render(request, "screen.html", caller, status=422, form=fields, result=None, errors=errors)
    screener = holder.require()
    result = await limiter.run(
        screen_and_record,
        screener,
        audit,
        metrics,
        submission,
        None,
        caller,
        request_id_of(request),
        brief=is_brief(audit, [submission], max_chars=get_settings(request).inline_max_chars),
    )
    return render(request, "screen.html", caller, form=fields, **_analysis(result, submission.title, submission.text))


def _analysis(result: ScreenResult, title: str, text: str) -> dict[str, Any]:
    """What `_result.html` shows of a screening of `title` and `text`."""
    findings = present.findings_of(result.rules)
    towards, away = present.terms_view(result)
    return {
        "result": result,
        "decision": present.decision_words(result.decision),
        "findings": findings,
        "text_segments": present.highlight(text, result.rules, findings, "text"),
        "title_segments": present.highlight(title, result.rules, findings, "title"),
        "terms_towards": towards,
        "terms_away": away,
    }


# -- review queue -------------------------------------------------------------------------------------------------
QUEUE_ORDERS: dict[str, QueueOrder] = {"terbaru": "newest", "terlama": "oldest", "risiko": "risk"}  # ?urut=


@router.get("/antrean", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    store: StoreDep,
    halaman: int = 1,
    tersimpan: str | None = None,
    urut: str = "terbaru",
    kim: str = "",
    sejak: str = "",
) -> Response:
    """The review queue, newest first, oldest first or highest risk first (`urut`), optionally of one KIM group
    (`kim`) or from a date on (`sejak`, YYYY-MM-DD), with the count of what waits."""
    gated = _gate(request, "editor", page=True)
    if isinstance(gated, Response):
        return gated
    page = max(1, min(halaman, 10_000))
    order: QueueOrder = QUEUE_ORDERS.get(urut, "newest")
    kim_group = kim.strip()[:200] or None
    since: datetime | None = None
    if sejak.strip():
        try:
            since = datetime.strptime(sejak.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return problem(request, gated, 422, "Tanggal “sejak” harus ditulis TTTT-BB-HH, misalnya 2024-08-12.")
    offset = (page - 1) * QUEUE_PAGE_SIZE
    items = await run_in_threadpool(
        lambda: store.review_queue(QUEUE_PAGE_SIZE + 1, offset, order=order, kim_group=kim_group, since=since)
    )
    waiting = await run_in_threadpool(lambda: store.review_queue_count(kim_group=kim_group, since=since))
    conflicts = await run_in_threadpool(store.conflicts, [item.text_sha256 for item in items])
    flash = f"Putusan “{present.VERDICTS[tersimpan]}” disimpan." if tersimpan in present.VERDICTS else None
    chosen = {"urut": urut if urut in QUEUE_ORDERS else "terbaru", "kim": kim_group or "", "sejak": sejak.strip()}
    return render(
        request,
        "queue.html",
        gated,
        items=items[:QUEUE_PAGE_SIZE],
        page_number=page,
        has_next=len(items) > QUEUE_PAGE_SIZE,
        conflicts=conflicts,
        flash=flash,
        waiting=waiting,
        chosen=chosen,
        query=urlencode({k: v for k, v in chosen.items() if v}),
    )


SCREENING_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # the API's Identifier: safe in a path as it is
LABEL_CHANGES = {"diubah": "Label dikoreksi.", "dihapus": "Label dihapus; riwayatnya tetap tersimpan."}  # ?pesan=


@router.get("/antrean/{screening_id}", response_class=HTMLResponse)
async def queue_item_page(
    request: Request,
    screening_id: str,
    store: StoreDep,
    holder: HolderDep,
    limiter: LimiterDep,
    pesan: str | None = None,
) -> Response:
    """One queued submission analysed again with the served model, so the editor sees the rule findings, with the
    editors' labels of its text (an admin may correct or delete them there).

    Not recorded in the audit log: it is the same submission, not a new one.
    """
    gated = _gate(request, "editor", page=True)
    if isinstance(gated, Response):
        return gated
    record = await run_in_threadpool(store.get_screening, screening_id)
    if record is None:
        return problem(request, gated, 404, "Naskah ini tidak ada di log penyaringan layanan ini.")
    if record.text_purged_at is not None:
        return problem(request, gated, 410, PURGED_MESSAGE)
    conflict = record.text_sha256 in await run_in_threadpool(store.conflicts, [record.text_sha256])
    labels = await run_in_threadpool(
        lambda: store.list_labels(LabelFilter(text_sha256=record.text_sha256), limit=QUEUE_PAGE_SIZE).items
    )
    screener = holder.require()
    result = await limiter.run(lambda: screener.screen(text=record.text, title=record.title))
    analysis = _analysis(result, record.title, record.text)
    return render(
        request,
        "queue_item.html",
        gated,
        item=record,
        conflict=conflict,
        labels=labels,
        flash=LABEL_CHANGES.get(pesan or ""),
        **analysis,
    )


@router.post("/antrean/{screening_id}", response_class=HTMLResponse)
async def record_verdict(request: Request, screening_id: str, store: StoreDep) -> Response:
    checked = await _form(request, "editor")
    if isinstance(checked, Response):
        return checked
    caller, form = checked
    verdict = form.get("putusan")
    note = str(form.get("catatan") or "").replace("\r\n", "\n").strip() or None
    if verdict not in present.VERDICTS:
        return problem(request, caller, 422, "Pilih salah satu putusan: hoaks, valid, atau ragu-ragu.")
    if note is not None and len(note) > MAX_NOTE_CHARS:
        return problem(request, caller, 422, f"Catatan terlalu panjang (paling banyak {MAX_NOTE_CHARS} karakter).")
    record = await run_in_threadpool(store.get_screening, screening_id)
    if record is None:
        return problem(request, caller, 404, "Naskah ini tidak ada di log penyaringan layanan ini.")
    if record.text_purged_at is not None:
        return problem(request, caller, 410, PURGED_MESSAGE)
    if verdict == "unsure":
        await run_in_threadpool(lambda: store.skip_review(screening_id, editor_id=caller.editor, note=note))
    else:
        await run_in_threadpool(
            lambda: store.add_label(
                text=record.text,
                title=record.title,
                label=verdict,
                note=note,
                editor_id=caller.editor,
                screening_id=screening_id,
            )
        )
    return RedirectResponse(f"/ui/antrean?tersimpan={verdict}", status_code=303)


@router.post("/label/{label_id}", response_class=HTMLResponse)
async def change_label(request: Request, label_id: int, store: StoreDep) -> Response:
    """An admin's correction (to hoax or valid) or deletion of a label, from the page of a queued screening."""
    checked = await _form(request, "admin")
    if isinstance(checked, Response):
        return checked
    caller, form = checked
    action = form.get("tindakan")
    if action not in ("hoax", "valid", "hapus"):
        return problem(request, caller, 422, "Pilih tindakan: koreksi ke hoaks, koreksi ke valid, atau hapus.")
    if action == "hapus":
        await run_in_threadpool(lambda: store.delete_label(label_id, by=caller.editor))
    else:
        await run_in_threadpool(lambda: store.correct_label(label_id, by=caller.editor, label=action))
    back = str(form.get("kembali") or "")
    done = "dihapus" if action == "hapus" else "diubah"
    target = f"/ui/antrean/{back}?pesan={done}" if SCREENING_ID.fullmatch(back) else "/ui/antrean"
    return RedirectResponse(target, status_code=303)


# -- models -------------------------------------------------------------------------------------------------------
def _job_view(job: RetrainJob | None) -> dict[str, Any] | None:
    if job is None:
        return None
    report = job.report
    return {
        "job_id": job.job_id,
        "status": job.status,
        "status_text": present.JOB_STATUS.get(job.status, job.status),
        "running": job.status in ("queued", "running"),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "messages": [in_indonesian(m) for m in job.messages[-8:]],
        "outcome": report.outcome if report is not None else None,
        "outcome_text": present.RETRAIN_OUTCOMES.get(report.outcome, "") if report is not None else None,
        "new_version": report.new_version if report is not None else None,
        "reasons": [in_indonesian(r) for r in report.reasons] if report is not None else [],
        "error": job.error,
    }


@router.get("/model", response_class=HTMLResponse)
async def models_page(request: Request, holder: HolderDep, store: StoreDep, pesan: str | None = None) -> Response:
    gated = _gate(request, "submitter", page=True)
    if isinstance(gated, Response):
        return gated
    versions = await run_in_threadpool(holder.registry.versions)
    active = await run_in_threadpool(holder.registry.active_version)
    try:
        n_labels = await run_in_threadpool(store.count_labels)
        n_queue = len(await run_in_threadpool(store.review_queue, QUEUE_COUNT_LIMIT + 1))
    except ScreeningError:
        n_labels = n_queue = -1
    runner = peek_runner(request)
    messages = {
        "aktif": "Versi model diganti.",
        "mulai": "Pelatihan ulang dimulai.",
    }
    return render(
        request,
        "models.html",
        gated,
        versions=present.model_rows(versions),
        active_version=active,
        serving_version=holder.screener.model_version if holder.screener is not None else None,
        n_labels=n_labels,
        n_queue=n_queue,
        queue_count_limit=QUEUE_COUNT_LIMIT,
        job=_job_view(runner.latest()) if runner is not None else None,
        flash=messages.get(pesan or ""),
    )


@router.get("/model/latih-ulang")
async def retrain_status(request: Request) -> Response:
    """The latest retrain job as JSON, for the models page to follow a running job."""
    gated = _gate(request, "admin", page=False)
    if isinstance(gated, Response):
        return JSONResponse({"error": "forbidden"}, status_code=gated.status_code)
    runner = peek_runner(request)
    job = _job_view(runner.latest()) if runner is not None else None
    return JSONResponse(job, headers={"Cache-Control": "no-store"})


@router.post("/model/latih-ulang", response_class=HTMLResponse)
async def start_retrain(request: Request) -> Response:
    checked = await _form(request, "admin")
    if isinstance(checked, Response):
        return checked
    caller, _ = checked
    try:
        get_runner(request).start(retrain_task(request))
    except RetrainInProgressError:
        return problem(request, caller, 409, "Pelatihan ulang sedang berjalan. Tunggu sampai selesai.")
    return RedirectResponse("/ui/model?pesan=mulai", status_code=303)


@router.post("/model/aktifkan", response_class=HTMLResponse)
async def activate(request: Request, holder: HolderDep) -> Response:
    return await _switch(request, holder, "activate")


@router.post("/model/kembalikan", response_class=HTMLResponse)
async def rollback(request: Request, holder: HolderDep) -> Response:
    return await _switch(request, holder, "rollback")


async def _switch(request: Request, holder: ScreenerHolder, how: Literal["activate", "rollback"]) -> Response:
    checked = await _form(request, "admin")
    if isinstance(checked, Response):
        return checked
    caller, form = checked
    try:
        if how == "activate":
            await run_in_threadpool(holder.activate, str(form.get("versi") or ""))
        else:
            await run_in_threadpool(holder.rollback)
    except ScreeningError as exc:
        message = "Tidak ada versi sebelumnya untuk dikembalikan." if how == "rollback" else str(exc)
        return problem(request, caller, 409, f"Model tidak diganti. {message}")
    return RedirectResponse("/ui/model?pesan=aktif", status_code=303)
