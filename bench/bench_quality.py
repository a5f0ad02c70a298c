"""Time the quality score, check by check, against `normalise()` of the same article, in one run (CPU time).

Rows (microseconds, the best mean of several rounds):

- each check of the 300-word village article (`bench_rules.ARTICLE`) and of 300 short posts with a title (claims
  of 120-220 characters), on the shared `Body` as `assess_quality` makes it, and `assess_quality` itself;
- with `--before REV`: `assess_quality` of the code at that git revision (its `screening/quality/` package,
  imported from a copy beside the current one), timed alternately with the current code on the same analysed
  documents, for the article, the posts and 200 IndoSum articles; and suggestions for the unknown words of
  held-out IndoSum articles, each asked once of an empty cache (both versions' answers are checked equal).

Then the one-off loading costs, each in a fresh interpreter (word lists, clickbait model, region names).

    python bench/bench_quality.py [--rounds 7] [--before 85bca9e]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_rules import ARTICLE, TITLE  # noqa: E402

from screening.data import load_training_data  # noqa: E402
from screening.doc import Doc, default_analyser  # noqa: E402
from screening.quality import _KEYWORDS, assess_quality  # noqa: E402
from screening.quality.attribution import assess_attribution, assess_byline  # noqa: E402
from screening.quality.common import Body  # noqa: E402
from screening.quality.completeness import assess_completeness  # noqa: E402
from screening.quality.headline import assess_headline  # noqa: E402
from screening.quality.lexicon import load_lexicon  # noqa: E402
from screening.quality.spelling import assess_language  # noqa: E402
from screening.quality.structure import assess_structure  # noqa: E402
from screening.text import normalise  # noqa: E402

LOADERS = {
    "word lists (spelling)": "from screening.quality.lexicon import load_lexicon as f",
    "clickbait model": "from screening.quality.clickbait import load_clickbait_model as f",
    "region names": "from screening.places import _gazetteer as f",
}
INDOSUM = ROOT / "training_data" / "indosum" / "indosum_news.jsonl"


def cpu_us(fn: Callable[[Any], object], items: Sequence[Any]) -> float:
    start = time.process_time()
    for item in items:
        fn(item)
    return (time.process_time() - start) / len(items) * 1e6


def best(fn: Callable[[Any], object], items: Sequence[Any], rounds: int) -> float:
    return min(cpu_us(fn, items) for _ in range(rounds))


def quality_before(revision: str) -> ModuleType | None:
    """The `screening.quality` package at `revision`, importable beside the current one, or None."""
    folder = Path(tempfile.mkdtemp(prefix="quality-before-"))
    try:
        listing = subprocess.run(
            ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{revision}:screening/quality/"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    package = folder / "quality_before"
    package.mkdir()
    for name in (n for n in listing if n.endswith(".py")):
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:screening/quality/{name}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (package / name).write_text(re.sub(r"\bscreening\.quality\b", "quality_before", source), "utf-8")
    sys.path.insert(0, str(folder))
    import quality_before

    return quality_before


def shared_body(doc: Doc) -> Body:
    """The body as `assess_quality` makes it, with its keyword scan (made at the first search) done."""
    body = Body(doc.submission.text, _KEYWORDS)
    body.searchable.may_match(_KEYWORDS.patterns[0])
    return body


def checks_of(docs: Sequence[Doc], stemmer: Any) -> dict[str, Callable[[tuple[Doc, Body]], object]]:
    """Each check as `assess_quality` calls it, on a `Body` made beforehand (its making is a row of its own)."""
    title = any(d.submission.title.strip() for d in docs)
    article = all(d.genre == "article" for d in docs)
    checks: dict[str, Callable[[tuple[Doc, Body]], object]] = {
        "shared Body (RE2 form, links, lead)": lambda x: shared_body(x[0]),
        "completeness": lambda x: assess_completeness(x[1], words=x[0].n_words, places=x[0].places),
        "attribution": lambda x: assess_attribution(x[1]),
        "language (spelling)": lambda x: assess_language(x[1], x[0].body),
    }
    if title:
        checks["headline"] = lambda x: assess_headline(x[0], stemmer=stemmer)
    if article:
        checks["byline"] = lambda x: assess_byline(x[1], author="")
        checks["structure"] = lambda x: assess_structure(x[1].text, words=x[0].n_words)
    return checks


def unknown_words(docs: Sequence[Doc]) -> list[str]:
    """The words the spelling check asks suggestions for in these documents, each once."""
    lexicon = type(load_lexicon())
    asked: list[str] = []
    suggest = lexicon.suggest

    def recording(self: Any, word: str, *, limit: int = 3) -> list[str]:
        asked.append(word)
        return suggest(self, word, limit=limit)

    lexicon.suggest = recording  # type: ignore[method-assign]
    try:
        for doc in docs:
            assess_language(Body(doc.submission.text), doc.body)
    finally:
        lexicon.suggest = suggest  # type: ignore[method-assign]
    return list(dict.fromkeys(asked))


def load_ms(statement: str) -> float:
    """Milliseconds of the first call of a loader in a fresh interpreter (imports excluded)."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); {statement}; "
        "t = time.perf_counter(); f(); print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", help="git revision of the quality code to time alternately with this one")
    args = parser.parse_args()

    analyser = default_analyser()
    stemmer = analyser.stemmer
    rows = load_training_data(ROOT / "training_data")
    posts = [r for r in rows if r.corpus == "claims" and r.title.strip() and 120 <= len(r.text) <= 220][:300]
    news = [json.loads(line) for line in INDOSUM.open(encoding="utf-8")]
    sets = {
        "article": [analyser.analyse_text(ARTICLE, TITLE)] * 200,
        "posts": [analyser.analyse_text(r.text, r.title) for r in posts],
    }
    for docs in sets.values():
        for doc in docs[:50]:
            assess_quality(doc, stemmer=stemmer)  # loads word lists, models, region names; warms the caches

    base = best(lambda _: normalise(ARTICLE), range(200), args.rounds)
    mean_chars = sum(len(r.text) for r in posts) / len(posts)
    print(f"article: {len(ARTICLE.split())} words; posts: {len(posts)}, {mean_chars:.0f} characters on average")
    print(f"normalise() of the article: {base:.1f} us\n")
    print(f"{'check':40s} {'article us':>11s} {'x normalise':>12s} {'post us':>9s}")
    results = {}
    for name, docs in sets.items():
        items = [(doc, shared_body(doc)) for doc in docs]
        timed = {check: best(fn, items, args.rounds) for check, fn in checks_of(docs, stemmer).items()}
        timed["assess_quality"] = best(lambda x: assess_quality(x[0], stemmer=stemmer), items, args.rounds)
        results[name] = timed
    for check in results["article"]:
        post = results["posts"].get(check)
        post_text = f"{post:9.1f}" if post is not None else f"{'-':>9s}"
        print(f"{check:40s} {results['article'][check]:11.1f} {results['article'][check] / base:12.2f} {post_text}")

    if args.before:
        before = quality_before(args.before)
        if before is None:
            print(f"\n(revision {args.before} not found: no comparison)")
        else:
            compare(before, args.before, sets, analyser, news, args.rounds)

    print()
    print(f"{'one-off loading (fresh interpreter)':40s} {'ms':>11s}")
    for name, statement in LOADERS.items():
        print(f"{name:40s} {load_ms(statement):11.1f}")


