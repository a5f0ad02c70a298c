"""Where the hoax risk comes from: how the model is fitted (scikit-learn estimators, one set per genre).

For each genre (short posts, articles; `screening.doc.genre_for`), from the hoax-watch data (`claims`: circulated
claims, hoax articles and the clarifications and reports about them) and, when given, ordinary news (`news`):

  1. **text classifier**: a class-weighted logistic regression on `LexicalFeatures` of the claims; its
     out-of-fold scores (grouped folds: near-duplicates never score themselves) are calibrated into
     `classifier_risk`;
  2. **combiner**: a low-dimensional logistic regression on [text score, style measures, one feature per rule],
     fitted on the claims: how hoax-like a text is among hoax-watch texts. Each rule's coefficient is pulled
     toward the weight the rules file declares (a Gaussian prior instead of shrinkage to zero) and held to its
     sign, so a rule the data rarely shows keeps its declared effect and data moves it only as far as it has
     evidence. The text score's coefficient is pulled toward the calibrated classifier's slope the same way
     (with no evidence about style and rules, the combiner is the calibrated text classifier), and the fitted
     combiner is rescaled by Platt scaling of its own out-of-fold scores, so that its risk is calibrated on
     texts it has not seen (on the claims articles, grouped 5-fold CV: ROC-AUC 0.836 -> 0.846, ECE 0.072 ->
     0.059 against a zero prior and no rescaling);
  3. **ordinary-news gate**: a class-weighted logistic regression on `LexicalFeatures` of claims versus ordinary
     news, calibrated on its out-of-fold scores (Platt) at a news share of `gate_news_ratio` x the claims: the
     probability that a text belongs to the hoax-watch world at all. Ordinary reporting is never a hoax, so

         hoax_risk = P(hoax | hoax-watch text) x min(1, P(hoax-watch text) / 0.5)   (combiner x discount)

     Only a text that looks more like ordinary news than like a hoax-watch text is discounted: multiplying
     by the gate itself also scaled down hoax-watch texts the gate was merely unsure of, which cost ROC-AUC on
     the hoax data (articles 0.833 with the discount vs 0.821 with the product, grouped 5-fold CV).

     The gate is fitted separately from the combiner on purpose: fitted together, the features that tell
     mainstream news from hoax-watch texts crowd out those that tell a hoax from a genuine report on the same
     topic (the hoax-data ROC-AUC fell from 0.75 to 0.70 for posts in our measurements).

The risk is calibrated at the training prior of the claims; `screening.policy` moves it to a deployment's base
rate. A genre with too little data of its own is served by the model fitted on all claims. Serving does not use
these estimators: `screening.scorer` compiles them into plain arrays, checked against them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import StandardScaler

from screening.data import Corpus
from screening.doc import GENRES, STYLE_FEATURES, Doc
from screening.errors import TrainingDataError
from screening.features import LexicalFeatures, cue_matrix
from screening.metrics import best_macro_f1_threshold, classification_metrics
from screening.rules import RuleEngine
from screening.scorer import gate_discount

GateTarget = Literal["claims", "hoax"]


def _calibrate_out_of_fold(
    combiner: PriorLogisticRegression,
    make: Callable[[], PriorLogisticRegression],
    z: np.ndarray,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
) -> None:
    """Rescale a fitted combiner by Platt scaling of its out-of-fold scores (folded into its coefficients, so the
    risk stays one logistic regression): fitted on a few hundred articles it is surer on its own data than on
    texts it has not seen, and the rescaling keeps its ranking while making its risk mean what it says."""
    oof = np.zeros(len(y))
    for train, test in folds:
        oof[test] = make().fit(z[train], y[train]).decision_function(z[test])
    platt = LogisticRegression(C=1e4).fit(oof.reshape(-1, 1), y)
    slope, intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    if slope <= 0:  # no ranking out of fold at all: leave the fit as it is rather than flip its signs
        return
    combiner.coef_ = combiner.coef_ * slope
    combiner.intercept_ = combiner.intercept_ * slope + intercept


class PriorLogisticRegression(BaseEstimator, ClassifierMixin):
    """L2-regularised logistic regression whose coefficients shrink toward `prior` and can be held to a sign.

    Loss: sum_i w_i * logloss_i + 1/2 * sum_j strength_j * (coef_j - prior_j)^2; `signs[j]` is +1 (coef >= 0),
    -1 (<= 0) or 0 (free). With prior 0 and strength 1/C everywhere it is scikit-learn's L2 logistic regression.
    """

    def __init__(
        self,
        *,
        prior: tuple[float, ...] = (),
        strength: tuple[float, ...] = (),
        signs: tuple[int, ...] = (),
    ) -> None:
        self.prior = prior
        self.strength = strength
        self.signs = signs

    def fit(self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> PriorLogisticRegression:
        x, t = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        w = np.ones(len(t)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        d = x.shape[1]
        prior = np.asarray(self.prior, dtype=np.float64)
        strength = np.asarray(self.strength, dtype=np.float64)
        signs = np.asarray(self.signs, dtype=int)
        if not (len(prior) == len(strength) == len(signs) == d):
            raise ValueError(f"prior, strength and signs need {d} entries each")

        def loss(b: np.ndarray) -> tuple[float, np.ndarray]:
            z = x @ b[:d] + b[d]
            p = expit(z)
            diff = b[:d] - prior
            value = float(np.sum(w * (np.logaddexp(0.0, z) - t * z)) + 0.5 * np.sum(strength * diff * diff))
            grad = np.append(x.T @ (w * (p - t)) + strength * diff, np.sum(w * (p - t)))
            return value, grad

        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
        start = np.append(
            np.clip(prior, [lo or -np.inf for lo, _ in bounds[:d]], [hi or np.inf for _, hi in bounds[:d]]), 0.0
        )
        result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
        self.coef_ = result.x[:d].reshape(1, -1)
        self.intercept_ = np.array([result.x[d]])
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(np.asarray(x, dtype=np.float64) @ self.coef_.ravel() + self.intercept_[0])

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = expit(self.decision_function(x))
        return np.column_stack([1 - p, p])


@dataclass
class Gate:
    """The ordinary-news gate of one genre: P(hoax-watch text) = sigmoid(slope * score + intercept)."""

    lexical: LexicalFeatures
    classifier: LogisticRegression
    slope: float
    intercept: float
    n_news: int


@dataclass
class GenreModel:
    """The fitted parts serving one genre."""

    lexical: LexicalFeatures
    text_classifier: LogisticRegression
    text_calibrator: LogisticRegression
    # standardises the style measures; rule features stay raw (their priors are log-odds per finding)
    cue_scaler: StandardScaler
    combiner: PriorLogisticRegression
    gate: Gate | None
    threshold: float  # macro-F1-optimal hoax_risk threshold on out-of-fold predictions of the claims
    text_threshold: float  # the same for classifier_risk alone
    n_train: int  # claims rows
    base_rate: float  # share of hoaxes among this genre's claims (the prior the risk is calibrated at)
    trained_on: str  # "post", "article" or "all"
    oof_metrics: dict[str, Any] = field(default_factory=dict)  # out-of-fold metrics of the claims (an estimate)


def _folds(y: np.ndarray, groups: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    folds = max(2, min(k, int(np.bincount(y, minlength=2).min())))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


class HoaxModel(BaseEstimator, ClassifierMixin):
    """The trained hoax model. `fit(docs, y, corpus=..., groups=...)` with y = 1 for hoax."""

    def __init__(
        self,
        *,
        post_C: float = 0.5,
        article_C: float = 4.0,
        combiner_C: float = 0.1,
        rule_prior_strength: float = 1.0,
        cv_folds: int = 5,
        min_genre_rows: int = 60,
        max_char_features: int = 300_000,
        gate_C: float = 1.0,
        gate_target: GateTarget = "claims",
        gate_news_ratio: float = 0.1,
        gate_max_char_features: int = 100_000,
        random_state: int = 0,
    ) -> None:
        self.post_C = post_C
        self.article_C = article_C
        self.combiner_C = combiner_C
        self.rule_prior_strength = rule_prior_strength
        self.cv_folds = cv_folds
        self.min_genre_rows = min_genre_rows
        self.max_char_features = max_char_features
        self.gate_C = gate_C
        self.gate_target = gate_target
        self.gate_news_ratio = gate_news_ratio
        self.gate_max_char_features = gate_max_char_features
        self.random_state = random_state

    # -- training ---------------------------------------------------------------------------------
    def fit(
        self,
        docs: Sequence[Doc],
        y: Sequence[int],
        *,
        rules: RuleEngine,
        corpus: Sequence[Corpus] | None = None,
        groups: Sequence[int] | np.ndarray | None = None,
    ) -> HoaxModel:
        """Fit on analysed documents; `corpus` marks ordinary news ("news"), `groups` keeps near-duplicates
        (and pages of one site) in one cross-validation fold."""
        y_arr = np.asarray(y, dtype=int)
        corpus_arr = np.asarray(corpus if corpus is not None else ["claims"] * len(docs))
        group_arr = np.asarray(groups) if groups is not None else np.arange(len(docs))
        if not (len(docs) == len(y_arr) == len(corpus_arr) == len(group_arr)):
            raise TrainingDataError("documents, labels, corpus and groups differ in length")
        is_news = corpus_arr == "news"
        if (y_arr[is_news] == 1).any():
            raise TrainingDataError("ordinary news (corpus 'news') must be labelled valid")
        claims = np.flatnonzero(~is_news)
        if len(set(y_arr[claims].tolist())) < 2:
            raise TrainingDataError("training data needs both hoax and valid examples among the claims")
        self.rules_ = rules
        self.classes_ = np.array([0, 1])
        genres = np.asarray([d.genre for d in docs])
        cues = cue_matrix(docs, rules)
        self.genre_models_: dict[str, GenreModel] = {}
        pooled: GenreModel | None = None
        for genre in GENRES:
            idx = claims[genres[claims] == genre]
            news = np.flatnonzero(is_news & (genres == genre))
            counts = np.bincount(y_arr[idx], minlength=2)
            if len(idx) >= self.min_genre_rows and counts.min() >= max(self.cv_folds, 10):
                self.genre_models_[genre] = self._fit_genre(docs, cues, y_arr, group_arr, idx, news, genre)
            else:
                if pooled is None:
                    pooled = self._fit_genre(docs, cues, y_arr, group_arr, claims, np.flatnonzero(is_news), "all")
                self.genre_models_[genre] = pooled
        return self

    def _fit_genre(
        self,
        docs: Sequence[Doc],
        cues: np.ndarray,
        y: np.ndarray,
        groups: np.ndarray,
        idx: np.ndarray,
        news: np.ndarray,
        name: str,
    ) -> GenreModel:
        rows = [docs[i] for i in idx]
        y_g, groups_g = y[idx], groups[idx]
        lexical = LexicalFeatures(max_char_features=self.max_char_features).fit(rows)
        x = lexical.transform(rows)
        c = self.article_C if name == "article" else self.post_C  # posts: many and noisy; articles: few and long

        def make_classifier() -> LogisticRegression:
            return LogisticRegression(C=c, class_weight="balanced", max_iter=3000)

        folds = _folds(y_g, groups_g, self.cv_folds, self.random_state)
        oof = np.zeros(len(rows))
        for train, test in folds:
            oof[test] = make_classifier().fit(x[train], y_g[train]).decision_function(x[test])
        text_classifier = make_classifier().fit(x, y_g)
        text_calibrator = LogisticRegression(C=1e4).fit(oof.reshape(-1, 1), y_g)
        text_threshold = best_macro_f1_threshold(y_g, text_calibrator.predict_proba(oof.reshape(-1, 1))[:, 1])

        n_style = len(STYLE_FEATURES)
        cue_scaler = StandardScaler().fit(cues[idx, :n_style])
        z = self._combiner_input(oof, cues[idx], cue_scaler)
        n_rules = cues.shape[1] - n_style
        # the text score's coefficient shrinks toward the calibrated text classifier's slope, not toward zero: with
        # no evidence about style and rules the combiner is the calibrated classifier (on a few hundred articles a
        # pull toward zero took weight from the one strong signal and gave it to the noisy ones)
        text_slope = max(float(text_calibrator.coef_[0, 0]), 0.0)

        def make_combiner() -> PriorLogisticRegression:
            return PriorLogisticRegression(
                prior=(text_slope,) + (0.0,) * n_style + tuple(self.rules_.feature_priors()),
                strength=(1 / self.combiner_C,) * (1 + n_style) + (self.rule_prior_strength,) * n_rules,
                signs=(1,) + (0,) * n_style + tuple(self.rules_.feature_directions()),
            )

        combiner = make_combiner().fit(z, y_g)
        _calibrate_out_of_fold(combiner, make_combiner, z, y_g, folds)
        claims_risk = combiner.predict_proba(z)[:, 1]

        gate, gate_oof = self._fit_gate(docs, y, groups, idx, news)
        risk = claims_risk * gate_discount(gate_oof)
        threshold = best_macro_f1_threshold(y_g, risk)
        metrics = classification_metrics(y_g, risk, threshold=threshold)
        return GenreModel(
            lexical=lexical,
            text_classifier=text_classifier,
            text_calibrator=text_calibrator,
            cue_scaler=cue_scaler,
            combiner=combiner,
            gate=gate,
            threshold=threshold,
            text_threshold=text_threshold,
            n_train=len(rows),
            base_rate=float(y_g.mean()),
            trained_on=name,
            oof_metrics=metrics,
        )

    def _fit_gate(
        self, docs: Sequence[Doc], y: np.ndarray, groups: np.ndarray, claims: np.ndarray, news: np.ndarray
    ) -> tuple[Gate | None, np.ndarray]:
        """The ordinary-news gate and its out-of-fold values on the claims (1 everywhere without news)."""
        if len(news) < 2 * self.cv_folds:
            return None, np.ones(len(claims))
        members = claims if self.gate_target == "claims" else claims[y[claims] == 1]
        idx = np.concatenate([members, news])
        target = np.concatenate([np.ones(len(members), dtype=int), np.zeros(len(news), dtype=int)])
        rows = [docs[i] for i in idx]
        lexical = LexicalFeatures(max_char_features=self.gate_max_char_features).fit(rows)
        x = lexical.transform(rows)

        def make() -> LogisticRegression:
            return LogisticRegression(C=self.gate_C, class_weight="balanced", max_iter=3000)

        oof = np.zeros(len(idx))
        for train, test in _folds(target, groups[idx], self.cv_folds, self.random_state):
            oof[test] = make().fit(x[train], target[train]).decision_function(x[test])
        classifier = make().fit(x, target)
        # Platt scaling at the news share the gate is meant for: news weigh gate_news_ratio x the claims in all
        weights = np.where(target == 1, 1.0, self.gate_news_ratio * len(members) / len(news))
        platt = LogisticRegression(C=1e4).fit(oof.reshape(-1, 1), target, sample_weight=weights)
        slope, intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        gate = Gate(lexical, classifier, slope, intercept, n_news=len(news))
        # out-of-fold gate values for every claim, including those the gate was not trained on ("hoax" target)
        position = {i: j for j, i in enumerate(idx)}
        values = np.empty(len(claims))
        missing = [k for k, i in enumerate(claims) if i not in position]
        for k, i in enumerate(claims):
            if i in position:
                values[k] = expit(slope * oof[position[i]] + intercept)
        if missing:
            scores = classifier.decision_function(lexical.transform([docs[claims[k]] for k in missing]))
            values[missing] = expit(slope * scores + intercept)
        return gate, values

    @staticmethod
    def _combiner_input(text_score: np.ndarray, cues: np.ndarray, scaler: StandardScaler) -> np.ndarray:
        n_style = len(STYLE_FEATURES)
        style = (cues[:, :n_style] - scaler.mean_) / scaler.scale_
        return np.column_stack([text_score, style, cues[:, n_style:]])

    # -- the estimators' own predictions (the reference the compiled scorer is checked against) ----
    def reference_scores(self, docs: Sequence[Doc]) -> np.ndarray:
        """Per document: [classifier_risk, claims_risk, gate, hoax_risk] through the estimators themselves."""
        out = np.zeros((len(docs), 4))
        genres = np.asarray([d.genre for d in docs])
        cues = cue_matrix(docs, self.rules_)
        for genre in GENRES:
            idx = np.flatnonzero(genres == genre)
            if not len(idx):
                continue
            gm = self.genre_models_[genre]
            rows = [docs[int(i)] for i in idx]
            text_score = gm.text_classifier.decision_function(gm.lexical.transform(rows))
            out[idx, 0] = gm.text_calibrator.predict_proba(text_score.reshape(-1, 1))[:, 1]
            out[idx, 1] = gm.combiner.predict_proba(self._combiner_input(text_score, cues[idx], gm.cue_scaler))[:, 1]
            if gm.gate is not None:
                gate_score = gm.gate.classifier.decision_function(gm.gate.lexical.transform(rows))
                out[idx, 2] = expit(gm.gate.slope * gate_score + gm.gate.intercept)
            else:
                out[idx, 2] = 1.0
            out[idx, 3] = out[idx, 1] * gate_discount(out[idx, 2])
        return out

    def describe(self) -> dict[str, Any]:
        return {
            genre: {
                "trained_on": gm.trained_on,
                "n_train": gm.n_train,
                "n_news": gm.gate.n_news if gm.gate is not None else 0,
                "threshold": round(gm.threshold, 4),
                "base_rate": round(gm.base_rate, 4),
                "oof_metrics": gm.oof_metrics,
            }
            for genre, gm in self.genre_models_.items()
        }
