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

Kind: the genre of the analysed document (`screening.doc.Doc.genre`, the one the classifier scored), ``post``
(a social-media message) or ``article``. Posts are not judged on byline and structure (nor on the headline when
they have none), and those sub-scores are left out of both ``subscores`` and the total.

Spans: the title and the body are assessed separately. Findings of the ``headline`` check carry spans that
index the title (``Span.field == "title"``); every other finding's span indexes the body text
(``Span.field == "text"``).

The entry point reads the analysed document (normalised title and body, places, genre, title rule matches,
language, word count, author) and the analyser's stemmer, so nothing is computed twice and the rule set in force
is the one that analysed it. On its own (a notebook, a benchmark):

    analyser = default_analyser()  # screening.doc: the bundled rule set
    report = assess_quality(analyser.analyse_text(text, title), stemmer=analyser.stemmer)
"""

from __future__ import annotations

from screening.doc import ARTICLE_MIN_WORDS, Doc
from screening.language import INDONESIAN, UNDETERMINED
from screening.patterns import PatternSet
from screening.quality import attribution, completeness
from screening.quality.attribution import assess_attribution, assess_byline
from screening.quality.common import Body
from screening.quality.completeness import assess_completeness
from screening.quality.headline import assess_headline
from screening.quality.spelling import assess_language
from screening.quality.structure import assess_structure
from screening.result import QualityFinding, QualityReport
from screening.stemming import BoundedStemmer

__all__ = ["POST_MAX_WORDS", "WEIGHTS", "assess_quality"]

POST_MAX_WORDS = ARTICLE_MIN_WORDS  # the one genre cut (screening.doc)

# the keyword patterns of the checks of the body, scanned for together in a short text (`Body`)
_KEYWORDS = PatternSet(*completeness.PATTERNS, *attribution.PATTERNS)

WEIGHTS: dict[str, float] = {
    "completeness": 0.25,
    "attribution": 0.20,
    "byline": 0.10,
    "headline": 0.15,
    "language": 0.15,
    "structure": 0.15,
}


def assess_quality(doc: Doc, *, stemmer: BoundedStemmer, suggest_spelling: bool = True) -> QualityReport:
    """Score the journalistic quality of an analysed submission (0-100) with sub-scores and findings.

    `stemmer` is the analyser's (it shares the stem cache). The author the submitting tool names counts as a
    byline; spelling is judged only for Indonesian (or an undetermined language). `suggest_spelling=False` leaves
    unknown words' findings without likely intended words (no score depends on them).
    Spans of ``headline`` findings index the title; all other spans index the body.
    """
    kind = doc.genre
    body = Body(doc.submission.text, _KEYWORDS)  # what several checks read is found once
    completeness, missing, elements = assess_completeness(body, words=doc.n_words, places=doc.places)
    parts: list[tuple[str, tuple[int, list[QualityFinding]]]] = [
        ("completeness", (completeness, missing)),
        ("attribution", assess_attribution(body)),
    ]
    if doc.language.code in (INDONESIAN, UNDETERMINED):  # others get no spelling sub-score and no findings
        parts.append(("language", assess_language(body, doc.body, suggest=suggest_spelling)))
    if kind == "article" or doc.submission.title.strip():
        parts.append(("headline", assess_headline(doc, stemmer=stemmer)))
    if kind == "article":
        parts.append(("byline", assess_byline(body, author=doc.submission.author)))
        parts.append(("structure", assess_structure(body.text, words=doc.n_words)))
    subscores: dict[str, int] = {}
    findings: list[QualityFinding] = []
    for name, (score, found) in parts:
        subscores[name] = int(min(max(score, 0), 100))
        findings.extend(found)
    total_weight = sum(WEIGHTS[name] for name in subscores)
    total = sum(WEIGHTS[name] * value for name, value in subscores.items()) / total_weight
    ordered = {name: subscores[name] for name in WEIGHTS if name in subscores}
    return QualityReport(kind=kind, score=round(total), subscores=ordered, findings=tuple(findings), elements=elements)
