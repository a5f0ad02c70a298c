"""Hostile requests and probes: each repeats a finding of the hardening review and checks it no longer works.

Key-less mode off the machine, DNS rebinding and cross-site requests, keys in settings errors, held connections,
unbounded metrics, the UI cookie as a key, unlimited key guessing, lax booleans, missing CSP, retried labels.
"""

from __future__ import annotations

import logging
import os
import random
import re
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from http_helpers import ADMIN, ADMIN_KEY, API_KEYS, REPO, SUBMITTER, SUBMITTER_KEY
from processes import free_port
from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from service.app import create_app
from service.routes.retrain import RetrainRequest
from service.settings import Settings

POST = {"title": "Pengumuman", "text": "Posyandu Desa Sukamaju dibuka Senin pukul 08.00 di balai desa."}
LABEL = {"text": POST["text"], "label": "valid"}
JSON = {"Content-Type": "application/json"}
LOCAL_CLIENT = ("127.0.0.1", 50000)


def local_client(app: ASGIApp, **kwargs: Any) -> TestClient:
    """A client the way a browser or script on this machine talks to a key-less service."""
    return TestClient(app, base_url="http://localhost:8000", client=LOCAL_CLIENT, **kwargs)


@pytest.fixture
def keyless_app(make_settings: Callable[..., Settings]) -> ASGIApp:
    return create_app(make_settings(api_keys=""))


@pytest.fixture
def keyless(keyless_app: ASGIApp) -> Iterator[TestClient]:
    with local_client(keyless_app) as c:
        yield c


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def post_form(client: TestClient, url: str, data: dict[str, str], *, page: str = "/ui/", **headers: str) -> Any:
    token = token_of(client.get(page).text)
    origin = str(client.base_url).rstrip("/")
    return client.post(
        url, data={"csrf_token": token, **data}, headers={"Origin": origin, **headers}, follow_redirects=False
    )


# -- 1. key-less mode checks the address actually bound -----------------------------------------------------------
class BoundTo:
    """The app as a server bound to `address` would run it (ASGI scope["server"] is the socket's local address)."""

    def __init__(self, app: ASGIApp, address: tuple[str, int]) -> None:
        self.app = app
        self.address = address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "server": self.address}
        await self.app(scope, receive, send)


def test_keyless_refuses_requests_that_arrive_on_a_public_address(keyless_app: ASGIApp) -> None:
    with local_client(BoundTo(keyless_app, ("192.0.2.2", 8000))) as c:  # type: ignore[arg-type]
        for method, path in (("GET", "/v1/models"), ("POST", "/v1/models/rollback"), ("GET", "/ui/")):
            r = c.request(method, path, headers=JSON)
            assert r.status_code == 403, (path, r.text)
            assert r.json()["error"]["code"] == "keyless_not_local"
            assert "SARING_API_KEYS" in r.json()["error"]["message"]
    with local_client(BoundTo(keyless_app, ("127.0.0.1", 8000))) as c:  # type: ignore[arg-type]
        assert c.get("/v1/models").status_code == 200


def test_keyless_refuses_a_remote_client_even_on_loopback(keyless_app: ASGIApp) -> None:
    # e.g. a same-host reverse proxy whose X-Forwarded-For uvicorn trusts: the caller is not on this machine
    with TestClient(keyless_app, base_url="http://localhost:8000", client=("203.0.113.7", 4444)) as c:
        assert c.get("/v1/models").status_code == 403


