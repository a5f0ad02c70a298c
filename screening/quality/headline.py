"""Headline: length, capitals, clickbait (a model fitted on CLICK-ID and the rules' cues), shouting, and whether
its key words reach the lead. Spans index the title, except none here index the body."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import takewhile
from operator import attrgetter

from screening.doc import Doc
from screening.quality.clickbait import load_clickbait_model
from screening.quality.common import MAX_FINDINGS_PER_KIND, PLACEHOLDERS, finding, word_count
from screening.resources import load_stopwords
from screening.result import QualityFinding, RuleMatch
from screening.stemming import BoundedStemmer
from screening.text import CAPITALS_SAMPLE_CHARS, NormalisedText, Token

# a headline the model finds more likely clickbait than not is reported; the penalty grows up to 30 points
CLICKBAIT_THRESHOLD = 0.5
LEAD_WORDS = 60
_START = attrgetter("start")
_TEXT = attrgetter("text")

Check = tuple[int, list[QualityFinding]]  # one check's penalty and its findings


def _key_words(doc: NormalisedText) -> list[Token]:
    stopwords = load_stopwords()
    return [
        t
        for t in doc.tokens
        if len(t.text) >= 4 and t.text.isalpha() and t.text not in PLACEHOLDERS and t.text not in stopwords
    ]


def _lead_size(doc: Doc) -> int:
    """How many tokens the lead has: the first paragraph's, or the first `LEAD_WORDS` when it is longer or has
    fewer than 15 (a dateline or a one-line opening)."""
    original, tokens = doc.body.original, doc.body.tokens
    # the first line: up to the first line break after the leading spaces (a paragraph break starts with one too),
    # (no token starts in the spaces around a line, so they may count as part of it)
    end = original.find("\n", len(original) - len(original.lstrip())) if "\n" in original else -1
    # the tokens that start before `end`, in the order of the text (`screening.text.normalise`); on one line (most
    # posts) all of them
    n = len(list(takewhile(end.__gt__, map(_START, tokens[:LEAD_WORDS])))) if end >= 0 else min(len(tokens), LEAD_WORDS)
    return LEAD_WORDS if n < 15 else n


def assess_headline(doc: Doc, *, stemmer: BoundedStemmer) -> tuple[int, list[QualityFinding]]:
    """Headline sub-score and findings (the title's spans); the analysed body is read for its lead."""
    title, title_doc = doc.submission.title, doc.title
    stripped = title.strip()
    if not stripped:
        return 0, [finding("headline", "Judul kosong.", "Tulis judul singkat yang menyebut inti berita.", None, title)]
    whole = (title.find(stripped[0]), title.find(stripped[0]) + len(stripped))
    cues = _rule_cues(title, doc.title_rules)
    cue_spans = [(f.span.start, f.span.end) for f in cues[1] if f.span is not None]
    checks = [
        _length(title, title_doc, whole),
        _capitals(title_doc, whole),
        cues,
        _clickbait(title, title_doc, whole, cue_spans),
    ]
    if doc.body.tokens:
        checks.append(_lead(title, doc, stemmer))
    findings = [f for _, found in checks for f in found]
    return max(100 - sum(penalty for penalty, _ in checks), 0), findings


def _length(title: str, title_doc: NormalisedText, whole: tuple[int, int]) -> Check:
    """Too short or too long a headline."""
    n_words = word_count(title_doc)
    if n_words < 4:
        return 25, [
            finding("headline", "Judul terlalu pendek.", "Gunakan 6-14 kata yang menyebut inti berita.", whole, title)
        ]
    if n_words > 20:
        return 20, [finding("headline", "Judul terlalu panjang.", "Ringkas judul menjadi 6-14 kata.", whole, title)]
    return 0, []


def _capitals(title_doc: NormalisedText, whole: tuple[int, int]) -> Check:
    """A headline in capitals throughout (judged here with a headline's own threshold)."""
    title = title_doc.original
    upper, cased = title_doc.letter_cases  # a share of capitals read from the first CAPITALS_SAMPLE_CHARS
    share = upper / cased if cased else 0.0
    if len(title) > CAPITALS_SAMPLE_CHARS:
        cased = sum(map(str.isupper, title)) + sum(map(str.islower, title))
    if cased < 8 or share <= 0.8:
        return 0, []
    return 30, [
        finding(
            "headline",
            "Judul ditulis dengan huruf kapital semua.",
            "Gunakan huruf kapital hanya di awal kata.",
            whole,
            title,
            origin="shouting",
        )
    ]


def _rule_cues(title: str, title_matches: Sequence[RuleMatch]) -> Check:
    """The rules' clickbait and shouting cues in the title, one finding per span."""
    penalty = 0
    findings: list[QualityFinding] = []
    for match in title_matches:
        if match.category not in ("clickbait", "shouting") or match.rule_id == "shouting_caps":
            continue  # all capitals are judged in `_capitals` with a headline-specific threshold
        for span in match.spans[:MAX_FINDINGS_PER_KIND]:
            penalty += 15 if match.category == "clickbait" else 20
            findings.append(
                finding(
                    "headline",
                    f'Judul memuat isyarat umpan klik: "{span.text}".',
                    "Ganti dengan judul yang langsung menyebut fakta utama.",
                    (span.start, span.end),
                    title,
                    origin=match.rule_id,
                )
            )
    return min(penalty, 70), findings


def _clickbait(
    title: str, title_doc: NormalisedText, whole: tuple[int, int], cue_spans: Sequence[tuple[int, int]]
) -> Check:
    """The CLICK-ID headline model; its finding points at the word that raised it most outside the rules' cues."""
    probability, raised = load_clickbait_model().score(title_doc, explain_above=CLICKBAIT_THRESHOLD)
    if probability < CLICKBAIT_THRESHOLD:
        return 0, []
    top = next(((s, e) for s, e, _ in raised if not any(cs < e and s < ce for cs, ce in cue_spans)), None)
    return round(60 * (probability - CLICKBAIT_THRESHOLD)), [
        finding(
            "headline",
            f"Judul bergaya umpan klik (kemungkinan {probability:.0%} menurut model judul CLICK-ID).",
            "Sebut fakta utamanya: siapa, melakukan apa, di mana; hindari teka-teki dan kata sensasional.",
            top if top is not None else whole,
            title,
            origin="clickbait_model",
        )
    ]


def _lead(title: str, doc: Doc, stemmer: BoundedStemmer) -> Check:
    """Whether most of the headline's key words reach the lead."""
    keys = _key_words(doc.title)
    if len(keys) < 2:
        return 0, []
    n = _lead_size(doc)
    lead = set(map(_TEXT, doc.body.tokens[:n]))
    unmet = [k for k in keys if k.text not in lead]  # a key word written in the lead is met whatever its stem
    if len(unmet) <= len(keys) / 2:
        return 0, []
    # the analyser's stems of the lead's tokens: what `stemmer.stem` gives for each (the same stemmer made them)
    lead.update(doc.stems[:n])
    missing = [k for k in unmet if k.text not in lead and stemmer.stem(k.text) not in lead]
    if len(missing) <= len(keys) / 2:
        return 0, []
    words = ", ".join(f'"{title[s:e]}"' for _, s, e in missing[:4])
    return 15, [
        finding(
            "headline",
            f"Kata kunci judul tidak muncul di teras berita: {words}.",
            "Pastikan paragraf pertama menjelaskan apa yang dijanjikan judul.",
            (missing[0].start, missing[0].end),
            title,
            origin="lead",
        )
    ]
