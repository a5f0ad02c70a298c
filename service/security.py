"""API-key authentication, roles and per-caller rate limiting.

Keys are compared as SHA-256 digests with `hmac.compare_digest` against every configured key (no early exit), so
timing reveals neither a key nor which one matched. A key never reaches a log line: callers are known by key id.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from service.errors import ApiError
from service.settings import ApiKey, Role, Settings


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a role and a loggable key id (`local` in key-less mode)."""

    role: Role
    key_id: str

    def can(self, role: Role) -> bool:
        return role == "submitter" or self.role == "admin"


LOCAL_ADMIN = Caller(role="admin", key_id="local")


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None
    key = request.headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def match_key(keys: tuple[ApiKey, ...], presented: str) -> ApiKey | None:
    digest = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).digest()
    found: ApiKey | None = None
    for key in keys:
        if hmac.compare_digest(key.digest, digest):
            found = key
    return found


class RateLimiter:
    """Token bucket per caller: `burst` requests at once, refilled at `per_minute`; thread-safe, in-process."""

    def __init__(self, *, per_minute: int, burst: int, max_callers: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_callers = max_callers
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, caller: str) -> tuple[bool, float]:
        """(allowed, seconds until the next token) for one request by `caller`."""
        if self.rate <= 0:
            return True, 0.0
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.rate)
            if len(self._buckets) >= self.max_callers and caller not in self._buckets:
                self._buckets.clear()  # bounded memory under a flood of distinct callers; forgets all history
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0, now)
                return True, 0.0
            self._buckets[caller] = (tokens, now)
            return False, (1.0 - tokens) / self.rate


def authenticate(request: Request) -> Caller:
    """The caller behind a request; 401 without a valid key (unless in key-less local mode), 429 over the rate."""
    settings: Settings = request.app.state.settings
    if settings.keyless:
        caller = LOCAL_ADMIN
        bucket = f"addr:{request.client.host if request.client else 'unknown'}"
    else:
        presented = presented_key(request)
        key = match_key(settings.keys, presented) if presented else None
        if key is None:
            raise ApiError(
                401,
                "unauthorized",
                "Kunci API tidak ada atau tidak valid. Kirim header 'Authorization: Bearer <kunci>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        caller = Caller(role=key.role, key_id=key.key_id)
        bucket = caller.key_id
    request.state.caller = caller
    limiter: RateLimiter = request.app.state.rate_limiter
    allowed, retry_after = limiter.allow(bucket)
    if not allowed:
        request.app.state.metrics.rejected.labels(reason="rate_limit").inc()
        raise ApiError(
            429,
            "rate_limited",
            "Terlalu banyak permintaan dari kunci ini. Coba lagi sebentar lagi.",
            headers={"Retry-After": str(max(1, round(retry_after + 0.5)))},
        )
    return caller


def require_submitter(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
    return caller


def require_admin(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
    if not caller.can("admin"):
        raise ApiError(403, "forbidden", "Kunci API ini tidak berhak melakukan tindakan admin.")
    return caller
