"""What routes depend on: the served Screener (owned by `ScreenerHolder`), the store, the screening limiter, the
caller (authenticated, with a role) and everything else the app holds; the only reader of `app.state`.

The Screener is immutable. Switching models builds the new one completely, then replaces one reference; a request
that already took the old reference finishes with it, so a swap never drops or mixes a request.

Every process serving one models directory (workers, replicas) follows the registry's ACTIVE pointer: the holder
looks at it (one stat) at most once per `follow_interval_s` and loads the version it names when that is not the
one served, so a switch made anywhere (API in another process, `saring models activate`, a retrain) reaches every
process within about a second plus the load time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPBearer
from starlette.concurrency import run_in_threadpool

from screening.errors import ModelArtifactError
from screening.policy import DecisionPolicy
from screening.registry import ModelRegistry
from screening.screen import Screener, settle_heap
from screening.store import Store
from service.audit import AuditWriter
from service.errors import ApiError
from service.idempotency import IdempotencyCache
from service.jobs import RetrainJobRunner
from service.observability import Metrics, request_id_of
from service.retention import RetentionSweeper
from service.security import Caller, RateLimiter, SharedRateLimiter, authenticate, require_role
from service.settings import Settings
from service.ui.sessions import SessionStore

log = logging.getLogger("saring.service")
T = TypeVar("T")


class ScreenerHolder:
    """Owns the served Screener: one reference, read without locks, replaced whole by admin operations."""

    def __init__(
        self,
        registry: ModelRegistry,
        *,
        policy: DecisionPolicy,
        metrics: Metrics | None = None,
    ) -> None:
        self.registry = registry
        self.policy = policy
        self.metrics = metrics
        self._screener: Screener | None = None
        self._switch_lock = threading.Lock()  # one model switch at a time; readers never take it
        self._seen_stamp: tuple[int, int, int] | None = None  # the ACTIVE pointer as of the last look
        self._refused: str | None = None  # an active version that failed to load here (not retried until re-pointed)
        self._last_look = 0.0

    @property
    def screener(self) -> Screener | None:
        return self._screener

    def require(self) -> Screener:
        screener = self._screener
        if screener is None:
            raise ApiError(
                503, "model_not_loaded", "Model belum dimuat; layanan belum siap.", headers={"Retry-After": "5"}
            )
        return screener

    def _build(self, version: str | None) -> Screener:
        screener = Screener.from_registry(self.registry, version, policy=self.policy)
        return screener.warm_up()  # before it serves: the first request should not pay for loading

    def _serve(self, screener: Screener) -> None:
        """The one place the served model changes (callers hold the switch lock); metrics follow it."""
        self._screener = screener
        if self.metrics is not None:
            self.metrics.set_model(screener.model_version, screener.ruleset_version)
        settle_heap()

    def load_active(self) -> Screener:
        """Load the registry's active version (start-up)."""
        with self._switch_lock:
            self._seen_stamp = self.registry.active_stamp()
            screener = self._build(None)
            self._serve(screener)
            return screener

    def follow_registry(self, *, min_interval_s: float = 1.0) -> str | None:
        """Serve the registry's active version if another process switched it; returns the newly served version.

        Cheap when nothing changed (at most one stat per `min_interval_s`). A version that cannot load here is
        logged once and the served model stays; it is tried again only after the pointer changes again.
        """
        now = time.monotonic()
        if now - self._last_look < min_interval_s:
            return None
        self._last_look = now
        stamp = self.registry.active_stamp()
        if stamp == self._seen_stamp:
            return None
        if not self._switch_lock.acquire(blocking=False):
            return None  # a switch in this process is under way; look again next time
        try:
            self._seen_stamp = stamp
            version = self.registry.active_version()
            served = self._screener.model_version if self._screener is not None else None
            if version is None or version == served or version == self._refused:
                return None
            try:
                screener = self._build(version)
            except ModelArtifactError as exc:
                self._refused = version
                log.error(
                    "active model cannot be served here; keeping the one served",
                    extra={"model_version": version, "serving_version": served, "error": str(exc)},
                )
                return None
            self._refused = None
            self._serve(screener)
            log.info("followed the registry", extra={"model_version": version, "previous_version": served})
            return version
        finally:
            self._switch_lock.release()

    def activate(self, version: str) -> tuple[str, str | None]:
        """Serve `version` and make it the registry's active one; returns (new, previous)."""
        with self._switch_lock:
            known = {v.version for v in self.registry.versions()}
            if version not in known:
                raise ApiError(404, "model_not_found", f"Versi model {version!r} tidak ada.")
            previous = self.registry.active_version()
            screener = self._build(version)  # verifies the artifact before any switch
            self.registry.activate(version)
            self._seen_stamp = self.registry.active_stamp()
            self._serve(screener)
            return screener.model_version, previous

    def rollback(self) -> tuple[str, str | None]:
        """Go back to the previously active version; returns (new, previous)."""
        with self._switch_lock:
            previous = self.registry.active_version()
            version = self.registry.rollback()
            try:
                screener = self._build(version)
            except ModelArtifactError:
                if previous is not None:
                    self.registry.activate(previous)  # keep the pointer on what is actually being served
                raise
            finally:
                self._seen_stamp = self.registry.active_stamp()
            self._serve(screener)
            return screener.model_version, previous


