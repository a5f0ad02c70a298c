"""Where a request may come from, checked before any route runs, and the security headers every response carries.

    key-less mode, socket or client not loopback -> 403 keyless_not_local  (however the app was started)
    Host not a trusted name                       -> 400 untrusted_host     (DNS rebinding)
    state-changing method sent cross-site         -> 403 cross_site         (Origin of another host, or
                                                                              Sec-Fetch-Site: cross-site)

Key-less mode trusts whoever can reach it, so it must be reachable only from this machine: the check reads the
address each connection actually arrived on (ASGI `scope["server"]`, the bound socket's local address) and the
client's, not the configured `SARING_HOST`. A `uvicorn --host 0.0.0.0` start therefore still serves only loopback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_response
from service.settings import Settings, is_loopback

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def host_name(host: str) -> str:
    """The name part of a Host header value, lower-case: `Example.org:8000` -> `example.org`, `[::1]:80` -> `[::1]`."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end > 0 else host
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() else host


def host_allowed(name: str, trusted: tuple[str, ...]) -> bool:
    if not trusted:
        return True
    for pattern in trusted:
        if pattern.startswith("*."):
            if name.endswith(pattern[1:]) and len(name) > len(pattern) - 1:
                return True
        elif name == pattern:
            return True
    return False


def arrived_locally(scope: Scope) -> bool:
    """The connection came in on a loopback socket (or a Unix socket) from a loopback client."""
    server = scope.get("server")
    if server is None:
        return False
    host, port = server[0], server[1]
    if port is None:  # a Unix domain socket: only local processes can connect
        return True
    client = scope.get("client")
    return is_loopback(str(host)) and (client is None or is_loopback(str(client[0])))


def cross_site(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    """A browser says the request was made by another site's page (Origin of another host, Sec-Fetch-Site)."""
    if headers.get(b"sec-fetch-site", b"").lower() == b"cross-site":
        return True
    origin = headers.get(b"origin", b"").decode("latin-1").strip()
    if not origin or origin == "null":  # no browser page, or an opaque one: the route's own checks decide
        return False
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    parts = urlsplit(origin)
    return parts.scheme not in ("http", "https") or parts.netloc.lower() != host


class RequestGuardMiddleware:
    """Refuses requests from where they may not come, and adds the security headers to every response."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.keyless = settings.keyless
        self.trusted = settings.trusted_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if self.keyless and not arrived_locally(scope):
            response = error_response(
                403,
                "keyless_not_local",
                "Layanan tanpa kunci API hanya melayani permintaan dari mesin ini (loopback). Atur SARING_API_KEYS "
                "untuk melayani dari jaringan.",
            )
        elif not host_allowed(host_name(headers.get(b"host", b"").decode("latin-1")), self.trusted):
            response = error_response(400, "untrusted_host", "Header Host tidak dikenal oleh layanan ini.")
        elif scope["method"] in STATE_CHANGING and cross_site(scope, headers):
            response = error_response(
                403, "cross_site", "Permintaan dari situs lain ditolak: tindakan ini hanya dari halaman Saring sendiri."
            )
        else:
            await self.app(scope, receive, send_with_headers)
            return
        await response(scope, receive, send_with_headers)
