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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from screening.quality.spelling import SpellingIssue, check_spelling
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
    article_id: str = ""


def load_articles(path: Path = INDOSUM, *, held_out: bool = True) -> list[Article]:
    """IndoSum article bodies of the held-out outlets (or, with ``held_out=False``, of the training outlets)."""
    out: list[Article] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["part"] == "article" and (row["outlet"] in HELD_OUT_OUTLETS) == held_out:
                out.append(Article(row["text"], row["outlet"], row["category"], row["indosum_id"]))
    return out


# -- spelling ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FalseFlags:
    words: int
    by_source: Counter[str]
    top_words: list[tuple[str, int]]
    flags: list[tuple[str, SpellingIssue]]  # (article id, issue)

    @property
    def total(self) -> int:
        return sum(self.by_source.values())

    def per_1000(self, sources: Iterable[str] | None = None) -> float:
        wanted = set(sources) if sources is not None else set(self.by_source)
        return 1000 * sum(n for s, n in self.by_source.items() if s in wanted) / max(self.words, 1)


def spelling_flags(articles: Sequence[Article]) -> FalseFlags:
    """Every spelling issue raised on professional news (which has few errors: nearly all of them are false)."""
    words = 0
    by_source: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    flags: list[tuple[str, SpellingIssue]] = []
    for article in articles:
        issues, n = check_spelling(article.text, normalise(article.text))
        words += n
        for issue in issues:
            by_source[issue.source] += 1
            flagged[f"{issue.text} ({issue.source})"] += 1
            flags.append((article.article_id, issue))
    return FalseFlags(words, by_source, flagged.most_common(30), flags)


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


def spelling_recall(cases: Sequence[InjectedError]) -> Recall:
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
        issues, _ = check_spelling(case.sentence, normalise(case.sentence))
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


LABELS = ROOT / "reports" / "quality_flag_labels.tsv"
SAMPLE_PER_SOURCE = {"lexicon": 150, "kbbi": 40, "di_preposition": 40, "doubled_word": 40, "slang": 30, "di_prefix": 27}


def flag_sample(flags: FalseFlags, *, seed: int = 2024) -> list[tuple[str, SpellingIssue]]:
    """A fixed random sample of the flags of each source, for reading by hand."""
    out: list[tuple[str, SpellingIssue]] = []
    for source, n in SAMPLE_PER_SOURCE.items():
        pool = [f for f in flags.flags if f[1].source == source]
        rng = random.Random(f"{seed}-{source}")  # one stream per source: a change in one leaves the others
        out.extend(rng.sample(pool, min(n, len(pool))))
    return out


def read_labels(path: Path = LABELS) -> dict[tuple[str, int, str], str]:
    """(article id, start, text) -> "error" (a real error in the news text) or "correct" (a false flag)."""
    labels: dict[tuple[str, int, str], str] = {}
    if not path.exists():
        return labels
    for line in path.read_text("utf-8").split("\n"):
        if line.startswith("#") or line.count("\t") < 4:
            continue
        article_id, start, text, _source, label = line.split("\t")[:5]
        if label in ("error", "correct"):
            labels[(article_id, int(start), text)] = label
    return labels


@dataclass(frozen=True)
class FalseFlagEstimate:
    sampled: Counter[str]  # per source: flags in the sample
    labelled: Counter[str]  # of them, read and labelled
    correct: Counter[str]  # of those, flags on correct text (false flags)

    def false_share(self, source: str) -> float:
        """Share of false flags in the labelled sample; a source nobody labelled counts as all false."""
        n = self.labelled[source]
        return self.correct[source] / n if n else 1.0


def estimate_false_flags(flags: FalseFlags, labels: dict[tuple[str, int, str], str]) -> FalseFlagEstimate:
    sampled: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for article_id, issue in flag_sample(flags):
        sampled[issue.source] += 1
        label = labels.get((article_id, issue.start, issue.text))
        if label is not None:
            labelled[issue.source] += 1
            correct[issue.source] += label == "correct"
    return FalseFlagEstimate(sampled, labelled, correct)


def write_label_sheet(flags: FalseFlags, articles: Sequence[Article], path: Path) -> int:
    """Add the sampled flags that have no label yet to `path`, with their context, for reading by hand."""
    labels = read_labels(path)
    texts = {a.article_id: a.text for a in articles}
    new = [f for f in flag_sample(flags) if (f[0], f[1].start, f[1].text) not in labels]
    with open(path, "a", encoding="utf-8") as out:
        for article_id, issue in new:
            context = " ".join(texts[article_id][max(issue.start - 50, 0) : issue.end + 50].split())
            out.write(f"{article_id}\t{issue.start}\t{issue.text}\t{issue.source}\t?\t# {context}\n")
    return len(new)


# -- headline clickbait -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClickbaitFigures:
    n: int
    clickbait: int
    pooled_auc: float
    per_publisher: dict[str, tuple[int, float]]  # publisher -> (rows, ROC-AUC of its held-out fold)
    rules_auc: float  # the rules' clickbait cues alone, as a 0/1-count score (their phrases saw all of CLICK-ID)


