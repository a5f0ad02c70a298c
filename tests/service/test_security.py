"""API keys and roles, request ids, and that keys never reach the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from http_helpers import ADMIN, ADMIN_KEY, SUBMITTER, SUBMITTER_KEY

from service.app import create_app
from service.security import RateLimiter
from service.settings import Settings

POST = {"title": "Pengumuman", "text": "Posyandu Desa Sukamaju dibuka Senin pukul 08.00 di balai desa."}


def test_missing_or_wrong_key_is_401(client: TestClient) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": f"Basic {SUBMITTER_KEY}"},
        {"X-API-Key": SUBMITTER_KEY[:-1]},
    ):
        r = client.post("/v1/screen", json=POST, headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"


def test_every_operation_documented_as_needing_a_key_refuses_a_request_without_one(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    checked = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not any("BearerKey" in requirement for requirement in operation.get("security", [])):
                continue
            url = re.sub(r"\{[^}]+\}", "x", path)
            r = client.request(method, url, json={}, headers={"Content-Type": "application/json"})
            assert r.status_code == 401, (method, path, r.status_code)
            checked.append(f"{method} {path}")
    assert len(checked) >= 15 and all(" /v1/" in c for c in checked), checked


def test_submitter_screens_but_cannot_administer(client: TestClient) -> None:
    assert client.post("/v1/screen", json=POST, headers=SUBMITTER).status_code == 200
    assert client.post("/v1/screen", json=POST, headers={"X-API-Key": SUBMITTER_KEY}).status_code == 200
    assert client.get("/v1/models", headers=SUBMITTER).status_code == 200
    label = {"text": POST["text"], "label": "valid"}
    for method, path, body in (
        ("post", "/v1/labels", label),
        ("post", "/v1/models/rollback", None),
        ("post", "/v1/models/v1/activate", None),
    ):
        r = client.request(method, path, json=body, headers={**SUBMITTER, "Content-Type": "application/json"})
        assert r.status_code == 403, path
        assert r.json()["error"]["code"] == "forbidden"
    assert client.post("/v1/labels", json=label, headers=ADMIN).status_code == 201


def test_keyless_local_mode_allows_everything_on_loopback(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(api_keys=""))
    with TestClient(app, base_url="http://localhost:8000", client=("127.0.0.1", 50000)) as c:
        assert c.post("/v1/screen", json=POST).status_code == 200
        label = {"text": POST["text"], "label": "valid"}
        assert c.post("/v1/labels", json=label).status_code == 201


def test_rate_limit_is_429_with_retry_after(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings(rate_limit_per_minute=60, rate_limit_burst=2))) as c:
        codes = [c.get("/v1/models", headers=SUBMITTER).status_code for _ in range(4)]
        assert codes[:2] == [200, 200] and codes[2:] == [429, 429]
        r = c.get("/v1/models", headers=SUBMITTER)
        assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
        assert c.get("/v1/models", headers=ADMIN).status_code == 200  # buckets are per key
        assert 'saring_overload_rejections_total{reason="rate_limit"}' in c.get("/metrics").text


def test_token_bucket_refills() -> None:
    limiter = RateLimiter(per_minute=6000, burst=1)
    assert limiter.allow("a")[0]
    allowed, wait = limiter.allow("a")
    assert not allowed and 0 < wait <= 0.011
    assert limiter.allow("b")[0]


def test_request_id_echoed_or_generated(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "editor-tool.42"})
    assert r.headers["x-request-id"] == "editor-tool.42"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces \xe9".encode("latin-1")}).headers[
        "x-request-id"
    ]
    assert len(generated) == 32 and generated.isalnum()


def test_keys_never_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("saring").propagate = True  # let caplog see the JSON-configured logger
    try:
        with caplog.at_level(logging.DEBUG):
            client.post("/v1/screen", json=POST, headers=SUBMITTER)
            client.post("/v1/screen", json=POST, headers={"Authorization": "Bearer " + ADMIN_KEY[:-2] + "zz"})
            client.post("/v1/labels", json={"text": "x", "label": "hoax"}, headers=ADMIN)
    finally:
        logging.getLogger("saring").propagate = False
    text = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "submitter-" in text  # the key id is there ...
    for secret in (SUBMITTER_KEY, ADMIN_KEY, ADMIN_KEY[:-2]):
        assert secret not in text  # ... the key is not
