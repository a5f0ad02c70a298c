"""Measured figures for the quality score, written to ``reports/quality_report.md``.

Everything is computed from the project's own data:

- spelling: false flags per 1,000 words on the IndoSum articles of the held-out outlets (`HELD_OUT_OUTLETS`;
  the word lists learn only from the other outlets), and recall on misspellings injected into their sentences
  (a letter deleted, two letters swapped, a word doubled, di- written apart or together);
- headline clickbait: ROC-AUC on CLICK-ID's unanimous headlines, out of fold, with folds grouped by publisher
  (the clickbait model is refitted on the training folds each time);
- completeness: the share of held-out professional articles judged complete, and how often the element is
  reported missing after the sentences that give the when / where / who are deleted.

    python -m screening.quality.evaluation [--out reports/quality_report.md]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from screening.quality.spelling import SpellingIssue, check_spelling
from screening.stemming import BoundedStemmer
from screening.text import normalise

# IndoSum outlets kept out of everything the word lists learn from; every spelling and completeness figure is
# measured on them. Together about 29 % of IndoSum's articles, mostly general and regional news.
HELD_OUT_OUTLETS = frozenset({"antaranews", "merdeka", "suara", "poskotanews", "rimanews"})
ROOT = Path(__file__).resolve().parents[2]
INDOSUM = ROOT / "training_data" / "indosum" / "indosum_news.jsonl"

_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")
_LOWER_WORD_RE = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")
_DI_APART_RE = re.compile(r"(?<![\w-])di ([a-z]{3,})(?![\w-])")


@dataclass(frozen=True)
class Article:
    text: str
    outlet: str
    category: str


def load_articles(path: Path = INDOSUM, *, held_out: bool = True) -> list[Article]:
    """IndoSum article bodies of the held-out outlets (or, with ``held_out=False``, of the training outlets)."""
    out: list[Article] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["part"] == "article" and (row["outlet"] in HELD_OUT_OUTLETS) == held_out:
                out.append(Article(row["text"], row["outlet"], row["category"]))
    return out


# -- spelling ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FalseFlags:
    words: int
    by_source: Counter[str]
    top_words: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(self.by_source.values())

    def per_1000(self, sources: Iterable[str] | None = None) -> float:
        wanted = set(sources) if sources is not None else set(self.by_source)
        return 1000 * sum(n for s, n in self.by_source.items() if s in wanted) / max(self.words, 1)


def spelling_flags(articles: Sequence[Article], stemmer: BoundedStemmer) -> FalseFlags:
    """Every spelling issue raised on professional news (which has few errors: nearly all of them are false)."""
    words = 0
    by_source: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for article in articles:
        issues, n = check_spelling(article.text, normalise(article.text), stemmer=stemmer)
        words += n
        for issue in issues:
            by_source[issue.source] += 1
            flagged[f"{issue.text} ({issue.source})"] += 1
    return FalseFlags(words, by_source, flagged.most_common(40))


@dataclass(frozen=True)
class InjectedError:
    kind: str  # deletion | swap | doubled | di_apart | di_joined
    sentence: str  # with the error
    start: int  # span of the erroneous text in `sentence`
    end: int
    expected: str  # what should be written instead of sentence[start:end]


def _sentences(articles: Sequence[Article]) -> list[str]:
    out: list[str] = []
    for article in articles:
        out.extend(s.strip() for s in _SENTENCE_RE.findall(article.text) if len(s.split()) >= 6)
    return out


def inject_errors(articles: Sequence[Article], *, per_kind: int = 400, seed: int = 14) -> list[InjectedError]:
    """One error per sentence, in lower-case words of held-out sentences (capitalised words are not checked)."""
    from screening.quality.lexicon import load_lexicon

    lex = load_lexicon()
    rng = random.Random(seed)
    sentences = _sentences(articles)
    cases: list[InjectedError] = []
    for kind in ("deletion", "swap", "doubled", "di_apart", "di_joined"):
        made = 0
        for sentence in rng.sample(sentences, len(sentences)):
            if made >= per_kind:
                break
            case = _inject(kind, sentence, rng, lex.standard, lex.corrections)
            if case is not None:
                cases.append(case)
                made += 1
    return cases


def _inject(
    kind: str, sentence: str, rng: random.Random, standard: frozenset[str], corrections: dict[str, str]
) -> InjectedError | None:
    if kind == "di_apart":
        # a passive verb written together ("ditandai"), split into "di tandai"
        verbs = [m for m in _LOWER_WORD_RE.finditer(sentence) if re.fullmatch(r"di[a-z]{4,}", m.group())]
        verbs = [m for m in verbs if m.group() in standard and m.group() not in corrections]
        if not verbs:
            return None
        m = rng.choice(verbs)
        wrong = "di " + m.group()[2:]
        return InjectedError(
            kind, sentence[: m.start()] + wrong + sentence[m.end() :], m.start(), m.start() + len(wrong), m.group()
        )
    if kind == "di_joined":
        apart = list(_DI_APART_RE.finditer(sentence))
        if not apart:
            return None
        m = rng.choice(apart)
        wrong = "di" + m.group(1)
        return InjectedError(
            kind, sentence[: m.start()] + wrong + sentence[m.end() :], m.start(), m.start() + len(wrong), m.group()
        )
    words = [m for m in _LOWER_WORD_RE.finditer(sentence) if len(m.group()) >= (2 if kind == "doubled" else 4)]
    if not words:
        return None
    m = rng.choice(words)
    word = m.group()
    if kind == "doubled":
        wrong = f"{word} {word}"
        return InjectedError(
            kind, sentence[: m.start()] + wrong + sentence[m.end() :], m.start(), m.start() + len(wrong), word
        )
    if kind == "deletion":
        i = rng.randrange(len(word))
        wrong = word[:i] + word[i + 1 :]
    else:
        positions = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
        if not positions:
            return None
        i = rng.choice(positions)
        wrong = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return InjectedError(
        kind, sentence[: m.start()] + wrong + sentence[m.end() :], m.start(), m.start() + len(wrong), word
    )


@dataclass(frozen=True)
class Recall:
    cases: Counter[str]
    found: Counter[str]
    right_first: Counter[str]
    real_words: Counter[str]  # injected errors that produced another real word (no word list can see those)


def _overlapping(issues: Sequence[SpellingIssue], case: InjectedError) -> SpellingIssue | None:
    for issue in issues:
        if issue.start < case.end and case.start < issue.end:
            return issue
    return None


def spelling_recall(cases: Sequence[InjectedError], stemmer: BoundedStemmer) -> Recall:
    from screening.quality.lexicon import load_lexicon

    lex = load_lexicon()
    counts: Counter[str] = Counter()
    found: Counter[str] = Counter()
    right: Counter[str] = Counter()
    real: Counter[str] = Counter()
    for case in cases:
        counts[case.kind] += 1
        wrong = case.sentence[case.start : case.end]
        if case.kind in ("deletion", "swap") and lex.known(wrong):
            real[case.kind] += 1
        issues, _ = check_spelling(case.sentence, normalise(case.sentence), stemmer=stemmer)
        issue = _overlapping(issues, case)
        if issue is None:
            continue
        found[case.kind] += 1
        if (
            issue.suggestions
            and _applied(case, issue) == case.sentence[: case.start] + case.expected + case.sentence[case.end :]
        ):
            right[case.kind] += 1
    return Recall(counts, found, right, real)


def _applied(case: InjectedError, issue: SpellingIssue) -> str:
    return case.sentence[: issue.start] + issue.suggestions[0] + case.sentence[issue.end :]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "quality_report.md")
    args = parser.parse_args(argv)
    stemmer = BoundedStemmer()
    held_out = load_articles()
    flags = spelling_flags(held_out, stemmer)
    recall = spelling_recall(inject_errors(held_out), stemmer)
    lines = [f"{flags.words} words, {flags.total} flags, {flags.per_1000():.2f}/1000", str(flags.by_source)]
    lines += [f"  {w}: {n}" for w, n in flags.top_words]
    for kind in recall.cases:
        n = recall.cases[kind]
        lines.append(
            f"{kind}: found {recall.found[kind] / n:.1%} right-first {recall.right_first[kind] / n:.1%}"
            f" real-word {recall.real_words[kind]}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