def clickbait_figures() -> ClickbaitFigures:
    """Out-of-fold clickbait probabilities on CLICK-ID's unanimous rows, one fold per publisher."""
    from sklearn.metrics import roc_auc_score

    from screening.quality.clickbait import fit_clickbait, unanimous_headlines
    from screening.rules import RuleEngine

    titles, labels, publishers = unanimous_headlines()
    scores = [0.0] * len(titles)
    per: dict[str, tuple[int, float]] = {}
    for publisher in sorted(set(publishers)):
        test = [i for i, p in enumerate(publishers) if p == publisher]
        train = [i for i, p in enumerate(publishers) if p != publisher]
        model = fit_clickbait([titles[i] for i in train], [labels[i] for i in train])
        for i in test:
            scores[i] = model.score(normalise(titles[i]))[0]
        per[publisher] = (len(test), float(roc_auc_score([labels[i] for i in test], [scores[i] for i in test])))
    engine = RuleEngine.from_file()
    cues = [
        sum(len(m.spans) for m in engine.match(normalise(t)) if m.category in ("clickbait", "shouting")) for t in titles
    ]
    return ClickbaitFigures(
        len(titles), sum(labels), float(roc_auc_score(labels, scores)), per, float(roc_auc_score(labels, cues))
    )


# -- completeness -------------------------------------------------------------------------------------------------

_WHEN_WORDS_RE = re.compile(
    r"\b(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|januari|februari|maret|april|mei|juni|juli|agustus"
    r"|september|oktober|november|desember|pukul|kemarin|besok|lusa|semalam|pekan|bulan|tahun|hari|pagi|siang|sore"
    r"|malam|wib)\b|\d",
    re.IGNORECASE,
)
_WHERE_WORDS_RE = re.compile(
    r"\b(?:di|ke|dari|desa|kelurahan|kecamatan|kabupaten|kota|provinsi|jalan|gedung|kantor|balai|lapangan)\b",
    re.IGNORECASE,
)
_WHO_WORDS_RE = re.compile(r"(?<=\S )[A-Z]|\b(?:kata|ujar|menurut|mengatakan|ketua|kepala|warga|petugas)\b")


@dataclass(frozen=True)
class CompletenessFigures:
    n: int
    complete: int  # no element reported missing
    present: Counter[str]  # per element: articles where it was found
    deleted: dict[str, tuple[int, int]]  # element -> (incomplete articles made, of which judged missing it)


def completeness_figures(articles: Sequence[Article], *, per_element: int = 100) -> CompletenessFigures:
    """How often professional articles are judged complete, and whether deleting an element is noticed.

    The incomplete articles are made with deletion rules written apart from the detector and broader than it:
    every sentence with a digit or a time word (when), with "di/ke/dari", a region word or a listed region name
    (where), or with a
    capitalised word inside it or a reporting verb (who). Articles left with under 40 words are not used.
    """
    from screening.places import find_places
    from screening.quality.common import word_count
    from screening.quality.completeness import find_elements

    def elements(text: str) -> Mapping[str, object]:
        return find_elements(text, words=word_count(normalise(text)), places=find_places(text))

    complete = 0
    present: Counter[str] = Counter()
    for article in articles:
        found = elements(article.text)
        complete += all(v is not None for v in found.values())
        present.update(k for k, v in found.items() if v is not None)
    deleted: dict[str, tuple[int, int]] = {}
    for element, rule in (("when", _WHEN_WORDS_RE), ("where", _WHERE_WORDS_RE), ("who", _WHO_WORDS_RE)):
        made = noticed = 0
        for article in articles:
            if made >= per_element:
                break
            kept = [
                s
                for s in _SENTENCE_RE.findall(article.text)
                if not rule.search(s) and not (element == "where" and find_places(s))
            ]
            text = " ".join(s.strip() for s in kept)
            if len(text.split()) < 40:
                continue
            made += 1
            noticed += elements(text)[element] is None
        deleted[element] = (made, noticed)
    return CompletenessFigures(len(articles), complete, present, deleted)


def _pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f} %" if b else "n/a"


