"""Features of a text for the hoax classifier.

`TextPreparer` runs the shared per-text steps once (normalise, stem with a bounded cache, match rules).
`LexicalFeatures` turns prepared texts into TF-IDF over stemmed word 1-2-grams (wording, topic) and
character 2-5-grams of the normalised text (misspellings, affixes). `CueFeatures` gives dense style
measurements (capitals, "!", quotes, links, emoji, length) and the rule engine's outputs, standardised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import StandardScaler

from screening.result import RuleMatch
from screening.stemming import BoundedStemmer
from screening.text import EMOJI_TOKEN, URL_TOKEN, NormalisedText, normalise

STYLE_FEATURES: tuple[str, ...] = (
    "style:capitals_share",
    "style:exclamations_per_word",
    "style:questions_per_word",
    "style:log_words",
    "style:quotes_per_word",
    "style:links_per_word",
    "style:emoji_per_word",
    "style:starts_with_quote",
)
_QUOTES = frozenset("\"“”«»")


def split_on_space(text: str) -> list[str]:
    """Tokenizer for already-normalised text (module level so fitted vectorizers pickle)."""
    return text.split()


@dataclass(frozen=True)
class PreparedText:
    """A text after the shared steps: normalised, stemmed, rules matched. Computed once per text."""

    doc: NormalisedText
    stems: str
    rule_matches: tuple[RuleMatch, ...]


def style_measures(doc: NormalisedText) -> list[float]:
    original = doc.original
    words = max(len(doc.tokens), 1)
    letters = upper = 0
    for ch in original[:20000]:  # a sample is enough for a share, and bounds the cost on huge input
        if ch.isalpha():
            letters += 1
            upper += ch.isupper()
    tokens = doc.words()
    return [
        upper / letters if letters else 0.0,
        tokens.count("!") / words,
        tokens.count("?") / words,
        math.log1p(len(tokens)),
        sum(1 for ch in original[:20000] if ch in _QUOTES) / words,
        tokens.count(URL_TOKEN) / words,
        tokens.count(EMOJI_TOKEN) / words,
        1.0 if original.lstrip()[:1] in _QUOTES else 0.0,
    ]


class TextPreparer:
    """The shared per-text steps: normalise, stem (bounded cache), match rules. Picklable."""

    def __init__(self, *, use_rules: bool = True, stem_cache_size: int = 50_000) -> None:
        self.use_rules = use_rules
        self.stem_cache_size = stem_cache_size
        self._build()

    def _build(self) -> None:
        self.stemmer = BoundedStemmer(self.stem_cache_size)
        self.rule_engine: Any = _load_rule_engine() if self.use_rules else None

    @property
    def ruleset_version(self) -> str:
        return str(self.rule_engine.version) if self.rule_engine is not None else "none"

    def prepare(self, text: str) -> PreparedText:
        doc = normalise(text)
        stems = " ".join(self.stemmer.stem_tokens(doc.words()))
        matches = tuple(self.rule_engine.match(doc)) if self.rule_engine is not None else ()
        return PreparedText(doc=doc, stems=stems, rule_matches=matches)

    def __getstate__(self) -> dict[str, Any]:
        # The stemmer rebuilds its dictionary on load; the rule engine is kept whole, so a model
        # keeps the rule set it was trained with.
        return {"use_rules": self.use_rules, "stem_cache_size": self.stem_cache_size, "rule_engine": self.rule_engine}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.use_rules = state["use_rules"]
        self.stem_cache_size = state["stem_cache_size"]
        self.stemmer = BoundedStemmer(self.stem_cache_size)
        self.rule_engine = state["rule_engine"]


class LexicalFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """TF-IDF over stemmed word n-grams and character n-grams of the normalised text."""

    def __init__(
        self,
        *,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_char_features: int = 300_000,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_char_features = max_char_features

    def fit(self, prepared: Sequence[PreparedText], y: Any = None) -> LexicalFeatures:
        min_df = self.min_df if len(prepared) >= 4 * self.min_df else 1
        self.word_vectorizer_ = TfidfVectorizer(
            tokenizer=split_on_space,
            token_pattern=None,
            lowercase=False,
            ngram_range=self.word_ngram_range,
            min_df=min_df,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit([p.stems for p in prepared])
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            lowercase=False,
            ngram_range=self.char_ngram_range,
            min_df=min_df,
            max_features=self.max_char_features,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit([p.doc.text for p in prepared])
        self.n_word_features_ = len(self.word_vectorizer_.vocabulary_)
        return self

    def transform(self, prepared: Sequence[PreparedText]) -> csr_matrix:
        words = self.word_vectorizer_.transform([p.stems for p in prepared])
        chars = self.char_vectorizer_.transform([p.doc.text for p in prepared])
        return hstack([words, chars], format="csr")

    def word_names(self) -> np.ndarray:
        return np.asarray(self.word_vectorizer_.get_feature_names_out(), dtype=object)


class CueFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Dense, standardised style measurements and rule-engine outputs."""

    def __init__(self, *, rule_feature_names: tuple[str, ...] = ()) -> None:
        self.rule_feature_names = rule_feature_names

    def _raw(self, prepared: Sequence[PreparedText], rule_engine: Any) -> np.ndarray:
        rows = []
        for p in prepared:
            row = style_measures(p.doc)
            if rule_engine is not None:
                row.extend(rule_engine.features(list(p.rule_matches)))
            rows.append(row)
        return np.asarray(rows, dtype=np.float64).reshape(len(prepared), -1)

    def fit(self, prepared: Sequence[PreparedText], rule_engine: Any = None) -> CueFeatures:
        self.names_ = list(STYLE_FEATURES) + (
            [f"rule:{n}" for n in rule_engine.feature_names()] if rule_engine is not None else []
        )
        self.scaler_ = StandardScaler().fit(self._raw(prepared, rule_engine))
        return self

    def transform(self, prepared: Sequence[PreparedText], rule_engine: Any = None) -> np.ndarray:
        return np.asarray(self.scaler_.transform(self._raw(prepared, rule_engine)))


def _load_rule_engine() -> Any:
    from screening.rules import RuleEngine  # local: the rules package imports text, not features

    return RuleEngine.from_file()
