"""Time the quality score for one ~300-word village news article against `normalise()` alone, in one run.

Rows (ms per article, best mean of several rounds, and the ratio to `normalise()` timed in the same run):

- the quality score of a document analysed beforehand (normalised title and body, places, genre, title rule
  matches, language) with the analyser's warm stemmer, as the screener calls it;
- the same plus the analysis itself (which also stems, finds the body's rules and the language, and builds the
  classifier's streams, all shared with the rest of screening);
- the code before (``screening/quality.py`` at ``--before``, read from git), as the screener called it; skipped
  when git or that revision is not available.

Then the one-off loading costs, each in a fresh interpreter (word lists, clickbait model, region names).

    python bench/bench_quality.py [--repeat 300] [--before b24fab3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_rules import ARTICLE, TITLE  # noqa: E402

from screening.doc import default_analyser  # noqa: E402
from screening.quality import assess_quality  # noqa: E402
from screening.text import normalise  # noqa: E402

LOADERS = {
    "word lists (spelling)": "from screening.quality.lexicon import load_lexicon as f",
    "clickbait model": "from screening.quality.clickbait import load_clickbait_model as f",
    "region names": "from screening.places import _gazetteer as f",
}


def best_of(fn: Callable[[], object], *, repeat: int, rounds: int = 5) -> float:
    """Milliseconds per call: the best mean over `rounds` rounds of `repeat` calls (least disturbed by neighbours)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1000


def code_before(revision: str) -> types.ModuleType | None:
    """``screening/quality.py`` as it was at `revision`, loaded as a module, or None."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:screening/quality.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("quality_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:screening/quality.py", "exec"), module.__dict__)  # noqa: S102
    return module


def load_ms(statement: str) -> float:
    """Milliseconds of the first call of a loader in a fresh interpreter (imports excluded)."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); {statement}; "
        "t = time.perf_counter(); f(); print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--before", default="b24fab3", help="git revision of the quality code to compare with")
    args = parser.parse_args()

    analyser = default_analyser()
    stemmer = analyser.stemmer
    analysed = analyser.analyse_text(ARTICLE, TITLE)
    doc, matches = analysed.body, list(analysed.title_rules)

    def quality_of_analysed() -> None:
        assess_quality(analysed, stemmer=stemmer)

    def analysis_and_quality() -> None:
        assess_quality(analyser.analyse_text(ARTICLE, TITLE), stemmer=stemmer)

    before = code_before(args.before)
    quality_of_analysed()  # loads word lists, model, region names and the stems once
    if before is not None:
        before.assess_quality(TITLE, ARTICLE, doc, stemmer=stemmer, title_matches=matches)

    base = best_of(lambda: normalise(ARTICLE), repeat=args.repeat)
    rows = [
        ("quality of the analysed document", best_of(quality_of_analysed, repeat=args.repeat)),
        ("analysis + quality", best_of(analysis_and_quality, repeat=args.repeat)),
    ]
    if before is not None:
        old = before.assess_quality
        rows.append(
            (
                f"quality before ({args.before})",
                best_of(lambda: old(TITLE, ARTICLE, doc, stemmer=stemmer, title_matches=matches), repeat=args.repeat),
            )
        )
    print(f"article: {len(ARTICLE.split())} words, {len(ARTICLE)} characters")
    print(f"{'step':<44} {'ms/article':>10} {'x normalise':>12}")
    print(f"{'normalise() alone':<44} {base:>10.3f} {1.0:>12.2f}")
    for name, ms in rows:
        print(f"{name:<44} {ms:>10.3f} {ms / base:>12.2f}")
    print()
    print(f"{'one-off loading (fresh interpreter)':<44} {'ms':>10}")
    for name, statement in LOADERS.items():
        print(f"{name:<44} {load_ms(statement):>10.1f}")
    if before is not None:
        old_regions = load_ms(
            "import types, subprocess; "
            f"src = subprocess.run(['git', '-C', {str(ROOT)!r}, 'show', '{args.before}:screening/quality.py'],"
            " capture_output=True, text=True).stdout; m = types.ModuleType('q'); sys.modules['q'] = m;"
            " exec(src, m.__dict__); f = m._wilayah"
        )
        print(f"{'region names before (' + args.before + ')':<44} {old_regions:>10.1f}")


if __name__ == "__main__":
    main()
