"""How screening throughput scales with uvicorn workers: `saring serve --workers 1` against `--workers 2`.

Real processes on a free 127.0.0.1 port, each started the way an operator starts it. For each worker count, clients
(each on its own keep-alive connection, so the kernel spreads them over the workers) send `POST /v1/screen` with
300-word Indonesian news articles from `training_data/pratiwi2017_news.csv` for a fixed window, at 8 and at 32
clients. The baseline, measured in the same run, is the in-process cost of one screening (`Screener.screen`, one
thread) on the same texts. Printed: screens/s, p50/p99, each rate as a multiple of the in-process single-thread
rate, and the scaling ratio (2 workers / 1 worker) at each client count, with the load average before and after
(other processes on the machine take cores too).

    python bench/bench_workers.py                         # uses ./models (trains a default model if empty)
    python bench/bench_workers.py --window 15 --levels 8,32 --workers 1,2
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_http import free_port, percentile, run_clients  # noqa: E402

from screening.registry import ModelRegistry  # noqa: E402
from screening.screen import Screener  # noqa: E402
from screening.training.train import ensure_default_model  # noqa: E402

ARTICLE_WORDS = 300
MANY = 1_000_000  # requests a window may send at most: the window, not the count, ends it


def articles(training_dir: Path, n: int) -> list[tuple[str, str]]:
    """(title, text) of news articles with at least ARTICLE_WORDS words, cut to exactly that many."""
    with (training_dir / "pratiwi2017_news.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if len(r["text"].split()) >= ARTICLE_WORDS]
    return [((r.get("title") or "")[:500], " ".join(r["text"].split()[:ARTICLE_WORDS])) for r in rows[:n]]


class Serve:
    """`saring serve --workers N` in a scratch directory, with its own SQLite audit log."""

    def __init__(self, workers: int, models_dir: Path, scratch: Path, key: str) -> None:
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "SARING_MODELS_DIR": str(models_dir),
            "SARING_DATABASE_URL": f"sqlite:///{scratch / f'workers-{workers}.db'}",
            "SARING_API_KEYS": f"submitter:{key}",
            "SARING_TRAIN_IF_MISSING": "false",
            "SARING_RATE_LIMIT_PER_MINUTE": "0",
        }
        self.log = scratch / f"workers-{workers}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port), "--workers", str(workers)],
                cwd=scratch,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 180) -> None:
        """Until every worker answers /readyz (each probe on a new connection, so any worker may take it)."""
        seen: set[int] = set()
        deadline = time.monotonic() + timeout
        while len(seen) < self.workers:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"saring serve --workers {self.workers} not ready:\n{self.log.read_text('utf-8')}")
            try:
                r = httpx.get(f"{self.base}/readyz", timeout=2)
                if r.status_code == 200:
                    seen.add(int(r.json()["process_id"]))
                    continue
            except httpx.TransportError:
                pass
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=REPO / "models")
    parser.add_argument("--training-data", type=Path, default=REPO / "training_data")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (the first is the reference)")
    parser.add_argument("--levels", default="8,32", help="concurrent clients")
    parser.add_argument("--window", type=float, default=15.0, help="seconds of load per worker count and level")
    parser.add_argument("--baseline", type=int, default=150, help="in-process screenings for the baseline")
    args = parser.parse_args()
    worker_counts = [int(x) for x in args.workers.split(",")]
    levels = [int(x) for x in args.levels.split(",")]

    registry = ModelRegistry(args.models_dir)
    trained: Path | None = None
    if registry.active_version() is None:  # train into a scratch directory rather than write into ./models
        args.models_dir = trained = Path(tempfile.mkdtemp(prefix="saring-bench-models-"))
        print(f"no active model; training the default one into {args.models_dir} ...", flush=True)
        registry = ModelRegistry(args.models_dir)
    version = ensure_default_model(registry, args.training_data)
    texts = articles(args.training_data, 40)
    print(
        f"model {version}; {len(texts)} articles of {ARTICLE_WORDS} words, "
        f"mean {statistics.mean(len(t) for _, t in texts):.0f} characters"
    )
    print(load())

    # the baseline: one screening in this process, one thread, same texts
    screener = Screener.from_registry(registry)
    for title, text in texts[:5]:
        screener.screen(text=text, title=title)
    costs = []
    for i in range(args.baseline):
        title, text = texts[i % len(texts)]
        t0 = time.perf_counter()
        screener.screen(text=text, title=title)
        costs.append(time.perf_counter() - t0)
    base_rate = 1 / statistics.mean(costs)
    print(
        f"\nin-process Screener.screen: {statistics.mean(costs) * 1000:.2f} ms mean, "
        f"p50 {percentile(costs, 0.5) * 1000:.2f} ms -> {base_rate:.1f} screens/s on one thread"
    )
    del screener

    key = secrets.token_hex(24)
    headers = {"Authorization": f"Bearer {key}"}

    def screen(c: httpx.Client, i: int) -> httpx.Response:
        title, text = texts[i % len(texts)]
        return c.post("/v1/screen", json={"title": title, "text": text}, headers=headers)

    rates: dict[tuple[int, int], float] = {}
    print(f"\n{'workers':>7} {'clients':>7} {'screens/s':>10} {'x in-proc':>10} {'p50 ms':>8} {'p99 ms':>8}  outcomes")
    with tempfile.TemporaryDirectory(prefix="saring-bench-workers-") as tmp:
        try:
            for workers in worker_counts:
                served = Serve(workers, args.models_dir, Path(tmp), key)
                try:
                    served.wait_ready()
                    run_clients(4, 40, 20.0, screen, 30.0, base=served.base)  # warm-up, every worker's caches
                    for clients in levels:
                        lat, outcomes, wall = run_clients(clients, MANY, args.window, screen, 30.0, base=served.base)
                        rate = outcomes.get("200", 0) / wall
                        rates[(workers, clients)] = rate
                        p50 = percentile(lat, 0.5) * 1000 if lat else float("nan")
                        p99 = percentile(lat, 0.99) * 1000 if lat else float("nan")
                        print(
                            f"{workers:>7} {clients:>7} {rate:10.1f} {rate / base_rate:9.2f}x "
                            f"{p50:8.1f} {p99:8.1f}  {dict(outcomes)}",
                            flush=True,
                        )
                finally:
                    served.stop()
        finally:
            if trained is not None:
                shutil.rmtree(trained, ignore_errors=True)

    reference = worker_counts[0]
    print()
    for workers in worker_counts[1:]:
        for clients in levels:
            ratio = rates[(workers, clients)] / rates[(reference, clients)] if rates[(reference, clients)] else 0.0
            print(f"scaling {workers} workers / {reference} worker at {clients:>2} clients: {ratio:.2f}x")
    print(load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
