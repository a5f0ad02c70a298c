"""The hoax model's fitting: small-data smoke test, rule priors and signs, the ordinary-news gate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from screening.doc import Analyser
from screening.errors import TrainingDataError
from screening.model import HoaxModel, PriorLogisticRegression, _calibrate_out_of_fold, _folds
from screening.registry import TrainedModel
from screening.rules import RuleEngine

if TYPE_CHECKING:  # the rootdir conftest (the service tests have their own conftest module)
    from conftest import SmallModel


def test_one_pass_training_on_small_data(small_model: SmallModel) -> None:
    model = small_model.model
    assert set(model.describe()) == {"post", "article"}
    scores = model.reference_scores(small_model.held_out)
    assert scores.shape == (len(small_model.held_out), 4)
    assert np.all((scores >= 0) & (scores <= 1))
    # hoax risk = claims risk, discounted only where the gate says "more like ordinary news" (gate < 0.5)
    assert np.allclose(scores[:, 3], scores[:, 1] * np.minimum(1.0, scores[:, 2] / 0.5))
    kept = scores[:, 2] >= 0.5
    assert np.array_equal(scores[kept, 3], scores[kept, 1])
    assert all(gm.gate is not None for gm in model.genre_models_.values())  # news was given: every genre is gated


def test_refuses_single_class_claims_and_hoax_news() -> None:
    analyser = Analyser(RuleEngine.from_file())
    docs = [analyser.analyse_text(t) for t in ("satu dua", "tiga empat", "lima enam")]
    with pytest.raises(TrainingDataError, match="both hoax and valid"):
        HoaxModel().fit(docs, [1, 1, 1], rules=analyser.rules)
    with pytest.raises(TrainingDataError, match="labelled valid"):
        HoaxModel().fit(docs, [1, 0, 1], rules=analyser.rules, corpus=["claims", "claims", "news"])


def test_without_ordinary_news_there_is_no_gate(small_model: SmallModel) -> None:
    claims = [(r, d) for r, d in zip(small_model.rows, small_model.docs, strict=True) if r.corpus == "claims"]
    model = HoaxModel(cv_folds=3, max_char_features=5_000).fit(
        [d for _, d in claims], [int(r.is_hoax) for r, _ in claims], rules=small_model.model.rules_
    )
    assert all(gm.gate is None for gm in model.genre_models_.values())
    assert np.all(model.reference_scores(small_model.held_out)[:, 2] == 1.0)


def test_prior_regression_pulls_a_rare_feature_to_its_prior_and_holds_signs() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    x[:, 2] = 0.0
    x[:3, 2] = 1.0  # a cue seen three times: the data says almost nothing about it
    y = (x[:, 0] - x[:, 1] + 0.3 * rng.normal(size=500) > 0).astype(int)
    fit = PriorLogisticRegression(prior=(0.0, 0.0, 1.5), strength=(0.1, 0.1, 4.0), signs=(1, 1, 1)).fit(x, y)
    assert fit.coef_[0, 0] > 0
    assert fit.coef_[0, 1] == pytest.approx(0.0, abs=1e-8)  # wants to be negative, held at zero
    assert fit.coef_[0, 2] == pytest.approx(1.5, abs=0.4)  # stays near its declared weight
    shrunk = PriorLogisticRegression(prior=(0.0, 0.0, 0.0), strength=(0.1, 0.1, 4.0), signs=(0, 0, 0)).fit(x, y)
    assert abs(shrunk.coef_[0, 2]) < 0.4  # toward zero, the cue would have vanished


def test_trained_combiner_keeps_every_rule_on_its_declared_side(small_model: SmallModel) -> None:
    rules = small_model.model.rules_
    for gm in small_model.model.genre_models_.values():
        coefs = gm.combiner.coef_.ravel()[-len(rules.rules) :]
        for rule, coef in zip(rules.rules, coefs, strict=True):
            assert np.sign(rule.weight) * coef >= -1e-9, rule.id


def test_out_of_fold_estimate_is_calibrated_and_better_than_chance(trained: TrainedModel) -> None:
    for genre, info in trained.model.describe().items():
        metrics = info["oof_metrics"]
        assert metrics["roc_auc"] > 0.7, genre
        assert metrics["ece"] < 0.1, genre
        assert info["n_news"] > 1000, genre  # the default model learnt what ordinary news looks like


def test_out_of_fold_rescaling_keeps_the_ranking_and_tempers_an_overfit_combiner() -> None:
    """A barely regularised fit on few noisy rows is surer in sample than out of fold; the rescaling keeps the
    order of the risks and narrows them."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 12))
    y = (x[:, 0] + rng.normal(scale=2.0, size=200) > 0).astype(int)

    def make() -> PriorLogisticRegression:
        return PriorLogisticRegression(prior=(0.0,) * 12, strength=(1e-3,) * 12, signs=(0,) * 12)

    combiner = make().fit(x, y)
    before = combiner.decision_function(x)
    _calibrate_out_of_fold(combiner, make, x, y, _folds(y, np.arange(200), 5, 0))
    after = combiner.decision_function(x)
    assert np.array_equal(np.argsort(before, kind="stable"), np.argsort(after, kind="stable"))
    assert 0.2 * np.ptp(before) < np.ptp(after) < 0.9 * np.ptp(before)
