"""Rate limits shared through Redis by every worker and replica (SARING_REDIS_URL), and the fallback without it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from http_helpers import SUBMITTER

from service.app import create_app
from service.security import RateLimiter, SharedRateLimiter, rate_limiter
from service.settings import Settings

REDIS_URL = os.environ.get("SARING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    if os.environ.get("SARING_SKIP_REDIS") == "1":
        pytest.skip("SARING_SKIP_REDIS=1")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} unreachable ({exc}): run scripts/services.sh, or SARING_SKIP_REDIS=1")
    return REDIS_URL


def test_two_workers_draw_from_one_budget(redis_url: str) -> None:
    prefix = uuid.uuid4().hex  # a fresh bucket for this test
    first, second = (SharedRateLimiter(redis_url, prefix=prefix, per_minute=60, burst=3) for _ in range(2))
    assert [first.allow("key-a")[0], first.allow("key-a")[0], second.allow("key-a")[0]] == [True, True, True]
    allowed, wait = second.allow("key-a")
    assert not allowed and 0 < wait <= 1.01
    assert not first.peek("key-a")[0] and second.allow("key-b")[0]  # per caller


def test_unreachable_redis_falls_back_to_the_process_budget() -> None:
    limiter = SharedRateLimiter("redis://127.0.0.1:1/0", prefix="down", per_minute=60, burst=2)
    assert [limiter.allow("k")[0] for _ in range(3)] == [True, True, False]


def test_without_redis_the_limiter_is_per_process(make_settings: Callable[..., Settings]) -> None:
    limiter = rate_limiter(make_settings(), prefix="requests", per_minute=60, burst=2)
    assert type(limiter) is RateLimiter


def test_two_replicas_share_a_keys_rate_limit(redis_url: str, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(rate_limit_per_minute=60, rate_limit_burst=3, redis_url=redis_url)
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # no budget left over from an earlier run
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        codes = [c.get("/v1/models", headers=SUBMITTER).status_code for c in (one, two, one, two)]
    assert codes == [200, 200, 200, 429]
