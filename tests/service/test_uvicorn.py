"""Against a real uvicorn process on a free loopback port: the service as deployed, started and stopped here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from http_helpers import ADMIN, API_KEYS, ARTICLE, HOAX_POST, REPO, SUBMITTER
from processes import free_port

pytestmark = pytest.mark.slow


def start_server(env_overrides: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SARING_HOST": "127.0.0.1", "SARING_PORT": str(port), **env_overrides}
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"server not ready in 60 s:\n{log_path.read_text(errors='replace')}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture
def server(models_dir: Path, tmp_path: Path) -> Iterator[str]:
    proc, base = start_server(
        {
            "SARING_MODELS_DIR": str(models_dir),
            "SARING_DATABASE_URL": f"sqlite:///{tmp_path / 'saring.db'}",
            "SARING_API_KEYS": API_KEYS,
            "SARING_TRAIN_IF_MISSING": "false",
            "SARING_MAX_BODY_BYTES": "65536",
            "SARING_RATE_LIMIT_PER_MINUTE": "0",
        },
        tmp_path / "server.log",
    )
    try:
        yield base
    finally:
        stop_server(proc)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert API_KEYS.split(",")[0].split(":")[1] not in log  # keys never reach the process output


def test_real_server_screens_and_enforces_limits(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as c:
        r = c.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER)
        assert r.status_code == 200 and r.headers["x-model-version"] == r.json()["model_version"]
        assert r.headers["x-request-id"]
        assert c.post("/v1/screen", json=HOAX_POST).status_code == 401

        def big() -> Iterator[bytes]:
            yield b'{"text": "'
            for _ in range(100):
                yield b"a" * 1024
            yield b'"}'

        r = c.post("/v1/screen", content=big(), headers={**SUBMITTER, "Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
        declared = c.post(
            "/v1/screen", content=b"x" * 70_000, headers={**SUBMITTER, "Content-Type": "application/json"}
        )
        assert declared.status_code == 413
        assert c.get("/readyz").status_code == 200
        assert "saring_http_requests_total" in c.get("/metrics").text


def test_hot_swap_under_load_drops_nothing(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as admin:
        version = admin.get("/v1/models", headers=ADMIN).json()["active_version"]
    codes: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=server, timeout=30) as c:
            while not stop.is_set():
                r = c.post("/v1/screen", json=ARTICLE, headers=SUBMITTER)
                codes.append(r.status_code)

    workers = [threading.Thread(target=hammer) for _ in range(3)]
    for w in workers:
        w.start()
    try:
        with httpx.Client(base_url=server, timeout=30) as admin:
            for _ in range(3):  # each activation loads and verifies a fresh Screener, then swaps the reference
                r = admin.post(f"/v1/models/{version}/activate", headers={**ADMIN, "Content-Type": "application/json"})
                assert r.status_code == 200, r.text
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=30)
    assert codes and set(codes) == {200}, sorted(set(codes))  # 3 clients stay within the in-flight limit of 4
