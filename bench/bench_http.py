"""What the HTTP layer costs on top of screening, step by step, and how the service behaves past its limits.

Starts real uvicorn processes on free 127.0.0.1 ports (loopback only), then:
  1. measures the in-process `Screener.screen` cost on the same texts (the baseline);
  2. sends single `POST /v1/screen` requests at 1, 8 and 32 concurrent clients: requests/s, p50 and p99, each
     against the baseline and against a no-op `GET /healthz` round trip from the same client;
  3. times each step of one `/v1/screen` request inside the server (`bench/http_steps.py`): middleware, JSON
     parsing, validation, dependencies, screening, the audit write, serialisation, and what is left (uvicorn and
     the client), one client at a time;
  4. fires an overload burst (many clients at once) and counts 200 / 429 / 503 / timeouts / 5xx.
With `--compare DIR` phases 2 and 3 also run the code of another checkout (e.g. the code before a change) in the
same run, alternating rounds, so the two are compared on the same machine at the same moment.
Everything is bounded by request counts and a per-phase time budget.

    python bench/bench_http.py                       # uses ./models (trains a default model if empty)
    python bench/bench_http.py --requests 300 --levels 1,8,32 --burst 96
    python bench/bench_http.py --compare ../saring-before --rounds 3
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
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from screening.registry import ModelRegistry  # noqa: E402
from screening.screen import Screener  # noqa: E402
from screening.training.train import ensure_default_model  # noqa: E402

PLAIN_APP = "service.app:create_app"
TIMED_APP = "http_steps:create_timed_app"  # bench/http_steps.py, found through PYTHONPATH

# The steps of one /v1/screen request as bench/http_steps.py names them, with how each is shown: layers are timed
# inclusive, so a layer's own cost is its time minus the layers and steps inside it (computed in `own_costs`).
STEP_ROWS = (
    ("middleware: request id, metrics, access log", "own.request_context"),
    ("  of which the access-log line", "log.access"),
    ("middleware: host/origin guard, security headers", "own.guard"),
    ("middleware: body limits (buffering the body)", "own.body_limit"),
    ("routing and FastAPI's handler, sending the response", "own.app"),
    ("JSON parsing of the request", "parse.json"),
    ("validation of the body (ScreenRequest)", "validate.body"),
    ("dependencies (key, rate limit, screener, store...)", "own.dependencies"),
    ("screening (Screener.screen_many, in the pool thread)", "screen"),
    ("audit row: commit to the database, on the response path", "audit.record"),
    ("audit row: spool + queue, on the response path", "audit.submit"),
    ("endpoint rest: limiter, thread-pool hop, response object", "own.endpoint"),
    ("result -> dict (dataclasses.asdict)", "serialize.to_dict"),
    ("result -> JSON bytes (orjson, once)", "serialize.result_json"),
    ("response model: validate + dump (pydantic)", "serialize.response_model"),
)


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


def server_env(models_dir: Path, database: Path, spool: Path, key: str) -> dict[str, str]:
    """The environment a benchmarked server runs with: loopback, one submitter key, no rate limit, no training."""
    return {
        "SARING_HOST": "127.0.0.1",
        "SARING_MODELS_DIR": str(models_dir),
        "SARING_DATABASE_URL": f"sqlite:///{database}",
        "SARING_AUDIT_SPOOL_DIR": str(spool),
        "SARING_API_KEYS": f"submitter:{key}",
        "SARING_TRAIN_IF_MISSING": "false",
        "SARING_RATE_LIMIT_PER_MINUTE": "0",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, log_path: Path, *, code: Path = REPO, factory: str = PLAIN_APP
) -> subprocess.Popen[bytes]:
    """uvicorn serving `factory` from the checkout `code` (its packages first on the path)."""
    log = log_path.open("wb")
    path = os.pathsep.join([str(code), str(REPO / "bench"), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=code,
        env={**os.environ, **env, "PYTHONPATH": path},
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


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)  # a graceful stop, as an operator's: the lifespan drains what it holds
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


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


def own_costs(record: dict[str, float]) -> dict[str, float]:
    """A request's record from http_steps with each layer's own cost (its time less what runs inside it), wall and
    CPU; the CPU of a layer on the event loop excludes only the inner steps that ran on the loop too."""
    r = dict(record)
    for cpu in ("", ".cpu"):

        def get(name: str, cpu: str = cpu) -> float:
            return r.get(name + cpu, 0.0)

        r["own.request_context" + cpu] = get("layer.request_context") - get("layer.guard")
        r["own.guard" + cpu] = get("layer.guard") - get("layer.body_limit")
        r["own.body_limit" + cpu] = get("layer.body_limit") - get("layer.app")
        inside_app = get("parse.json") + get("dependencies") + get("endpoint") + get("serialize.response_model")
        r["own.app" + cpu] = get("layer.app") - inside_app
        r["own.dependencies" + cpu] = get("dependencies") - get("validate.body")
        on_loop = get("serialize.to_dict") + get("serialize.result_json")  # called by the handler itself
        in_pool = get("screen") + get("audit.record") + get("audit.submit")
        r["own.endpoint" + cpu] = get("endpoint") - on_loop - (in_pool if not cpu else 0.0)
    return r


class Code:
    """One checkout under test: its servers' logs and what was measured on them, over all rounds."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self.floor: list[float] = []
        self.levels: dict[int, list[float]] = defaultdict(list)
        self.outcomes: dict[int, Counter[str]] = defaultdict(Counter)
        self.walls: dict[int, float] = defaultdict(float)
        self.steps: list[dict[str, float]] = []
        self.healthz_inside: list[float] = []
        self.steps_http: list[float] = []
        self.steps_floor: list[float] = []
        self.off_path: dict[str, list[float]] = defaultdict(list)
        self.inproc: list[float] = []  # in-process screens, each just before one of `steps_http`
        self.around_screen: list[float] = []  # per request: HTTP latency - the server's own screening time


