"""Journalistic quality of a submission: a 0-100 score, sub-scores and findings an editor can act on.

Sub-scores (each 0-100):

- ``completeness``: the 5W1H of a report: who (named people, officials, organisations), what (enough
  substance), when (day names, dates, times), where (regions from the Kemendagri list, venues), why and how;
- ``attribution``: direct quotes and who said them ("ujarnya", "kata ...", "menurut ...", "Sumber: ...");
- ``byline``: author and editor lines ("Penulis:", "Editor:", "(nama/KIM ...)");
- ``headline``: length, all capitals, clickbait, "!!!", and whether its key words reach the lead;
- ``language``: spelling against Indonesian word lists with suggested corrections, informal spellings ("yg"),
  doubled words ("mewakili mewakili"), common non-standard forms and di- written apart or together;
- ``structure``: length and paragraphs.

Kind: ``post`` (a social-media message) or ``article``, decided by the caller. Posts are not judged on byline
and structure (nor on the headline when they have none), and those sub-scores are left out of both
``subscores`` and the total.

Spans: the title and the body are assessed separately. Findings of the ``headline`` check carry spans that
index `title` (``Span.field == "title"``); every other finding's span indexes the body `text`
(``Span.field == "text"``).

The entry point reads what the caller already computed (the normalised title and body, the places in the
body, the rule matches in the title, the genre, the stemmer and its cache); anything not given is computed
here, so the function also works on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from screening.doc import ARTICLE_MIN_WORDS, genre_for
from screening.errors import InvalidInputError
from screening.places import Place, find_places
from screening.quality.attribution import assess_attribution, assess_byline
from screening.quality.common import word_count
from screening.quality.completeness import assess_completeness
from screening.quality.headline import assess_headline
from screening.quality.spelling import assess_language
from screening.quality.structure import assess_structure
from screening.result import QualityFinding, QualityReport, RuleMatch, TextKind
from screening.stemming import BoundedStemmer
from screening.text import NormalisedText, normalise

__all__ = ["POST_MAX_WORDS", "WEIGHTS", "assess_quality", "detect_kind"]

POST_MAX_WORDS = ARTICLE_MIN_WORDS  # the one genre cut (screening.doc)

WEIGHTS: dict[str, float] = {
    "completeness": 0.25,
    "attribution": 0.20,
    "byline": 0.10,
    "headline": 0.15,
    "language": 0.15,
    "structure": 0.15,
}


@lru_cache(maxsize=1)
def _default_stemmer() -> BoundedStemmer:
    return BoundedStemmer()


@lru_cache(maxsize=1)
def _default_rules() -> Any:
    from screening.rules import RuleEngine

    return RuleEngine.from_file()


def detect_kind(title: str, doc: NormalisedText) -> TextKind:
    """The kind used when the caller gives none: the genre of the body (`screening.doc.genre_for`)."""
    return genre_for(word_count(doc))


def assess_quality(
    title: str,
    text: str,
    doc: NormalisedText | None = None,
    *,
    title_doc: NormalisedText | None = None,
    places: Sequence[Place] | None = None,
    kind: TextKind | None = None,
    title_matches: Sequence[RuleMatch] | None = None,
    stemmer: BoundedStemmer | None = None,
    author: str = "",
    language: str = "id",
    words: int | None = None,
) -> QualityReport:
    """Score the journalistic quality of a submission (0-100) with sub-scores and findings.

    `doc` and `title_doc` are ``normalise(text)`` and ``normalise(title)``; `places` the regions named in
    `text` (``find_places(text)``); `kind` the genre the caller decided; `title_matches` the rules its rule
    engine found in the title (they keep a custom rule set in force); `stemmer` shares its stem cache.
    `author` is the writer named by the submitting tool and counts as a byline. `language` is the ISO code of
    the text's language: spelling is only judged for Indonesian (``"id"``).
    Spans of ``headline`` findings index `title`; all other spans index `text`.
    """
    if not isinstance(title, str) or not isinstance(text, str):
        raise InvalidInputError("title and text must be strings")
    if doc is None or doc.original != text:
        doc = normalise(text)
    if title_doc is None or title_doc.original != title:
        title_doc = normalise(title)
    stemmer = stemmer or _default_stemmer()
    if places is None:
        places = find_places(text)
    if kind is None:
        kind = detect_kind(title, doc)
    if title_matches is None:
        title_matches = _default_rules().match(title_doc) if title.strip() else ()
    if words is None:
        words = word_count(doc)
    completeness, missing, elements = assess_completeness(text, words=words, places=places)
    parts: list[tuple[str, tuple[int, list[QualityFinding]]]] = [
        ("completeness", (completeness, missing)),
        ("attribution", assess_attribution(text)),
    ]
    if language == "id":  # other languages are not judged on spelling at all (no sub-score, no findings)
        parts.append(("language", assess_language(text, doc, stemmer=stemmer)))
    if kind == "article" or title.strip():
        headline = assess_headline(title, title_doc=title_doc, title_matches=title_matches, doc=doc, stemmer=stemmer)
        parts.append(("headline", headline))
    if kind == "article":
        parts.append(("byline", assess_byline(text, author=author)))
        parts.append(("structure", assess_structure(text, words=words)))
    subscores: dict[str, int] = {}
    findings: list[QualityFinding] = []
    for name, (score, found) in parts:
        subscores[name] = int(min(max(score, 0), 100))
        findings.extend(found)
    total_weight = sum(WEIGHTS[name] for name in subscores)
    total = sum(WEIGHTS[name] * value for name, value in subscores.items()) / total_weight
    ordered = {name: subscores[name] for name in WEIGHTS if name in subscores}
    return QualityReport(kind=kind, score=round(total), subscores=ordered, findings=tuple(findings), elements=elements)
