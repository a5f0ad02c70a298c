"""Where the time of one HTTP request goes, measured inside a real server process (used by `bench_http.py`).

`python bench/http_steps.py` serves as `saring serve` does (`service.server.serve`: the same protocol, event loop
and limits; settings from `SARING_*`) an app that `create_timed_app` builds exactly as `service.app:create_app`
does, then wraps, in this process only, the pieces one request passes through and adds a read-out route:

    GET  /_bench/steps   per-request figures since the last reset, by step, in microseconds (wall, and CPU of the
                         thread that ran the step where the step runs synchronously)
    POST /_bench/reset   forget them

Steps on the event loop get the loop thread's CPU time across their awaits (with one client nothing else runs
there), steps in a pool thread that thread's. Layers are timed inclusive and reported exclusive (a middleware's
own cost is its time minus the layer inside it). Requests to /_bench are not recorded. Written against the layer
names of the service and of FastAPI/Starlette, so it times the code before a change and after it alike; a piece
that does not exist in the timed code is skipped.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
import time
from collections import defaultdict
from typing import Any

_current: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("bench_step_times", default=None)
# a request sent with `X-Bench-Pool: 1` has its screening run in the thread pool even where the limiter would run
# it on the event loop, so the bench compares the two on the same server at the same moment
_force_pool: contextvars.ContextVar[bool] = contextvars.ContextVar("bench_force_pool", default=False)
_lock = threading.Lock()
_requests: list[dict[str, float]] = []  # one dict of step -> microseconds per request answered
_off_path: dict[str, list[float]] = defaultdict(list)  # steps that ran outside any request (the audit writer)


def _add(record: dict[str, float] | None, name: str, wall: float, cpu: float | None) -> None:
    if record is None:
        with _lock:
            _off_path[name].append(wall * 1e6)
            if cpu is not None:
                _off_path[name + ".cpu"].append(cpu * 1e6)
        return
    record[name] = record.get(name, 0.0) + wall * 1e6
    if cpu is not None:
        record[name + ".cpu"] = record.get(name + ".cpu", 0.0) + cpu * 1e6


def _timed_sync(name: str, func: Any) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        w0, c0 = time.perf_counter(), time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            _add(_current.get(), name, time.perf_counter() - w0, time.thread_time() - c0)

    return wrapper


def _timed_async(name: str, func: Any) -> Any:
    # thread_time across the awaits: the event loop's CPU for this step (one client: no other request runs)
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        w0, c0 = time.perf_counter(), time.thread_time()
        try:
            return await func(*args, **kwargs)
        finally:
            _add(_current.get(), name, time.perf_counter() - w0, time.thread_time() - c0)

    return wrapper


def _wrap(owner: Any, attr: str, name: str) -> bool:
    func = getattr(owner, attr, None)
    if func is None or getattr(func, "_bench_timed", False):
        return False
    wrapped = _timed_async(name, func) if inspect.iscoroutinefunction(func) else _timed_sync(name, func)
    wrapped._bench_timed = True
    setattr(owner, attr, wrapped)
    return True


def _outermost(cls: type) -> None:
    """The first of the service's middlewares: opens the per-request record, and closes it after the response."""
    inner = cls.__call__

    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_bench"):
            await inner(self, scope, receive, send)
            return
        record: dict[str, float] = {}
        token = _current.set(record)
        pool_token = _force_pool.set((b"x-bench-pool", b"1") in scope.get("headers", []))
        w0, c0 = time.perf_counter(), time.thread_time()

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                record["sent"] = (time.perf_counter() - w0) * 1e6  # handing over the last bytes; logging follows
            await send(message)

        try:
            await inner(self, scope, receive, timed_send)
        finally:
            record["layer.request_context"] = (time.perf_counter() - w0) * 1e6
            record["layer.request_context.cpu"] = (time.thread_time() - c0) * 1e6
            _current.reset(token)
            _force_pool.reset(pool_token)
            record["path.screen" if scope["path"] == "/v1/screen" else "path.other"] = 1.0
            record["request_id"] = scope.get("state", {}).get("request_id")  # type: ignore[assignment]
            with _lock:
                _requests.append(record)

    cls.__call__ = __call__  # type: ignore[method-assign]