def measure_levels(code: Code, env: dict[str, str], tmp: Path, args: argparse.Namespace, screen: Any) -> None:
    global BASE
    port = free_port()
    BASE = f"http://127.0.0.1:{port}"
    proc = start_server(env, port, tmp / f"server-{code.name}.log", code=code.path)
    try:
        run_clients(2, 20, args.budget, screen, 30.0)  # warm-up
        floor, _, _ = run_clients(1, args.requests, args.budget, lambda c, i: c.get("/healthz"), 30.0)
        code.floor += floor
        for clients in args.levels:
            lat, outcomes, wall = run_clients(clients, args.requests, args.budget, screen, 30.0)
            code.levels[clients] += lat
            code.outcomes[clients] += outcomes
            code.walls[clients] += wall
    finally:
        stop_server(proc)


def measure_steps(
    code: Code,
    env: dict[str, str],
    tmp: Path,
    args: argparse.Namespace,
    texts: list[tuple[str, str]],
    key: str,
    screener: Screener,
) -> None:
    """One client, one request at a time, each right after the same text screened in this process (the pairs
    share the moment's load), with every step timed inside the server."""
    global BASE
    port = free_port()
    BASE = f"http://127.0.0.1:{port}"
    proc = start_server(env, port, tmp / f"steps-{code.name}.log", code=code.path, factory=TIMED_APP)
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx.Client(base_url=BASE, timeout=30.0) as c:
            for i in range(20):  # warm-up
                title, text = texts[i % len(texts)]
                c.post("/v1/screen", json={"title": title[:500], "text": text}, headers=headers)
            c.post("/_bench/reset")
            http: dict[str, float] = {}
            for i in range(args.steps):
                title, text = texts[i % len(texts)]
                t0 = time.perf_counter()
                screener.screen(text=text, title=title)
                code.inproc.append(time.perf_counter() - t0)
                rid = f"bench-{code.name}-{len(code.steps_http)}-{i}"
                t0 = time.perf_counter()
                r = c.post(
                    "/v1/screen", json={"title": title[:500], "text": text}, headers={**headers, "X-Request-ID": rid}
                )
                elapsed = time.perf_counter() - t0
                if r.status_code == 200:
                    http[rid] = elapsed
                    code.steps_http.append(elapsed)
                t0 = time.perf_counter()
                c.get("/healthz")
                code.steps_floor.append(time.perf_counter() - t0)
            time.sleep(0.3)  # let the audit writer (if any) commit what it holds
            found = c.get("/_bench/steps").json()
        if not str(found["code"]).startswith(str(code.path)):
            raise SystemExit(f"{code.name}: the server ran {found['code']}, not the code in {code.path}")
        for record in found["requests"]:
            if record.get("path.screen"):
                record = own_costs(record)
                code.steps.append(record)
                if record.get("request_id") in http:
                    code.around_screen.append(http[record["request_id"]] * 1e6 - record.get("screen", 0.0))
            else:
                code.healthz_inside.append(record["layer.request_context"])
        for name, values in found["off_path"].items():
            code.off_path[name] += values
    finally:
        stop_server(proc)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report_levels(codes: list[Code], base_p50: float, levels: list[int]) -> None:
    print(
        f"\n{'code':>8} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p50 - in-proc':>14} "
        f"{'p50 / in-proc':>14}  outcomes"
    )
    for clients in levels:
        for code in codes:
            lat = code.levels[clients]
            if not lat:
                print(f"{code.name:>8} {clients:>7} no successful requests: {dict(code.outcomes[clients])}")
                continue
            p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
            rate = sum(code.outcomes[clients].values()) / code.walls[clients]
            print(
                f"{code.name:>8} {clients:>7} {rate:8.1f} {p50 * 1000:8.2f} {p99 * 1000:8.2f} "
                f"{(p50 - base_p50) * 1000:11.2f} ms {p50 / base_p50:13.2f}x  {dict(code.outcomes[clients])}"
            )
    for code in codes:
        print(f"{code.name:>8} GET /healthz round trip (client + HTTP, no work): p50 {med(code.floor) * 1000:.2f} ms")


