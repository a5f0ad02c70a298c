"""Features of a text for the hoax classifier.

`TextPreparer` runs the shared per-text steps once (normalise, stem with a bounded cache, match rules).
`LexicalFeatures` turns prepared texts into TF-IDF over stemmed word 1-2-grams (wording, topic),
character 2-5-grams of the normalised text (misspellings, affixes) and 1-3-grams of the text with topic
words masked (framing and stance). `CueFeatures` gives dense style
measurements (capitals, "!", quotes, links, emoji, length) and the rule engine's outputs, standardised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import StandardScaler

from screening.resources import load_function_words
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
_QUOTES = frozenset('"“”«»')


def split_on_space(text: str) -> list[str]:
    """Tokenizer for already-normalised text (module level so fitted vectorizers pickle)."""
    return text.split()


def mask_topic_words(tokens: list[str]) -> str:
    """Keep function and stance words, punctuation and placeholders; mask the rest ("*", numbers "#").

    N-grams of the result describe how a text frames its claim, not what it is about, which carries over
    to topics the training data never saw.
    """
    keep = load_function_words()
    out = []
    for tok in tokens:
        if tok in keep or not tok.isalnum() or tok.endswith("token"):
            out.append(tok)
        elif tok.isdigit():
            out.append("#")
        else:
            out.append("*")
    return " ".join(out)


@dataclass(frozen=True)
class PreparedText:
    """A text after the shared steps: normalised, stemmed, rules matched. Computed once per text."""

    doc: NormalisedText
    stems: str
    rule_matches: tuple[RuleMatch, ...]
    stance: str  # the normalised text with topic words masked


def style_measures(doc: NormalisedText) -> list[float]:
    # a sample is enough for a share, and bounds the cost on huge input
    sample = doc.original[:20000]
    letters = sum(map(str.isalpha, sample))
    upper = sum(map(str.isupper, sample))
    words = max(len(doc.tokens), 1)
    tokens = doc.words()
    return [
        upper / letters if letters else 0.0,
        tokens.count("!") / words,
        tokens.count("?") / words,
        math.log1p(len(tokens)),
        sum(sample.count(q) for q in _QUOTES) / words,
        tokens.count(URL_TOKEN) / words,
        tokens.count(EMOJI_TOKEN) / words,
        1.0 if sample.lstrip()[:1] in _QUOTES else 0.0,
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
        words = doc.words()
        stems = " ".join(self.stemmer.stem_tokens(words))
        matches = tuple(self.rule_engine.match(doc)) if self.rule_engine is not None else ()
        return PreparedText(doc=doc, stems=stems, rule_matches=matches, stance=mask_topic_words(words))

    def __getstate__(self) -> dict[str, Any]:
        # The stemmer rebuilds its dictionary on load; the rule engine is kept whole, so a model
        # keeps the rule set it was trained with.
        return {"use_rules": self.use_rules, "stem_cache_size": self.stem_cache_size, "rule_engine": self.rule_engine}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.use_rules = state["use_rules"]
        self.stem_cache_size = state["stem_cache_size"]
        self.stemmer = BoundedStemmer(self.stem_cache_size)
        self.rule_engine = state["rule_engine"]


class _ServingTfidf:
    """The transform of a fitted TfidfVectorizer, rewritten for serving speed; same numbers as sklearn's.

    Character n-grams never cross a word (`char_wb`), so each word's feature ids are computed once and kept
    in a bounded cache; word n-grams are looked up directly. Skips sklearn's per-call input validation,
    which costs more than the arithmetic for a single text.
    """

    def __init__(self, vectorizer: TfidfVectorizer, *, cache_size: int = 100_000) -> None:
        self.vectorizer = vectorizer
        self.cache_size = cache_size
        self._build()

    def _build(self) -> None:
        vec = self.vectorizer
        self.vocabulary = vec.vocabulary_
        self.idf = np.asarray(vec.idf_, dtype=np.float64)
        self.n_features = len(self.idf)
        self.char = vec.analyzer == "char_wb"
        self.ngram_range = vec.ngram_range
        self._names: np.ndarray | None = None
        if self.char:
            vocab, ngrams = self.vocabulary, vec._char_wb_ngrams

            def word_ids(word: str) -> tuple[int, ...]:
                return tuple(i for i in map(vocab.get, ngrams(word)) if i is not None)

            self._word_ids = lru_cache(maxsize=self.cache_size)(word_ids)

    def _ids(self, text: str) -> list[int]:
        if self.char:
            ids: list[int] = []
            for word in text.split():
                ids.extend(self._word_ids(word))
            return ids
        tokens = text.split()
        vocab = self.vocabulary
        lo, hi = self.ngram_range
        grams: list[str] = list(tokens) if lo == 1 else []
        if hi >= 2 and lo <= 2:
            grams.extend(map(" ".join, zip(tokens, tokens[1:], strict=False)))
        if hi >= 3 and lo <= 3:
            grams.extend(map(" ".join, zip(tokens, tokens[1:], tokens[2:], strict=False)))
        for n in range(max(lo, 4), hi + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return [i for i in map(vocab.get, grams) if i is not None]

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        if len(texts) == 1:
            return self._transform_one(texts[0])
        ids: list[int] = []
        lengths = []
        for text in texts:
            doc_ids = self._ids(text)
            ids.extend(doc_ids)
            lengths.append(len(doc_ids))
        n_rows = len(lengths)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        x = csr_matrix((np.ones(len(ids)), np.asarray(ids, dtype=np.int64), indptr), shape=(n_rows, self.n_features))
        x.sum_duplicates()  # counts per (text, feature)
        x.data = (np.log(x.data) + 1.0) * self.idf[x.indices]  # sublinear tf times idf
        row_of = np.repeat(np.arange(n_rows), np.diff(x.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=x.data * x.data, minlength=n_rows))
        x.data /= norms[row_of]
        return x.astype(np.float32)

    def _transform_one(self, text: str) -> csr_matrix:
        # the common case when serving; np.unique beats building and sorting a sparse matrix
        cols, counts = np.unique(np.asarray(self._ids(text), dtype=np.int64), return_counts=True)
        values = (np.log(counts) + 1.0) * self.idf[cols]
        if values.size:
            values /= np.sqrt(np.dot(values, values))
        return csr_matrix((values.astype(np.float32), cols, np.array([0, len(cols)])), shape=(1, self.n_features))

    def feature_names(self) -> np.ndarray:
        """Feature names by column index (built once; sklearn's sorts the vocabulary on every call)."""
        if self._names is None:
            names = np.empty(self.n_features, dtype=object)
            for term, column in self.vocabulary.items():
                names[column] = term
            self._names = names
        return self._names

    def __getstate__(self) -> dict[str, Any]:
        return {"vectorizer": self.vectorizer, "cache_size": self.cache_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.vectorizer = state["vectorizer"]
        self.cache_size = state["cache_size"]
        self._build()


class LexicalFeatures(BaseEstimator, TransformerMixin):
    """TF-IDF over stemmed word n-grams and character n-grams of the normalised text."""

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

    def fit(self, prepared: Sequence[PreparedText], y: Any = None) -> LexicalFeatures:
        min_df = self.min_df if len(prepared) >= 4 * self.min_df else 1

        def on_tokens(ngram_range: tuple[int, int]) -> TfidfVectorizer:
            # the texts are already normalised and space-separated
            return TfidfVectorizer(
                tokenizer=split_on_space,
                token_pattern=None,
                lowercase=False,
                ngram_range=ngram_range,
                min_df=min_df,
                sublinear_tf=True,
                dtype=np.float32,
            )

        self.word_vectorizer_ = on_tokens(self.word_ngram_range).fit([p.stems for p in prepared])
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            lowercase=False,
            ngram_range=self.char_ngram_range,
            min_df=min_df,
            max_features=self.max_char_features,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit([p.doc.text for p in prepared])
        self.stance_vectorizer_ = on_tokens(self.stance_ngram_range).fit([p.stance for p in prepared])
        self.n_word_features_ = len(self.word_vectorizer_.vocabulary_)
        self.serving_ = [
            _ServingTfidf(v) for v in (self.word_vectorizer_, self.char_vectorizer_, self.stance_vectorizer_)
        ]
        return self

    def transform(self, prepared: Sequence[PreparedText]) -> csr_matrix:
        words, chars, stance = self.serving_
        parts = [
            words.transform([p.stems for p in prepared]),
            chars.transform([p.doc.text for p in prepared]),
            stance.transform([p.stance for p in prepared]),
        ]
        if len(prepared) != 1:
            return hstack(parts, format="csr")
        # one row: the blocks' columns are disjoint ranges, so joining them is concatenation with offsets
        offsets = np.cumsum([0] + [part.shape[1] for part in parts[:-1]])
        indices = np.concatenate([part.indices + offset for part, offset in zip(parts, offsets, strict=True)])
        data = np.concatenate([part.data for part in parts])
        width = sum(part.shape[1] for part in parts)
        return csr_matrix((data, indices, np.array([0, len(indices)])), shape=(1, width))

    def sklearn_transform(self, prepared: Sequence[PreparedText]) -> csr_matrix:
        """The same matrix through scikit-learn's own transform (the reference the tests compare with)."""
        return hstack(
            [
                self.word_vectorizer_.transform([p.stems for p in prepared]),
                self.char_vectorizer_.transform([p.doc.text for p in prepared]),
                self.stance_vectorizer_.transform([p.stance for p in prepared]),
            ],
            format="csr",
        )

    def word_names(self) -> np.ndarray:
        return self.serving_[0].feature_names()


class CueFeatures(BaseEstimator, TransformerMixin):
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
        self.names_ = list(STYLE_FEATURES) + (list(rule_engine.feature_names()) if rule_engine is not None else [])
        self.scaler_ = StandardScaler().fit(self._raw(prepared, rule_engine))
        return self

    def transform(self, prepared: Sequence[PreparedText], rule_engine: Any = None) -> np.ndarray:
        return np.asarray((self._raw(prepared, rule_engine) - self.scaler_.mean_) / self.scaler_.scale_)


def _load_rule_engine() -> Any:
    from screening.rules import RuleEngine  # local: the rules package imports text, not features

    return RuleEngine.from_file()
