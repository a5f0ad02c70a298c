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
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests" / "service")]

from bench_http import Client, bench_registry, encoded_requests, inprocess_costs, percentile, run_clients  # noqa: E402
from http_helpers import SUBMITTER_KEY  # noqa: E402
from processes import Served  # noqa: E402

from screening.training.train import ensure_default_model  # noqa: E402

ARTICLE_WORDS = 300
MANY = 1_000_000  # requests a window may send at most: the window, not the count, ends it


def articles(training_dir: Path, n: int) -> list[tuple[str, str]]:
    """(title, text) of news articles with at least ARTICLE_WORDS words, cut to exactly that many."""
    with (training_dir / "pratiwi2017_news.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if len(r["text"].split()) >= ARTICLE_WORDS]
    return [((r.get("title") or "")[:500], " ".join(r["text"].split()[:ARTICLE_WORDS])) for r in rows[:n]]


def start(workers: int, models_dir: Path, scratch: Path) -> Served:
    """`saring serve --workers N` (the tests' `Served`: its own SQLite audit log, rate limits off), once every
    worker answers /readyz."""
    served = Served(models_dir, scratch / f"workers-{workers}", "--workers", str(workers))
    try:
        served.wait_ready(timeout=180)
        served.wait_workers(workers, timeout=120)
    except RuntimeError:
        served.stop()
        raise
    return served


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

    registry, trained = bench_registry(args.models_dir)
    version = ensure_default_model(registry, args.training_data)
    texts = articles(args.training_data, 40)
    print(
        f"model {version}; {len(texts)} articles of {ARTICLE_WORDS} words, "
        f"mean {statistics.mean(len(t) for _, t in texts):.0f} characters"
    )
    print(load())

    # the baseline: one screening in this process, one thread, same texts
    costs = inprocess_costs(registry, texts, args.baseline)
    base_rate = 1 / statistics.mean(costs)
    print(
        f"\nin-process Screener.screen: {statistics.mean(costs) * 1000:.2f} ms mean, "
        f"p50 {percentile(costs, 0.5) * 1000:.2f} ms -> {base_rate:.1f} screens/s on one thread"
    )

    bodies, headers = encoded_requests(texts, SUBMITTER_KEY)

    def screen(c: Client, i: int) -> int:
        return c.request("POST", "/v1/screen", bodies[i % len(bodies)], headers)

    rates: dict[tuple[int, int], float] = {}
    print(f"\n{'workers':>7} {'clients':>7} {'screens/s':>10} {'x in-proc':>10} {'p50 ms':>8} {'p99 ms':>8}  outcomes")
    with tempfile.TemporaryDirectory(prefix="saring-bench-workers-") as tmp:
        try:
            for workers in worker_counts:
                served = start(workers, registry.root, Path(tmp))
                try:
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