def report_steps(codes: list[Code]) -> None:
    print(
        "\nOne POST /v1/screen, one client, medians per request in microseconds (CPU of the step's thread in "
        "brackets where it runs synchronously)"
    )
    header = f"{'step':<58}" + "".join(f"{c.name:>18}" for c in codes)
    if len(codes) == 2:
        header += f"{'difference':>12}"
    print(header)
    for label, key in STEP_ROWS:
        if not any(key in r for c in codes for r in c.steps):
            continue
        cells, values = [], []
        for code in codes:
            v = med([r[key] for r in code.steps if key in r]) if any(key in r for r in code.steps) else 0.0
            cpu = [r[key + ".cpu"] for r in code.steps if key + ".cpu" in r]
            values.append(v)
            cells.append(f"{v:9.0f} ({med(cpu):5.0f})" if cpu else f"{v:9.0f}        ")
        line = f"{label:<58}" + "".join(f"{cell:>18}" for cell in cells)
        if len(codes) == 2:
            line += f"{values[1] - values[0]:12.0f}"
        print(line)
    rows = (
        (
            "whole request inside the server (first middleware in to out)",
            lambda c: med([r["layer.request_context"] for r in c.steps]),
        ),
        (
            "client + uvicorn for a no-op /healthz (round trip - inside)",
            lambda c: med(c.steps_floor) * 1e6 - med(c.healthz_inside),
        ),
        ("in-process screen p50 (same texts, interleaved)", lambda c: med(c.inproc) * 1e6),
        ("HTTP p50 at the client (interleaved)", lambda c: med(c.steps_http) * 1e6),
        ("HTTP p50 - in-process p50  (the bar: <= 1000)", lambda c: (med(c.steps_http) - med(c.inproc)) * 1e6),
        ("per request: HTTP latency - the server's screen step", lambda c: med(c.around_screen)),
        ("GET /healthz round trip p50 (no work)", lambda c: med(c.steps_floor) * 1e6),
    )
    for label, value in rows:
        values = [value(c) for c in codes]
        line = f"{label:<58}" + "".join(f"{v:9.0f}{'':9}" for v in values)
        if len(codes) == 2:
            line += f"{values[1] - values[0]:12.0f}"
        print(line)
    for code in codes:
        commit, cpu = code.off_path.get("audit.commit", []), code.off_path.get("audit.commit.cpu", [])
        if commit:
            print(
                f"{code.name}: audit writer, off the response path: {len(commit)} commits, median {med(commit):.0f} "
                f"us ({med(cpu):.0f} us CPU) each"
            )


