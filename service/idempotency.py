"""`Idempotency-Key` for `POST /v1/labels`: a retried request returns the first response instead of storing again.

The same key with the same body (per caller) returns the first response; with another body it is refused (409).
Keys are records in the store, so this holds whichever worker or replica a retry reaches, and across restarts, for
`IDEMPOTENCY_TTL_S`. The first request claims the key for at most `LEASE_S` while it runs; a concurrent retry waits
for its answer (up to `WAIT_S`, then 409 `idempotency_key_in_use`), and a claim whose process died lapses.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool

from screening.store import Store, StoreError
from service.errors import ApiError

log = logging.getLogger("saring.service")

IDEMPOTENCY_TTL_S = 24 * 3600
LEASE_S = 30.0
WAIT_S = 5.0
POLL_S = 0.05
KEY_PATTERN = r"^[\x21-\x7e]{1,128}$"  # printable ASCII, no spaces


def body_digest(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


class IdempotencyCache:
    """(caller, key) -> the first response, in the shared store; retries never run twice, in any process."""

    def __init__(self, store: Store, *, ttl_s: float = IDEMPOTENCY_TTL_S) -> None:
        self.store = store
        self.ttl_s = ttl_s
        # retries reaching this process queue here instead of polling the store
        self._running: dict[tuple[str, str], tuple[asyncio.Lock, list[int]]] = {}  # lock, [requests using it]

    async def run(
        self, caller_id: str, key: str, body: Any, make: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[dict[str, Any], bool]:
        """(response, whether it is a replay of an earlier one) for `make()` under `key`."""
        slot = (caller_id, key)
        lock, users = self._running.setdefault(slot, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                return await self._run(caller_id, key, body_digest(body), make)
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._running.pop(slot, None)

    async def _run(
        self, caller_id: str, key: str, digest: str, make: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[dict[str, Any], bool]:
        give_up = time.monotonic() + WAIT_S
        while True:
            claim = await run_in_threadpool(
                lambda: self.store.claim_idempotency_key(
                    caller_id, key, body_sha256=digest, lease_until=_later(LEASE_S)
                )
            )
            if claim.body_sha256 != digest:
                raise ApiError(
                    409,
                    "idempotency_key_reused",
                    "Idempotency-Key ini sudah dipakai untuk isi permintaan yang berbeda; pakai kunci baru.",
                )
            if claim.state == "claimed":
                break
            if claim.response is not None:  # done
                return json.loads(claim.response), True
            if time.monotonic() >= give_up:
                raise ApiError(
                    409,
                    "idempotency_key_in_use",
                    "Permintaan lain dengan Idempotency-Key ini masih diproses. Coba lagi sebentar lagi.",
                    headers={"Retry-After": "1"},
                )
            await asyncio.sleep(POLL_S)
        try:
            response = await make()
        except BaseException:
            with suppress(StoreError):  # else the claim lapses after LEASE_S
                await run_in_threadpool(self.store.release_idempotency_key, caller_id, key)
            raise
        encoded = json.dumps(response, ensure_ascii=False)
        try:
            await run_in_threadpool(
                lambda: self.store.finish_idempotency_key(
                    caller_id, key, response=encoded, expires_at=_later(self.ttl_s)
                )
            )
        except StoreError as exc:
            # what was asked for is done; a retry after the lease stores again, and a repeated verdict is folded
            log.warning("idempotency record not kept", extra={"error_type": type(exc).__name__})
        return response, False