# A screening that ran on the event loop and took more CPU than this (ordinary texts of 2,000 characters take about
# 5 ms, texts made of words never seen up to about 50 ms) sends every screening to the thread pool for the next
# INLINE_PAUSE_S, so a run of costly texts cannot keep the event loop busy.
INLINE_SLOW_S = 0.02
INLINE_PAUSE_S = 1.0


class ScreeningLimiter:
    """Bounds screenings in flight; excess callers queue briefly, beyond that they are refused at once (503).

    Screening is CPU-bound, so more parallelism than cores only adds latency; refusing early keeps the latency of
    accepted requests predictable and never lets a client wait into a timeout.

    A screening runs in the thread pool, so the event loop keeps answering (health checks, other requests) while
    it runs. A `brief` one (the caller's word: short work that never waits, see `service.actions.is_brief`) that
    finds no other screening running or queued runs on the event loop itself instead: handing it to a thread and
    the result back costs two thread wake-ups, about 0.05 ms of CPU on an idle machine and milliseconds of waiting
    for a core on a busy one. What that may hold up is bounded: only requests arriving meanwhile wait, at most one
    brief screening long, and one that proved costly (`INLINE_SLOW_S`) sends every screening to the pool for the
    next `INLINE_PAUSE_S`.
    """

    def __init__(
        self, *, max_in_flight: int, max_queued: int, queue_timeout_s: float, metrics: Metrics | None = None
    ) -> None:
        self.metrics = metrics
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.queue_timeout_s = queue_timeout_s
        self._semaphore: asyncio.Semaphore | None = None
        self._inline_paused_until = float("-inf")
        self.in_flight = 0
        self.waiting = 0

    def _busy(self, why: str, reason: str) -> ApiError:
        if self.metrics is not None:
            self.metrics.rejected.labels(reason=reason).inc()
        return ApiError(
            503,
            "overloaded",
            f"Layanan sedang sibuk ({why}). Coba lagi beberapa detik lagi.",
            headers={"Retry-After": "1"},
        )

    async def run(self, func: Callable[..., T], *args: Any, brief: bool = False) -> T:
        """Run `func(*args)` once a slot is free: in the thread pool, or on the event loop when it is `brief` and
        alone (see the class docstring)."""
        if self._semaphore is None:  # created lazily so it binds to the serving event loop
            self._semaphore = asyncio.Semaphore(self.max_in_flight)
        semaphore = self._semaphore
        if semaphore.locked():
            if self.waiting >= self.max_queued:
                raise self._busy("antrean penuh", "queue_full")
            self.waiting += 1
            try:
                await asyncio.wait_for(semaphore.acquire(), timeout=self.queue_timeout_s)
            except TimeoutError:
                raise self._busy("antrean terlalu lama", "queue_timeout") from None
            finally:
                self.waiting -= 1
        else:
            await semaphore.acquire()
        self.in_flight += 1
        if self.metrics is not None:
            self.metrics.in_flight.inc()
        try:
            if brief and self._may_run_inline():
                return self._run_inline(func, *args)
            return await run_in_threadpool(func, *args)
        finally:
            self.in_flight -= 1
            if self.metrics is not None:
                self.metrics.in_flight.dec()
            semaphore.release()

    def _may_run_inline(self) -> bool:
        alone = self.in_flight == 1 and self.waiting == 0  # this screening is the only one
        return alone and time.monotonic() >= self._inline_paused_until

    def _run_inline(self, func: Callable[..., T], *args: Any) -> T:
        started = time.thread_time()  # the work itself: on a busy machine the wall time also counts other processes
        try:
            return func(*args)
        finally:
            if time.thread_time() - started > INLINE_SLOW_S:
                self._inline_paused_until = time.monotonic() + INLINE_PAUSE_S


