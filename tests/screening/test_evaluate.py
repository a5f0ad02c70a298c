"""Evaluation: metric definitions, scoring a labelled file, and the cross-validation report."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from screening.data import load_training_data
from screening.metrics import best_macro_f1_threshold, ece_bootstrap, ece_if_calibrated, expected_calibration_error
from screening.policy import DecisionPolicy
from screening.registry import TrainedModel
from screening.result import Thresholds
from screening.training.evaluate import cross_validate, evaluate_file, write_report

TRAINING_DATA = Path(__file__).resolve().parents[2] / "training_data"


def test_expected_calibration_error_separates_calibrated_from_overconfident() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=20_000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    assert expected_calibration_error(y, p) < 0.02
    assert expected_calibration_error(y, np.where(p > 0.5, 1.0, 0.0)) > 0.2


def test_ece_draws_are_the_ece_of_each_drawn_sample() -> None:
    rng = np.random.default_rng(1)
    p = rng.uniform(size=300)
    y = (rng.uniform(size=p.size) < p).astype(int)
    # the vectorised draws reproduce expected_calibration_error sample by sample
    labels = np.random.default_rng(7).random((20, p.size)) < p
    expected = [expected_calibration_error(row, p) for row in labels]
    assert np.allclose(ece_if_calibrated(p, draws=20, seed=7), expected)
    rows = np.random.default_rng(7).integers(0, p.size, size=(20, p.size))
    expected = [expected_calibration_error(y[r], p[r]) for r in rows]
    assert np.allclose(ece_bootstrap(y, p, draws=20, seed=7), expected)


def test_ece_noise_floor_shrinks_with_the_sample_and_separates_an_overconfident_model() -> None:
    rng = np.random.default_rng(2)
    small, large = rng.uniform(size=250), rng.uniform(size=4000)
    ratio = np.median(ece_if_calibrated(small)) / np.median(ece_if_calibrated(large))
    assert 2.5 < ratio < 6.0  # about sqrt(4000 / 250) = 4
    y = (rng.uniform(size=large.size) < large).astype(int)
    overconfident = np.clip(0.5 + 1.6 * (large - 0.5), 0.01, 0.99)
    assert expected_calibration_error(y, overconfident) > np.quantile(ece_if_calibrated(overconfident), 0.95)
    assert expected_calibration_error(y, large) < np.quantile(ece_if_calibrated(large), 0.95)


def test_best_threshold_separates_a_separable_sample() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9])
    t = best_macro_f1_threshold(y, p)
    assert 0.3 < t <= 0.6


def test_evaluate_file_reports_every_metric(trained: TrainedModel, tmp_path: Path) -> None:
    rows = load_training_data(TRAINING_DATA)[::40]
    path = tmp_path / "holdout.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows({"text": r.text, "label": r.label} for r in rows)
    report = evaluate_file(trained.model, path)
    assert report["n"] == len(rows)
    for key in ("accuracy", "macro_f1", "roc_auc", "brier", "ece"):
        assert 0.0 <= report[key] <= 1.0
    assert sum(map(sum, report["confusion_matrix"]["matrix"])) == len(rows)
    assert set(report["by_genre"]) <= {"post", "article"}
    assert report["accuracy"] > 0.7  # rows the model was trained on: a sanity floor, not a quality claim
    # beside the metrics at the model's threshold: the decisions the service would give
    shares = report["decisions"]
    assert set(shares) <= {"post", "article"}
    assert all(0.0 <= s["flagged"] <= 1.0 for genre in shares.values() for s in genre.values())


def test_cross_validation_report_on_small_data(tmp_path: Path) -> None:
    rows = load_training_data(TRAINING_DATA)
    posts = [r for r in rows if r.source.startswith("mafindo")]
    news = [r for r in rows if r.corpus == "news"]
    claims = posts[:240] + [r for r in posts if r.label == "valid"][:80] + [r for r in rows if "pratiwi" in r.source]
    small = claims + news[:160]
    params = {"max_char_features": 20_000, "gate_max_char_features": 20_000}
    report = cross_validate(small, folds=3, params=params)
    metrics = write_report(report, tmp_path)
    assert {"baseline", "text_classifier", "full", "decisions", "trade_off"} <= set(metrics)
    # the model's figures are on the hoax-watch data alone; ordinary news only in the decisions
    assert metrics["full"]["article"]["n"] + metrics["full"]["post"]["n"] == len(claims)
    decisions = metrics["decisions"]
    assert sum(decisions[g]["ordinary_news"]["n"] for g in ("post", "article")) == 160
    text = (tmp_path / "cv_report.md").read_text()
    assert text.count("| article |") == 5 and "ordinary news flagged" in text
    # the ECE comes with its noise: a bootstrap interval around it, and what a calibrated model would score
    for genre, e in metrics["ece_noise"].items():
        assert e["ece"] == metrics["full"][genre]["ece"]
        assert e["bootstrap_95"][0] <= e["bootstrap_95"][1]
        assert 0.0 < e["if_calibrated_median"] <= e["if_calibrated_95th"]
    # the decisions follow the policy given: a stricter review threshold flags no more of anything
    strict = report.decision_table(DecisionPolicy(thresholds=Thresholds(review=0.95, reject=0.99)))
    for genre, parts in decisions.items():
        for part, share in parts.items():
            if share["flagged"] is not None:
                assert strict[genre][part]["flagged"] <= share["flagged"]
    assert any(
        strict[g][p]["flagged"] < decisions[g][p]["flagged"]
        for g in decisions
        for p in decisions[g]
        if decisions[g][p]["n"]
    )
    assert (tmp_path / "reliability.png").stat().st_size > 10_000
