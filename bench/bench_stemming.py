"""Time stemming words the precomputed table does not hold: `screening.ecs` against PySastrawi, in one run.

Words: a sample (default 4,000) of the distinct words of the training texts that `stems_id.tsv` lacks (what
screening meets on texts it has never seen), and as many generated affixed words (`scripts/check_stemmer.py`;
the odd forms of social-media text). Neither stemmer caches; each stems every word once per round, CPU time,
best of --rounds. Then the bounded stemmer as screening uses it, on every word of --texts training texts with an
empty cache: the port with the table, the port without it, and PySastrawi with the table (what it replaced);
and the cost of loading the table once.

    python bench/bench_stemming.py [--words 4000] [--rounds 5] [--texts 300]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from check_stemmer import generated_words  # noqa: E402

from screening.data import load_training_data  # noqa: E402
from screening.ecs import EcsStemmer  # noqa: E402
from screening.resources import load_root_words, load_stem_table  # noqa: E402
from screening.stemming import DEFAULT_CACHE_SIZE, BoundedStemmer, needs_stemming, sastrawi_stemmer  # noqa: E402

_WORD = re.compile(r"[^\W\d_]+")


def best_cpu(fn: Callable[[], object], rounds: int) -> float:
    """Least CPU time of `rounds` calls, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=4000, help="words per sample (default 4,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, the best counts (default 5)")
    parser.add_argument("--texts", type=int, default=300, help="training texts for the stream (default 300)")
    args = parser.parse_args()

    rows = load_training_data(ROOT / "training_data")
    table = load_stem_table()
    roots = load_root_words()
    texts = [f"{r.title} {r.text}".lower() for r in rows]
    unseen = sorted({w for t in texts for w in _WORD.findall(t) if needs_stemming(w) and w not in table})
    rng = random.Random(0)
    samples = {
        "training words outside the table": rng.sample(unseen, min(args.words, len(unseen))),
        "generated affixed words": [w for w in generated_words(roots, args.words, seed=7) if w not in table],
    }
    ours, sastrawi = EcsStemmer(roots), sastrawi_stemmer()
    print(f"{len(unseen):,} distinct training words of 4+ letters are outside the table of {len(table):,}")
    for name, words in samples.items():
        assert [ours.stem(w) for w in words] == [sastrawi.stem(w) for w in words], name
        t_ours = best_cpu(lambda w=words: [ours.stem(x) for x in w], args.rounds)
        t_ref = best_cpu(lambda w=words: [sastrawi.stem(x) for x in w], args.rounds)
        n = len(words)
        print(
            f"{name} ({n:,}): port {t_ours / n * 1e6:.1f} µs a word, Sastrawi {t_ref / n * 1e6:.1f} µs "
            f"({t_ref / t_ours:.0f}x)"
        )

    # The bounded stemmer on a stream of whole texts, every round with an empty cache.
    stream = [_WORD.findall(t) for t in rng.sample(texts, min(args.texts, len(texts)))]
    n_tokens = sum(map(len, stream))

    def old_bounded() -> Callable[[str], str]:  # the stemmer before the port: table, then Sastrawi
        @lru_cache(maxsize=DEFAULT_CACHE_SIZE)
        def stem(word: str) -> str:
            if not needs_stemming(word):
                return word
            known = table.get(word)
            return known if known is not None else (str(sastrawi.stem(word)) or word)

        return stem

    with_table, without_table = BoundedStemmer(), BoundedStemmer(use_table=False)

    def run(stemmer: BoundedStemmer) -> None:
        stemmer.clear_cache()
        for tokens in stream:
            stemmer.stem_tokens(tokens)

    def run_old() -> None:
        stem = old_bounded()
        for tokens in stream:
            [stem(t) for t in tokens]

    t_table = best_cpu(lambda: run(with_table), args.rounds)
    t_plain = best_cpu(lambda: run(without_table), args.rounds)
    t_old = best_cpu(run_old, args.rounds)
    distinct = len({w for tokens in stream for w in tokens})
    print(
        f"bounded stemmer, {len(stream)} texts ({n_tokens:,} words, {distinct:,} distinct), empty cache: "
        f"port + table {t_table * 1e3:.0f} ms, port alone {t_plain * 1e3:.0f} ms, "
        f"Sastrawi + table {t_old * 1e3:.0f} ms ({t_old / t_table:.1f}x the port + table)"
    )

    def load_table() -> None:
        load_stem_table.cache_clear()
        load_stem_table()

    t_load = best_cpu(load_table, args.rounds)
    words = sorted(table)
    t_all = best_cpu(lambda: [ours.stem(w) for w in words], 1)
    print(
        f"loading the table: {t_load * 1e3:.0f} ms; the port stems all its {len(words):,} words in {t_all * 1e3:.0f} ms"
    )


if __name__ == "__main__":
    main()