def main() -> int:
    global BASE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=REPO / "models")
    parser.add_argument("--training-data", type=Path, default=REPO / "training_data")
    parser.add_argument("--requests", type=int, default=300, help="requests per concurrency level and round")
    parser.add_argument("--steps", type=int, default=300, help="requests timed step by step per round")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, alternating the codes compared")
    parser.add_argument("--compare", type=Path, help="another checkout to measure in the same run (the 'before')")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per phase at most")
    parser.add_argument("--burst", type=int, default=96, help="clients in the overload burst (0: none)")
    parser.add_argument("--max-chars", type=int, default=4000, help="truncate texts to this many characters")
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",")]

    registry, scratch = bench_registry(args.models_dir)
    args.models_dir = registry.root
    version = ensure_default_model(registry, args.training_data)
    texts = load_texts(args.training_data, 60, args.max_chars)
    print(f"model {version}; {len(texts)} texts, mean {statistics.mean(len(t) for _, t in texts):.0f} chars")

    codes = [Code("this", REPO)]
    if args.compare is not None:
        codes.insert(0, Code("compared", args.compare.resolve()))

    key = secrets.token_hex(24)
    headers = {"Authorization": f"Bearer {key}"}

    def screen(c: httpx.Client, i: int) -> httpx.Response:
        title, text = texts[i % len(texts)]
        return c.post("/v1/screen", json={"title": title[:500], "text": text}, headers=headers)

    inproc: list[float] = []
    screener = Screener.from_registry(registry)
    for title, text in texts[:10]:
        screener.screen(text=text, title=title)
    try:
        with tempfile.TemporaryDirectory(prefix="saring-bench-") as tmp:
            for round_no in range(args.rounds):
                inproc += inprocess_costs(registry, texts, args.requests)  # the baseline, in every round
                for code in codes if round_no % 2 == 0 else codes[::-1]:
                    work = Path(tmp) / f"{code.name}-{round_no}"
                    work.mkdir()
                    env = server_env(args.models_dir, work / "bench.db", work / "spool", key)
                    print(f"round {round_no + 1}/{args.rounds}: {code.name} ({code.path}) ...", flush=True)
                    measure_levels(code, env, work, args, screen)
                    measure_steps(code, env, work, args, texts, key, screener)
            base_p50, base_p99 = percentile(inproc, 0.5), percentile(inproc, 0.99)
            print(
                f"\nin-process Screener.screen: {1 / statistics.mean(inproc):7.1f} /s single thread, "
                f"p50 {base_p50 * 1000:6.2f} ms, p99 {base_p99 * 1000:6.2f} ms"
            )
            report_levels(codes, base_p50, args.levels)
            report_steps(codes)
            if args.burst:
                overload_burst(args, texts, key, Path(tmp))
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


def overload_burst(args: argparse.Namespace, texts: list[tuple[str, str]], key: str, tmp: Path) -> None:
    """Every client at once on this checkout's code: the service must answer 503 quickly, not time out or 500."""
    global BASE
    port = free_port()
    BASE = f"http://127.0.0.1:{port}"
    env = server_env(args.models_dir, tmp / "burst.db", tmp / "burst-spool", key)
    headers = {"Authorization": f"Bearer {key}"}

    def screen(c: httpx.Client, i: int) -> httpx.Response:
        title, text = texts[i % len(texts)]
        return c.post("/v1/screen", json={"title": title[:500], "text": text}, headers=headers)

    proc = start_server(env, port, tmp / "burst.log")
    try:
        run_clients(2, 20, args.budget, screen, 30.0)  # warm-up
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
        stop_server(proc)


if __name__ == "__main__":
    raise SystemExit(main())
