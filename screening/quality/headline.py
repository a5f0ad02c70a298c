"""Headline: length, capitals, clickbait (a model fitted on CLICK-ID and the rules' cues), shouting, and whether
its key words reach the lead. Spans index the title, except none here index the body."""

from __future__ import annotations

import re
from collections.abc import Sequence

from screening.quality.clickbait import load_clickbait_model
from screening.quality.common import MAX_FINDINGS_PER_KIND, PLACEHOLDERS, finding, word_count
from screening.resources import load_stopwords
from screening.result import QualityFinding, RuleMatch
from screening.stemming import BoundedStemmer
from screening.text import NormalisedText, capitals_share

# a headline the model finds more likely clickbait than not is reported; the penalty grows up to 30 points
CLICKBAIT_THRESHOLD = 0.5
LEAD_WORDS = 60
_PARAGRAPH_RE = re.compile(r"\n\s*\n|\n")


def _key_words(doc: NormalisedText) -> list[tuple[str, int, int]]:
    stopwords = load_stopwords()
    return [
        (t.text, t.start, t.end)
        for t in doc.tokens
        if t.text not in PLACEHOLDERS and t.text.isalpha() and len(t.text) >= 4 and t.text not in stopwords
    ]


def _lead_stems(doc: NormalisedText, stemmer: BoundedStemmer) -> set[str]:
    """Stems of the lead: the first paragraph, or the first `LEAD_WORDS` words when it is longer or missing."""
    first = _PARAGRAPH_RE.split(doc.original.strip(), maxsplit=1)[0] if doc.original.strip() else ""
    offset = doc.original.find(first) if first else 0
    end = offset + len(first)
    lead = [t.text for t in doc.tokens if t.start < end][:LEAD_WORDS]
    if len(lead) < 15:  # a dateline or a one-line opening: take the first words instead
        lead = [t.text for t in doc.tokens][:LEAD_WORDS]
    return {stemmer.stem(w) for w in lead} | set(lead)


def assess_headline(
    title: str,
    *,
    title_doc: NormalisedText,
    title_matches: Sequence[RuleMatch],
    body: NormalisedText,
    stemmer: BoundedStemmer,
) -> tuple[int, list[QualityFinding]]:
    """Headline sub-score and findings; the normalised `body` is read for its lead."""
    findings: list[QualityFinding] = []
    stripped = title.strip()
    if not stripped:
        return 0, [finding("headline", "Judul kosong.", "Tulis judul singkat yang menyebut inti berita.", None, title)]
    score = 100
    n_words = word_count(title_doc)
    whole = (title.find(stripped[0]), title.find(stripped[0]) + len(stripped))
    if n_words < 4:
        score -= 25
        findings.append(
            finding("headline", "Judul terlalu pendek.", "Gunakan 6-14 kata yang menyebut inti berita.", whole, title)
        )
    elif n_words > 20:
        score -= 20
        findings.append(finding("headline", "Judul terlalu panjang.", "Ringkas judul menjadi 6-14 kata.", whole, title))
    cased = sum(map(str.isupper, title)) + sum(map(str.islower, title))
    if cased >= 8 and capitals_share(title) > 0.8:
        score -= 30
        findings.append(
            finding(
                "headline",
                "Judul ditulis dengan huruf kapital semua.",
                "Gunakan huruf kapital hanya di awal kata.",
                whole,
                title,
                origin="shouting",
            )
        )
    cue_penalty = 0
    cue_spans: list[tuple[int, int]] = []
    for match in title_matches:
        if match.category not in ("clickbait", "shouting") or match.rule_id == "shouting_caps":
            continue  # all capitals are judged above with a headline-specific threshold
        for span in match.spans[:MAX_FINDINGS_PER_KIND]:
            cue_penalty += 15 if match.category == "clickbait" else 20
            cue_spans.append((span.start, span.end))
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
    score -= min(cue_penalty, 70)
    probability, raised = load_clickbait_model().score(title_doc)
    if probability >= CLICKBAIT_THRESHOLD:
        score -= round(60 * (probability - CLICKBAIT_THRESHOLD))
        top = next(((s, e) for s, e, _ in raised if not any(cs < e and s < ce for cs, ce in cue_spans)), None)
        where = top if top is not None else whole
        findings.append(
            finding(
                "headline",
                f"Judul bergaya umpan klik (kemungkinan {probability:.0%} menurut model judul CLICK-ID).",
                "Sebut fakta utamanya: siapa, melakukan apa, di mana; hindari teka-teki dan kata sensasional.",
                where,
                title,
                origin="clickbait_model",
            )
        )
    if body.tokens:
        keys = _key_words(title_doc)
        if len(keys) >= 2:
            lead = _lead_stems(body, stemmer)
            missing = [k for k in keys if k[0] not in lead and stemmer.stem(k[0]) not in lead]
            if len(missing) > len(keys) / 2:
                score -= 15
                words = ", ".join(f'"{title[s:e]}"' for _, s, e in missing[:4])
                findings.append(
                    finding(
                        "headline",
                        f"Kata kunci judul tidak muncul di teras berita: {words}.",
                        "Pastikan paragraf pertama menjelaskan apa yang dijanjikan judul.",
                        (missing[0][1], missing[0][2]),
                        title,
                        origin="lead",
                    )
                )
    return max(score, 0), findings
