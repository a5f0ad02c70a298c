"""How `saring serve` runs uvicorn: its C parser and event loop, connection limits and timeouts, so no client can
hold the server.

uvicorn serves with `httptools` (llhttp, in C) and `uvloop` (libuv); both are dependencies of the project, so a
request costs the event loop far less than with the pure-Python h11 parser and asyncio's loop. uvicorn's own limits
cover idle keep-alive connections (`timeout_keep_alive`) and running requests (`limit_concurrency`). It has no
limit on the size of a request head with httptools, no time limit on receiving a request, and accepts connections
as long as descriptors last; `BoundedHttpToolsProtocol` adds all three: a request head larger than
`SARING_MAX_HEADER_BYTES` is answered 400 and its connection closed, a request (head and body) must arrive within
`SARING_HEADER_TIMEOUT_S` of the connection opening or the last response, and beyond `SARING_MAX_CONNECTIONS` open
connections a new one is answered 503 and closed at once. The app itself bounds the time a body may take
(`SARING_BODY_TIMEOUT_S`, `service.limits`).

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

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
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


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bound on the request head, a deadline for each request's arrival and a
    cap on open connections."""

    request_timeout: float = 10.0
    max_connections: int = 256
    max_head_bytes: int = 32 * 1024
    _refused = False
    _in_head = True  # between requests or inside a request head (not in a body)
    _head_bytes = 0  # bytes received while in a head, since the last head ended
    _arrived = 0  # requests received whole
    _answered = 0  # responses sent whole

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
        if self._refused:
            return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # llhttp itself does not bound a head: counted here from the chunks that arrive while one is incomplete (a
        # head begun at the end of a chunk that also held a body is counted from the next chunk on)
        if self._in_head and self._head_bytes > self.max_head_bytes and not self.transport.is_closing():
            self.send_400_response("Invalid HTTP request received.")

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True
        self._arrived += 1
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._answered += 1
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
        # Every request received is answered and the next has not arrived whole (nothing came, the head is
        # incomplete or the body is still trickling in). A request being handled is the app's to time out
        # (service.limits), so only one between cycles is closed.
        waiting = self._answered >= self._arrived
        between = self.cycle is None or self.cycle.response_complete
        if waiting and between and not self.transport.is_closing():
            self.transport.close()


def protocol_class(settings: Settings) -> type[BoundedHttpToolsProtocol]:
    return type(
        "SaringHttpToolsProtocol",
        (BoundedHttpToolsProtocol,),
        {
            "request_timeout": settings.header_timeout_s,
            "max_connections": max_connections(settings),
            "max_head_bytes": settings.max_header_bytes,
        },
    )


def max_connections(settings: Settings) -> int:
    """`SARING_MAX_CONNECTIONS`, lowered to what the descriptor limit leaves, so accepting never runs out."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return settings.max_connections
    return max(4, min(settings.max_connections, soft - RESERVED_DESCRIPTORS))


class WorkerHttpToolsProtocol(BoundedHttpToolsProtocol):
    """The protocol of worker processes: a module-level class (workers receive it by name), set up by `worker_app`."""


def worker_app() -> Any:
    """The app factory each worker process calls: settings from `SARING_*` (the parent exported its flags there)."""
    from service.app import create_app

    settings = Settings()
    WorkerHttpToolsProtocol.request_timeout = settings.header_timeout_s
    WorkerHttpToolsProtocol.max_connections = max_connections(settings)
    WorkerHttpToolsProtocol.max_head_bytes = settings.max_header_bytes
    return create_app(settings)


def uvicorn_config(app: Any, settings: Settings, *, workers: int = 1) -> uvicorn.Config:
    limit = max_connections(settings)
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        http=protocol_class(settings) if workers == 1 else WorkerHttpToolsProtocol,
        loop="uvloop",
        timeout_keep_alive=settings.keep_alive_s,  # type: ignore[arg-type]  # uvicorn accepts a float
        limit_concurrency=limit,
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
