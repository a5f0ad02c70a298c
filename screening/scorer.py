"""The fast scorer: a fitted `HoaxModel` compiled into plain arrays, the only form that serves and is stored.

Scoring one text through scikit-learn's own `transform` and `predict_proba` costs more in per-call validation
than in arithmetic, so serving uses the same numbers computed directly: TF-IDF from a vocabulary and an IDF
array (sublinear tf, L2 norm, character n-grams within words, exactly as `screening.features` fits them),
dot products with the coefficients, the logistic function. `compile_model` builds it from the estimators and
`check_parity` proves it equal to them; the registry stores a `CompiledModel` as arrays and JSON only
(`to_arrays` / `from_arrays`), so loading a model runs no code.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from screening.doc import GENRES, STYLE_FEATURES, Doc, Genre
from screening.errors import ModelArtifactError
from screening.features import STREAMS, stream_of
from screening.model import HoaxModel, gate_discount
from screening.resources import load_stopwords
from screening.result import TermContribution
from screening.rules import RuleEngine
from screening.text import PLACEHOLDERS

GATE_TERM = "gate:ordinary_news"  # the explanation term of the ordinary-news gate


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(x, -500.0), 500.0)))


_NO_IDS = np.zeros(0, dtype=np.int64)


def _sorted_counts(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(ids, return_counts=True)`, without its general-purpose overhead (a short text pays mostly that)."""
    if not ids.size:
        return ids, ids
    ordered = np.sort(ids)
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty(starts.size, dtype=np.int64)
    counts[:-1] = starts[1:] - starts[:-1]
    counts[-1] = ordered.size - starts[-1]
    return ordered[starts], counts


def _word_grams(text: str, lo: int, hi: int) -> list[str]:
    """Word n-grams of `text`, as scikit-learn's word analyzer on pre-split text makes them (the tables sharing a
    stream read them once: `TermIndex.counts`)."""
    tokens = text.split()
    grams: list[str] = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), hi + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


class TermIndex:
    """The n-grams of one stream as ids of a vocabulary: shared by the tables that read that stream (the text
    classifier and the ordinary-news gate), so each n-gram of a document is looked up once."""

    def __init__(self, terms: Sequence[str], ngram_range: tuple[int, int], char: bool) -> None:
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.char = char
        # the stream just indexed, as (text, distinct ids, their counts): the next table reads it too
        self._last: tuple[str, np.ndarray, np.ndarray] | None = None
        if char:
            vocab, lo, hi = self.vocabulary, self.ngram_range[0], self.ngram_range[1]

            def word_ids(word: str) -> np.ndarray:
                # character n-grams of " word ", as scikit-learn's char_wb analyzer makes them
                padded = f" {word} "
                ids = []
                for n in range(lo, hi + 1):
                    if len(padded) <= n:
                        i = vocab.get(padded)  # a word no longer than n counts once, whole
                        if i is not None:
                            ids.append(i)
                        break
                    for start in range(len(padded) - n + 1):
                        i = vocab.get(padded[start : start + n])
                        if i is not None:
                            ids.append(i)
                return np.asarray(ids, dtype=np.int64)

            self._word_ids = lru_cache(maxsize=100_000)(word_ids)

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(distinct ids in increasing order, occurrences of each) of the n-grams of `text` in the vocabulary."""
        last = self._last
        if last is not None and last[0] is text:
            return last[1], last[2]
        if self.char:
            # per-word arrays from the cache, joined once: no per-id Python objects on the hot path
            parts = [self._word_ids(word) for word in text.split()]
            found = np.concatenate(parts) if parts else _NO_IDS
        else:
            vocab = self.vocabulary
            hits = [i for i in map(vocab.get, _word_grams(text, *self.ngram_range)) if i is not None]
            found = np.asarray(hits, dtype=np.int64) if hits else _NO_IDS
        ids, counts = _sorted_counts(found)
        self._last = (text, ids, counts)
        return ids, counts


class TfidfTable:
    """A fitted TF-IDF vectorizer as data: term -> column, IDF per column, n-gram range, char or word n-grams."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray, ngram_range: tuple[int, int], char: bool) -> None:
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.index = TermIndex(self.terms, ngram_range, char)
        self.columns: np.ndarray | None = None  # index id -> this table's column (-1: not a term here); None: same
        self.columns_ascend = True  # whether `columns` keeps the index's order (then counts need no sorting)

    @property
    def ngram_range(self) -> tuple[int, int]:
        return self.index.ngram_range

    @property
    def char(self) -> bool:
        return self.index.char

    @classmethod
    def from_vectorizer(cls, vectorizer: Any) -> TfidfTable:
        terms = [""] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            terms[column] = term
        return cls(terms, vectorizer.idf_, vectorizer.ngram_range, vectorizer.analyzer == "char_wb")

    def __len__(self) -> int:
        return len(self.terms)

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns in increasing order, occurrences of each) of the n-grams of `text` that are terms here."""
        ids, counts = self.index.counts(text)
        if self.columns is None:
            return ids, counts
        columns = self.columns[ids]
        kept = columns >= 0
        columns, counts = columns[kept], counts[kept]
        if self.columns_ascend:
            return columns, counts
        order = np.argsort(columns)  # the union's order is not this table's: sort, as a plain count would be
        return columns[order], counts[order]

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the L2-normalised sublinear TF-IDF row of `text`."""
        cols, counts = self.counts(text)
        values = (np.log(counts) + 1.0) * self.idf[cols]
        norm = math.sqrt(float(values @ values)) if values.size else 0.0
        if norm > 0:
            values /= norm
        return cols, values


