"""The HTTP service: `create_app(settings)` builds a FastAPI app; the lifespan opens the store and loads the model.

Run it with `uvicorn --factory service.app:create_app --host 127.0.0.1 --port 8000` (settings from `SARING_*`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from screening.errors import ScreeningError
from screening.registry import ModelRegistry
from screening.store import Store, StoreError
from screening.training.train import ensure_default_model
from service.audit import AuditWriter
from service.deps import ScreenerHolder, ScreeningLimiter, with_api_key_security
from service.errors import install_error_handlers
from service.guard import RequestGuardMiddleware
from service.idempotency import IdempotencyCache
from service.limits import BodyLimitMiddleware
from service.observability import Metrics, RequestContextMiddleware, configure_logging
from service.routes import health, labels, models, retrain, screen, screenings
from service.security import rate_limiter
from service.settings import Settings
from service.ui.routes import mount_ui
from service.ui.sessions import SessionStore

log = logging.getLogger("saring.service")

# Swagger UI and ReDoc as the `fastapi-offline` package ships them (with their licences), served from this process,
# so /docs and /redoc work on a network without the Internet.
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_ASSETS_URL = "/docs-assets"
SHARED_PURGE_EVERY_S = 600.0

API_DESCRIPTION = """
Hoax screening and content moderation for Indonesian community news (KIM articles, social-media posts).

**Requests** that change state (POST) must send `Content-Type: application/json`, even without a body.
`POST /v1/labels` takes an optional `Idempotency-Key` header so that a retry is not stored twice.

**Authentication.** Send an API key as `Authorization: Bearer <key>` (or `X-API-Key`). Role `submitter` may
screen and list models; role `admin` may also record labels and activate or roll back models. Keys are
configured with `SARING_API_KEYS="admin:<key>,submitter:<key>"`. Without keys the service runs in key-less
local mode, which it only allows on a loopback address and only answers from this machine.

**Errors** are JSON: `{"error": {"code": "...", "message": "..."}}` (messages in Bahasa Indonesia).
Bodies over the size limit get 413, non-JSON bodies 415, invalid fields or unknown fields 422, callers over
their rate 429, and an overloaded or not-yet-ready service 503 with `Retry-After`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; nothing is loaded until the lifespan starts (a `with TestClient(app)` or a server)."""
    settings = settings if settings is not None else Settings()
    configure_logging(settings.log_level)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.database_url.get_secret_value())
        store.migrate()  # fails start-up loudly: serving without an audit log is not an option
        # replays what a killed process left in the spool, before this one answers anything
        audit = AuditWriter(store, settings.audit_spool, max_queued_rows=settings.audit_queue_rows)
        await run_in_threadpool(audit.start)
        holder = ScreenerHolder(
            ModelRegistry(settings.models_dir),
            policy=settings.policy,
            metrics=metrics,
        )
        try:
            if settings.train_if_missing:
                ensure_default_model(holder.registry, settings.training_data_dir)
            screener = holder.load_active()
            log.info("model loaded", extra={"model_version": screener.model_version})
        except ScreeningError as exc:
            # Stay up but not ready (/readyz 503) so an operator can activate a good version through the API.
            log.error("no model could be loaded", extra={"error_type": type(exc).__name__, "error": str(exc)})
        app.state.store = store
        app.state.audit = audit
        app.state.holder = holder
        app.state.sessions = SessionStore(store, ttl_s=settings.ui_session_hours * 3600)
        app.state.idempotency = IdempotencyCache(store)
        background = [
            asyncio.create_task(follow_registry(holder, settings.follow_interval_s)),
            asyncio.create_task(purge_expired_shared(store)),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await run_in_threadpool(audit.close)  # every answered screening committed before the store closes
            store.close()

    app = FastAPI(
        title="Saring",
        version="1",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        # The service's metrics and logs are its own (Prometheus, JSON lines: service.observability). FastAPI's
        # native OpenTelemetry would otherwise look for configured providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,  # served below from local assets, with a Content-Security-Policy for exactly those
        redoc_url=None,
    )
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS, check_dir=True), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return swagger_page(app.title)

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return redoc_page(app.title)

    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_api_key_security(with_configured_limits(plain_openapi(), settings))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    app.state.settings = settings
    app.state.metrics = metrics
    app.state.rate_limiter = rate_limiter(
        settings, prefix="requests", per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst
    )
    app.state.auth_failures = rate_limiter(
        settings,
        prefix="failed-keys",
        per_minute=settings.auth_failures_per_minute,
        burst=settings.auth_failures_burst,
    )
    app.state.limiter = ScreeningLimiter(
        max_in_flight=settings.max_in_flight,
        max_queued=settings.max_queued,
        queue_timeout_s=settings.queue_timeout_s,
        metrics=metrics,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    for module in (screen, labels, screenings, models, retrain):
        app.include_router(module.router)  # each route authenticates (service.deps); OpenAPI says so (openapi below)
    mount_ui(app)  # the editors' pages under /ui (same keys and roles)
    # Added last, runs first: the request id and metrics cover even requests refused by the guard or body limits.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, body_timeout_s=settings.body_timeout_s)
    app.add_middleware(RequestGuardMiddleware, settings=settings)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app


async def follow_registry(holder: ScreenerHolder, interval_s: float) -> None:
    """Keep this process on the registry's active version, whoever switched it (see `service.deps`)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await run_in_threadpool(holder.follow_registry, min_interval_s=interval_s / 2)
        except Exception:  # noqa: BLE001 - a failed look must not end the following; logged, tried again
            log.exception("following the model registry failed")