def compare(
    before: ModuleType,
    revision: str,
    sets: dict[str, list[Doc]],
    analyser: Any,
    news: list[dict[str, Any]],
    rounds: int,
) -> None:
    """assess_quality and suggestions of the code at `revision` and of this code, timed alternately."""
    stemmer = analyser.stemmer
    held_out = [r["text"] for r in news if r.get("part") == "article"][-300:]
    sets = {**sets, "200 IndoSum articles": [analyser.analyse_text(t) for t in held_out[:200]]}
    print(f"\nassess_quality, code at {revision} and now, alternately (us per text)")
    print(f"{'texts':24s} {'before':>9s} {'now':>9s} {'before/now':>11s}")
    for name, docs in sets.items():
        old_best = new_best = float("inf")
        for _ in range(rounds):
            old_best = min(old_best, cpu_us(lambda d: before.assess_quality(d, stemmer=stemmer), docs))
            new_best = min(new_best, cpu_us(lambda d: assess_quality(d, stemmer=stemmer), docs))
        print(f"{name:24s} {old_best:9.1f} {new_best:9.1f} {old_best / new_best:11.2f}")

    words = unknown_words([analyser.analyse_text(t) for t in held_out])
    old_lexicon = before.lexicon.load_lexicon()
    new_lexicon = load_lexicon()
    assert all(old_lexicon._suggest(w, 3) == new_lexicon._suggest(w, 3) for w in words), "suggestions differ"

    def cold(lexicon: Any) -> float:
        for cached in ("_suggestions", "_roots"):
            if cached in vars(lexicon):
                vars(lexicon)[cached].cache_clear()
        for module in (before.lexicon, sys.modules["screening.quality.lexicon"]):
            if hasattr(module, "_head_prefixes"):
                module._head_prefixes.cache_clear()
        start = time.process_time()
        for word in words:
            lexicon.suggest(word)
        return (time.process_time() - start) / len(words) * 1e3

    old_ms = min(cold(old_lexicon) for _ in range(rounds))
    new_ms = min(cold(new_lexicon) for _ in range(rounds))
    print(f"\nsuggestions for the {len(words)} unknown words of 300 held-out IndoSum articles, each asked once")
    print(f"{'ms per word':24s} {old_ms:9.3f} {new_ms:9.3f} {old_ms / new_ms:11.2f}")


if __name__ == "__main__":
    main()
