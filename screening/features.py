"""Features of an analysed document for the hoax model (the training side; `screening.scorer` serves them).

`LexicalFeatures` is TF-IDF over a `Doc`'s three streams: stemmed word 1-2-grams (wording, topic), character
2-5-grams of the normalised text within words (misspellings, affixes) and 1-3-grams of the stance stream, where
topic words are masked (framing and stance, which carry over to topics the training data never saw).
`cue_matrix` gives the dense cues: the style measures of the `Doc` and one feature per rule of the model's rule
set (title findings included), ``log2(1 + min(findings, 10))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from screening.doc import STREAMS, STYLE_FEATURES, Doc, stream_of
from screening.rules import RuleEngine


def split_on_space(text: str) -> list[str]:
    """Tokenizer for the already-normalised streams (module level, so a fitted vectorizer can be copied)."""
    return text.split()


def tfidf_vectorizer(
    stream: str, *, ngram_range: tuple[int, int], min_df: int, max_features: int | None
) -> TfidfVectorizer:
    """The one TF-IDF recipe every stream uses: sublinear tf, L2 norm; the scorer reproduces exactly this."""
    common: dict[str, Any] = {
        "lowercase": False,
        "ngram_range": ngram_range,
        "min_df": min_df,
        "max_features": max_features,
        "sublinear_tf": True,
        "norm": "l2",
        "use_idf": True,
        "smooth_idf": True,
        "dtype": np.float64,
    }
    if stream == "char":
        return TfidfVectorizer(analyzer="char_wb", **common)
    return TfidfVectorizer(tokenizer=split_on_space, token_pattern=None, **common)


class LexicalFeatures(BaseEstimator, TransformerMixin):
    """TF-IDF of the word, character and stance streams of documents, side by side."""

    def __init__(
        self,
        *,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        stance_ngram_range: tuple[int, int] = (1, 3),
        min_df: int = 2,
        max_char_features: int = 300_000,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.stance_ngram_range = stance_ngram_range
        self.min_df = min_df
        self.max_char_features = max_char_features

    def fit(self, docs: Sequence[Doc], y: Any = None) -> LexicalFeatures:
        min_df = self.min_df if len(docs) >= 4 * self.min_df else 1
        ranges = {"word": self.word_ngram_range, "char": self.char_ngram_range, "stance": self.stance_ngram_range}
        self.vectorizers_ = {
            stream: tfidf_vectorizer(
                stream,
                ngram_range=ranges[stream],
                min_df=min_df,
                max_features=self.max_char_features if stream == "char" else None,
            ).fit([stream_of(d, stream) for d in docs])
            for stream in STREAMS
        }
        return self

    def transform(self, docs: Sequence[Doc]) -> csr_matrix:
        return hstack([self.vectorizers_[s].transform([stream_of(d, s) for d in docs]) for s in STREAMS], format="csr")


def cue_matrix(docs: Sequence[Doc], rules: RuleEngine) -> np.ndarray:
    """Style measures and rule features of each document: one row per document."""
    rows = [list(d.style) + rules.features(d.rules) for d in docs]
    return np.asarray(rows, dtype=np.float64).reshape(len(docs), len(STYLE_FEATURES) + len(rules.rules))


def cue_names(rules: RuleEngine) -> list[str]:
    return list(STYLE_FEATURES) + rules.feature_names()