def share_terms(first: TfidfTable, second: TfidfTable) -> None:
    """Let two tables of one stream look n-grams up in one vocabulary (the union of theirs)."""
    if first.ngram_range != second.ngram_range or first.char != second.char:
        return
    known = first.index.vocabulary
    union = first.terms + [t for t in second.terms if t not in known]
    index = TermIndex(union, first.ngram_range, first.char)
    first.columns = np.concatenate([np.arange(len(first), dtype=np.int64), np.full(len(union) - len(first), -1)])
    second.columns = np.full(len(union), -1, dtype=np.int64)
    second.columns[[index.vocabulary[t] for t in second.terms]] = np.arange(len(second), dtype=np.int64)
    second.columns_ascend = False
    first.index = second.index = index


@dataclass
class LinearText:
    """TF-IDF of the three streams side by side, then a linear score: coef . x + intercept."""

    tables: dict[str, TfidfTable]
    coef: np.ndarray
    intercept: float

    def rows(self, doc: Doc) -> list[tuple[np.ndarray, np.ndarray]]:
        return [self.tables[s].row(stream_of(doc, s)) for s in STREAMS]

    def score(self, rows: list[tuple[np.ndarray, np.ndarray]]) -> float:
        total, offset = self.intercept, 0
        for stream, (cols, values) in zip(STREAMS, rows, strict=True):
            if cols.size:
                total += float(values @ self.coef[cols + offset])
            offset += len(self.tables[stream])
        return total


@dataclass
class GenreScorer:
    """Everything that scores one genre."""

    text: LinearText
    calibrator: tuple[float, float]  # classifier_risk = sigmoid(a * text score + b)
    style_mean: np.ndarray
    style_scale: np.ndarray
    combiner_coef: np.ndarray  # [text score, style..., rules...]
    combiner_intercept: float
    gate: LinearText | None
    gate_platt: tuple[float, float]  # gate = sigmoid(a * gate score + b)
    threshold: float
    text_threshold: float
    base_rate: float
    n_train: int
    n_news: int
    trained_on: str
    oof_metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.gate is not None:
            for stream in STREAMS:
                share_terms(self.text.tables[stream], self.gate.tables[stream])


