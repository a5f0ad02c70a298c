"""The hoax model: training smoke test on small data, calibration, persistence, batch == one by one."""

from __future__ import annotations

import io
from pathlib import Path

import joblib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.data import load_training_data
from screening.errors import TrainingDataError
from screening.model import HoaxModel, SignConstrainedLogisticRegression
from screening.registry import TrainedModel

TRAINING_DATA = Path(__file__).resolve().parents[2] / "training_data"


@pytest.fixture(scope="module")
def small_rows() -> list:
    rows = load_training_data(TRAINING_DATA)
    posts = [r for r in rows if r.source.startswith("mafindo")]
    articles = [r for r in rows if r.source.startswith("pratiwi")]
    return posts[:300] + [r for r in posts if r.label == "valid"][:60] + articles[:80]


def test_one_pass_training_on_small_data(small_rows: list) -> None:
    model = HoaxModel(cv_folds=3).fit([r.text for r in small_rows], [int(r.is_hoax) for r in small_rows])
    p = model.predict_proba([r.text for r in small_rows[:20]])
    assert p.shape == (20, 2)
    assert np.all((p >= 0) & (p <= 1))
    assert np.allclose(p.sum(axis=1), 1.0)
    assert set(model.describe()) == {"post", "article"}


def test_refuses_single_class_data() -> None:
    with pytest.raises(TrainingDataError):
        HoaxModel().fit(["satu", "dua", "tiga"], [1, 1, 1])


def test_joblib_round_trip_gives_identical_scores(trained: TrainedModel) -> None:
    texts = ["SEBARKAN!!! Vaksin mengandung chip 5G", "Kapolres membantah kabar itu, katanya hoaks."]
    buffer = io.BytesIO()
    joblib.dump(trained.model, buffer)
    buffer.seek(0)
    copy = joblib.load(buffer)
    assert np.allclose(copy.predict_proba(texts), trained.model.predict_proba(texts))


def test_out_of_fold_estimate_is_calibrated_and_better_than_chance(trained: TrainedModel) -> None:
    for genre, info in trained.model.describe().items():
        metrics = info["oof_metrics"]
        assert metrics["roc_auc"] > 0.65, genre
        assert metrics["ece"] < 0.1, genre


def test_batch_scoring_equals_one_by_one(trained: TrainedModel) -> None:
    rows = load_training_data(TRAINING_DATA)[::97]
    texts = [r.text for r in rows]
    together = trained.model.predict_proba(texts)[:, 1]
    alone = np.array([trained.model.predict_proba([t])[0, 1] for t in texts])
    assert np.allclose(together, alone, atol=1e-9)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
def test_model_scoring_never_raises_and_stays_in_range(trained: TrainedModel, text: str) -> None:
    p = trained.model.predict_proba([text])
    assert p.shape == (1, 2) and 0.0 <= p[0, 1] <= 1.0


def test_model_scores_extreme_texts(trained: TrainedModel) -> None:
    texts = ["", "😀" * 100, "\u200b\u200c\u200d", "kabar " * 200_000, "漢字 العربية ไทย русский", "\x00"]
    assert len(texts[3]) > 1_000_000
    p = trained.model.predict_proba(texts)[:, 1]
    assert np.all((p >= 0) & (p <= 1))


def test_sign_constrained_combiner_keeps_declared_directions() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    y = (x[:, 0] - x[:, 1] + 0.3 * rng.normal(size=500) > 0).astype(int)
    free = SignConstrainedLogisticRegression(C=10.0).fit(x, y)
    assert free.coef_[0, 0] > 0 > free.coef_[0, 1]
    held = SignConstrainedLogisticRegression(C=10.0, signs=(1, 1, -1)).fit(x, y)
    assert held.coef_[0, 0] > 0
    assert held.coef_[0, 1] == pytest.approx(0.0, abs=1e-8)  # wants to be negative, held at zero
    assert held.coef_[0, 2] <= 0


def test_trained_combiner_respects_the_rules_file(trained: TrainedModel) -> None:
    directions = trained.model.preparer_.rule_engine.feature_directions()
    for gm in trained.model.genre_models_.values():
        rule_coefs = gm.combiner.coef_.ravel()[-len(directions) :]
        for sign, coef in zip(directions, rule_coefs, strict=True):
            assert sign * coef >= -1e-9
