"""Structured JSON logs with a request id, and Prometheus metrics (one registry per app, so tests stay isolated)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import internal_error_response

log = logging.getLogger("saring.service")
access_log = logging.getLogger("saring.access")

# Metric labels come from a closed set, so no request can add a series: other methods count as "other", paths no
# route matched as "unmatched" (a route's label is its template, e.g. /v1/models/{version}/activate).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LOG_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _LOG_RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        try:  # orjson: one C call (a line per request, the access log, costs the event loop accordingly)
            return orjson.dumps(entry, default=str).decode("utf-8")
        except orjson.JSONEncodeError:  # what orjson refuses (an integer past 64 bits) the json module writes
            return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    """Send `saring.*` logs as JSON lines to stderr (idempotent)."""
    root = logging.getLogger("saring")
    root.setLevel(level)
    if not any(getattr(h, "_saring_json", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._saring_json = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.propagate = False


class Metrics:
    """The service's Prometheus metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "saring_http_requests_total",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "saring_http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.decisions = Counter(
            "saring_decisions_total", "Screening decisions by band", ["decision"], registry=self.registry
        )
        self.in_flight = Gauge("saring_screenings_in_flight", "Screenings running now", registry=self.registry)
        self.rejected = Counter(
            "saring_overload_rejections_total",
            "Requests refused by overload protection",
            ["reason"],
            registry=self.registry,
        )
        self.model_info = Gauge(
            "saring_model_info",
            "The model being served (value 1)",
            ["model_version", "ruleset_version"],
            registry=self.registry,
        )
        for decision in ("publish", "review", "reject"):
            self.decisions.labels(decision=decision)

    def set_model(self, model_version: str, ruleset_version: str) -> None:
        self.model_info.clear()
        self.model_info.labels(model_version=model_version, ruleset_version=ruleset_version).set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def request_id_of(request: Request) -> str | None:
    """The id `RequestContextMiddleware` gave this request (None without the middleware)."""
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


class RequestContextMiddleware:
    """Gives every request an id (`X-Request-ID`, echoed or generated), logs it as JSON and counts it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # A bug, not a request problem: answer a JSON 500 with the request id and keep the connection usable
            # (re-raising would make the server drop the keep-alive connection under the client).
            log.error(
                "unhandled error", extra={"request_id": request_id, "error_type": type(exc).__name__}, exc_info=exc
            )
            if not response_started:
                await internal_error_response()(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            route_name = getattr(route, "path", None) or "unmatched"
            raw_method = scope.get("method", "")
            method = raw_method if raw_method in KNOWN_METHODS else "other"
            self.metrics.requests.labels(method=method, route=route_name, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=route_name).observe(elapsed)
            state = scope.get("state", {})
            caller = state.get("caller")
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route_name,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "key_id": getattr(caller, "key_id", None),
                    "role": getattr(caller, "role", None),
                },
            )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            try:
                return str(value.decode("latin-1"))
            except UnicodeDecodeError:
                return None
    return None
