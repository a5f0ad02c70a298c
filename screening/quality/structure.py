"""Structure: length and paragraphs."""

from __future__ import annotations

import re

from screening.quality.common import finding
from screening.result import QualityFinding

_PARAGRAPH_SPLIT_RE = re.compile(r"\n\s*\n")


def assess_structure(text: str, *, words: int) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    paragraphs = [p for p in _PARAGRAPH_SPLIT_RE.split(text) if p.strip()]
    if len(paragraphs) <= 1:
        paragraphs = [line for line in text.splitlines() if line.strip()]
    if words < 50:
        length = 20
    elif words < 100:
        length = 50
    elif words < 150:
        length = 75
    else:
        length = 100
    if length < 100:
        findings.append(
            finding(
                "structure",
                f"Berita terlalu pendek ({words} kata).",
                "Tulis minimal 150 kata dengan informasi lengkap.",
                None,
                text,
            )
        )
    n_par = len(paragraphs)
    para_score = 100 if n_par >= 3 else 60 if n_par == 2 else 30
    if n_par < 3:
        findings.append(
            finding(
                "structure",
                "Teks tidak dibagi menjadi paragraf.",
                "Bagi berita menjadi beberapa paragraf pendek.",
                None,
                text,
            )
        )
    # a paragraph is too long past 150 words: splitting off 150 of them tells (`maxsplit`), not all of them; 151
    # words take at least 301 characters, so a shorter paragraph is not split at all
    if any(len(p) > 300 and len(p.split(maxsplit=150)) > 150 for p in paragraphs):
        para_score -= 20
        findings.append(
            finding(
                "structure",
                "Ada paragraf yang terlalu panjang.",
                "Pecah paragraf panjang (lebih dari 150 kata).",
                None,
                text,
            )
        )
    return round((length + max(para_score, 0)) / 2), findings
