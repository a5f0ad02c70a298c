"""Throughput and memory of `saring screen` (batch screening) against one-by-one `Screener.screen` calls.

Posts are synthesised from the real training texts (sampled, about 10 % of the words dropped and a few
neighbouring words swapped, so no two rows are identical), written as JSONL. Measured in one run:

  - one-by-one: `Screener.screen` per post in this process, on a subsample (its rate is extrapolated);
  - in-process `screen_many` on the same subsample (no files, no workers);
  - `python -m service.cli_batch screen` as a fresh process with 1 job and with all jobs, on every size;
    wall time includes start-up and model loading (a few seconds per worker);
  - CPU seconds of each run (the process tree, from getrusage of reaped children; `time.process_time` for the
    in-process baselines): on a shared machine posts per CPU-second compare fairly when wall time cannot;
  - peak memory of each batch run: the largest sum of RSS over the process and its workers (psutil, polled
    every 0.1 s; without psutil the largest single process from getrusage).

    python bench/bench_batch.py                       # 10,000 and 100,000 posts (long: tens of minutes)
    python bench/bench_batch.py --quick               # 2,000 and 10,000 posts
    python bench/bench_batch.py --sizes 5000 --single-job-max 5000 --models-dir models
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.data import load_training_data  # noqa: E402
from screening.registry import ModelRegistry  # noqa: E402
from screening.screen import Screener  # noqa: E402
from screening.submission import Submission  # noqa: E402
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


def run_batch(source: Path, out: Path, *, jobs: int, models_dir: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of the process tree of one `saring screen` run."""
    command = [
        sys.executable, "-m", "service.cli_batch", "screen", str(source), "--out", str(out),
        "--title-field", "title", "--id-field", "id", "--jobs", str(jobs), "--models-dir", str(models_dir), "--quiet",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT)
    peak = 0.0
    try:
        import psutil

        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()) / 1e6)
            except psutil.Error:
                pass
            time.sleep(0.1)
    except ImportError:
        proc.wait()
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest single process, KB -> MB
    seconds = time.perf_counter() - start
    if proc.wait() != 0:
        raise SystemExit(f"batch run failed: {' '.join(command)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and its workers, once all are reaped
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="numbers of posts for the all-jobs runs")
    parser.add_argument("--single-job-max", type=int, default=100_000, help="largest size also run with 1 job")
    parser.add_argument("--one-by-one", type=int, default=500, help="posts screened one at a time (baseline)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="'all jobs' (default: cores)")
    parser.add_argument("--models-dir", type=Path, help="registry with an active model (default: train one)")
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 posts, 200 one by one")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.single_job_max, args.one_by_one = "2000,10000", 10_000, 200
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp_name:
        tmp = Path(tmp_name)
        models_dir = args.models_dir or tmp / "models"
        if args.models_dir is None:
            print("training a model on training_data/ ...", file=sys.stderr)
            ensure_default_model(ModelRegistry(models_dir), ROOT / "training_data")
        rows = load_training_data(ROOT / "training_data")
        texts = [(r.title, r.text) for r in rows]

        screener = Screener.from_registry(ModelRegistry(models_dir))
        rng = random.Random(1)
        # Warm the stemming cache over the whole vocabulary first, as a long batch run's workers soon have it;
        # then time one-by-one and screen_many on two different samples, so neither reuses the other's work.
        warm_up = [Submission(text=perturb(text, rng), title=title) for title, text in texts]
        for i in range(0, len(warm_up), 256):
            screener.screen_many(warm_up[i : i + 256])

        def subsample() -> list[Submission]:
            picked = rng.sample(texts, args.one_by_one)
            return [Submission(text=perturb(text, rng), title=title) for title, text in picked]

        sample, other = subsample(), subsample()
        start, cpu_start = time.perf_counter(), time.process_time()
        for submission in sample:
            screener.screen(title=submission.title, text=submission.text)
        one_rate = len(sample) / (time.perf_counter() - start)
        one_cpu_rate = len(sample) / (time.process_time() - cpu_start)
        start, cpu_start = time.perf_counter(), time.process_time()
        for i in range(0, len(other), 256):
            screener.screen_many(other[i : i + 256])
        many_rate = len(other) / (time.perf_counter() - start)
        many_cpu_rate = len(other) / (time.process_time() - cpu_start)

        print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}  model: {screener.model_version}")
        print(
            f"one-by-one Screener.screen: {one_rate:8.1f} posts/s  {one_cpu_rate:8.1f} posts/CPU-s  "
            f"({len(sample)} posts, this process, warm caches)"
        )
        print(
            f"in-process screen_many:     {many_rate:8.1f} posts/s  {many_cpu_rate:8.1f} posts/CPU-s  "
            f"({many_rate / one_rate:.2f}x one-by-one wall, {many_cpu_rate / one_cpu_rate:.2f}x CPU)"
        )
        print()
        print(
            f"{'posts':>8} {'jobs':>4} {'wall s':>8} {'posts/s':>8} {'vs 1-by-1':>9} {'CPU s':>8} {'posts/CPU-s':>11} "
            f"{'vs 1-by-1':>9} {'peak RSS MB':>11} {'load':>5}"
        )
        results: dict[tuple[int, int], tuple[float, float]] = {}
        for n in sizes:
            source = tmp / f"posts-{n}.jsonl"
            synthesise(source, texts, n)
            # all jobs first: with a long run cut short, the memory comparison is what survives
            for jobs in ([args.jobs] if args.jobs != 1 else []) + ([1] if n <= args.single_job_max else []):
                out = tmp / f"out-{n}-{jobs}.jsonl"
                seconds, cpu, peak = run_batch(source, out, jobs=jobs, models_dir=models_dir)
                out.unlink()
                results[(n, jobs)] = (seconds, peak)
                rate, cpu_rate = n / seconds, n / cpu
                print(
                    f"{n:8d} {jobs:4d} {seconds:8.1f} {rate:8.1f} {rate / one_rate:8.2f}x {cpu:8.1f} {cpu_rate:11.1f} "
                    f"{cpu_rate / one_cpu_rate:8.2f}x {peak:11.0f} {os.getloadavg()[0]:5.1f}",
                    flush=True,
                )
            source.unlink()
        if len(sizes) >= 2 and (sizes[0], args.jobs) in results and (sizes[-1], args.jobs) in results:
            small, large = results[(sizes[0], args.jobs)][1], results[(sizes[-1], args.jobs)][1]
            print(
                f"\npeak memory with {args.jobs} jobs: {small:.0f} MB at {sizes[0]:,} posts, {large:.0f} MB at "
                f"{sizes[-1]:,} posts ({large / small:.2f}x for {sizes[-1] / sizes[0]:.0f}x the posts)"
            )


if __name__ == "__main__":
    main()
