"""How `saring serve` runs uvicorn: connection limits and timeouts, so no client can hold the server.

uvicorn's own limits cover idle keep-alive connections (`timeout_keep_alive`), running requests
(`limit_concurrency`) and the size of a request head (`h11_max_incomplete_event_size`). It has no time limit on
receiving a request, and accepts connections as long as descriptors last; `BoundedH11Protocol` adds both:
a request (head and body) must arrive within `SARING_HEADER_TIMEOUT_S` of the connection opening or the last
response, and beyond `SARING_MAX_CONNECTIONS` open connections a new one is answered 503 and closed at once.
The app itself bounds the time a body may take (`SARING_BODY_TIMEOUT_S`, `service.limits`).

With `workers > 1` the socket is bound once here and handed to N worker processes (uvicorn's supervisor); each
builds its own app with `worker_app`, a factory reading the same `SARING_*` settings, so every worker has the
same limits (per worker) and follows the same model registry (`service.deps.ScreenerHolder`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import socket
from collections.abc import Callable, Sequence
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors.multiprocess import Multiprocess

from screening.store import Store
from service.observability import configure_logging
from service.settings import Settings

log = logging.getLogger("saring.service")
OnListening = Callable[[Sequence[str]], None]

RESERVED_DESCRIPTORS = 64  # for the database, model files and logs
_OVERLOADED = json.dumps(
    {"error": {"code": "overloaded", "message": "Layanan sedang menerima terlalu banyak koneksi. Coba lagi sebentar."}}
).encode("utf-8")
_OVERLOADED_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n"
    b"connection: close\r\ncontent-length: " + str(len(_OVERLOADED)).encode("ascii") + b"\r\n\r\n" + _OVERLOADED
)


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's arrival and a cap on open connections."""

    request_timeout: float = 10.0
    max_connections: int = 256
    _refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) >= self.max_connections:  # (this one included; uvicorn's limit is the backstop)
            # Answer, stop sending, and close a moment later: closing at once with the client's request unread
            # would reset the connection and lose the answer.
            self._refused = True
            transport.write(_OVERLOADED_RESPONSE)
            if transport.can_write_eof():
                transport.write_eof()
            self.loop.call_later(1.0, transport.close)
            return
        self._arm_request_deadline()

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_request_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        deadline: asyncio.TimerHandle | None = getattr(self, "_request_deadline", None)
        if deadline is not None:
            deadline.cancel()
        super().connection_lost(exc)

    def _arm_request_deadline(self) -> None:
        previous: asyncio.TimerHandle | None = getattr(self, "_request_deadline", None)
        if previous is not None:
            previous.cancel()
        self._request_deadline = self.loop.call_later(self.request_timeout, self._request_overdue)

    def _request_overdue(self) -> None:
        # IDLE: the head is incomplete (or nothing came); SEND_BODY: the body is still trickling in.
        # A request being handled is the app's to time out (service.limits), so only one between cycles is closed.
        waiting = self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
        between = self.cycle is None or self.cycle.response_complete
        if waiting and between and not self.transport.is_closing():
            self.transport.close()


def protocol_class(settings: Settings) -> type[BoundedH11Protocol]:
    return type(
        "SaringH11Protocol",
        (BoundedH11Protocol,),
        {"request_timeout": settings.header_timeout_s, "max_connections": max_connections(settings)},
    )


def max_connections(settings: Settings) -> int:
    """`SARING_MAX_CONNECTIONS`, lowered to what the descriptor limit leaves, so accepting never runs out."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return settings.max_connections
    return max(4, min(settings.max_connections, soft - RESERVED_DESCRIPTORS))


class WorkerH11Protocol(BoundedH11Protocol):
    """The protocol of worker processes: a module-level class (workers receive it by name), set up by `worker_app`."""


def worker_app() -> Any:
    """The app factory each worker process calls: settings from `SARING_*` (the parent exported its flags there)."""
    from service.app import create_app

    settings = Settings()
    WorkerH11Protocol.request_timeout = settings.header_timeout_s
    WorkerH11Protocol.max_connections = max_connections(settings)
    return create_app(settings)


def uvicorn_config(app: Any, settings: Settings, *, workers: int = 1) -> uvicorn.Config:
    limit = max_connections(settings)
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        http=protocol_class(settings) if workers == 1 else WorkerH11Protocol,
        timeout_keep_alive=settings.keep_alive_s,  # type: ignore[arg-type]  # uvicorn accepts a float
        limit_concurrency=limit,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        backlog=min(2048, limit * 2),
        workers=workers,
        factory=workers > 1,
        timeout_worker_healthcheck=30,  # a worker loads and warms up its model before it answers
    )


def urls(sockets: Sequence[socket.socket]) -> list[str]:
    """`http://host:port` of each listening socket (the port actually bound, also when 0 was asked for)."""
    found = []
    for sock in sockets:
        host, port = sock.getsockname()[:2]
        found.append(f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}")
    return found


class _Server(uvicorn.Server):
    """uvicorn's server, saying where it listens once it does."""

    on_listening: OnListening | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_listening is not None:
            self.on_listening(urls([sock for server in self.servers for sock in server.sockets]))


def _announce(addresses: Sequence[str], workers: int, on_listening: OnListening | None) -> None:
    log.info("listening", extra={"urls": list(addresses), "workers": workers})
    if on_listening is not None:
        on_listening(addresses)


def serve(app: Any, settings: Settings, *, workers: int = 1, on_listening: OnListening | None = None) -> None:
    """Run `app` (one process), or `workers` processes each building its app with `worker_app` (`app` unused)."""
    if workers == 1:
        server = _Server(uvicorn_config(app, settings))
        server.on_listening = lambda addresses: _announce(addresses, 1, on_listening)
        server.run()
        return
    configure_logging(settings.log_level)
    store = Store(settings.database_url.get_secret_value())
    try:
        store.migrate()  # once, here: workers starting together then find the schema in place
    finally:
        store.close()
    config = uvicorn_config("service.server:worker_app", settings, workers=workers)
    sock = config.bind_socket()
    _announce(urls([sock]), workers, on_listening)
    Multiprocess(config, sockets=[sock]).run()
