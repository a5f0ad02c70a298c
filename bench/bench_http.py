"""What the HTTP layer costs on top of screening, step by step, and how the service behaves past its limits.

Starts real servers on free 127.0.0.1 ports (loopback only), each as deployed (`saring serve`: the protocol,
event loop and limits of `service.server`), with the Python of the checkout's own `.venv` when it has one, then:
  1. measures the in-process `Screener.screen` cost on the same texts (the baseline);
  2. sends single `POST /v1/screen` requests at 1, 8 and 32 concurrent clients: requests/s, p50 and p99, each
     against the baseline and against a no-op `GET /healthz` round trip from the same client, and the server's CPU
     per request (all its threads, from /proc);
  3. times each step of one `/v1/screen` request inside the server (`bench/http_steps.py`): middleware, JSON
     parsing, validation, dependencies, screening, the audit write, serialisation, and what is left (uvicorn and
     the client), one client at a time;
  4. fires an overload burst (many clients at once) and counts 200 / 429 / 503 / timeouts / 5xx.
With `--compare DIR` phases 2 and 3 also run the code of another checkout (e.g. the code before a change) in the
same run, alternating rounds, so the two are compared on the same machine at the same moment.
Everything is bounded by request counts and a per-phase time budget.

The clients are threads of this process on the same cores as the server. By default each is a bare keep-alive
socket (`RawClient`: the request written in one send, the answer read by its Content-Length), so that little of a
measured round trip is the client's own work; `--client httpx` measures with httpx instead (as before), and the
step-by-step phase times the no-op round trip with both, so the client's share can be read off.

    python bench/bench_http.py                       # uses ./models (trains a default model if empty)
    python bench/bench_http.py --requests 300 --levels 1,8,32 --burst 96
    python bench/bench_http.py --compare ../saring-before --rounds 3
    python bench/bench_http.py --client httpx        # the latency phases with httpx as the client
"""

from __future__ import annotations

import argparse
import csv
import json
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
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from screening.registry import ModelRegistry  # noqa: E402
from screening.screen import Screener  # noqa: E402
from screening.training.train import ensure_default_model  # noqa: E402

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
    ("endpoint rest: limiter, thread-pool hop (if any), response", "own.endpoint"),
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


def inprocess_costs(
    registry: ModelRegistry, texts: list[tuple[str, str]], n: int, *, cpu: list[float] | None = None
) -> list[float]:
    """Seconds of `n` single-threaded `Screener.screen` calls in this process on `texts` (the baseline); with `cpu`,
    each call's CPU seconds are appended to it."""
    screener = Screener.from_registry(registry)
    for title, text in texts:
        screener.screen(text=text, title=title)  # warm caches as the server's warm-up does
    costs: list[float] = []
    for i in range(n):
        title, text = texts[i % len(texts)]
        t0, c0 = time.perf_counter(), time.thread_time()
        screener.screen(text=text, title=title)
        costs.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.thread_time() - c0)
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


class RawClient:
    """One keep-alive HTTP/1.1 connection on a bare socket: each request written in one `sendall`, each answer read
    by its Content-Length (the service always sends one). Reconnects after `Connection: close` or an error."""

    def __init__(self, base: str, timeout_s: float) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout_s = timeout_s
        self.sock: socket.socket | None = None
        self.buffer = b""

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.buffer = b""

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> int:
        """The answer's status (its body is read and dropped); `TimeoutError` or `OSError` on failure."""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.sendall(data)
            end = self.buffer.find(b"\r\n\r\n")
            while end < 0:
                self.buffer += self._recv()
                end = self.buffer.find(b"\r\n\r\n")
            lines = self.buffer[:end].split(b"\r\n")
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:])}
            length = int(fields.get(b"content-length", b"0"))
            while len(self.buffer) < end + 4 + length:
                self.buffer += self._recv()
            self.buffer = self.buffer[end + 4 + length :]
            if fields.get(b"connection", b"").lower() == b"close":
                self.close()
            return int(lines[0].split()[1])
        except BaseException:
            self.close()
            raise

    def _recv(self) -> bytes:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        return chunk


class HttpxClient:
    """The same interface on an `httpx.Client` (a full client: pooling, header models, h11 on this side too)."""

    def __init__(self, base: str, timeout_s: float) -> None:
        self.client = httpx.Client(base_url=base, timeout=timeout_s)

    def __enter__(self) -> HttpxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> int:
        try:
            return self.client.request(method, path, content=body or None, headers=headers).status_code
        except httpx.TimeoutException as exc:
            raise TimeoutError(str(exc)) from exc
        except httpx.TransportError as exc:
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc


Client = RawClient | HttpxClient
CLIENTS: dict[str, type[RawClient] | type[HttpxClient]] = {"raw": RawClient, "httpx": HttpxClient}