def _held(name: str, kind: type[T]) -> Callable[[Request], T]:
    """The reader of one part of what the app holds: `service.app` puts it on `app.state`, and this module is the
    only place it is read there. Handlers take the `...Dep` parameters below; code that has only the request
    (authentication, the editors' pages' helpers) calls the readers, e.g. `get_settings(request)`."""

    def read(request: Request) -> T:
        held: T = getattr(request.app.state, name)
        return held

    read.__name__ = read.__qualname__ = f"get_{name}"
    read.__doc__ = f"The app's {kind.__name__} (`app.state.{name}`)."
    return read


def _dependency(reader: Callable[[Request], T]) -> Callable[[Request], Awaitable[T]]:
    """`reader` as a coroutine: FastAPI runs a plain function dependency in the thread pool, and the hop costs more
    than reading an attribute (about 0.1 ms each, several per request)."""

    async def depend(request: Request) -> T:
        return reader(request)

    depend.__name__ = depend.__qualname__ = reader.__name__
    depend.__doc__ = reader.__doc__
    return depend


get_settings = _held("settings", Settings)
get_metrics = _held("metrics", Metrics)
get_holder = _held("holder", ScreenerHolder)
current_store = _held("store", Store)  # as it is: rows still on their way from the audit writer not yet in it
get_audit = _held("audit", AuditWriter)
get_limiter = _held("limiter", ScreeningLimiter)
get_rate_limiter = _held("rate_limiter", RateLimiter)  # per caller (per address in key-less mode)
get_auth_failures = _held("auth_failures", RateLimiter)  # wrong keys per client address, API and sign-in alike
get_sessions = _held("sessions", SessionStore)
get_idempotency = _held("idempotency", IdempotencyCache)


async def get_store(request: Request) -> Store:
    """The store, once every screening this process has answered is committed to it: whatever reads the audit log
    (the review queue, `/v1/screenings`, a label naming a screening) sees a screening answered just before."""
    audit = get_audit(request)
    if audit.pending():
        await run_in_threadpool(audit.flush)
    return current_store(request)


async def get_screener(request: Request) -> Screener:
    return get_holder(request).require()


_lazy_lock = threading.Lock()  # what is made on first use is made once


def sweeper_of(request: Request) -> RetentionSweeper:
    """The app's retention sweeper, made on first use for the store and settings the app serves with."""
    state = request.app.state
    with _lazy_lock:
        found: RetentionSweeper | None = getattr(state, "retention", None)
        if found is None or found.store is not current_store(request):
            found = RetentionSweeper(current_store(request), get_settings(request).retention_days)
            state.retention = found
        return found


get_sweeper = _dependency(sweeper_of)


def get_runner(request: Request) -> RetrainJobRunner:
    """The app's retrain job runner, made on first use (one per app, so one retrain at a time per service)."""
    with _lazy_lock:
        runner = peek_runner(request)
        if runner is None:
            runner = RetrainJobRunner()
            request.app.state.retrain_runner = runner
        return runner


def peek_runner(request: Request) -> RetrainJobRunner | None:
    """The app's retrain job runner if a retrain was ever started, without making one."""
    runner: RetrainJobRunner | None = getattr(request.app.state, "retrain_runner", None)
    return runner


async def authenticated(request: Request) -> Caller:
    """The caller behind a request (`service.security.authenticate` with this app's settings and budgets)."""
    requests, failures = get_rate_limiter(request), get_auth_failures(request)
    check = partial(
        authenticate,
        request,
        settings=get_settings(request),
        requests=requests,
        failures=failures,
        metrics=get_metrics(request),
    )
    if isinstance(requests, SharedRateLimiter) or isinstance(failures, SharedRateLimiter):
        return await run_in_threadpool(check)  # a Redis round trip: not on the event loop
    return check()  # in-process buckets: a lock and some arithmetic