def non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = str(s.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def start(argv: list[str], env: dict[str, str], log_path: Path, port: int) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    proc = subprocess.Popen(argv, cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1.0).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"server not ready:\n{log_path.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.mark.slow
def test_keyless_uvicorn_on_all_interfaces_serves_only_loopback(models_dir: Path, tmp_path: Path) -> None:
    """The documented `uvicorn --factory ... --host 0.0.0.0` with no keys: the public interface is refused."""
    public = non_loopback_address()
    if public is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = free_port()
    env = {
        "SARING_MODELS_DIR": str(models_dir),
        "SARING_DATABASE_URL": f"sqlite:///{tmp_path / 'saring.db'}",
        "SARING_API_KEYS": "",
        "SARING_TRAIN_IF_MISSING": "false",
        "SARING_HOST": "127.0.0.1",  # what the settings check sees; uvicorn is told otherwise
    }
    argv = [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app", "--host", "0.0.0.0"]
    proc = start([*argv, "--port", str(port), "--no-access-log"], env, tmp_path / "server.log", port)
    try:
        host = {"Host": f"localhost:{port}"}  # even a forged loopback Host does not get through
        r = httpx.post(f"http://{public}:{port}/v1/models/rollback", headers={**host, **JSON}, timeout=10)
        assert r.status_code == 403 and r.json()["error"]["code"] == "keyless_not_local"
        assert httpx.get(f"http://{public}:{port}/v1/models", headers=host, timeout=10).status_code == 403
        assert httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=10).status_code == 200
    finally:
        stop(proc)


# -- 2. trusted hosts and cross-site requests ---------------------------------------------------------------------
def test_keyless_mode_answers_only_loopback_host_names(keyless: TestClient) -> None:
    for host in ("evil.example", "evil.example:8000", "192.0.2.2:8000", "localhost.evil.example", ""):
        for path in ("/v1/models", "/ui/", "/healthz"):
            r = keyless.get(path, headers={"Host": host})
            assert r.status_code == 400, (host, path)
            assert r.json()["error"]["code"] == "untrusted_host"
    for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"):
        assert keyless.get("/v1/models", headers={"Host": host}).status_code == 200, host


def test_allowed_hosts_are_configurable_with_keys(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(allowed_hosts="saring.example.org, *.kim.example.org"))
    with TestClient(app, base_url="https://saring.example.org") as c:
        assert c.get("/v1/models", headers=SUBMITTER).status_code == 200
        assert c.get("/v1/models", headers={**SUBMITTER, "Host": "desa.kim.example.org"}).status_code == 200
        for host in ("evil.example", "kim.example.org.evil.example", "localhost"):
            r = c.get("/v1/models", headers={**SUBMITTER, "Host": host})
            assert r.status_code == 400 and r.json()["error"]["code"] == "untrusted_host", host
    with pytest.raises(ValidationError, match="allowed_hosts"):
        make_settings(api_keys="", allowed_hosts="saring.example.org")


def test_cross_site_posts_without_a_body_do_not_change_state(keyless: TestClient) -> None:
    """A page elsewhere can POST without a preflight; it must not roll back, activate or record anything."""
    before = keyless.get("/v1/models").json()["active_version"]
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "http://evil.example", **JSON},
        {"Sec-Fetch-Site": "cross-site", **JSON},
        {"Origin": "null", "Content-Type": "text/plain"},
        {},  # a simple request without any content type
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
    ):
        r = keyless.post("/v1/models/rollback", headers=headers)
        assert r.status_code in (403, 415), (headers, r.status_code)
        assert r.json()["error"]["code"] in ("cross_site", "unsupported_media_type"), headers
        assert keyless.post(f"/v1/models/{before}/activate", headers=headers).status_code in (403, 415)
        assert keyless.post("/v1/labels", content=b"", headers=headers).status_code in (403, 415)
    r = keyless.post("/v1/models/rollback", headers={"Origin": "http://evil.example", **JSON})
    assert r.status_code == 403 and "situs lain" in r.json()["error"]["message"]
    assert keyless.get("/v1/models").json()["active_version"] == before
    # the same request from this host's own page, or a script without Origin, is fine
    ok = keyless.post("/v1/labels", json=LABEL, headers={"Origin": "http://localhost:8000"})
    assert ok.status_code == 201
    assert keyless.post("/v1/labels", json=LABEL, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 201


def test_cross_site_ui_forms_are_refused_even_with_a_token(keyless: TestClient) -> None:
    r = post_form(keyless, "/ui/periksa", {"text": POST["text"]}, **{"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert post_form(keyless, "/ui/periksa", {"text": POST["text"]}).status_code == 200


# -- 3. secrets never printed ---------------------------------------------------------------------------------------
SECRET = "Zq8wK2mN5pR7tV9xB3dF6hJ1"  # 24 characters


def pieces(secret: str, size: int = 6) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"admin:{SECRET},admin:{SECRET}", "ke-1 dan ke-2"),
        (f"submitter:{SECRET},admin:{SECRET}", "ke-1 dan ke-2"),
        (f"admin:x,{SECRET}", "entri kunci API ke-1:"),
        (f"admin:{ADMIN_KEY},{SECRET}", "entri kunci API ke-2:"),
        (f"admin{SECRET}", "entri kunci API ke-1:"),
        (f"root:{SECRET}", "entri kunci API ke-1:"),
        (f"admin:{SECRET[:20]}", "entri kunci API ke-1:"),
    ],
)
def test_settings_errors_never_show_any_part_of_a_key(tmp_path: Path, raw: str, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(models_dir=tmp_path, api_keys=raw)
    shown = f"{caught.value}\n{caught.value.errors()}\n{caught.value.json()}"
    assert expected in shown
    for secret in (SECRET, ADMIN_KEY):
        for piece in pieces(secret):
            assert piece not in shown, piece


def test_cli_settings_error_never_shows_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.cli import main

    monkeypatch.setenv("SARING_API_KEYS", f"admin:{SECRET},admin:{SECRET}")
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert "ke-1 dan ke-2" in out.err
    for piece in pieces(SECRET):
        assert piece not in out.err + out.out


# -- 4. connection limits -------------------------------------------------------------------------------------------
def test_serve_passes_connection_limits_to_uvicorn(make_settings: Callable[..., Settings]) -> None:
    from service.server import uvicorn_config

    settings = make_settings(keep_alive_s=3, header_timeout_s=7, body_timeout_s=20, max_connections=50)
    config = uvicorn_config(create_app(settings), settings)
    assert config.timeout_keep_alive == 3
    assert config.limit_concurrency is not None and config.limit_concurrency <= 50
    config.load()
    protocol = config.http_protocol_class
    assert getattr(protocol, "request_timeout", None) == 7 and getattr(protocol, "max_connections", None) == 50
    assert getattr(protocol, "max_head_bytes", None) == settings.max_header_bytes


def recv_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        return data + b"<still open>"
    return data


@pytest.mark.slow
def test_held_connections_time_out_and_excess_ones_get_503(models_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {
        "SARING_MODELS_DIR": str(models_dir),
        "SARING_DATABASE_URL": f"sqlite:///{tmp_path / 'saring.db'}",
        "SARING_API_KEYS": API_KEYS,
        "SARING_TRAIN_IF_MISSING": "false",
        "SARING_PORT": str(port),
        "SARING_HEADER_TIMEOUT_S": "1",
        "SARING_BODY_TIMEOUT_S": "2",
        "SARING_KEEP_ALIVE_S": "1",
        "SARING_MAX_CONNECTIONS": "8",
    }
    proc = start([sys.executable, "-m", "service.cli", "serve"], env, tmp_path / "server.log", port)
    try:
        # a slowloris: half a request head, then nothing
        silent = socket.create_connection(("127.0.0.1", port))
        silent.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        assert recv_all(silent, 6) == b""  # closed by the server, not still open
        assert time.monotonic() - started < 4
        silent.close()
        # a body that never arrives
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(
            b"POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {SUBMITTER_KEY}\r\nContent-Length: 100\r\n\r\n".encode()
            + b'{"text": "'
        )
        answer = recv_all(slow, 8)
        assert b"<still open>" not in answer
        slow.close()
        # a head over SARING_MAX_HEADER_BYTES (32 KiB), whole or in two pieces: 400 and closed
        for pieces in ([b"a" * 40_000], [b"a" * 30_000, b"a" * 10_000]):
            big = socket.create_connection(("127.0.0.1", port))
            big.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: " + pieces[0])
            for piece in pieces[1:]:
                time.sleep(0.2)
                big.sendall(piece)
            answer = recv_all(big, 5)
            assert answer.startswith(b"HTTP/1.1 400") and answer.endswith(b"Invalid HTTP request received."), answer
            big.close()
        # a large head under the limit, followed in the same packet by a second request, is served twice
        near = socket.create_connection(("127.0.0.1", port))
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * 28_000 + b"\r\n\r\n"
        near.sendall(request + request.replace(b"Host: x", b"Host: x\r\nConnection: close"))
        answer = recv_all(near, 5)
        assert answer.count(b"HTTP/1.1 200") == 2, answer[:300]
        near.close()
        # more idle connections than allowed: the excess is told 503 at once, the service stays up
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(12)]
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", port))
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = recv_all(extra, 5)
        assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
        assert b'"overloaded"' in answer
        extra.close()
        time.sleep(2.5)  # the held ones time out
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        for s in held:
            s.close()
    finally:
        stop(proc)


# -- 5. metrics with bounded labels ---------------------------------------------------------------------------------
def test_random_methods_and_paths_do_not_grow_metrics(client: TestClient) -> None:
    rng = random.Random(12)
    baseline = len(client.get("/metrics").content)
    for _ in range(300):
        method = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 12)))
        path = "/" + "/".join("".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(rng.randint(1, 3)))
        client.request(rng.choice([method, "GET", "POST"]), rng.choice([path, "/v1/screen", f"/v1/models/{path}"]))
    body = client.get("/metrics").text
    methods = set(re.findall(r'saring_http_requests_total\{method="([^"]*)"', body))
    routes = set(re.findall(r'saring_http_requests_total\{[^}]*route="([^"]*)"', body))
    assert methods <= {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "other"}, methods
    assert "other" in methods and "unmatched" in routes
    assert all(r == "unmatched" or r.startswith("/") for r in routes) and len(routes) < 12, routes
    assert len(body) < baseline + 20_000, (baseline, len(body))


