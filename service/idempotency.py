"""`Idempotency-Key` for `POST /v1/labels`: a retried request returns the first response instead of storing again.

The same key with the same body (per caller) returns the first response; with another body it is refused (409).
A request still running under a key makes a concurrent retry wait for it. Keys are remembered for
`IDEMPOTENCY_TTL_S` in this process's memory (bounded): a retry that reaches another replica, or comes after a
restart, is stored again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from service.errors import ApiError

IDEMPOTENCY_TTL_S = 24 * 3600
MAX_KEYS = 10_000
KEY_PATTERN = r"^[\x21-\x7e]{1,128}$"  # printable ASCII, no spaces


@dataclass(frozen=True, slots=True)
class Remembered:
    body_digest: str
    response: dict[str, Any]
    expires: float


def body_digest(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class IdempotencyCache:
    """(caller, key) -> the first response; one asyncio lock per key in flight so retries never run twice."""

    def __init__(self, *, ttl_s: float = IDEMPOTENCY_TTL_S, max_keys: int = MAX_KEYS) -> None:
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self._done: OrderedDict[tuple[str, str], Remembered] = OrderedDict()
        self._running: dict[tuple[str, str], tuple[asyncio.Lock, list[int]]] = {}  # lock, [requests using it]

    async def run(
        self, caller_id: str, key: str, body: Any, make: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[dict[str, Any], bool]:
        """(response, whether it is a replay of an earlier one) for `make()` under `key`."""
        slot = (caller_id, key)
        digest = body_digest(body)
        lock, users = self._running.setdefault(slot, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                now = time.monotonic()
                known = self._done.get(slot)
                if known is not None and known.expires > now:
                    if known.body_digest != digest:
                        raise ApiError(
                            409,
                            "idempotency_key_reused",
                            "Idempotency-Key ini sudah dipakai untuk isi permintaan yang berbeda; pakai kunci baru.",
                        )
                    return known.response, True
                response = await make()
                self._done[slot] = Remembered(digest, response, now + self.ttl_s)
                self._done.move_to_end(slot)
                while len(self._done) > self.max_keys:
                    self._done.popitem(last=False)
                return response, False
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._running.pop(slot, None)
