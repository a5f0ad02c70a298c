"""The HTTP service: `create_app(settings)` builds a FastAPI app; the lifespan opens the store and loads the model.

Run it with `uvicorn --factory service.app:create_app --host 127.0.0.1 --port 8000` (settings from `SARING_*`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from screening.errors import ScreeningError
from screening.registry import ModelRegistry
from screening.store import Store
from screening.training.train import ensure_default_model
from service.deps import ScreenerHolder, ScreeningLimiter
from service.errors import install_error_handlers
from service.limits import BodyLimitMiddleware
from service.observability import Metrics, RequestContextMiddleware, configure_logging
from service.routes import health, labels, models, retrain, screen
from service.security import RateLimiter
from service.settings import Settings
from service.ui.routes import mount_ui

log = logging.getLogger("saring.service")

API_DESCRIPTION = """
Hoax screening and content moderation for Indonesian community news (KIM articles, social-media posts).

**Authentication.** Send an API key as `Authorization: Bearer <key>` (or `X-API-Key`). Role `submitter` may
screen and list models; role `admin` may also record labels and activate or roll back models. Keys are
configured with `SARING_API_KEYS="admin:<key>,submitter:<key>"`. Without keys the service runs in key-less
local mode, which it only allows on a loopback address.

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
        app.state.holder = holder
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="Saring",
        version="1",
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.rate_limiter = RateLimiter(per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst)
    app.state.limiter = ScreeningLimiter(
        max_in_flight=settings.max_in_flight,
        max_queued=settings.max_queued,
        queue_timeout_s=settings.queue_timeout_s,
        metrics=metrics,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    for module in (screen, labels, models, retrain):
        app.include_router(module.router)
    mount_ui(app)  # the editors' pages under /ui (same keys and roles)
    # Added last, runs first: the request id and metrics cover even requests refused by the body limits.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app