async def require_submitter(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
    return require_role(caller, "submitter")


async def require_editor(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
    return require_role(caller, "editor")


async def require_admin(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
    return require_role(caller, "admin")


@dataclass(frozen=True, slots=True)
class ScreeningParts:
    """Everything a screening route uses, resolved by one dependency (`ScreeningDep`)."""

    caller: Caller
    screener: Screener
    audit: AuditWriter
    limiter: ScreeningLimiter
    metrics: Metrics
    settings: Settings
    sweeper: RetentionSweeper
    request_id: str | None


async def screening_parts(request: Request) -> ScreeningParts:
    """The caller (a submitter at least; 401/403/429 as for every route), the served Screener (503 before one is
    loaded) and the app's parts a screening uses. One dependency instead of eight: FastAPI resolves each dependency
    of a route on every request, at about 25 us each here, and a screening is the request whose latency counts."""
    caller = require_role(await authenticated(request), "submitter")
    return ScreeningParts(
        caller=caller,
        screener=get_holder(request).require(),
        audit=get_audit(request),
        limiter=get_limiter(request),
        metrics=get_metrics(request),
        settings=get_settings(request),
        sweeper=sweeper_of(request),
        request_id=request_id_of(request),
    )


SettingsDep = Annotated[Settings, Depends(_dependency(get_settings))]
MetricsDep = Annotated[Metrics, Depends(_dependency(get_metrics))]
HolderDep = Annotated[ScreenerHolder, Depends(_dependency(get_holder))]
ScreenerDep = Annotated[Screener, Depends(get_screener)]
StoreDep = Annotated[Store, Depends(get_store)]
AuditDep = Annotated[AuditWriter, Depends(_dependency(get_audit))]
LimiterDep = Annotated[ScreeningLimiter, Depends(_dependency(get_limiter))]
IdempotencyDep = Annotated[IdempotencyCache, Depends(_dependency(get_idempotency))]
SweeperDep = Annotated[RetentionSweeper, Depends(get_sweeper)]
RunnerDep = Annotated[RetrainJobRunner, Depends(get_runner)]
SubmitterDep = Annotated[Caller, Depends(require_submitter)]
EditorDep = Annotated[Caller, Depends(require_editor)]
AdminDep = Annotated[Caller, Depends(require_admin)]
ScreeningDep = Annotated[ScreeningParts, Depends(screening_parts)]

# How callers present a key (read by service.security.presented_key), for OpenAPI, /docs (Authorize) and generated
# clients. Documented on every /v1/ operation by `with_api_key_security` rather than declared as dependencies of the
# routes: FastAPI would resolve both on every request, and service.security reads the key itself, with its own
# messages and budgets.
bearer_key = HTTPBearer(
    scheme_name="BearerKey",
    description="`Authorization: Bearer <key>` with a key from SARING_API_KEYS (role submitter or admin)",
    auto_error=False,
)
header_key = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ApiKeyHeader",
    description="the same key in an `X-API-Key` header, for clients that cannot set Authorization",
    auto_error=False,
)
API_KEY_SCHEMES = (bearer_key, header_key)


def with_api_key_security(schema: dict[str, Any]) -> dict[str, Any]:
    """The generated schema with the API key schemes documented, and required by every `/v1/` operation (each
    authenticates through `authenticated`: `SubmitterDep`, `EditorDep`, `AdminDep` or `ScreeningDep`)."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    for scheme in API_KEY_SCHEMES:
        schemes[scheme.scheme_name] = scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for path, operations in schema.get("paths", {}).items():
        if path.startswith("/v1/"):
            for operation in operations.values():
                operation["security"] = [{scheme.scheme_name: []} for scheme in API_KEY_SCHEMES]
    return schema


metrics_key_scheme = HTTPBearer(
    scheme_name="MetricsKey",
    description="`Authorization: Bearer <SARING_METRICS_KEY>`, needed by /metrics only when that key is set",
    auto_error=False,
)
