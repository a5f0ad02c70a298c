"""What each step of analysing one text costs (`screening.doc.Analyser`), against a bare TF-IDF + LogisticRegression.

Steps: normalising the body, stemming its words, the rules, the places, the language, the style measures, word
counting, and the whole analysis (title included). Each is timed on one ~300-word article and on 200 different
IndoSum-like training articles (their first 300 words), as CPU time per article, best of rounds; "first pass" is
the whole analysis over the 200 when every text is new to the process (the caches know only the article). Short
posts as a batch sees them: the whole analysis of distinct short claims (under 60 words), each analysed once after
as many others have filled the caches, per post. Every cost is also given as a ratio to the baseline pipeline
(fitted on the claims) predicting the same text(s) in the same process: the machine is shared, so compare ratios.

With ``--before DIR`` the same steps of another checkout (e.g. /work/main; its own .venv/bin/python if it has one)
are timed too, and the last column is our ratio over theirs. Both checkouts are then timed in subprocesses, one
after the other, ``--passes`` times, keeping each cost's best (the load of a shared machine drifts in minutes).

    python bench/bench_analysis.py [--before /work/main] [--passes 2] [--rounds 5] [--repeat 100]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TITLE = "Judul berita desa"
ARTICLE_WORDS = 300
N_ARTICLES = 200
SHORT_POST_WORDS = 60  # a claim under this many words is a short post (as in bench_screening.py)


def best_of(fn: Callable[[], object], *, repeat: int, rounds: int) -> float:
    """Seconds per call: the best mean over `rounds` rounds of `repeat` calls (least disturbed by neighbours)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(repeat):
            fn()
        best = min(best, (time.process_time() - start) / repeat)
    return best


def measure(root: Path, data: Path, *, repeat: int, rounds: int) -> dict[str, Any]:
    """Step costs (seconds per article) of the checkout at `root`, with the baseline's in the same process."""
    sys.path.insert(0, str(root))
    from screening.data import load_training_data
    from screening.doc import default_analyser, style_measures
    from screening.language import detect_language
    from screening.places import find_places
    from screening.submission import Submission
    from screening.text import normalise, word_count
    from screening.training.evaluate import plain_baseline

    rows = load_training_data(data)
    claims = [r for r in rows if r.corpus == "claims"]
    baseline = plain_baseline().fit([r.text for r in claims], [int(r.is_hoax) for r in claims])
    analyser = default_analyser()
    source = next(r.text for r in rows if r.source.startswith("pratiwi") and len(r.text.split()) >= ARTICLE_WORDS)
    article = " ".join(source.split()[:ARTICLE_WORDS])
    news = [r.text for r in rows if r.corpus == "news" and len(r.text.split()) >= ARTICLE_WORDS][:N_ARTICLES]
    articles = [" ".join(t.split()[:ARTICLE_WORDS]) for t in news]

    def steps(text: str) -> dict[str, Callable[[], object]]:
        body = normalise(text)
        words = body.words()
        submission = Submission(text=text, title=TITLE)
        return {
            "normalise": lambda: normalise(text),
            "stems": lambda: analyser.stemmer.stem_tokens(words),
            "rules": lambda: analyser.rules.match(body),
            "places": lambda: find_places(text),
            "language": lambda: detect_language(f"{TITLE}\n{text}"),
            "style": lambda: style_measures(body),
            "word count": lambda: word_count(body),
            "analyse (all of it)": lambda: analyser.analyse(submission),
            "baseline": lambda: baseline.predict_proba([text]),
        }

    analyser.analyse(Submission(text=article, title=TITLE))  # one-off loading (stemmer, place names, ...)
    submissions = [Submission(text=text, title=TITLE) for text in articles]
    first_pass = best_of(lambda: [analyser.analyse(s) for s in submissions], repeat=1, rounds=1) / len(articles)
    first_pass_baseline = best_of(lambda: [baseline.predict_proba([t]) for t in articles], repeat=1, rounds=1)
    one = {name: best_of(step, repeat=repeat, rounds=rounds) for name, step in steps(article).items()}
    per_text = [steps(text) for text in articles]

    def over_all(name: str) -> Callable[[], object]:
        return lambda: [s[name]() for s in per_text]

    many = {name: best_of(over_all(name), repeat=1, rounds=rounds) / len(articles) for name in per_text[0]}
    first = {"analyse (all of it)": first_pass, "baseline": first_pass_baseline / len(articles)}
    return {
        "article": one,
        "articles": many,
        "first pass": first,
        "posts": _short_posts(analyser, baseline, [r.text for r in claims], rounds=rounds),
        "n_articles": len(articles),
    }


