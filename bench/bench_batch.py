"""Throughput and memory of `saring screen` (batch screening), local and on Dask, against screening in process.

Posts are synthesised from the real training texts that screen as posts (under 100 words as written: the
MAFINDO claims, the IndoSum summaries and short news; `--texts all` also takes the articles, as this bench did
before), sampled, with about 10 % of the words dropped and a few neighbouring words swapped so that no two rows
are identical, written as JSONL. Measured in one run:

  - in process: a fresh `Screener` screens the first posts of the same file one by one with `Screener.screen`
    (cold caches, as a worker starts), then the next ones (warm: the steady state of a long run); this is the
    per-text cost that no batch engine can remove;
  - `python -m service.cli_batch screen --with-messages` (full results) as a fresh process with all jobs on every
    size, and with 1 job up to `--single-job-max`; wall time includes start-up and model loading;
  - with `--engines local,dask`: the same command with `--engine dask` on a local cluster of worker processes
    (one per job, one thread each) started before the clock and fresh for each run, so no run inherits another's
    warm caches; its workers read their partitions of the file themselves and write the output parts the client
    merges; its output is checked to be byte for byte the local engine's. The workers run without Dask's
    statistical profiler (`--dask-profiler` turns it on): it keeps call-stack samples of the last 1,000 seconds,
    so a worker's memory grows with the length of a run for its first quarter of an hour;
  - CPU seconds of each run (the process tree: getrusage of reaped children, psutil for the cluster's workers):
    on a shared machine posts per CPU-second compare fairly when wall time cannot;
  - peak memory of each run, polled every 0.2 s: the largest sum of RSS over the process tree (parent and
    workers), and of PSS (shared pages counted once, so forked workers that share the model count it once); for
    Dask also the client's and the workers' own peaks.

    python bench/bench_batch.py --models-dir models                # 20,000 and 100,000 posts (long)
    python bench/bench_batch.py --quick --models-dir models        # 2,000 and 10,000 posts
    python bench/bench_batch.py --sizes 5000 --engines local,dask --single-job-max 0 --models-dir models
    python bench/bench_batch.py --sizes 20000 --single-job-max 0 --compare ../saring-before --models-dir models

With `--compare DIR` every local run is also made, right after it, by the code of another checkout (its own
`.venv` when it has one): the code before a change, timed in the same run on the same input and model, its
output compared with this code's.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext, suppress
from itertools import islice
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.data import load_training_data  # noqa: E402
from screening.doc import genre_for  # noqa: E402
from screening.registry import ModelRegistry  # noqa: E402
from screening.screen import Screener  # noqa: E402
from screening.text import normalise, word_count  # noqa: E402
from screening.training.train import ensure_default_model  # noqa: E402


def perturb(text: str, rng: random.Random) -> str:
    words = [w for w in text.split() if rng.random() > 0.1] or text.split()
    for _ in range(len(words) // 15):
        i = rng.randrange(max(len(words) - 1, 1))
        if i + 1 < len(words):
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def synthesise(path: Path, texts: list[tuple[str, str]], n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            title, text = texts[rng.randrange(len(texts))]
            f.write(json.dumps({"id": f"p{i}", "title": title, "text": perturb(text, rng)}, ensure_ascii=False) + "\n")


def in_process_rates(source: Path, models_dir: Path, n: int) -> tuple[float, float, float]:
    """Posts/s one by one in this process: the first n posts (cold caches), the next n (warm); posts/CPU-s warm."""
    screener = Screener.from_registry(ModelRegistry(models_dir))
    with open(source, encoding="utf-8") as f:
        posts = [json.loads(line) for line in islice(f, 2 * n)]
    rates = []
    for sample in (posts[:n], posts[n:]):
        start, cpu_start = time.perf_counter(), time.process_time()
        for post in sample:
            screener.screen(title=post["title"], text=post["text"])
        rates.append((len(sample) / (time.perf_counter() - start), len(sample) / (time.process_time() - cpu_start)))
    return rates[0][0], rates[1][0], rates[1][1]


def _memory(processes: list[psutil.Process]) -> tuple[float, float]:
    rss = pss = 0.0
    for p in processes:
        try:
            info = p.memory_full_info()
        except psutil.Error:
            continue
        rss, pss = rss + info.rss / 1e6, pss + getattr(info, "pss", info.rss) / 1e6
    return rss, pss


class Peak:
    """The largest sums of RSS and PSS over a process tree, polled until stopped; of PSS also the largest over the
    command's own processes (the client) and over the cluster's (the workers)."""

    def __init__(self) -> None:
        self.rss = self.pss = self.client_pss = self.workers_pss = 0.0

    def poll(self, client: list[psutil.Process], workers: list[psutil.Process]) -> None:
        client_rss, client_pss = _memory(client)
        workers_rss, workers_pss = _memory(workers)
        self.rss, self.pss = max(self.rss, client_rss + workers_rss), max(self.pss, client_pss + workers_pss)
        self.client_pss, self.workers_pss = max(self.client_pss, client_pss), max(self.workers_pss, workers_pss)


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def run_batch(
    source: Path,
    out: Path,
    *,
    jobs: int,
    models_dir: Path,
    scheduler: str | None = None,
    cluster_pids: tuple[int, ...] = (),
    code: Path = ROOT,
) -> tuple[float, float, Peak]:
    """Wall seconds, CPU seconds and peak memory of one `saring screen` run (and the cluster it uses), by the code of
    the checkout `code`."""
    python = code / ".venv" / "bin" / "python" if code != ROOT and (code / ".venv").is_dir() else Path(sys.executable)
    command = [
        str(python), "-m", "service.cli_batch", "screen", str(source), "--out", str(out), "--with-messages",
        "--title-field", "title", "--id-field", "id", "--jobs", str(jobs), "--models-dir", str(models_dir), "--quiet",
    ]  # fmt: skip
    if scheduler:
        command += ["--engine", "dask", "--scheduler", scheduler]
    cluster = [psutil.Process(pid) for pid in cluster_pids]
    cluster_cpu = _cpu(cluster)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=code)
    root, peak = psutil.Process(proc.pid), Peak()
    while proc.poll() is None:
        with suppress(psutil.Error):
            peak.poll([root, *root.children(recursive=True)], cluster)
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"batch run failed: {' '.join(command)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and its pool workers, once all are reaped
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) + _cpu(cluster) - cluster_cpu
    return seconds, cpu, peak


def local_cluster(workers: int, *, profiler: bool) -> Callable[[], AbstractContextManager[Any]]:
    def start() -> AbstractContextManager[Any]:
        import dask
        from distributed import LocalCluster

        with dask.config.set({"distributed.worker.profile.enabled": profiler}):  # the nannies pass it on
            return LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            )

    return start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,100000", help="numbers of posts for the all-jobs runs")
    parser.add_argument("--single-job-max", type=int, default=20_000, help="largest size also run with 1 job")
    parser.add_argument("--in-process", type=int, default=1000, help="posts screened one by one, cold and warm")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="'all jobs' (default: cores)")
    parser.add_argument("--engines", default="local", help="local, or local,dask")
    parser.add_argument("--models-dir", type=Path, help="registry with an active model (default: train one)")
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 posts, 300 in process")
    parser.add_argument("--dask-profiler", action="store_true", help="leave the Dask workers' profiler on")
    parser.add_argument("--compare", type=Path, help="another checkout whose code also makes every local run")
    parser.add_argument(
        "--texts", choices=("posts", "all"), default="posts", help="sample texts that screen as posts, or all texts"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.single_job_max, args.in_process = "2000,10000", 10_000, 300
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp_name:
        tmp = Path(tmp_name)
        models_dir = args.models_dir or tmp / "models"
        if args.models_dir is None:
            print("training a model on training_data/ ...", file=sys.stderr)
            ensure_default_model(ModelRegistry(models_dir), ROOT / "training_data")
        texts = [(r.title, r.text) for r in load_training_data(ROOT / "training_data")]
        if args.texts == "posts":
            texts = [(title, text) for title, text in texts if genre_for(word_count(normalise(text))) == "post"]
        source = tmp / "posts.jsonl"
        synthesise(source, texts, max(sizes))  # every size reads the first posts of one file
        cold, warm, warm_cpu = in_process_rates(source, models_dir, args.in_process)
        profiler = "on" if args.dask_profiler else "off"
        mean_chars = sum(len(text) for _, text in texts) / len(texts)
        print(
            f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}  jobs: {args.jobs}  "
            f"Dask workers' profiler: {profiler}  texts: {args.texts} ({len(texts):,}, {mean_chars:.0f} characters "
            "on average)"
        )
        print(
            f"in process, one by one (Screener.screen, full result): {cold:.1f} posts/s cold (first "
            f"{args.in_process:,} posts), {warm:.1f} posts/s warm (next {args.in_process:,}; {warm_cpu:.1f} "
            f"posts/CPU-s); {args.jobs} jobs at the warm rate would make {args.jobs * warm:.0f} posts/s"
        )
        print()
        print(
            f"{'posts':>7} {'engine':>6} {'code':>6} {'jobs':>4} {'wall s':>7} {'posts/s':>8} {'vs warm':>7} "
            f"{'vs jobs x warm':>14} "
            f"{'CPU s':>7} {'posts/CPU-s':>11} {'vs warm':>7} {'RSS MB':>7} {'PSS MB':>7} {'load':>5}"
        )
        rates: dict[tuple[int, str, int, str], tuple[float, float]] = {}  # posts/s, posts/CPU-s
        checkouts = {"this": ROOT} | ({"before": args.compare.resolve()} if args.compare is not None else {})
        code_names = list(checkouts)
        peaks: dict[tuple[int, str], Peak] = {}
        identical: dict[int, bool] = {}
        for n in sizes:
            part = source if n == max(sizes) else tmp / f"posts-{n}.jsonl"
            if part != source:
                with open(source, "rb") as f, open(part, "wb") as g:
                    g.writelines(islice(f, n))
            runs = [(e, args.jobs) for e in engines] + ([("local", 1)] if n <= args.single_job_max else [])
            codes = [
                (engine, jobs, name)
                for engine, jobs in runs
                for name in code_names
                if engine == "local" or name == "this"
            ]
            first_out: Path | None = None
            for engine, jobs, name in codes:
                out = tmp / f"out-{n}-{engine}-{jobs}-{name}.jsonl"
                start_cluster = local_cluster(jobs, profiler=args.dask_profiler) if engine == "dask" else nullcontext
                with start_cluster() as cluster:
                    scheduler = cluster.scheduler_address if cluster is not None else None
                    pids = (
                        tuple(p.pid for p in psutil.Process().children(recursive=True)) if cluster is not None else ()
                    )
                    seconds, cpu, peak = run_batch(
                        part,
                        out,
                        jobs=jobs,
                        models_dir=models_dir,
                        scheduler=scheduler,
                        cluster_pids=pids,
                        code=checkouts[name],
                    )
                if first_out is None:
                    first_out = out  # every other run's output is compared with it, then removed
                else:
                    identical[n] = identical.get(n, True) and filecmp.cmp(first_out, out, shallow=False)
                    out.unlink()
                rate, cpu_rate = n / seconds, n / cpu
                rates[(n, engine, jobs, name)] = (rate, cpu_rate)
                if jobs == args.jobs and name == "this":
                    peaks[(n, engine)] = peak
                print(
                    f"{n:7d} {engine:>6} {name:>6} {jobs:4d} {seconds:7.1f} {rate:8.1f} {rate / warm:6.2f}x "
                    f"{rate / (jobs * warm):13.2f}x {cpu:7.1f} {cpu_rate:11.1f} {cpu_rate / warm_cpu:6.2f}x "
                    f"{peak.rss:7.0f} {peak.pss:7.0f} {os.getloadavg()[0]:5.1f}",
                    flush=True,
                )
                if engine == "dask":
                    print(f"{'':>7} client PSS {peak.client_pss:.0f} MB, workers PSS {peak.workers_pss:.0f} MB")
            if first_out is not None:
                first_out.unlink()
        print()
        small, large = sizes[0], sizes[-1]
        for engine in engines:
            if len(sizes) >= 2 and (small, engine) in peaks and (large, engine) in peaks:
                a, b = peaks[(small, engine)], peaks[(large, engine)]
                print(
                    f"peak memory, {engine}, {args.jobs} jobs: PSS {a.pss:.0f} MB at {small:,} posts, {b.pss:.0f} MB "
                    f"at {large:,} ({b.pss / a.pss:.2f}x for {large / small:.0f}x the posts); RSS {a.rss:.0f} -> "
                    f"{b.rss:.0f} MB"
                )
        for n in sizes:
            if (n, "dask", args.jobs, "this") in rates and (n, "local", args.jobs, "this") in rates:
                (dask, dask_cpu), (local, local_cpu) = (
                    rates[(n, "dask", args.jobs, "this")],
                    rates[(n, "local", args.jobs, "this")],
                )
                memory = peaks[(n, "dask")].pss / peaks[(n, "local")].pss
                print(
                    f"dask / local engine at {n:,} posts, {args.jobs} jobs: {dask / local:.2f}x the posts/s, "
                    f"{dask_cpu / local_cpu:.2f}x the posts/CPU-s, {memory:.2f}x the peak PSS; output "
                    f"{'identical' if identical.get(n) else 'DIFFERENT'}"
                )
        for (n, engine, jobs, name), (rate, cpu_rate) in rates.items():
            if name == "before":
                now, now_cpu = rates[(n, engine, jobs, "this")]
                same = "identical" if identical.get(n) else "DIFFERENT"
                print(
                    f"this code / the compared checkout at {n:,} posts, {jobs} jobs: {now / rate:.2f}x the posts/s, "
                    f"{now_cpu / cpu_rate:.2f}x the posts/CPU-s; output {same}"
                )
        if identical and not all(identical.values()):
            raise SystemExit("the engines wrote different outputs")


if __name__ == "__main__":
    main()
