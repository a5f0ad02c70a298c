"""Accuracy and speed of `screening.language.detect_language`.

Accuracy: Indonesian texts from training_data/ (MAFINDO claims, Pratiwi articles, IndoSum news) and the hard
Indonesian posts of tests/screening/lang_texts.py (slang, English loanwords, very short), against the hand-written
Javanese, Sundanese, Malay and English texts there. Prints a confusion table (rows: the set, columns: the code
detected) and the share of each set that would be flagged as "not Indonesian" (`is_other_language`).
`--show N` prints up to N Indonesian training texts that were flagged, to read what the detector saw.

Speed: per call on a short post and on a 300-word article, against `screening.text.normalise()` on the same
article timed in the same run (the machine is shared: read the ratio).

    python bench/bench_language.py [--sample 1000] [--show 20]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "screening"))

from lang_texts import INDONESIAN_HARD, SAMPLES  # noqa: E402

from screening.data import read_labelled  # noqa: E402
from screening.language import detect_language  # noqa: E402
from screening.text import normalise  # noqa: E402

CODES = ["id", "ms", "jv", "su", "en", "und"]


def indonesian_sets(sample: int, rng: random.Random) -> dict[str, list[str]]:
    data = ROOT / "training_data"
    mafindo = [r.text for r in read_labelled(data / "mafindo_hoax.csv")]
    pratiwi = [r.text for r in read_labelled(data / "pratiwi2017_news.csv")]
    with open(data / "indosum" / "indosum_news.jsonl", encoding="utf-8") as f:
        indosum = [json.loads(line)["text"] for line in f if line.strip()]
    return {
        "id: MAFINDO claims": rng.sample(mafindo, min(sample, len(mafindo))),
        "id: Pratiwi articles": pratiwi,
        "id: IndoSum news": rng.sample(indosum, min(sample, len(indosum))),
        "id: hard posts": INDONESIAN_HARD,
    }


def per_call_us(fn: Callable[[str], object], text: str, *, seconds: float = 1.0) -> float:
    fn(text)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            fn(text)
        n += 50
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=1000, help="MAFINDO and IndoSum texts sampled (default 1000)")
    parser.add_argument("--show", type=int, default=0, help="print up to N flagged Indonesian training texts")
    args = parser.parse_args()
    rng = random.Random(0)
    sets = indonesian_sets(args.sample, rng)
    for code, texts in SAMPLES.items():
        sets[f"{code}: hand-written"] = texts

    print(f"{'set':22s} {'n':>5s} " + " ".join(f"{c:>5s}" for c in CODES) + "  other  flagged")
    flagged_texts: list[tuple[str, str]] = []
    for name, texts in sets.items():
        guesses = [detect_language(t) for t in texts]
        counts = Counter(g.code for g in guesses)
        other = sum(v for k, v in counts.items() if k not in CODES)
        flagged = sum(g.is_other_language for g in guesses)
        row = " ".join(f"{counts[c]:5d}" for c in CODES)
        print(f"{name:22s} {len(texts):5d} {row}  {other:5d}  {flagged / len(texts):6.1%}")
        if name.startswith("id:"):
            flagged_texts += [(g.code, t) for g, t in zip(guesses, texts, strict=True) if g.is_other_language]
    for code, text in flagged_texts[: args.show]:
        print(f"  flagged {code}: {text[:150]!r}")

    first_article = read_labelled(ROOT / "training_data" / "pratiwi2017_news.csv")[0].text
    article = " ".join(first_article.split()[:300])
    post = INDONESIAN_HARD[0]
    norm = per_call_us(normalise, article)
    on_article = per_call_us(detect_language, article)
    on_post = per_call_us(detect_language, post)
    print()
    print(f"normalise(), 300-word article:        {norm:8.1f} us  (baseline)")
    print(f"detect_language(), 300-word article:  {on_article:8.1f} us  ({on_article / norm:.2f}x normalise)")
    print(f"detect_language(), {len(post)}-character post: {on_post:8.1f} us  ({on_post / norm:.2f}x normalise)")


if __name__ == "__main__":
    main()