async def purge_expired_shared(store: Store, interval_s: float = SHARED_PURGE_EVERY_S) -> None:
    """Delete expired sign-in sessions and Idempotency-Key records now and then (expired ones are never honoured)."""
    while True:
        try:
            await run_in_threadpool(store.purge_expired_shared)
        except StoreError as exc:  # the store is down: tried again next time
            log.warning("purging expired sessions failed", extra={"error_type": type(exc).__name__})
        await asyncio.sleep(interval_s)


def with_configured_limits(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The generated schema with this deployment's limits where the models only know the hard maximum."""
    batch = schema.get("components", {}).get("schemas", {}).get("BatchScreenRequest", {})
    items = batch.get("properties", {}).get("items")
    if isinstance(items, dict):
        items["maxItems"] = settings.max_batch_items
        items["description"] = (
            f"at most {settings.max_batch_items} submissions (SARING_MAX_BATCH_ITEMS) and "
            f"{settings.max_batch_chars:,} title and text characters in all (SARING_MAX_BATCH_CHARS)"
        )
    return schema


def _script_hashes(html: str) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode('utf-8')).digest()).decode('ascii')}'"
        for script in re.findall(r"<script>(.*?)</script>", html, re.S)
    )


_DOCS_POLICY = (
    "default-src 'none'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'; form-action 'none'"
)


def swagger_page(title: str) -> HTMLResponse:
    """Swagger UI from the bundled assets, with a CSP allowing only them and the hash of its inline start-up script."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{title} - Swagger UI",
        swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
    )
    html = bytes(page.body).decode("utf-8")
    policy = f"script-src 'self' {_script_hashes(html)}; style-src 'self'; {_DOCS_POLICY}"
    return HTMLResponse(html, headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"})


def redoc_page(title: str) -> HTMLResponse:
    """ReDoc from the bundled assets. It styles itself with generated <style> elements and parses the schema in a
    blob: worker, so its CSP allows inline styles and blob: workers (still no inline script, no other host)."""
    page = get_redoc_html(
        openapi_url="/openapi.json",
        title=f"{title} - ReDoc",
        redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
    policy = f"script-src 'self'; style-src 'self' 'unsafe-inline'; worker-src blob:; {_DOCS_POLICY}"
    return HTMLResponse(bytes(page.body), headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"})
