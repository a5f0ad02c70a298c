"""Lookup time of the known-hoax index at 1k, 10k and 100k entries, against a brute-force scan.

Larger indexes are synthesised from the real hoax texts of training_data/mafindo_hoax.csv by perturbing
them (about 15 % of the words dropped, a few neighbouring words swapped). Queries are other perturbations of
real hoaxes, so most have a true near-duplicate in the index. The brute-force baseline computes the exact
cosine of the query's TF-IDF vector with every entry's vector (Python dicts), i.e. what the inverted index
avoids; it runs in the same process at 1k and 10k entries.

    python bench/bench_known_hoaxes.py [--sizes 1000,10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.known_hoaxes import KnownHoax, KnownHoaxIndex, hoax_terms  # noqa: E402
from screening.text import NormalisedText, normalise  # noqa: E402


def perturb(text: str, rng: random.Random) -> str:
    words = [w for w in text.split() if rng.random() > 0.15] or text.split()
    for _ in range(len(words) // 12):
        i = rng.randrange(max(len(words) - 1, 1))
        if i + 1 < len(words):
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def synthesise(texts: list[str], n: int, rng: random.Random) -> list[KnownHoax]:
    entries = []
    for i in range(n):
        base = texts[i % len(texts)]
        text = base if i < len(texts) else perturb(base, rng)
        entries.append(KnownHoax(f"h{i}", text[:60], text))
    return entries


def brute_force(index: KnownHoaxIndex, vectors: list[dict[str, float]], query: NormalisedText, k: int) -> list[int]:
    """Exact cosine against every entry, one Python dict at a time."""
    q = {
        t: (1 + math.log(c)) * float(index.idf_[index.vocabulary_[t]])
        for t, c in hoax_terms(query).items()
        if t in index.vocabulary_
    }
    norm = math.sqrt(sum(v * v for v in q.values())) or 1.0
    scores = [(sum(w * d.get(t, 0.0) for t, w in q.items()) / norm, i) for i, d in enumerate(vectors)]
    scores.sort(reverse=True)
    return [i for _, i in scores[:k]]


def entry_vectors(index: KnownHoaxIndex) -> list[dict[str, float]]:
    terms = {col: term for term, col in index.vocabulary_.items()}
    matrix = index._doc_matrix().tocsr()
    return [
        {terms[int(c)]: float(v) for c, v in zip(matrix[i].indices, matrix[i].data, strict=True)}
        for i in range(matrix.shape[0])
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with open(ROOT / "training_data" / "mafindo_hoax.csv", encoding="utf-8", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f) if r["label"] == "hoax" and r["text"].strip()]
    rng = random.Random(20261127)
    queries = [normalise(perturb(rng.choice(texts), rng)) for _ in range(args.queries)]
    print(f"{len(texts)} real hoax texts, {len(queries)} queries (perturbed real hoaxes)")
    print(f"{'entries':>8} {'build s':>8} {'index ms/query':>15} {'brute ms/query':>15} {'speed-up':>9} {'agree@1':>8}")
    for n in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        index = KnownHoaxIndex(synthesise(texts, n, rng))
        build = time.perf_counter() - t0
        index.search(queries[0])  # builds the column index once
        t0 = time.perf_counter()
        found = [index.search(q, k=1, min_similarity=0.0) for q in queries]
        fast = (time.perf_counter() - t0) / len(queries) * 1000
        brute_ms = speedup = agree = "-"
        if n <= 10_000:
            vectors = entry_vectors(index)
            sample = queries[: max(len(queries) // 4, 1)]
            t0 = time.perf_counter()
            exact = [brute_force(index, vectors, q, 1) for q in sample]
            brute = (time.perf_counter() - t0) / len(sample) * 1000
            same = sum(
                1
                for f, e in zip(found, exact, strict=False)
                if f and e and f[0].hoax_id == index.entries_[e[0]].hoax_id
            )
            agree = f"{same / len(sample):.0%}"
            brute_ms, speedup = f"{brute:.2f}", f"{brute / fast:.0f}x"
        print(f"{n:>8} {build:>8.2f} {fast:>15.3f} {brute_ms:>15} {speedup:>9} {agree:>8}")


if __name__ == "__main__":
    main()
