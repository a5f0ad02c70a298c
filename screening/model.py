"""Where the hoax risk comes from: a text classifier and a calibrated combiner, one pair per genre.

For each genre (short posts, articles; see `screening.data.genre_of`):
  1. a class-weighted logistic regression on lexical TF-IDF features gives a text score;
  2. its out-of-fold scores (grouped cross-validation, so near-duplicates never score themselves) are
     calibrated into `classifier_risk`, and
  3. a low-dimensional logistic regression, the combiner, fitted on [text score, style measurements,
     rule-engine outputs] gives the calibrated `hoax_risk`. Rules therefore weigh in as fitted features,
     not hand-summed points.
A genre with too little data of its own is served by the model fitted on all rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from screening.data import Genre, genre_of, near_duplicate_groups
from screening.errors import TrainingDataError
from screening.features import CueFeatures, LexicalFeatures, PreparedText, TextPreparer
from screening.metrics import best_macro_f1_threshold, classification_metrics
from screening.result import RuleMatch, TermContribution
from screening.text import NormalisedText

GENRES: tuple[Genre, ...] = ("post", "article")
# Bumped whenever the fitted structure changes; the registry refuses artifacts of another format.
MODEL_FORMAT = 3


class SignConstrainedLogisticRegression(BaseEstimator, ClassifierMixin):
    """L2-regularised logistic regression whose coefficients can be held to a sign.

    The combiner uses it so that a rule keeps the direction its rules file declares (a call to spread can
    only raise the risk, a debunking cue only lower it); the data decides how much. Without this, a cue
    that happens to be commoner in one class of the training data (MAFINDO's clarifications quote the
    chain messages they debunk) would be shown to editors as evidence for the opposite of what it means.
    `signs[j]` is +1 (coefficient >= 0), -1 (<= 0) or 0 (free). Same loss as scikit-learn's C.
    """

    def __init__(self, *, C: float = 1.0, signs: tuple[int, ...] = ()) -> None:
        self.C = C
        self.signs = signs

    def fit(self, x: np.ndarray, y: np.ndarray) -> SignConstrainedLogisticRegression:
        from scipy.optimize import minimize
        from scipy.special import expit

        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        d = x.shape[1]
        signs = list(self.signs) + [0] * (d - len(self.signs))

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = x @ w[:d] + w[d]
            p = expit(z)
            value = float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 / self.C * (w[:d] @ w[:d]))
            grad = np.append(x.T @ (p - y) + w[:d] / self.C, np.sum(p - y))
            return value, grad

        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
        result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds)
        self.coef_ = result.x[:d].reshape(1, -1)
        self.intercept_ = np.array([result.x[d]])
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x @ self.coef_.ravel() + self.intercept_[0])

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = _sigmoid(self.decision_function(x))
        return np.column_stack([1 - p, p])


@dataclass
class GenreModel:
    """The fitted parts serving one genre."""

    lexical: LexicalFeatures
    text_classifier: LogisticRegression
    text_calibrator: LogisticRegression
    cues: CueFeatures
    combiner: SignConstrainedLogisticRegression
    threshold: float  # macro-F1-optimal hoax_risk threshold on out-of-fold training predictions
    text_threshold: float  # the same for classifier_risk alone
    n_train: int
    base_rate: float  # share of hoaxes in this genre's training rows
    trained_on: str  # "post", "article" or "all"
    oof_metrics: dict[str, Any]  # metrics of out-of-fold text scores through the combiner (an estimate)


@dataclass(frozen=True)
class Scores:
    genre: Genre
    classifier_risk: float
    hoax_risk: float
    # the text's feature rows, kept so an explanation does not compute them again
    lexical: csr_matrix | None = field(default=None, repr=False, compare=False)
    cues: np.ndarray | None = field(default=None, repr=False, compare=False)


class HoaxModel(BaseEstimator, ClassifierMixin):
    """The trained hoax classifier. `fit(texts, y)` with y = 1 for hoax; `predict_proba` gives hoax_risk."""

    def __init__(
        self,
        *,
        post_C: float = 0.5,
        article_C: float = 4.0,
        combiner_C: float = 0.1,
        cv_folds: int = 5,
        use_rules: bool = True,
        min_genre_rows: int = 60,
        max_char_features: int = 300_000,
        random_state: int = 0,
    ) -> None:
        self.post_C = post_C
        self.article_C = article_C
        self.combiner_C = combiner_C
        self.cv_folds = cv_folds
        self.use_rules = use_rules
        self.min_genre_rows = min_genre_rows
        self.max_char_features = max_char_features
        self.random_state = random_state

    # -- training ---------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: Sequence[int], groups: Sequence[int] | None = None) -> HoaxModel:
        y_arr = np.asarray(y, dtype=int)
        if len(texts) != len(y_arr):
            raise TrainingDataError("texts and labels differ in length")
        if len(set(y_arr.tolist())) < 2:
            raise TrainingDataError("training data needs both hoax and valid examples")
        self.preparer_ = TextPreparer(use_rules=self.use_rules)
        prepared = [self.preparer_.prepare(t) for t in texts]
        group_arr = np.asarray(groups) if groups is not None else near_duplicate_groups(list(texts))
        genres = np.asarray([genre_of(t) for t in texts])
        self.classes_ = np.array([0, 1])
        self.genre_models_: dict[str, GenreModel] = {}
        pooled: GenreModel | None = None
        for genre in GENRES:
            idx = np.flatnonzero(genres == genre)
            counts = np.bincount(y_arr[idx], minlength=2) if len(idx) else np.zeros(2, dtype=int)
            if len(idx) >= self.min_genre_rows and counts.min() >= max(self.cv_folds, 10):
                self.genre_models_[genre] = self._fit_genre(prepared, y_arr, group_arr, idx, genre)
            else:
                if pooled is None:
                    pooled = self._fit_genre(prepared, y_arr, group_arr, np.arange(len(texts)), "all")
                self.genre_models_[genre] = pooled
        return self

    def _fit_genre(
        self, prepared: list[PreparedText], y: np.ndarray, groups: np.ndarray, idx: np.ndarray, name: str
    ) -> GenreModel:
        rows = [prepared[i] for i in idx]
        y_g, groups_g = y[idx], groups[idx]
        lexical = LexicalFeatures(max_char_features=self.max_char_features).fit(rows)
        x = lexical.transform(rows)

        # short posts are many and noisy (stronger regularisation); articles few and long
        c = self.article_C if name == "article" else self.post_C

        def make_classifier() -> LogisticRegression:
            return LogisticRegression(C=c, class_weight="balanced", max_iter=3000)

        folds = min(self.cv_folds, int(np.bincount(y_g).min()))
        splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        oof = np.zeros(len(rows))
        for train, test in splitter.split(x, y_g, groups_g):
            oof[test] = make_classifier().fit(x[train], y_g[train]).decision_function(x[test])
        text_classifier = make_classifier().fit(x, y_g)
        text_calibrator = LogisticRegression(C=1e4).fit(oof.reshape(-1, 1), y_g)
        text_threshold = best_macro_f1_threshold(y_g, text_calibrator.predict_proba(oof.reshape(-1, 1))[:, 1])

        rule_engine = self.preparer_.rule_engine
        cues = CueFeatures().fit(rows, rule_engine)
        z = np.column_stack([oof, cues.transform(rows, rule_engine)])
        # the text score only raises the risk; style is free; each rule category keeps its declared direction
        rule_signs = tuple(rule_engine.feature_directions()) if rule_engine is not None else ()
        signs = (1,) + (0,) * (len(cues.names_) - len(rule_signs)) + rule_signs
        combiner = SignConstrainedLogisticRegression(C=self.combiner_C, signs=signs).fit(z, y_g)
        fitted_risk = combiner.predict_proba(z)[:, 1]
        threshold = best_macro_f1_threshold(y_g, fitted_risk)
        return GenreModel(
            lexical=lexical,
            text_classifier=text_classifier,
            text_calibrator=text_calibrator,
            cues=cues,
            combiner=combiner,
            threshold=threshold,
            text_threshold=text_threshold,
            n_train=len(rows),
            base_rate=float(y_g.mean()),
            trained_on=name,
            oof_metrics=classification_metrics(y_g, fitted_risk, threshold=threshold),
        )

    # -- scoring ----------------------------------------------------------------------------------
    @property
    def ruleset_version(self) -> str:
        return self.preparer_.ruleset_version

    def prepare(self, text: str) -> PreparedText:
        return self.preparer_.prepare(text)

    def match_rules(self, doc: NormalisedText) -> list[RuleMatch]:
        """The rules of this model's rule set that fire on `doc` (e.g. on a title, which is not scored)."""
        engine = self.preparer_.rule_engine
        return list(engine.match(doc)) if engine is not None else []

    def score_prepared(self, prepared: Sequence[PreparedText]) -> list[Scores]:
        """Scores for prepared texts; texts of one genre are scored together in one matrix."""
        out: list[Scores | None] = [None] * len(prepared)
        genres = [_genre_of_prepared(p) for p in prepared]
        for genre in GENRES:
            idx = [i for i, g in enumerate(genres) if g == genre]
            if not idx:
                continue
            gm = self.genre_models_[genre]
            rows = [prepared[i] for i in idx]
            # plain linear algebra: the same numbers as the estimators' predict_proba, without their
            # per-call validation, which dominates for one text
            x = gm.lexical.transform(rows)
            text_score = np.asarray(x @ gm.text_classifier.coef_.ravel()).ravel() + gm.text_classifier.intercept_[0]
            classifier_risk = _sigmoid(text_score * gm.text_calibrator.coef_[0, 0] + gm.text_calibrator.intercept_[0])
            cues = gm.cues.transform(rows, self.preparer_.rule_engine)
            z = np.column_stack([text_score, cues])
            hoax_risk = _sigmoid(z @ gm.combiner.coef_.ravel() + gm.combiner.intercept_[0])
            for j, i in enumerate(idx):
                out[i] = Scores(genre, float(classifier_risk[j]), float(hoax_risk[j]), x[j], cues[j])
        return [s for s in out if s is not None]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        scores = self.score_prepared([self.prepare(t) for t in texts])
        p = np.asarray([s.hoax_risk for s in scores])
        return np.column_stack([1 - p, p])

    def classifier_proba(self, texts: Sequence[str]) -> np.ndarray:
        """The text classifier alone (before rules and style), calibrated."""
        return np.asarray([s.classifier_risk for s in self.score_prepared([self.prepare(t) for t in texts])])

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        prepared = [self.prepare(t) for t in texts]
        scores = self.score_prepared(prepared)
        return np.asarray([int(s.hoax_risk >= self.genre_models_[s.genre].threshold) for s in scores])

    def threshold_for(self, genre: Genre) -> float:
        return self.genre_models_[genre].threshold

    def base_rate_for(self, genre: Genre) -> float:
        return self.genre_models_[genre].base_rate

    # -- explanation ------------------------------------------------------------------------------
    def explain(
        self, prepared: PreparedText, *, scores: Scores | None = None, top_k: int = 8
    ) -> list[TermContribution]:
        """Word n-grams and cues that pushed this text's score most, in units of the combiner's log-odds.

        Pass the text's `scores` from `score_prepared` to reuse its feature rows.
        """
        gm = self.genre_models_[_genre_of_prepared(prepared)]
        x: csr_matrix = (
            scores.lexical if scores is not None and scores.lexical is not None else gm.lexical.transform([prepared])
        )
        n_words = gm.lexical.n_word_features_
        coef = gm.text_classifier.coef_.ravel()
        text_weight = float(gm.combiner.coef_.ravel()[0])
        names = gm.lexical.word_names()
        contributions: dict[str, float] = {}
        for j, v in zip(x.indices, x.data, strict=True):
            if j < n_words and any(ch.isalpha() for ch in names[j]):
                contributions[str(names[j])] = float(v * coef[j]) * text_weight
        if scores is not None and scores.cues is not None:
            cue_values = np.asarray(scores.cues).ravel()
        else:
            cue_values = gm.cues.transform([prepared], self.preparer_.rule_engine).ravel()
        # relative to a text where the cue is absent (raw value 0), so a missing cue explains nothing
        absent = -gm.cues.scaler_.mean_ / np.maximum(gm.cues.scaler_.scale_, 1e-12)
        weights = gm.combiner.coef_.ravel()[1:]
        for name, value, zero, weight in zip(gm.cues.names_, cue_values, absent, weights, strict=True):
            delta = float((value - zero) * weight)
            if abs(delta) > 1e-6 and name.startswith("rule:"):
                contributions[name] = delta
        ranked = sorted(contributions.items(), key=lambda kv: abs(kv[1]), reverse=True)[:top_k]
        return [TermContribution(term=k, contribution=round(v, 4)) for k, v in ranked if abs(v) > 1e-6]

    def describe(self) -> dict[str, Any]:
        return {
            genre: {
                "trained_on": gm.trained_on,
                "n_train": gm.n_train,
                "threshold": round(gm.threshold, 4),
                "base_rate": round(gm.base_rate, 4),
                "oof_metrics": gm.oof_metrics,
            }
            for genre, gm in self.genre_models_.items()
        }


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -500, 500))))


def _genre_of_prepared(prepared: PreparedText) -> Genre:
    return genre_of(prepared.doc.original)
