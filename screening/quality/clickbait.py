"""A clickbait score for headlines: logistic regression on TF-IDF of normalised word 1-2-grams.

Trained on the unanimous headlines of CLICK-ID (all three annotators agree; ``resources/click_id.csv``) by
``scripts/build_clickbait_model.py``, which writes the fitted numbers as data (``clickbait_model.json``:
vocabulary, IDF, coefficients, intercept). Serving computes the same numbers as scikit-learn's pipeline
without it (a test checks this), so loading runs no code and costs a few milliseconds.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from screening.quality.common import PLACEHOLDERS
from screening.resources import RESOURCE_DIR
from screening.text import NormalisedText, Token, has_alnum, normalise

MODEL_PATH = RESOURCE_DIR / "clickbait_model.json"
NGRAMS = (1, 2)
MIN_DF = 2
C = 1.0


def _headline_words(doc: NormalisedText) -> list[Token]:
    # most words are letters or digits alone, which `isalnum` answers without a call of `has_alnum`
    return [t for t in doc.tokens if t.text not in PLACEHOLDERS and (t.text.isalnum() or has_alnum(t.text))]


def _terms(words: Sequence[Token]) -> list[str]:
    """The word 1-2-grams of the words of a headline: the unigrams, then the bigrams."""
    unigrams = [t.text for t in words]
    return unigrams + [f"{first} {second}" for first, second in zip(unigrams, unigrams[1:], strict=False)]


def _span(words: Sequence[Token], i: int) -> tuple[int, int]:
    """The original span of term `i` of `_terms(words)`."""
    if i < len(words):
        return words[i].start, words[i].end
    i -= len(words)
    return words[i].start, words[i + 1].end


def headline_terms(doc: NormalisedText) -> list[tuple[str, int, int]]:
    """The word 1-2-grams of a normalised headline, each with the original span it covers."""
    words = _headline_words(doc)
    return [(term, *_span(words, i)) for i, term in enumerate(_terms(words))]


def analyse_headline(title: str) -> list[str]:
    """The analyser the model is fitted with (module level, so a fitted pipeline pickles)."""
    return _terms(_headline_words(normalise(title)))


@dataclass(frozen=True)
class ClickbaitModel:
    """The fitted numbers: term -> (idf, coefficient), and the intercept."""

    terms: dict[str, tuple[float, float]]
    intercept: float

    def score(self, doc: NormalisedText, *, explain_above: float = 0.0) -> tuple[float, list[tuple[int, int, float]]]:
        """Probability that the headline is clickbait, and the spans of the terms that raised it most: those only when
        the probability is at least `explain_above` (none below it: a caller that reports only the headlines above a
        threshold need not rank and place the terms of the others)."""
        words = _headline_words(doc)
        terms = _terms(words)
        known = self.terms
        # the fitted (idf, coefficient) of each term the model knows, in the order terms first occur
        fitted = {t: numbers for t in terms if (numbers := known.get(t)) is not None}
        # sublinear tf times idf: a term seen once weighs its idf ((1 + log 1) * idf is idf exactly)
        weights = [idf for idf, _ in fitted.values()]
        if len(set(terms)) < len(terms):
            counts = Counter(terms)
            weights = [
                (1.0 + math.log(counts[t])) * w if counts[t] > 1 else w for t, w in zip(fitted, weights, strict=True)
            ]
        norm = math.sqrt(sum(w * w for w in weights)) or 1.0
        contributions = [w / norm * coefficient for w, (_, coefficient) in zip(weights, fitted.values(), strict=True)]
        probability = 1.0 / (1.0 + math.exp(-(self.intercept + sum(contributions))))
        if probability < explain_above:
            return probability, []
        raised = sorted(((c, t) for t, c in zip(fitted, contributions, strict=True) if c > 0), reverse=True)
        # the span of a term is that of its first occurrence
        return probability, [(*_span(words, terms.index(t)), c) for c, t in raised]

    def to_json(self) -> dict[str, Any]:
        # five significant digits change no probability by more than 1e-4 and halve the file
        terms = {t: [float(f"{i:.5g}"), float(f"{w:.5g}")] for t, (i, w) in sorted(self.terms.items())}
        return {"intercept": self.intercept, "terms": terms}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClickbaitModel:
        return cls({t: (float(v[0]), float(v[1])) for t, v in data["terms"].items()}, float(data["intercept"]))


def fit_clickbait(titles: Sequence[str], labels: Sequence[int]) -> ClickbaitModel:
    """Fit the model on headlines and 0/1 labels (scikit-learn, offline and in the evaluation only)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=analyse_headline, min_df=MIN_DF, sublinear_tf=True)
    features = vectorizer.fit_transform(titles)
    classifier = LogisticRegression(C=C, max_iter=2000, class_weight="balanced").fit(features, labels)
    idf = vectorizer.idf_
    coef = classifier.coef_[0]
    terms = {term: (float(idf[i]), float(coef[i])) for term, i in vectorizer.vocabulary_.items() if coef[i] != 0.0}
    return ClickbaitModel(terms, float(classifier.intercept_[0]))


def unanimous_headlines(path: Path = RESOURCE_DIR / "click_id.csv") -> tuple[list[str], list[int], list[str]]:
    """CLICK-ID's unanimous rows, de-duplicated case-insensitively: titles, labels (1 = clickbait), publishers."""
    import csv

    titles: list[str] = []
    labels: list[int] = []
    publishers: list[str] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = " ".join(row["title"].lower().split())
            if row["clickbait_votes"] not in ("0", "3") or key in seen:
                continue
            seen.add(key)
            titles.append(row["title"])
            labels.append(int(row["clickbait_votes"] == "3"))
            publishers.append(row["publisher"])
    return titles, labels, publishers


@lru_cache(maxsize=1)
def load_clickbait_model() -> ClickbaitModel:
    return ClickbaitModel.from_json(json.loads(MODEL_PATH.read_text("utf-8")))
