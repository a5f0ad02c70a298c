"""Request-body limits enforced before any route runs: size (413), time (408) and, for the JSON API, content type (415).

The size is checked twice: a declared Content-Length over the limit is refused before reading a byte, and the
streamed body is counted as it arrives (chunked uploads, lying headers), so a route never sees more than the limit.
The whole body must arrive within `body_timeout_s`, so a client trickling bytes cannot hold a request open.

A state-changing JSON API request must say `Content-Type: application/json` even with an empty body: a browser
sends that type cross-site only after a CORS preflight, which this service never grants, so a page elsewhere
cannot make a "simple" request (no body, or a form) that changes state.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyLimitMiddleware:
    """Buffers request bodies up to `max_bytes` (413 beyond) and requires JSON on `json_prefixes` (415)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        body_timeout_s: float = 30.0,
        json_prefixes: tuple[str, ...] = ("/v1/",),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout_s = body_timeout_s
        self.json_prefixes = json_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
                if length < 0:
                    raise ValueError
            except ValueError:
                await error_response(400, "bad_request", "Header Content-Length tidak sah.")(scope, receive, send)
                return
            if length > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        else:
            length = -1  # unknown (chunked): count as it streams

        content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if scope["path"].startswith(self.json_prefixes) and content_type != "application/json":
            await error_response(
                415, "unsupported_media_type", "Kirim isi permintaan sebagai JSON (Content-Type: application/json)."
            )(scope, receive, send)
            return

        chunks: list[bytes] = []
        received = 0
        too_large = disconnected = False
        try:
            # one deadline for the whole body (asyncio.wait_for per message would start a task for each)
            async with asyncio.timeout(self.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        disconnected = True
                        break
                    chunk = message.get("body", b"")
                    received += len(chunk)
                    if received > self.max_bytes:
                        too_large = True
                        break
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await error_response(
                408,
                "request_timeout",
                "Isi permintaan tidak selesai terkirim tepat waktu.",
                headers={"Connection": "close"},
            )(scope, receive, send)
            return
        if disconnected:
            return
        if too_large:
            await self._too_large(scope, receive, send)
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            "payload_too_large",
            f"Isi permintaan melebihi batas {self.max_bytes} bita.",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