def test_metrics_key_is_required_when_set(make_settings: Callable[..., Settings]) -> None:
    key = "m" * 32
    with TestClient(create_app(make_settings(metrics_key=key))) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers=ADMIN).status_code == 401  # an API key is not the metrics key
        r = c.get("/metrics", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200 and "saring_http_requests_total" in r.text


# -- 6. sign-in sessions, not keys in cookies; failed keys rate-limited -------------------------------------------
@pytest.fixture
def keyed(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings()), base_url="http://localhost") as c:
        yield c


def sign_in(client: TestClient, key: str) -> str:
    r = post_form(client, "/ui/masuk", {"kunci": key, "lanjut": "/ui/"}, page="/ui/masuk")
    assert r.status_code == 303, r.text
    cookies = [c for c in r.headers.get_list("set-cookie") if "Path=/ui" in c and "csrf" not in c]
    assert len(cookies) == 1, cookies
    name, _, rest = cookies[0].partition("=")
    value = rest.split(";")[0]
    assert name == "saring_ui_session"
    return value


def test_the_ui_cookie_is_a_session_id_not_the_key(keyed: TestClient) -> None:
    session = sign_in(keyed, ADMIN_KEY)
    assert ADMIN_KEY not in session and len(session) >= 32
    assert keyed.get("/ui/antrean").status_code == 200
    # a captured cookie is not an API key
    for headers in ({"Authorization": f"Bearer {session}"}, {"X-API-Key": session}):
        assert keyed.get("/v1/models", headers=headers).status_code == 401
    # the old cookie holding a key no longer signs anyone in
    keyed.cookies.clear()
    keyed.cookies.set("saring_ui_key", ADMIN_KEY, path="/ui")
    assert keyed.get("/ui/antrean", follow_redirects=False).status_code == 303