def server_cpu_s(pid: int) -> float:
    """CPU seconds used so far by every live thread of process `pid` (scheduler statistics, nanoseconds)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    return total / 1e9


def checkout_python(code: Path) -> str:
    """The interpreter of checkout `code`: its own `.venv` (with the dependencies it pins), else this one."""
    own = code / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def start_server(env: dict[str, str], port: int, log_path: Path, *, code: Path = REPO, timed: bool = False) -> Server:
    """`saring serve` from the checkout `code` (its packages first on the path, its own venv's Python), or with
    `timed` the same server around bench/http_steps.py's instrumented app."""
    log = log_path.open("wb")
    path = os.pathsep.join([str(code), str(REPO / "bench"), os.environ.get("PYTHONPATH", "")])
    command = [checkout_python(code)]
    command += [str(REPO / "bench" / "http_steps.py")] if timed else ["-m", "service.cli", "serve"]
    proc = subprocess.Popen(
        command,
        cwd=code,
        env={**os.environ, **env, "SARING_PORT": str(port), "PYTHONPATH": path},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return Server(proc, f"http://127.0.0.1:{port}")
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server not ready within 120 s")


class Server:
    """A started server process and its address."""

    def __init__(self, proc: subprocess.Popen[bytes], base: str) -> None:
        self.proc = proc
        self.base = base

    def cpu_s(self) -> float:
        return server_cpu_s(self.proc.pid)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)  # a graceful stop, as an operator's: the lifespan drains what it holds
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


Request = Callable[[Client, int], int]


def run_clients(
    clients: int,
    total: int,
    budget_s: float,
    make_request: Request,
    timeout_s: float,
    *,
    base: str,
    client: str = "raw",
) -> tuple[list[float], Counter[str], float]:
    """`clients` threads, each on its own connection to `base`, share `total` requests (or stop at the time
    budget); returns latencies of the 200s, outcomes by status, wall time."""
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    counter = iter(range(total))
    stop_at = time.monotonic() + budget_s
    start_gate = threading.Barrier(clients + 1)

    def worker() -> None:
        with CLIENTS[client](base, timeout_s) as c:
            start_gate.wait()
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                try:
                    key = str(make_request(c, i))
                except TimeoutError:
                    key = "timeout"
                except OSError as exc:
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
        screening = get("screen") + get("audit.record") + get("audit.submit")  # in a pool thread, or inline
        r["own.endpoint" + cpu] = get("endpoint") - on_loop - (screening if not cpu or r.get("inline") else 0.0)
    return r


class Code:
    """One checkout under test: its servers' logs and what was measured on them, over all rounds."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self.floor: list[float] = []
        self.floor_cpu: list[float] = []  # server CPU seconds per /healthz, one figure per round
        self.levels: dict[int, list[float]] = defaultdict(list)
        self.outcomes: dict[int, Counter[str]] = defaultdict(Counter)
        self.walls: dict[int, float] = defaultdict(float)
        self.level_cpu: dict[int, list[float]] = defaultdict(list)  # server CPU seconds per request, per round
        self.steps: list[dict[str, float]] = []
        self.floor_outside: list[float] = []  # per no-op request: round trip less the time inside the server
        self.steps_http: list[float] = []
        self.steps_http_pool: list[float] = []  # the same, screening forced to a pool thread (where it may differ)
        self.steps_floor: list[float] = []
        self.steps_floor_httpx: list[float] = []
        self.off_path: dict[str, list[float]] = defaultdict(list)
        self.inproc: list[float] = []  # in-process screens, each just before one of `steps_http`
        self.around_screen: list[float] = []  # per request: HTTP latency - the server's own screening time


def encoded_requests(texts: list[tuple[str, str]], key: str) -> tuple[list[bytes], dict[str, str]]:
    """The bodies of the bench's `POST /v1/screen` requests (encoded once) and their headers."""
    bodies = [json.dumps({"title": title[:500], "text": text}).encode("utf-8") for title, text in texts]
    return bodies, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def measure_levels(
    code: Code, env: dict[str, str], tmp: Path, args: argparse.Namespace, bodies: list[bytes], headers: dict[str, str]
) -> None:
    server = start_server(env, free_port(), tmp / f"server-{code.name}.log", code=code.path)

    def screen(c: Client, i: int) -> int:
        return c.request("POST", "/v1/screen", bodies[i % len(bodies)], headers)

    try:
        run_clients(2, 2 * len(bodies), args.budget, screen, 30.0, base=server.base)  # warm-up: every text once
        cpu = server.cpu_s()
        floor, _, _ = run_clients(
            1,
            args.requests,
            args.budget,
            lambda c, i: c.request("GET", "/healthz"),
            30.0,
            base=server.base,
            client=args.client,
        )
        code.floor += floor
        code.floor_cpu.append((server.cpu_s() - cpu) / max(1, len(floor)))
        for clients in args.levels:
            cpu = server.cpu_s()
            lat, outcomes, wall = run_clients(
                clients, args.requests, args.budget, screen, 30.0, base=server.base, client=args.client
            )
            code.level_cpu[clients].append((server.cpu_s() - cpu) / max(1, sum(outcomes.values())))
            code.levels[clients] += lat
            code.outcomes[clients] += outcomes
            code.walls[clients] += wall
    finally:
        server.stop()


def measure_steps(
    code: Code,
    env: dict[str, str],
    tmp: Path,
    args: argparse.Namespace,
    texts: list[tuple[str, str]],
    bodies: list[bytes],
    headers: dict[str, str],
    screener: Screener,
) -> None:
    """One client, one request at a time, each right after the same text screened in this process (the pairs
    share the moment's load), with every step timed inside the server; then a no-op round trip with each client."""
    server = start_server(env, free_port(), tmp / f"steps-{code.name}.log", code=code.path, timed=True)
    try:
        with RawClient(server.base, 30.0) as c, HttpxClient(server.base, 30.0) as full:
            for body in bodies:  # warm-up: every text once, as the in-process screener has seen them
                c.request("POST", "/v1/screen", body, headers)
            c.request("POST", "/_bench/reset", b"", {"Content-Type": "application/json"})
            found_steps = httpx.get(f"{server.base}/_bench/steps", timeout=30.0).json()["steps"]
            http: dict[str, float] = {}
            floors: dict[str, float] = {}
            for i in range(args.steps):
                title, text = texts[i % len(texts)]
                t0 = time.perf_counter()
                screener.screen(text=text, title=title)
                code.inproc.append(time.perf_counter() - t0)
                rid = f"bench-{code.name}-{len(code.steps_http)}-{i}"
                sends: list[tuple[str, dict[str, str]]] = [(rid, {})]
                if "inline" in found_steps:  # also the same text with its screening handed to a pool thread
                    sends.append((f"{rid}-pool", {"X-Bench-Pool": "1"}))
                for request_id, extra in sends if i % 2 == 0 else sends[::-1]:  # neither always second
                    t0 = time.perf_counter()
                    status = c.request(
                        "POST", "/v1/screen", bodies[i % len(bodies)], {**headers, **extra, "X-Request-ID": request_id}
                    )
                    elapsed = time.perf_counter() - t0
                    if status == 200:
                        (code.steps_http_pool if extra else code.steps_http).append(elapsed)
                        http[request_id] = elapsed
                t0 = time.perf_counter()
                c.request("GET", "/healthz", headers={"X-Request-ID": f"{rid}-floor"})
                floors[f"{rid}-floor"] = time.perf_counter() - t0
                code.steps_floor.append(floors[f"{rid}-floor"])
                t0 = time.perf_counter()
                full.request("GET", "/healthz")
                code.steps_floor_httpx.append(time.perf_counter() - t0)
            time.sleep(0.3)  # let the audit writer (if any) commit what it holds
        found = httpx.get(f"{server.base}/_bench/steps", timeout=30.0).json()
        if not str(found["code"]).startswith(str(code.path)):
            raise SystemExit(f"{code.name}: the server ran {found['code']}, not the code in {code.path}")
        for record in found["requests"]:
            rid = str(record.get("request_id"))
            if rid.endswith("-pool"):
                continue  # timed at the client only
            if record.get("path.screen"):
                record = own_costs(record)
                code.steps.append(record)
                if rid in http:
                    code.around_screen.append(http[rid] * 1e6 - record.get("screen", 0.0))
            elif rid in floors and "sent" in record:  # a no-op round trip less the server's time until it answered
                code.floor_outside.append(floors[rid] * 1e6 - record["sent"])
        for name, values in found["off_path"].items():
            code.off_path[name] += values
    finally:
        server.stop()


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report_levels(codes: list[Code], base_p50: float, base_cpu: float, levels: list[int]) -> None:
    print(
        f"\n{'code':>8} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p50 - in-proc':>14} "
        f"{'p50 / in-proc':>14} {'server CPU/req':>15} {'- in-proc CPU':>14}  outcomes"
    )
    for clients in levels:
        for code in codes:
            lat = code.levels[clients]
            if not lat:
                print(f"{code.name:>8} {clients:>7} no successful requests: {dict(code.outcomes[clients])}")
                continue
            p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
            rate = sum(code.outcomes[clients].values()) / code.walls[clients]
            cpu = min(code.level_cpu[clients])  # best round: the least disturbed
            print(
                f"{code.name:>8} {clients:>7} {rate:8.1f} {p50 * 1000:8.2f} {p99 * 1000:8.2f} "
                f"{(p50 - base_p50) * 1000:11.2f} ms {p50 / base_p50:13.2f}x {cpu * 1000:12.2f} ms "
                f"{(cpu - base_cpu) * 1000:11.2f} ms  {dict(code.outcomes[clients])}"
            )
    for code in codes:
        print(
            f"{code.name:>8} GET /healthz round trip (client + HTTP, no work): p50 {med(code.floor) * 1000:.2f} ms, "
            f"server CPU {min(code.floor_cpu) * 1e6:.0f} us per request"
        )


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
        ("client + uvicorn for a no-op /healthz (round trip - app until sent)", lambda c: med(c.floor_outside)),
        ("in-process screen p50 (same texts, interleaved)", lambda c: med(c.inproc) * 1e6),
        ("HTTP p50 at the client (interleaved)", lambda c: med(c.steps_http) * 1e6),
        ("HTTP p50 - in-process p50  (the bar: <= 1000)", lambda c: (med(c.steps_http) - med(c.inproc)) * 1e6),
        ("  the same with the screening in a pool thread", lambda c: (med(c.steps_http_pool) - med(c.inproc)) * 1e6),
        ("per request: HTTP latency - the server's screen step", lambda c: med(c.around_screen)),
        ("GET /healthz round trip p50 (no work), bare-socket client", lambda c: med(c.steps_floor) * 1e6),
        ("GET /healthz round trip p50 (no work), httpx client", lambda c: med(c.steps_floor_httpx) * 1e6),
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
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw", help="the client of the latency phases")
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
    bodies, headers = encoded_requests(texts, key)
    inproc: list[float] = []
    inproc_cpu: list[float] = []
    screener = Screener.from_registry(registry)
    for title, text in texts:
        screener.screen(text=text, title=title)
    try:
        with tempfile.TemporaryDirectory(prefix="saring-bench-") as tmp:
            for round_no in range(args.rounds):
                # the baseline, in every round
                inproc += inprocess_costs(registry, texts, args.requests, cpu=inproc_cpu)
                for code in codes if round_no % 2 == 0 else codes[::-1]:
                    work = Path(tmp) / f"{code.name}-{round_no}"
                    work.mkdir()
                    env = server_env(args.models_dir, work / "bench.db", work / "spool", key)
                    print(f"round {round_no + 1}/{args.rounds}: {code.name} ({code.path}) ...", flush=True)
                    measure_levels(code, env, work, args, bodies, headers)
                    measure_steps(code, env, work, args, texts, bodies, headers, screener)
            base_p50, base_p99 = percentile(inproc, 0.5), percentile(inproc, 0.99)
            base_cpu = statistics.mean(inproc_cpu)
            print(
                f"\nin-process Screener.screen: {1 / statistics.mean(inproc):7.1f} /s single thread, "
                f"p50 {base_p50 * 1000:6.2f} ms, p99 {base_p99 * 1000:6.2f} ms, mean CPU {base_cpu * 1000:.2f} ms; "
                f"clients: {args.client}"
            )
            report_levels(codes, base_p50, base_cpu, args.levels)
            report_steps(codes)
            if args.burst:
                overload_burst(args, bodies, headers, Path(tmp), key)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


def overload_burst(args: argparse.Namespace, bodies: list[bytes], headers: dict[str, str], tmp: Path, key: str) -> None:
    """Every client at once on this checkout's code: the service must answer 503 quickly, not time out or 500."""
    env = server_env(args.models_dir, tmp / "burst.db", tmp / "burst-spool", key)

    def screen(c: Client, i: int) -> int:
        return c.request("POST", "/v1/screen", bodies[i % len(bodies)], headers)

    server = start_server(env, free_port(), tmp / "burst.log")
    try:
        run_clients(2, 20, args.budget, screen, 30.0, base=server.base)  # warm-up
        lat, outcomes, wall = run_clients(
            args.burst, args.burst * 2, args.budget, screen, 10.0, base=server.base, client="httpx"
        )
        refused = outcomes.get("503", 0) + outcomes.get("429", 0)
        bad = {k: v for k, v in outcomes.items() if k not in {"200", "429", "503"}}
        print(f"\noverload burst: {args.burst} clients x 2 requests in {wall:.2f} s -> {dict(outcomes)}")
        print(
            f"  served {outcomes.get('200', 0)} (p99 {percentile(lat, 0.99) * 1000 if lat else 0:.0f} ms), "
            f"refused {refused} with 429/503, timeouts/5xx/transport errors: {sum(bad.values())}"
        )
        metrics = httpx.get(f"{server.base}/metrics", timeout=5).text
        rejections = [ln for ln in metrics.splitlines() if ln.startswith("saring_overload_rejections_total")]
        print("  " + "\n  ".join(rejections))
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
