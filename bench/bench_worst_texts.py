"""Full screening time of the worst texts within the input limits, against an ordinary article of the same length.

Prints, per text, the median seconds over a few runs and the ratio to the ordinary article timed in the same run
(a bounded ratio means no text can hold a worker for long). Needs a trained model:
`python bench/bench_worst_texts.py [--models-dir models]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from screening.registry import ModelRegistry
from screening.screen import Screener
from screening.submission import MAX_TEXT_CHARS

N = MAX_TEXT_CHARS
ORDINARY = (
    "Warga Desa Sukamaju, Kecamatan Cibeber, bergotong royong membersihkan saluran air pada Minggu (12/5). "
    "Kepala desa Ahmad Fauzi mengatakan kegiatan itu rutin digelar menjelang musim hujan. "
)
WORST = {
    "one letter": "a" * N,
    "dotted letters": "a." * (N // 2),
    "hyphenated letters": "a-" * (N // 2),
    "slashes": "a/" * (N // 2),
    "hashtags": "#a" * (N // 2),
    "at signs": "@" * N,
    "percent signs": "%" * N,
    "domains": "x.go.id " * (N // 8),
    "links": "http://" + "a." * (N // 2 - 4),
    "digits": "08" * (N // 2),
    "newlines": "a\n" * (N // 2),
    "emoji": "\U0001f600" * N,
    "shouting": "SEBARKAN!!! " * (N // 12),
    "quotes": '"a" katanya ' * (N // 13),
}


def _median_seconds(screener: Screener, text: str, title: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        screener.screen(text=text[:N], title=title)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    screener = Screener.from_trained(ModelRegistry(args.models_dir).load())
    screener.screen(text=ORDINARY)  # warm caches
    ordinary = (ORDINARY * (N // len(ORDINARY) + 1))[:N]
    baseline = _median_seconds(screener, ordinary, "Warga Sukamaju bersihkan saluran air", args.runs)
    print(f"ordinary article, {N:,} characters: {baseline * 1000:.1f} ms (baseline)")
    worst = 0.0
    for name, text in WORST.items():
        seconds = _median_seconds(screener, text, "HEBOH!!! " * 50, args.runs)
        worst = max(worst, seconds)
        print(f"{name:20s} {seconds * 1000:8.1f} ms  {seconds / baseline:5.1f}x baseline")
    print(f"worst: {worst * 1000:.1f} ms, {worst / baseline:.1f}x the ordinary article of the same length")


if __name__ == "__main__":
    main()
