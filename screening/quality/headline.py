"""Headline: length, capitals, clickbait and shouting cues."""

from __future__ import annotations

from collections.abc import Sequence

from screening.quality.common import MAX_FINDINGS_PER_KIND, finding, word_count
from screening.result import QualityFinding, RuleMatch
from screening.text import NormalisedText


def assess_headline(
    title: str, *, title_doc: NormalisedText, title_matches: Sequence[RuleMatch]
) -> tuple[int, list[QualityFinding]]:
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
    letters = [c for c in title if c.isalpha() and (c.isupper() or c.islower())]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        score -= 30
        findings.append(
            finding(
                "headline",
                "Judul ditulis dengan huruf kapital semua.",
                "Gunakan huruf kapital hanya di awal kata.",
                whole,
                title,
            )
        )
    cue_penalty = 0
    for match in title_matches:
        if match.category not in ("clickbait", "shouting"):
            continue
        if match.rule_id == "shouting_caps":
            continue  # counted above with a headline-specific threshold
        for span in match.spans[:MAX_FINDINGS_PER_KIND]:
            cue_penalty += 15 if match.category == "clickbait" else 20
            findings.append(
                finding(
                    "headline",
                    f'Judul memuat isyarat umpan klik: "{span.text}".',
                    "Ganti dengan judul yang langsung menyebut fakta utama.",
                    (span.start, span.end),
                    title,
                )
            )
    return max(score - min(cue_penalty, 70), 0), findings