def render(
    *,
    flags: FalseFlags,
    estimate: FalseFlagEstimate,
    recall: Recall,
    clickbait: ClickbaitFigures,
    completeness: CompletenessFigures,
    articles: int,
) -> str:
    """The report as Markdown."""
    sources = ["lexicon", "kbbi", "slang", "doubled_word", "di_prefix", "di_preposition"]
    false_per_1000 = sum(flags.by_source[s] * estimate.false_share(s) for s in flags.by_source) * 1000 / flags.words
    total_cases = sum(recall.cases.values())
    found = sum(recall.found.values())
    right = sum(recall.right_first.values())
    out = [
        "# Quality score: measured figures",
        "",
        "Written by `python -m screening.quality.evaluation` from the project's own data (IndoSum in",
        "`training_data/indosum`, CLICK-ID in `screening/resources/click_id.csv`). Do not edit by hand.",
        "",
        "## Spelling (language sub-score)",
        "",
        f"Held-out professional news: the {articles:,} IndoSum articles of {', '.join(sorted(HELD_OUT_OUTLETS))}",
        f"({flags.words:,} words). The word lists learn from the other outlets only.",
        "",
        "Every flag on this text, per 1,000 words, and the share of them that are false (the word is correct),",
        f"from a random sample per source read by hand (`{LABELS.relative_to(ROOT)}`; a flag is a real error",
        "when the news text itself is misspelt or non-standard per KBBI):",
        "",
        "| source | flags | per 1,000 words | sampled | read | false in the sample | false per 1,000 words |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for source in sources:
        n = flags.by_source[source]
        share = estimate.false_share(source)
        out.append(
            f"| {source} | {n:,} | {1000 * n / flags.words:.2f} | {estimate.sampled[source]} |"
            f" {estimate.labelled[source]} | {_pct(estimate.correct[source], estimate.labelled[source])} |"
            f" {1000 * n * share / flags.words:.2f} |"
        )
    out += [
        f"| **all** | {flags.total:,} | {flags.per_1000():.2f} | {sum(estimate.sampled.values())} |"
        f" {sum(estimate.labelled.values())} | | **{false_per_1000:.2f}** |",
        "",
        "Injected misspellings: one per held-out sentence, in a lower-case word (capitalised words are names or",
        "sentence starts and are not spell-checked), found when a finding covers it, right when its first",
        "suggestion restores the sentence:",
        "",
        "| error | cases | found | right suggestion first | made another known word |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    mean_auc = sum(a for _, a in clickbait.per_publisher.values()) / len(clickbait.per_publisher)
    names = {
        "deletion": "a letter deleted",
        "swap": "two letters swapped",
        "doubled": "a word doubled",
        "di_apart": '"ditandai" -> "di tandai"',
        "di_joined": '"di rumah" -> "dirumah"',
    }
    for kind, label in names.items():
        n = recall.cases[kind]
        out.append(
            f"| {label} | {n} | {_pct(recall.found[kind], n)} | {_pct(recall.right_first[kind], n)} |"
            f" {recall.real_words[kind]} |"
        )
    out += [
        f"| **all** | {total_cases} | **{_pct(found, total_cases)}** | **{_pct(right, total_cases)}** | |",
        "",
        "Most flagged words on the held-out news:",
        "",
        ", ".join(f"{w} {n}" for w, n in flags.top_words),
        "",
        "## Headline clickbait",
        "",
        f"CLICK-ID's unanimous headlines, de-duplicated: {clickbait.n:,} ({clickbait.clickbait:,} clickbait). The",
        "model is refitted with each publisher held out and scores that publisher's headlines (12 folds).",
        "",
        f"- ROC-AUC of the pooled out-of-fold scores: **{clickbait.pooled_auc:.3f}**",
        f"- mean ROC-AUC over the held-out publishers: {mean_auc:.3f}",
        f"- the rules' clickbait and shouting cues alone (a count; not out of fold, their phrases were derived from"
        f" all of CLICK-ID): {clickbait.rules_auc:.3f}",
        "",
        "| held-out publisher | headlines | ROC-AUC |",
        "| --- | ---: | ---: |",
    ]
    out += [f"| {p} | {n} | {a:.3f} |" for p, (n, a) in sorted(clickbait.per_publisher.items())]
    c = completeness
    out += [
        "",
        "## Completeness (5W1H)",
        "",
        f"The same {c.n:,} held-out professional articles: **{_pct(c.complete, c.n)}** are judged complete (no",
        "element reported missing). Each element was found in:",
        "",
        "| who | what | when | where | why | how |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        "| " + " | ".join(_pct(c.present[e], c.n) for e in ("who", "what", "when", "where", "why", "how")) + " |",
        "",
        "Incomplete articles made by deleting every sentence that could carry the element (rules written apart",
        "from the detector: a digit or a time word for *when*; di/ke/dari, a region word or a listed region for",
        "*where*; a",
        "capitalised word inside the sentence or a reporting verb for *who*); articles left under 40 words skipped:",
        "",
        "| element deleted | articles | reported missing |",
        "| --- | ---: | ---: |",
    ]
    out += [f"| {e} | {m} | {_pct(k, m)} |" for e, (m, k) in c.deleted.items()]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "quality_report.md")
    parser.add_argument(
        "--label-sheet", action="store_true", help=f"append the sampled flags not yet labelled to {LABELS.name}"
    )
    args = parser.parse_args(argv)
    held_out = load_articles()
    flags = spelling_flags(held_out)
    if args.label_sheet:
        print(f"{write_label_sheet(flags, held_out, LABELS)} flags to label in {LABELS}")
        return
    report = render(
        flags=flags,
        estimate=estimate_false_flags(flags, read_labels()),
        recall=spelling_recall(inject_errors(held_out)),
        clickbait=clickbait_figures(),
        completeness=completeness_figures(held_out),
        articles=len(held_out),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
