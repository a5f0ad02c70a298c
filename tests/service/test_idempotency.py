"""`IdempotencyCache` on a real store: a key another process holds, a failed first request, a replay after restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from screening.store import Store
from service import idempotency
from service.errors import ApiError
from service.idempotency import IdempotencyCache, body_digest

BODY = {"text": "Posyandu Desa Sukamaju dibuka Senin pukul 08.00.", "label": "valid"}


def answer(value: int) -> Any:
    async def make() -> dict[str, Any]:
        return {"id": value}

    return make


def test_a_key_still_held_elsewhere_is_409_in_use_after_waiting(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idempotency, "WAIT_S", 0.3)
    lease = datetime.now(UTC) + timedelta(seconds=30)
    held = store.claim_idempotency_key("editor-1", "k", body_sha256=body_digest(BODY), lease_until=lease)
    assert held.state == "claimed"  # as another worker does while its request runs
    with pytest.raises(ApiError) as refused:
        asyncio.run(IdempotencyCache(store).run("editor-1", "k", BODY, answer(1)))
    assert refused.value.status == 409 and refused.value.code == "idempotency_key_in_use"
    assert refused.value.headers == {"Retry-After": "1"} and "masih diproses" in refused.value.message


def test_a_failed_first_request_lets_the_retry_run(store: Store) -> None:
    async def fails() -> dict[str, Any]:
        raise RuntimeError("the store went away mid-request")

    cache = IdempotencyCache(store)
    with pytest.raises(RuntimeError):
        asyncio.run(cache.run("editor-1", "k", BODY, fails))
    assert asyncio.run(cache.run("editor-1", "k", BODY, answer(2))) == ({"id": 2}, False)


def test_the_first_answer_outlives_the_process_that_gave_it(store: Store) -> None:
    assert asyncio.run(IdempotencyCache(store).run("editor-1", "k", BODY, answer(3))) == ({"id": 3}, False)
    restarted = IdempotencyCache(store)  # a new process on the same store
    assert asyncio.run(restarted.run("editor-1", "k", BODY, answer(4))) == ({"id": 3}, True)
    with pytest.raises(ApiError) as reused:
        asyncio.run(restarted.run("editor-1", "k", {**BODY, "label": "hoax"}, answer(5)))
    assert reused.value.code == "idempotency_key_reused"