def test_logout_revokes_the_session(keyed: TestClient) -> None:
    session = sign_in(keyed, ADMIN_KEY)
    assert post_form(keyed, "/ui/keluar", {}).status_code == 303
    keyed.cookies.set("saring_ui_session", session, path="/ui")  # replayed after logout
    assert keyed.get("/ui/antrean", follow_redirects=False).status_code == 303


def test_sessions_expire(tmp_path: Path) -> None:
    from screening.store import Store
    from service.security import Caller
    from service.ui.sessions import SessionStore

    now = [1_800_000_000.0]
    store = Store(f"sqlite:///{tmp_path / 'sessions.db'}")
    store.migrate()
    sessions = SessionStore(store, ttl_s=60, clock=lambda: now[0])
    token = sessions.create(Caller(role="admin", key_id="admin-0123456789"))
    assert sessions.get(token) == Caller(role="admin", key_id="admin-0123456789")
    assert sessions.get(token + "x") is None
    now[0] += 61
    assert sessions.get(token) is None
    store.close()


def test_a_session_outlives_a_restart_but_not_its_key(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings()), base_url="http://localhost") as c:
        session = sign_in(c, ADMIN_KEY)
    with TestClient(create_app(make_settings()), base_url="http://localhost") as c:
        c.cookies.set("saring_ui_session", session, path="/ui")
        assert c.get("/ui/antrean", follow_redirects=False).status_code == 200
    only_submitter = f"submitter:{SUBMITTER_KEY}"
    with TestClient(create_app(make_settings(api_keys=only_submitter)), base_url="http://localhost") as c:
        c.cookies.set("saring_ui_session", session, path="/ui")  # same store, the admin key no longer configured
        assert c.get("/ui/antrean", follow_redirects=False).status_code == 303