@dataclass(frozen=True)
class Scores:
    """A document's scores at the training prior of the claims (`screening.policy` moves them to a deployment)."""

    genre: Genre
    trained_classifier_risk: float  # the text classifier alone, calibrated
    claims_risk: float  # text, style and rules: how hoax-like among hoax-watch texts
    gate: float  # probability that the text belongs to the hoax-watch world at all (1: no gate)
    trained_hoax_risk: float  # claims_risk x gate_discount(gate)
    # what explaining the scores needs, so that it computes nothing again
    text_rows: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, repr=False, compare=False)
    cues: np.ndarray | None = field(default=None, repr=False, compare=False)


class CompiledModel:
    """A fitted model as arrays: scores and explains analysed documents."""

    def __init__(self, genres: dict[str, GenreScorer], rules: RuleEngine, params: dict[str, Any]) -> None:
        self.genres = genres
        self.rules = rules
        self.params = params
        self._stopwords = load_stopwords()
        self._readable_masks: dict[int, np.ndarray] = {}

    @property
    def ruleset_version(self) -> str:
        return self.rules.version

    def base_rate_for(self, genre: Genre) -> float:
        return self.genres[genre].base_rate

    def threshold_for(self, genre: Genre) -> float:
        return self.genres[genre].threshold

    # -- scoring ------------------------------------------------------------------------------------
    def score(self, docs: Sequence[Doc]) -> list[Scores]:
        return [self.score_one(d) for d in docs]

    def score_one(self, doc: Doc) -> Scores:
        gs = self.genres[doc.genre]
        rows = gs.text.rows(doc)
        text_score = gs.text.score(rows)
        a, b = gs.calibrator
        classifier_risk = _sigmoid(a * text_score + b)
        style = (np.asarray(doc.style, dtype=np.float64) - gs.style_mean) / gs.style_scale
        cues = np.concatenate([style, np.asarray(self.rules.features(doc.rules), dtype=np.float64)])
        z = gs.combiner_intercept + gs.combiner_coef[0] * text_score + float(cues @ gs.combiner_coef[1:])
        claims_risk = _sigmoid(z)
        gate = 1.0
        if gs.gate is not None:
            ga, gb = gs.gate_platt
            gate = _sigmoid(ga * gs.gate.score(gs.gate.rows(doc)) + gb)
        return Scores(
            doc.genre, classifier_risk, claims_risk, gate, claims_risk * float(gate_discount(gate)), rows, cues
        )

    # -- explanation --------------------------------------------------------------------------------
    def explain(self, doc: Doc, scores: Scores, *, top_k: int = 8) -> list[TermContribution]:
        """Word n-grams, rules and the ordinary-news gate that moved this text's risk most, in log-odds of the
        combiner (positive: towards hoax). Stopwords, placeholders and masked words are never evidence."""
        gs = self.genres[doc.genre]
        contributions: dict[str, float] = {}
        cols, values = scores.text_rows[0]  # the word block: readable terms
        words = gs.text.tables["word"].terms
        keep = self._readable(gs)[cols]
        cols, values = cols[keep], values[keep]
        if cols.size:
            shares = values * gs.text.coef[cols] * float(gs.combiner_coef[0])
            contributions.update(zip([words[j] for j in cols.tolist()], shares.tolist(), strict=True))
        if scores.cues is not None:
            n_style = len(STYLE_FEATURES)
            for name, value, coef in zip(
                self.rules.feature_names(), scores.cues[n_style:], gs.combiner_coef[1 + n_style :], strict=True
            ):
                if value:
                    contributions[name] = float(value * coef)
        discount = float(gate_discount(scores.gate))
        if discount < 1.0:
            contributions[GATE_TERM] = math.log(max(discount, 1e-12))
        ranked = sorted(contributions.items(), key=lambda kv: abs(kv[1]), reverse=True)[:top_k]
        return [TermContribution(term=k, contribution=round(v, 4)) for k, v in ranked if abs(v) > 1e-6]

    def _readable(self, gs: GenreScorer) -> np.ndarray:
        """Per column of the genre's word block: whether its term may be shown as evidence (computed once)."""
        mask = self._readable_masks.get(id(gs))
        if mask is None:
            mask = np.fromiter((self._shown(t) for t in gs.text.tables["word"].terms), dtype=bool)
            self._readable_masks[id(gs)] = mask
        return mask

    def _shown(self, term: str) -> bool:
        parts = term.split()
        if any(p in PLACEHOLDERS or not any(c.isalpha() for c in p) for p in parts):
            return False
        return not all(p in self._stopwords for p in parts)

    # -- persistence: arrays and JSON only ------------------------------------------------------------
    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(named arrays, JSON-able description) that `from_arrays` turns back into this model."""
        arrays: dict[str, np.ndarray] = {}
        genres: dict[str, Any] = {}
        for genre, gs in self.genres.items():
            key = genre
            meta: dict[str, Any] = {
                "calibrator": list(gs.calibrator),
                "combiner_intercept": gs.combiner_intercept,
                "gate_platt": list(gs.gate_platt),
                "threshold": gs.threshold,
                "text_threshold": gs.text_threshold,
                "base_rate": gs.base_rate,
                "n_train": gs.n_train,
                "n_news": gs.n_news,
                "trained_on": gs.trained_on,
                "oof_metrics": gs.oof_metrics,
                "text": _linear_to_arrays(gs.text, f"{key}.text", arrays),
                "gate": _linear_to_arrays(gs.gate, f"{key}.gate", arrays) if gs.gate is not None else None,
            }
            arrays[f"{key}.style_mean"] = gs.style_mean
            arrays[f"{key}.style_scale"] = gs.style_scale
            arrays[f"{key}.combiner_coef"] = gs.combiner_coef
            genres[genre] = meta
        return arrays, {"genres": genres, "params": self.params, "rules": self.rules.source}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], description: dict[str, Any]) -> CompiledModel:
        try:
            rules = RuleEngine.from_dict(description["rules"])
            genres: dict[str, GenreScorer] = {}
            for genre in GENRES:
                meta = description["genres"][genre]
                genres[genre] = GenreScorer(
                    text=_linear_from_arrays(meta["text"], arrays),
                    calibrator=(float(meta["calibrator"][0]), float(meta["calibrator"][1])),
                    style_mean=np.asarray(arrays[f"{genre}.style_mean"], dtype=np.float64),
                    style_scale=np.asarray(arrays[f"{genre}.style_scale"], dtype=np.float64),
                    combiner_coef=np.asarray(arrays[f"{genre}.combiner_coef"], dtype=np.float64),
                    combiner_intercept=float(meta["combiner_intercept"]),
                    gate=_linear_from_arrays(meta["gate"], arrays) if meta["gate"] is not None else None,
                    gate_platt=(float(meta["gate_platt"][0]), float(meta["gate_platt"][1])),
                    threshold=float(meta["threshold"]),
                    text_threshold=float(meta["text_threshold"]),
                    base_rate=float(meta["base_rate"]),
                    n_train=int(meta["n_train"]),
                    n_news=int(meta["n_news"]),
                    trained_on=str(meta["trained_on"]),
                    oof_metrics=dict(meta["oof_metrics"]),
                )
            return cls(genres, rules, dict(description["params"]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelArtifactError(f"larik model tidak menggambarkan model: {type(exc).__name__}: {exc}") from exc

    def describe(self) -> dict[str, Any]:
        return {
            genre: {
                "trained_on": gs.trained_on,
                "n_train": gs.n_train,
                "n_news": gs.n_news,
                "threshold": round(gs.threshold, 4),
                "base_rate": round(gs.base_rate, 4),
                "oof_metrics": gs.oof_metrics,
            }
            for genre, gs in self.genres.items()
        }


def _linear_to_arrays(linear: LinearText, key: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for stream, table in linear.tables.items():
        arrays[f"{key}.{stream}.terms"] = np.asarray(table.terms, dtype=np.str_)
        arrays[f"{key}.{stream}.idf"] = table.idf
        tables[stream] = {"ngram_range": list(table.ngram_range), "char": table.char}
    arrays[f"{key}.coef"] = linear.coef
    return {"key": key, "tables": tables, "intercept": linear.intercept}


def _linear_from_arrays(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> LinearText:
    key = meta["key"]
    tables = {
        stream: TfidfTable(
            [str(t) for t in arrays[f"{key}.{stream}.terms"].tolist()],
            arrays[f"{key}.{stream}.idf"],
            (int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
            bool(spec["char"]),
        )
        for stream, spec in meta["tables"].items()
    }
    if [s for s in tables] != list(STREAMS):
        raise ValueError(f"{key}: streams {list(tables)} are not {list(STREAMS)}")
    coef = np.asarray(arrays[f"{key}.coef"], dtype=np.float64)
    if len(coef) != sum(len(t) for t in tables.values()):
        raise ValueError(f"{key}: {len(coef)} coefficients for {sum(len(t) for t in tables.values())} features")
    return LinearText(tables, coef, float(meta["intercept"]))


# -- compiling and checking --------------------------------------------------------------------------------


def _linear(lexical: Any, classifier: Any) -> LinearText:
    tables = {s: TfidfTable.from_vectorizer(lexical.vectorizers_[s]) for s in STREAMS}
    return LinearText(tables, np.asarray(classifier.coef_, dtype=np.float64).ravel(), float(classifier.intercept_[0]))


def compile_model(model: HoaxModel) -> CompiledModel:
    """The arrays of a fitted model (genres served by one pooled model get the same scorer)."""
    compiled: dict[int, GenreScorer] = {}
    genres: dict[str, GenreScorer] = {}
    for genre in GENRES:
        gm = model.genre_models_[genre]
        if id(gm) not in compiled:
            compiled[id(gm)] = GenreScorer(
                text=_linear(gm.lexical, gm.text_classifier),
                calibrator=(float(gm.text_calibrator.coef_[0, 0]), float(gm.text_calibrator.intercept_[0])),
                style_mean=np.asarray(gm.cue_scaler.mean_, dtype=np.float64),
                style_scale=np.asarray(gm.cue_scaler.scale_, dtype=np.float64),
                combiner_coef=np.asarray(gm.combiner.coef_, dtype=np.float64).ravel(),
                combiner_intercept=float(gm.combiner.intercept_[0]),
                gate=_linear(gm.gate.lexical, gm.gate.classifier) if gm.gate is not None else None,
                gate_platt=(gm.gate.slope, gm.gate.intercept) if gm.gate is not None else (0.0, 0.0),
                threshold=gm.threshold,
                text_threshold=gm.text_threshold,
                base_rate=gm.base_rate,
                n_train=gm.n_train,
                n_news=gm.gate.n_news if gm.gate is not None else 0,
                trained_on=gm.trained_on,
                oof_metrics=gm.oof_metrics,
            )
        genres[genre] = compiled[id(gm)]
    return CompiledModel(genres, model.rules_, model.get_params())


def score_matrix(model: CompiledModel, docs: Sequence[Doc]) -> np.ndarray:
    """Per document: [classifier_risk, claims_risk, gate, hoax_risk], as `HoaxModel.reference_scores` gives."""
    return np.asarray(
        [[s.trained_classifier_risk, s.claims_risk, s.gate, s.trained_hoax_risk] for s in model.score(docs)],
        dtype=np.float64,
    ).reshape(len(docs), 4)


def check_parity(model: HoaxModel, compiled: CompiledModel, docs: Sequence[Doc], *, tolerance: float = 1e-9) -> float:
    """The largest difference between the compiled scorer and the estimators on `docs`; raises if over `tolerance`."""
    if not docs:
        return 0.0
    difference = float(np.max(np.abs(score_matrix(compiled, docs) - model.reference_scores(docs))))
    if not difference <= tolerance:
        raise ModelArtifactError(f"penskor terkompilasi berbeda dari estimator yang dilatih sebesar {difference:.3g}")
    return difference
