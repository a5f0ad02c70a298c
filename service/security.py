"""API-key authentication, roles, per-caller rate limiting and a limit on wrong keys per client address.

Keys are compared as SHA-256 digests with `hmac.compare_digest` against every configured key (no early exit), so
timing reveals neither a key nor which one matched. A key never reaches a log line: callers are known by key id.

Every wrong key (API or sign-in) takes a token from its client address's bucket (`SARING_AUTH_FAILURES_*`); with
none left, every key attempt from that address gets 429 before the key is even looked at, so guessing cannot
go on faster than the refill, and a 429 says nothing about whether the key would have been right.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass

from fastapi import Request

from service.errors import ApiError
from service.observability import Metrics
from service.settings import ROLES, ApiKey, Role, Settings


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a role, a loggable key id (`local` in key-less mode) and the key's name, if it has one."""

    role: Role
    key_id: str
    name: str | None = None

    def can(self, role: Role) -> bool:
        """Whether this caller may act as `role`: submitter < editor < admin."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def editor(self) -> str:
        """Who this caller is on the labels and skips they record: the key's name, else its id."""
        return self.name or self.key_id


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

    def peek(self, caller: str) -> tuple[bool, float]:
        """(whether `caller` has a token left, seconds until it has one), taking nothing."""
        if self.rate <= 0:
            return True, 0.0
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(caller, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        return (True, 0.0) if tokens >= 1.0 else (False, (1.0 - tokens) / self.rate)

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


# One token bucket per key in Redis, updated atomically: every worker and replica that uses the same Redis draws
# from the same budget. KEYS[1] bucket; ARGV: rate per second, burst, now (seconds), take (1 or 0).
_BUCKET_SCRIPT = """
local rate, burst, now, take = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens, stamp = tonumber(state[1]) or burst, tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local allowed = 0
if tokens >= 1 then
  allowed = 1
  if take == 1 then tokens = tokens - 1 end
end
if take == 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
  redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
end
return {allowed, tostring(tokens)}
"""


class SharedRateLimiter(RateLimiter):
    """`RateLimiter` with its buckets in Redis, shared by every worker and replica using the same Redis.

    When Redis cannot be reached, the budget of this process alone applies (the in-process buckets) and one
    warning is logged, so an outage of Redis never refuses or stalls requests.
    """

    def __init__(self, url: str, *, prefix: str, per_minute: int, burst: int) -> None:
        import redis

        super().__init__(per_minute=per_minute, burst=burst)
        self.prefix = prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_BUCKET_SCRIPT)
        self._warned = False

    def _shared(self, caller: str, take: bool) -> tuple[bool, float] | None:
        import redis

        try:
            allowed, tokens = self._script(
                keys=[f"saring:ratelimit:{self.prefix}:{caller}"],
                args=[self.rate, self.burst, time.time(), 1 if take else 0],
            )
        except redis.RedisError as exc:
            if not self._warned:
                self._warned = True
                logging.getLogger("saring.service").warning(
                    "rate limits: Redis unreachable, limits hold per process", extra={"error": type(exc).__name__}
                )
            return None
        self._warned = False
        return (True, 0.0) if int(allowed) else (False, (1.0 - float(tokens)) / self.rate)

    def peek(self, caller: str) -> tuple[bool, float]:
        if self.rate <= 0:
            return True, 0.0
        shared = self._shared(caller, take=False)
        return shared if shared is not None else super().peek(caller)

    def allow(self, caller: str) -> tuple[bool, float]:
        if self.rate <= 0:
            return True, 0.0
        shared = self._shared(caller, take=True)
        return shared if shared is not None else super().allow(caller)


def rate_limiter(settings: Settings, *, prefix: str, per_minute: int, burst: int) -> RateLimiter:
    """The shared limiter when `SARING_REDIS_URL` is set, else the in-process one."""
    if settings.redis_url is not None:
        return SharedRateLimiter(
            settings.redis_url.get_secret_value(), prefix=prefix, per_minute=per_minute, burst=burst
        )
    return RateLimiter(per_minute=per_minute, burst=burst)


def client_address(request: Request) -> str:
    return f"addr:{request.client.host if request.client else 'unknown'}"


def refuse_if_guessing(request: Request, failures: RateLimiter, metrics: Metrics) -> None:
    """429 when this client address has used up its wrong-key budget (`failures`)."""
    allowed, retry_after = failures.peek(client_address(request))
    if not allowed:
        metrics.rejected.labels(reason="failed_keys").inc()
        wait = max(1, round(retry_after + 0.5))
        raise ApiError(
            429,
            "too_many_failed_keys",
            f"Terlalu banyak kunci API yang salah dari alamat ini. Coba lagi dalam {wait} detik.",
            headers={"Retry-After": str(wait)},
        )


def count_failed_key(request: Request, failures: RateLimiter) -> None:
    failures.allow(client_address(request))


def caller_of(key: ApiKey) -> Caller:
    return Caller(role=key.role, key_id=key.key_id, name=key.name)


def authenticate(
    request: Request, *, settings: Settings, requests: RateLimiter, failures: RateLimiter, metrics: Metrics
) -> Caller:
    """The caller behind a request; 401 without a valid key (unless in key-less local mode), 429 over the rate.

    `requests` is the per-caller rate limit, `failures` the wrong-key budget per client address (the app's, handed
    over by `service.deps.authenticated`).
    """
    if settings.keyless:
        caller = LOCAL_ADMIN
        bucket = client_address(request)
    else:
        presented = presented_key(request)
        if presented:
            refuse_if_guessing(request, failures, metrics)
        key = match_key(settings.keys, presented) if presented else None
        if key is None:
            if presented:
                count_failed_key(request, failures)
            raise ApiError(
                401,
                "unauthorized",
                "Kunci API tidak ada atau tidak valid. Kirim header 'Authorization: Bearer <kunci>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        caller = caller_of(key)
        bucket = caller.key_id
    request.state.caller = caller
    allowed, retry_after = requests.allow(bucket)
    if not allowed:
        metrics.rejected.labels(reason="rate_limit").inc()
        raise ApiError(
            429,
            "rate_limited",
            "Terlalu banyak permintaan dari kunci ini. Coba lagi sebentar lagi.",
            headers={"Retry-After": str(max(1, round(retry_after + 0.5)))},
        )
    return caller


_REFUSALS: dict[Role, str] = {
    "submitter": "Kunci API ini tidak berhak melakukan tindakan ini.",
    "editor": "Kunci API ini tidak berhak melakukan tindakan redaksi (peran editor).",
    "admin": "Kunci API ini tidak berhak melakukan tindakan admin.",
}


def require_role(caller: Caller, role: Role) -> Caller:
    """`caller` if they may act as `role`, else 403."""
    if not caller.can(role):
        raise ApiError(403, "forbidden", _REFUSALS[role])
    return caller