def test_ui_actions_are_logged_with_the_callers_key_id(keyed: TestClient) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("saring.access").addHandler(handler)
    try:
        sign_in(keyed, SUBMITTER_KEY)
        assert post_form(keyed, "/ui/periksa", {"text": POST["text"]}).status_code == 200
    finally:
        logging.getLogger("saring.access").removeHandler(handler)
    posted = [r for r in records if getattr(r, "route", "") == "/ui/periksa"]
    assert posted and getattr(posted[-1], "key_id", None) is not None
    assert str(getattr(posted[-1], "key_id", "")).startswith("submitter-")


def test_wrong_keys_are_rate_limited_per_address(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(auth_failures_per_minute=6, auth_failures_burst=5))
    with TestClient(app, base_url="http://localhost", client=("198.51.100.4", 1234)) as c:
        codes = [c.get("/v1/models", headers={"Authorization": f"Bearer guess-{i:020d}"}).status_code for i in range(8)]
        assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3, codes
        r = c.get("/v1/models", headers={"Authorization": "Bearer guess-again-000000000000"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_failed_keys"
        assert "Terlalu banyak" in r.json()["error"]["message"] and int(r.headers["retry-after"]) >= 1
        # the address, not the key: a guesser cannot find out whether a right key would have worked
        assert c.get("/v1/models", headers=SUBMITTER).status_code == 429
        other = TestClient(app, base_url="http://localhost", client=("198.51.100.5", 1234))
        assert other.get("/v1/models", headers=SUBMITTER).status_code == 200
        # sign-in attempts share the address's budget
        ui = TestClient(app, base_url="http://localhost", client=("198.51.100.4", 1234))
        r = post_form(ui, "/ui/masuk", {"kunci": "x" * 30}, page="/ui/masuk")
        assert r.status_code == 429 and "Terlalu banyak" in r.text


def test_sign_in_guesses_are_rate_limited(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(auth_failures_per_minute=6, auth_failures_burst=3))
    with TestClient(app, base_url="http://localhost", client=("198.51.100.8", 1234)) as c:
        codes = [post_form(c, "/ui/masuk", {"kunci": f"{i:030d}"}, page="/ui/masuk").status_code for i in range(5)]
        assert codes == [401, 401, 401, 429, 429], codes


# -- 7. strict schemas, CSP everywhere, idempotent labels -----------------------------------------------------------
def test_a_false_threshold_is_refused_not_read_as_zero(client: TestClient) -> None:
    refused = ({"review": False, "reject": 0.9}, {"review": 0.2, "reject": True}, {"review": "0.2", "reject": 1})
    for thresholds in refused:
        r = client.post("/v1/screen", json={**POST, "thresholds": thresholds}, headers=SUBMITTER)
        assert r.status_code == 422, thresholds
    assert client.post("/v1/screen", json={**POST, "thresholds": {"review": 0, "reject": 1}}, headers=SUBMITTER)


@pytest.mark.parametrize("body", [{"dry_run": "true"}, {"force": 1}, {"margin": False}, {"margin": "0.01"}])
def test_retrain_options_are_strict(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RetrainRequest.model_validate(body)


def test_every_response_has_a_content_security_policy(client: TestClient) -> None:
    for path in ("/ui/static/saring.css", "/ui/static/saring.js", "/docs", "/openapi.json", "/healthz", "/nope"):
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
        assert r.headers.get("x-content-type-options") == "nosniff", path
    docs = client.get("/docs")
    csp = docs.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    inline = re.findall(r"<script>(.*?)</script>", docs.text, re.S)
    assert inline  # the inline start-up script is allowed by its hash, nothing else inline is
    import base64
    import hashlib

    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_a_retried_label_is_stored_once(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    before = store.count_labels()
    headers = {**ADMIN, "Idempotency-Key": "retry-7f3c9a1e"}
    first = client.post("/v1/labels", json=LABEL, headers=headers)
    again = client.post("/v1/labels", json=LABEL, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    assert store.count_labels() == before + 1
    changed = client.post("/v1/labels", json={**LABEL, "label": "hoax"}, headers=headers)
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_key_reused"
    assert store.count_labels() == before + 1
    other = client.post("/v1/labels", json=LABEL, headers={**ADMIN, "Idempotency-Key": "retry-other"})
    # another key with the same verdict by the same editor: folded, not stored twice either
    assert other.status_code == 201 and other.json()["id"] == first.json()["id"] and other.json()["duplicate"]
    assert store.count_labels() == before + 1
    assert client.post("/v1/labels", json=LABEL, headers={**ADMIN, "Idempotency-Key": "bad key\t"}).status_code == 422


def made_up_words(n_chars: int, seed: int) -> str:
    """Words no screener has seen (each costs stemming and spelling suggestions the first time)."""
    rng = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < n_chars:
        words.append("".join(rng.choice("aeioubcdgklmnprstwy") for _ in range(rng.randint(4, 12))))
    return " ".join(words)[:n_chars]


def healthz_latencies_while(port: int, busy: Callable[[], None], *, probes: int = 40) -> list[float]:
    """Round trips of GET /healthz, one every 50 ms, while `busy` runs in a thread (sorted)."""
    import threading

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as probe:
        probe.get("/healthz")
        worker = threading.Thread(target=busy)
        worker.start()
        time.sleep(0.3)  # the work is under way
        latencies = []
        while worker.is_alive() and len(latencies) < probes:
            started = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.05)
        worker.join(timeout=120)
    return sorted(latencies)


@pytest.mark.slow
def test_healthz_answers_while_the_worst_texts_are_screened(models_dir: Path, tmp_path: Path) -> None:
    """A batch of the slowest texts within the limits keeps a worker thread busy for seconds, and a client sending
    brief texts of words never seen one after another has them screened on the event loop until one proves costly;
    the event loop (health checks, other requests) keeps answering meanwhile."""
    port = free_port()
    env = {
        "SARING_MODELS_DIR": str(models_dir),
        "SARING_DATABASE_URL": f"sqlite:///{tmp_path / 'saring.db'}",
        "SARING_API_KEYS": API_KEYS,
        "SARING_TRAIN_IF_MISSING": "false",
        "SARING_PORT": str(port),
        "SARING_RATE_LIMIT_PER_MINUTE": "0",
    }
    proc = start([sys.executable, "-m", "service.cli", "serve"], env, tmp_path / "server.log", port)
    worst = [{"text": "a-" * 10_000, "title": "HEBOH!!! " * 50}, {"text": "a." * 10_000}] * 4
    answers: list[int] = []

    def screen_worst() -> None:
        r = httpx.post(
            f"http://127.0.0.1:{port}/v1/screen/batch", json={"items": worst}, headers=SUBMITTER, timeout=120
        )
        answers.append(r.status_code)

    def screen_new_words() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=SUBMITTER, timeout=30) as c:
            started = time.monotonic()
            for i in range(200):
                if time.monotonic() - started > 4:
                    break
                answers.append(c.post("/v1/screen", json={"text": made_up_words(1_900, i)}).status_code)

    try:
        for busy in (screen_worst, screen_new_words):
            answers.clear()
            latencies = healthz_latencies_while(port, busy)
            assert answers and set(answers) == {200}
            assert len(latencies) >= 5, "the work finished before the probes could run"
            assert latencies[len(latencies) // 2] < 0.1, latencies  # median
            assert latencies[-1] < 1.0, latencies
    finally:
        stop(proc)
