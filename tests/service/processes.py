"""Real `saring serve` processes for the tests (imported as a top-level module, like http_helpers); the `serve`
fixture in conftest.py starts them and stops them after the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from http_helpers import API_KEYS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """One `saring serve` process (with its workers), started in an empty directory."""

    def __init__(self, models_dir: Path, workdir: Path, *args: str, database_url: str | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "SARING_MODELS_DIR": str(models_dir),
            "SARING_DATABASE_URL": database_url or f"sqlite:///{workdir.parent / (workdir.name + '.db')}",
            "SARING_API_KEYS": API_KEYS,
            "SARING_TRAIN_IF_MISSING": "false",
            "SARING_RATE_LIMIT_PER_MINUTE": "0",
        }
        self.log = workdir.parent / f"{workdir.name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port), *args],
                cwd=workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"saring serve exited:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"not ready in {timeout} s:\n{self.output()}")

    def wait_workers(self, n: int, timeout: float = 60) -> None:
        """Until `n` distinct processes have answered /readyz (a second worker may still be loading its model)."""
        deadline = time.monotonic() + timeout
        while len(self.serving()) < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"fewer than {n} workers answer in {timeout} s:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def serving(self, probes: int = 12) -> dict[int, str | None]:
        """process id -> version it serves, from several /readyz answers (each may come from another worker)."""
        seen: dict[int, str | None] = {}
        for _ in range(probes):
            with httpx.Client(base_url=self.base, timeout=5) as c:  # a new connection: the kernel picks a worker
                body = c.get("/readyz").json()
            seen[body["process_id"]] = body["model_version"]
        return seen

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