def _layer(cls: type, name: str) -> None:
    inner = cls.__call__

    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        w0, c0 = time.perf_counter(), time.thread_time()
        try:
            await inner(self, scope, receive, send)
        finally:
            _add(_current.get(), name, time.perf_counter() - w0, time.thread_time() - c0)

    cls.__call__ = __call__  # type: ignore[method-assign]


def instrument() -> list[str]:
    """Wrap every piece this process has; returns the names of the steps that exist here."""
    import fastapi.dependencies.utils as fdu
    import fastapi.routing as fr
    import starlette.middleware.exceptions as sme
    import starlette.requests as sreq

    import service.deps as deps
    import service.guard as guard
    import service.limits as limits
    import service.observability as obs
    from screening.screen import Screener
    from screening.store import Store

    found: list[str] = []
    _outermost(obs.RequestContextMiddleware)
    _layer(guard.RequestGuardMiddleware, "layer.guard")
    _layer(limits.BodyLimitMiddleware, "layer.body_limit")
    _layer(sme.ExceptionMiddleware, "layer.app")  # routing, FastAPI's handler and everything below it
    for owner, attr, name in (
        (sreq.Request, "json", "parse.json"),
        (fdu, "request_body_to_args", "validate.body"),
        (fr, "solve_dependencies", "dependencies"),  # includes validate.body
        (fr, "run_endpoint_function", "endpoint"),
        (fr, "serialize_response", "serialize.response_model"),
        (Screener, "screen_many", "screen"),
        (Store, "record_screenings", "audit.record"),
        (Store, "insert_screening_rows", "audit.insert"),
    ):
        if _wrap(owner, attr, name):
            found.append(name)
    access = getattr(obs, "access_log", None)
    if access is not None:
        access.info = _timed_sync("log.access", access.info)
        found.append("log.access")
    try:
        import service.audit as audit
    except ImportError:
        audit = None  # the code before the audit writer
    if audit is not None:
        for attr, name in (("submit", "audit.submit"), ("_commit", "audit.commit"), ("flush", "audit.flush")):
            if _wrap(audit.AuditWriter, attr, name):
                found.append(name)
    may_run_inline = getattr(deps.ScreeningLimiter, "_may_run_inline", None)
    if may_run_inline is not None:  # the code before screenings could run on the event loop has no such choice

        def _may_run_inline(self: Any) -> bool:
            inline = not _force_pool.get() and bool(may_run_inline(self))
            record = _current.get()
            if record is not None:
                record["inline"] = 1.0 if inline else 0.0
            return inline

        deps.ScreeningLimiter._may_run_inline = _may_run_inline
        found.append("inline")
    try:
        import service.responses as responses
    except ImportError:
        responses = None  # the code before responses were encoded once
    if responses is not None and _wrap(responses.EncodedJSONResponse, "render", "serialize.result_json"):
        found.append("serialize.result_json")
    from screening.result import ScreenResult

    if _wrap(ScreenResult, "to_dict", "serialize.to_dict"):
        found.append("serialize.to_dict")
    return found


def _summary() -> dict[str, Any]:
    with _lock:
        requests = list(_requests)
        off = {k: list(v) for k, v in _off_path.items()}
    return {"requests": requests, "off_path": off}


def create_timed_app(settings: Any = None) -> Any:
    """The service's app with its steps timed (settings from `SARING_*` unless given)."""
    steps = instrument()
    import service.app
    from service.settings import Settings

    app = service.app.create_app(settings if settings is not None else Settings())

    @app.get("/_bench/steps", include_in_schema=False)
    async def bench_steps() -> dict[str, Any]:
        return {"steps": steps, "code": service.app.__file__, **_summary()}

    @app.post("/_bench/reset", include_in_schema=False)
    async def bench_reset() -> dict[str, str]:
        with _lock:
            _requests.clear()
            _off_path.clear()
        return {"status": "ok"}

    return app


def main() -> None:
    """Serve the timed app as `saring serve` serves the service's (one process)."""
    from service.server import serve
    from service.settings import Settings

    settings = Settings()
    serve(create_timed_app(settings), settings)


if __name__ == "__main__":
    main()
