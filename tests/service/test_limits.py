"""Every limit fails closed with a JSON error, quickly; no input produces a 500."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from http_helpers import ARTICLE, SUBMITTER

from screening.result import ScreenResult
from service.app import create_app
from service.deps import ScreeningLimiter
from service.errors import ApiError
from service.schemas import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from service.settings import Settings

JSON = {**SUBMITTER, "Content-Type": "application/json"}


def error_code(r: Any) -> str:
    assert r.headers["content-type"].startswith("application/json"), r.text
    return str(r.json()["error"]["code"])


def test_declared_body_over_limit_is_413(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings(max_body_bytes=2048))) as c:
        r = c.post("/v1/screen", content=b'{"text": "' + b"a" * 4000 + b'"}', headers=JSON)
        assert r.status_code == 413 and error_code(r) == "payload_too_large"


def test_streamed_body_over_limit_is_413(make_settings: Callable[..., Settings]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"a" * 1000
        yield b'"}'

    with TestClient(create_app(make_settings(max_body_bytes=2048))) as c:
        r = c.post("/v1/screen", content=chunks(), headers=JSON)  # no Content-Length: chunked
        assert r.status_code == 413 and error_code(r) == "payload_too_large"

        def small() -> Iterator[bytes]:
            yield b'{"text": "Posyandu dibuka '
            yield b'Senin pagi."}'

        assert c.post("/v1/screen", content=small(), headers=JSON).status_code == 200


def test_lying_content_length_cannot_smuggle_a_bigger_body(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings(max_body_bytes=2048))) as c:
        body = b'{"text": "' + b"a" * 4000 + b'"}'
        r = c.post("/v1/screen", content=body, headers={**JSON, "Content-Length": "100"})
        assert r.status_code in {400, 413, 422}


def test_text_and_title_length_are_422(client: TestClient) -> None:
    r = client.post("/v1/screen", json={"text": "a" * (MAX_TEXT_CHARS + 1)}, headers=SUBMITTER)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.text"
    r = client.post("/v1/screen", json={"title": "t" * (MAX_TITLE_CHARS + 1), "text": "isi"}, headers=SUBMITTER)
    assert r.status_code == 422
    assert client.post("/v1/screen", json={"text": "a " * (MAX_TEXT_CHARS // 2)}, headers=SUBMITTER).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"text": "isi", "unknown": 1},
        {"text": "isi", "thresholds": {"review": 0.5, "reject": 0.9, "extra": 1}},
        {"text": "isi", "thresholds": {"review": 0.9, "reject": 0.5}},
        {"text": "isi", "thresholds": {"review": 1.5, "reject": 2}},
        {"text": "   "},
        {"text": 42},
        {"title": "tanpa isi"},
        {"text": "isi", "kim_group": ""},
        [],
        "text",
        None,
    ],
)
def test_invalid_bodies_are_422(client: TestClient, body: Any) -> None:
    r = client.post("/v1/screen", json=body, headers={**SUBMITTER, "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert error_code(r) == "invalid_request"
    assert "details" in r.json()["error"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"text=hoaks", "application/x-www-form-urlencoded"),
        (b"hoaks", "text/plain"),
        (b'{"text": "isi"}', None),
        (b'{"text": "isi"}', "application/xml"),
    ],
)
def test_wrong_content_type_is_415(client: TestClient, content: bytes, content_type: str | None) -> None:
    headers = dict(SUBMITTER)
    if content_type:
        headers["Content-Type"] = content_type
    r = client.post("/v1/screen", content=content, headers=headers)
    assert r.status_code == 415 and error_code(r) == "unsupported_media_type"


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b'{"text": "\\ud800 lone surrogate"}',
        b'{"text": "nul \\u0000 char"}',
        b"[" * 50_000 + b"]" * 50_000,
        b'{"text": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}",
        b'{"text": "isi", "text": "dua kali"}',
        b'{"text": "' + "🙂‍↔️ ẞ ﷽ ".encode() * 200 + b'"}',
        b'{"text": "isi", "thresholds": {"review": NaN, "reject": Infinity}}',
        b'{"text": "isi", "thresholds": {"review": 1e999, "reject": -1e999}}',
        b"",
    ],
)
def test_hostile_bodies_never_500(client: TestClient, raw: bytes) -> None:
    r = client.post("/v1/screen", content=raw, headers=JSON)
    assert r.status_code < 500, r.text
    assert r.status_code in {200, 400, 422}
    if r.status_code != 200:
        assert error_code(r) in {"bad_request", "invalid_request"}


def test_batch_items_bounded_individually(client: TestClient) -> None:
    items = [{"text": "a" * (MAX_TEXT_CHARS + 1)}, {"text": "nul \x00"}, ARTICLE]
    r = client.post("/v1/screen/batch", json={"items": items}, headers=SUBMITTER)
    assert r.status_code == 200
    assert [e["error"] is None for e in r.json()["items"]] == [False, False, True]


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    assert error_code(client.get("/v2/screen")) == "not_found"
    r = client.get("/v1/screen", headers=SUBMITTER)
    assert r.status_code == 405 and error_code(r) == "method_not_allowed"


class SlowScreener:
    """Test double: the real screener behind a delay, to hold screening slots open."""

    def __init__(self, real: Any, delay: float) -> None:
        self._real = real
        self._delay = delay
        self.model_version = real.model_version
        self.ruleset_version = real.ruleset_version

    def screen(self, **kwargs: Any) -> ScreenResult:
        time.sleep(self._delay)
        return self._real.screen(**kwargs)  # type: ignore[no-any-return]

    def screen_many(self, items: Any, **kwargs: Any) -> list[ScreenResult]:
        time.sleep(self._delay)
        return self._real.screen_many(items, **kwargs)  # type: ignore[no-any-return]


def test_overload_is_refused_quickly_with_503(make_settings: Callable[..., Settings]) -> None:
    # The slow test double holds the slots with a sleep; a text this short would otherwise be screened on the event
    # loop when alone (which real screenings of at most 2,000 characters may: see test_brief_screenings_*).
    settings = make_settings(max_in_flight=1, max_queued=1, queue_timeout_s=0.3, inline_max_chars=0)
    with TestClient(create_app(settings)) as c:
        holder = c.app.state.holder  # type: ignore[attr-defined]
        holder._screener = SlowScreener(holder.screener, delay=1.0)
        results: list[tuple[int, float, str]] = []

        def call() -> None:
            started = time.perf_counter()
            r = c.post("/v1/screen", json=ARTICLE, headers=SUBMITTER)
            results.append((r.status_code, time.perf_counter() - started, r.headers.get("retry-after", "")))

        threads = [threading.Thread(target=call) for _ in range(5)]
        for t in threads:
            t.start()
            time.sleep(0.02)
        for t in threads:
            t.join(timeout=10)
        codes = sorted(code for code, _, _ in results)
        assert codes.count(200) == 1 and codes.count(503) == 4, results
        refused = [(elapsed, retry) for code, elapsed, retry in results if code == 503]
        assert all(elapsed < 0.9 and retry == "1" for elapsed, retry in refused), refused
        assert "saring_overload_rejections_total" in c.get("/metrics").text
        assert c.get("/healthz").status_code == 200


def test_limiter_queues_then_refuses() -> None:
    async def scenario() -> list[str]:
        limiter = ScreeningLimiter(max_in_flight=1, max_queued=1, queue_timeout_s=5.0)
        outcomes: list[str] = []

        async def one(i: int) -> None:
            try:
                await limiter.run(time.sleep, 0.2)
                outcomes.append(f"ok{i}")
            except ApiError as exc:
                outcomes.append(f"{exc.status}:{i}")

        await asyncio.gather(*(one(i) for i in range(3)))
        return outcomes

    outcomes = asyncio.run(scenario())
    assert sorted(outcomes) == ["503:2", "ok0", "ok1"]


def test_brief_screenings_run_on_the_event_loop_only_when_alone() -> None:
    async def scenario() -> dict[str, bool]:
        loop_thread = threading.get_ident()
        limiter = ScreeningLimiter(max_in_flight=2, max_queued=4, queue_timeout_s=5.0)

        async def on_loop(brief: bool) -> bool:
            return await limiter.run(threading.get_ident, brief=brief) == loop_thread

        seen = {"brief, alone": await on_loop(True), "not brief": not await on_loop(False)}
        busy = asyncio.create_task(limiter.run(time.sleep, 0.3))  # another screening holds a pool thread
        await asyncio.sleep(0.05)
        seen["brief, another running"] = not await on_loop(True)
        await busy
        seen["brief, alone again"] = await on_loop(True)
        return seen

    assert asyncio.run(scenario()) == {
        "brief, alone": True,
        "not brief": True,
        "brief, another running": True,
        "brief, alone again": True,
    }


def test_a_costly_screening_on_the_event_loop_sends_the_next_ones_to_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import service.deps

    monkeypatch.setattr(service.deps, "INLINE_PAUSE_S", 0.3)

    def costly() -> int:
        started = time.thread_time()
        while time.thread_time() - started < service.deps.INLINE_SLOW_S * 1.5:
            pass
        return threading.get_ident()

    async def scenario() -> list[bool]:
        loop_thread = threading.get_ident()
        limiter = ScreeningLimiter(max_in_flight=1, max_queued=1, queue_timeout_s=5.0)
        on_loop = [await limiter.run(costly, brief=True) == loop_thread]
        on_loop.append(await limiter.run(threading.get_ident, brief=True) == loop_thread)  # paused
        await asyncio.sleep(0.35)
        on_loop.append(await limiter.run(threading.get_ident, brief=True) == loop_thread)  # the pause is over
        return on_loop

    assert asyncio.run(scenario()) == [True, False, True]


class BrokenScreener(SlowScreener):
    """Test double: a library bug (not a request problem) on every call."""

    def screen(self, **kwargs: Any) -> ScreenResult:
        raise AttributeError("simulated library bug")

    def screen_many(self, items: Any, **kwargs: Any) -> list[ScreenResult]:
        raise AttributeError("simulated library bug")


def test_library_bug_is_a_json_500_with_request_id(client: TestClient) -> None:
    holder = client.app.state.holder  # type: ignore[attr-defined]
    real = holder.screener
    holder._screener = BrokenScreener(real, delay=0)
    r = client.post("/v1/screen", json=ARTICLE, headers={**SUBMITTER, "X-Request-ID": "bug-1"})
    assert r.status_code == 500 and error_code(r) == "internal_error"
    assert r.headers["x-request-id"] == "bug-1"
    assert "simulated" not in r.text  # internals stay in the log
    holder._screener = real
    assert client.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).status_code == 200