def _short_posts(analyser: Any, baseline: Any, claims: list[str], *, rounds: int) -> dict[str, float]:
    """Seconds per post: distinct short posts, each analysed once (the best of `rounds` batches of new ones)."""
    from screening.submission import Submission

    posts = [Submission(text=t) for t in dict.fromkeys(claims) if len(t.split()) < SHORT_POST_WORDS]
    size = len(posts) // (rounds + 1)
    for post in posts[:size]:  # the caches filled as a batch fills them
        analyser.analyse(post)
    batches = [posts[size * (i + 1) : size * (i + 2)] for i in range(rounds)]
    costs: dict[str, float] = {"analyse (all of it)": float("inf"), "baseline": float("inf")}
    for batch in batches:
        texts = [post.text for post in batch]
        analysed = best_of(lambda batch=batch: [analyser.analyse(post) for post in batch], repeat=1, rounds=1)
        predicted = best_of(lambda texts=texts: [baseline.predict_proba([t]) for t in texts], repeat=1, rounds=1)
        costs["analyse (all of it)"] = min(costs["analyse (all of it)"], analysed / len(batch))
        costs["baseline"] = min(costs["baseline"], predicted / len(batch))
    return costs


def run_elsewhere(root: Path, data: Path, *, repeat: int, rounds: int) -> dict[str, Any]:
    """`measure` for the checkout at `root`, in its own interpreter (two checkouts' imports must not meet)."""
    python = root / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), __file__, "--emit-json", "--root", str(root)]
    command += ["--data", str(data), "--repeat", str(repeat), "--rounds", str(rounds)]
    done = subprocess.run(command, cwd=root, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout))


def best_costs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each cost's best over several runs of `measure`."""
    best = dict(runs[0])
    for part in ("article", "articles", "first pass", "posts"):
        best[part] = {name: min(run[part][name] for run in runs) for name in runs[0][part]}
    return best


def report(ours: dict[str, Any], theirs: dict[str, Any] | None) -> None:
    for part, title in (
        ("article", "one 300-word article"),
        ("articles", f"{ours['n_articles']} different articles, per article"),
        ("first pass", f"{ours['n_articles']} different articles, first pass, per article"),
        ("posts", "distinct short posts, each analysed once, per post"),
    ):
        print(f"\n{title}")
        header = f"  {'step':22s} {'ms':>8s} {'/baseline':>10s}"
        if theirs is not None:
            header += f" {'before ms':>10s} {'/baseline':>10s} {'now/before':>11s}"
        print(header)
        costs = ours[part]
        for name, cost in costs.items():
            ratio = cost / costs["baseline"]
            line = f"  {name:22s} {cost * 1e3:8.3f} {ratio:10.2f}"
            if theirs is not None:
                before = theirs[part][name]
                before_ratio = before / theirs[part]["baseline"]
                line += f" {before * 1e3:10.3f} {before_ratio:10.2f} {ratio / before_ratio:11.2f}"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, default=None, help="another checkout to time in the same run")
    parser.add_argument("--repeat", type=int, default=100, help="calls per round on the one article")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=2, help="with --before: runs of each checkout")
    parser.add_argument("--data", type=Path, default=ROOT / "training_data")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--emit-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = args.data.resolve()
    if args.emit_json:
        print(json.dumps(measure(args.root, data, repeat=args.repeat, rounds=args.rounds)))
        return
    if args.before is None:
        report(measure(args.root, data, repeat=args.repeat, rounds=args.rounds), None)
        return
    our_runs, their_runs = [], []
    for _ in range(args.passes):
        their_runs.append(run_elsewhere(args.before.resolve(), data, repeat=args.repeat, rounds=args.rounds))
        our_runs.append(run_elsewhere(args.root, data, repeat=args.repeat, rounds=args.rounds))
    report(best_costs(our_runs), best_costs(their_runs))


if __name__ == "__main__":
    main()
