"""Screening throughput of a running service while it retrains, against the same service idle, in one run.

Starts `saring serve` (a real uvicorn process) on a copy of a trained registry, measures screens/s from client
threads for a window, starts `POST /v1/retrain` (force), measures the same window while the retrain runs, and
prints both with their ratio (aim: at least 0.8). The retrain runs in a child process at low priority.

    python bench/bench_retrain_load.py --models-dir models [--clients 4] [--window 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ADMIN_KEY = "bench-admin-key-0123456789abcdef"
TEXTS = [
    "PENTING!!! Info dari grup sebelah: daftar ulang bansos lewat bit.ly/bansos-2024. Sebarkan!!!",
    "Warga Desa Sukamaju bergotong royong membersihkan saluran air pada Minggu (12/5). Kepala desa Ahmad "
    "Fauzi mengatakan kegiatan itu rutin digelar menjelang musim hujan agar banjir tidak terulang.",
    "Minum air rebusan daun sirsak tiap pagi dijamin menyembuhkan kanker dalam seminggu, kata dokter.",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rate(base: str, clients: int, window: float) -> float:
    done = [0] * clients
    stop = time.monotonic() + window

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as c:
            i = k
            while time.monotonic() < stop:
                r = c.post("/v1/screen", json={"text": TEXTS[i % len(TEXTS)]})
                r.raise_for_status()
                done[k] += 1
                i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--window", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        shutil.copytree(args.models_dir, models)
        port = _free_port()
        env = {
            **os.environ,
            "SARING_MODELS_DIR": str(models),
            "SARING_DATABASE_URL": f"sqlite:///{Path(tmp) / 'saring.db'}",
            "SARING_API_KEYS": f"admin:{ADMIN_KEY}",
            "SARING_PORT": str(port),
            "SARING_TRAIN_IF_MISSING": "false",
            "SARING_RATE_LIMIT_PER_MINUTE": "0",  # measure screening, not the per-key limit
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.3)
            _rate(base, args.clients, 2.0)  # warm up
            idle = _rate(base, args.clients, args.window)
            headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
            started = httpx.post(f"{base}/v1/retrain", json={"force": True}, headers=headers, timeout=30)
            if started.status_code != 202:
                raise SystemExit(f"retrain did not start: {started.status_code} {started.text}")
            job = started.json()
            time.sleep(3.0)  # the child is loading data and fitting
            during = _rate(base, args.clients, args.window)
            status = httpx.get(f"{base}/v1/retrain/{job['job_id']}", headers=headers, timeout=30).json()
            print(f"clients: {args.clients}, window: {args.window:.0f} s")
            print(f"screens/s, service idle:         {idle:8.1f}")
            print(f"screens/s, while retraining:     {during:8.1f}  ({during / idle:.2f}x idle)")
            print(f"retrain still running at the end of the window: {status['status'] == 'running'}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
