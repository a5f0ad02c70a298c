"""What the HTTP layer costs on top of screening, and how the service behaves past its limits (loopback only).

Starts a real uvicorn process on a free 127.0.0.1 port, then:
  1. measures the in-process `Screener.screen` cost on the same texts (the baseline);
  2. sends single `POST /v1/screen` requests at 1, 8 and 32 concurrent clients: requests/s, p50 and p99;
  3. fires an overload burst (many clients at once) and counts 200 / 429 / 503 / timeouts / 5xx.
Everything is bounded by request counts and a per-phase time budget.

    python bench/bench_http.py                       # uses ./models (trains a default model if empty)
    python bench/bench_http.py --requests 300 --levels 1,8,32 --burst 96
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from screening.registry import ModelRegistry  # noqa: E402
from screening.screen import Screener  # noqa: E402
from screening.training.train import ensure_default_model  # noqa: E402


def load_texts(training_dir: Path, n: int, max_chars: int) -> list[tuple[str, str]]:
    """Real (title, text) pairs from the bundled training data, alternating files so both genres appear."""
    per_file: list[list[tuple[str, str]]] = []
    for path in sorted(training_dir.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = [(r.get("title") or "", r["text"][:max_chars]) for r in csv.DictReader(f) if r["text"].strip()]
        per_file.append(rows[:n])
    mixed = [pair for group in zip(*per_file, strict=False) for pair in group]
    return mixed[:n]


def bench_registry(models_dir: Path) -> tuple[ModelRegistry, Path | None]:
    """The registry to serve: `models_dir`, or a scratch directory (returned second, to delete) when it has no
    active model, so training the default one never writes into ./models."""
    registry = ModelRegistry(models_dir)
    if registry.active_version() is not None:
        return registry, None
    scratch = Path(tempfile.mkdtemp(prefix="saring-bench-models-"))
    print(f"no active model; training the default one into {scratch} ...", flush=True)
    return ModelRegistry(scratch), scratch


def inprocess_costs(registry: ModelRegistry, texts: list[tuple[str, str]], n: int) -> list[float]:
    """Seconds of `n` single-threaded `Screener.screen` calls in this process on `texts` (the baseline)."""
    screener = Screener.from_registry(registry)
    for title, text in texts[:10]:
        screener.screen(text=text, title=title)  # warm caches as the server's first requests will
    costs: list[float] = []
    for i in range(n):
        title, text = texts[i % len(texts)]
        t0 = time.perf_counter()
        screener.screen(text=text, title=title)
        costs.append(time.perf_counter() - t0)
    return costs


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
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
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server not ready within 120 s")


def run_clients(
    clients: int,
    total: int,
    budget_s: float,
    make_request: Callable[[httpx.Client, int], httpx.Response],
    timeout_s: float,
    *,
    base: str | None = None,
) -> tuple[list[float], Counter[str], float]:
    """`clients` threads, each on its own connection to `base` (default: the server started here), share `total`
    requests (or stop at the time budget); returns latencies of the 200s, outcomes by status, wall time."""
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    counter = iter(range(total))
    stop_at = time.monotonic() + budget_s
    start_gate = threading.Barrier(clients + 1)

    def worker() -> None:
        with httpx.Client(base_url=base or BASE, timeout=timeout_s) as c:
            start_gate.wait()
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                try:
                    r = make_request(c, i)
                    key = str(r.status_code)
                except httpx.TimeoutException:
                    key = "timeout"
                except httpx.TransportError as exc:
                    key = type(exc).__name__
                elapsed = time.perf_counter() - t0
                with lock:
                    outcomes[key] += 1
                    if key == "200":
                        latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return latencies, outcomes, time.perf_counter() - t0


BASE = ""


def main() -> int:
    global BASE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=REPO / "models")
    parser.add_argument("--training-data", type=Path, default=REPO / "training_data")
    parser.add_argument("--requests", type=int, default=300, help="requests per concurrency level")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per phase at most")
    parser.add_argument("--burst", type=int, default=96, help="clients in the overload burst")
    parser.add_argument("--max-chars", type=int, default=4000, help="truncate texts to this many characters")
    args = parser.parse_args()

    registry, scratch = bench_registry(args.models_dir)
    args.models_dir = registry.root
    version = ensure_default_model(registry, args.training_data)
    texts = load_texts(args.training_data, 60, args.max_chars)
    print(f"model {version}; {len(texts)} texts, mean {statistics.mean(len(t) for _, t in texts):.0f} chars")

    # 1. in-process baseline
    inproc = inprocess_costs(registry, texts, args.requests)
    base_p50, base_p99 = percentile(inproc, 0.5), percentile(inproc, 0.99)
    print(
        f"\nin-process Screener.screen: {1 / statistics.mean(inproc):7.1f} /s single thread, "
        f"p50 {base_p50 * 1000:6.2f} ms, p99 {base_p99 * 1000:6.2f} ms"
    )

    # 2. HTTP at several concurrency levels
    key = secrets.token_hex(24)
    port = free_port()
    BASE = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="saring-bench-") as tmp:
        env = {
            "SARING_HOST": "127.0.0.1",
            "SARING_MODELS_DIR": str(args.models_dir),
            "SARING_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SARING_API_KEYS": f"submitter:{key}",
            "SARING_TRAIN_IF_MISSING": "false",
            "SARING_RATE_LIMIT_PER_MINUTE": "0",
        }
        proc = start_server(env, port, Path(tmp) / "server.log")
        headers = {"Authorization": f"Bearer {key}"}

        def screen(c: httpx.Client, i: int) -> httpx.Response:
            title, text = texts[i % len(texts)]
            return c.post("/v1/screen", json={"title": title[:500], "text": text}, headers=headers)

        try:
            run_clients(2, 20, args.budget, screen, 30.0)  # warm-up
            # the floor: a round trip to an endpoint that does nothing, from this same client
            floor, _, _ = run_clients(1, args.requests, args.budget, lambda c, i: c.get("/healthz"), 30.0)
            floor_p50 = percentile(floor, 0.5)
            print(f"\nGET /healthz round trip (client + HTTP, no work): p50 {floor_p50 * 1000:.2f} ms")
            print(
                f"\n{'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p50 - in-proc':>14} "
                f"{'p50 / in-proc':>14}  outcomes"
            )
            for clients in (int(x) for x in args.levels.split(",")):
                lat, outcomes, wall = run_clients(clients, args.requests, args.budget, screen, 30.0)
                if not lat:
                    print(f"{clients:>7} no successful requests: {dict(outcomes)}")
                    continue
                p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
                print(
                    f"{clients:>7} {sum(outcomes.values()) / wall:8.1f} {p50 * 1000:8.2f} {p99 * 1000:8.2f} "
                    f"{(p50 - base_p50) * 1000:11.2f} ms {p50 / base_p50:13.2f}x  {dict(outcomes)}"
                )

            # 3. overload burst: every client at once; the service must answer 503 quickly, not time out or 500
            lat, outcomes, wall = run_clients(args.burst, args.burst * 2, args.budget, screen, 10.0)
            refused = outcomes.get("503", 0) + outcomes.get("429", 0)
            bad = {k: v for k, v in outcomes.items() if k not in {"200", "429", "503"}}
            print(f"\noverload burst: {args.burst} clients x 2 requests in {wall:.2f} s -> {dict(outcomes)}")
            print(
                f"  served {outcomes.get('200', 0)} (p99 {percentile(lat, 0.99) * 1000 if lat else 0:.0f} ms), "
                f"refused {refused} with 429/503, timeouts/5xx/transport errors: {sum(bad.values())}"
            )
            metrics = httpx.get(f"{BASE}/metrics", timeout=5).text
            rejections = [ln for ln in metrics.splitlines() if ln.startswith("saring_overload_rejections_total")]
            print("  " + "\n  ".join(rejections))
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
