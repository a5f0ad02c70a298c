"""Shared fixtures: one real model trained on the bundled training data, once per test session."""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from screening.data import LabelledText, load_training_data
from screening.doc import Analyser, Doc
from screening.model import HoaxModel
from screening.registry import ModelRegistry, TrainedModel
from screening.screen import Screener
from screening.training.train import analyse_rows, ensure_default_model, fit_model

REPO = Path(__file__).resolve().parents[1]
TRAINING_DATA = REPO / "training_data"


@pytest.fixture(scope="session")
def trained_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry holding one model trained on the real training data (a few minutes, once).

    SARING_TEST_MODELS_DIR may name a registry already trained from this data (copied, never changed), to
    iterate on tests without training again; CI always trains.
    """
    root = tmp_path_factory.mktemp("models")
    given = os.environ.get("SARING_TEST_MODELS_DIR")
    if given:
        shutil.copytree(given, root, dirs_exist_ok=True)
    ensure_default_model(ModelRegistry(root), TRAINING_DATA)
    return root


@pytest.fixture(scope="session")
def trained(trained_models_dir: Path) -> TrainedModel:
    return ModelRegistry(trained_models_dir).load()


@pytest.fixture(scope="session")
def screener(trained: TrainedModel) -> Screener:
    """Screens as the service does by default (the deployment's default decision policy)."""
    return Screener.from_trained(trained)


@dataclass(frozen=True)
class SmallModel:
    """A model fitted on a small sample of the real data (claims of both genres and ordinary news)."""

    model: HoaxModel
    rows: list[LabelledText]
    docs: list[Doc]
    held_out: list[Doc]  # documents of rows the model never saw


@pytest.fixture(scope="session")
def small_model() -> SmallModel:
    rows = load_training_data(TRAINING_DATA)
    rng = random.Random(3)
    claims = [r for r in rows if r.corpus == "claims"]
    news = [r for r in rows if r.corpus == "news"]
    long_claims = [r for r in claims if len(r.text.split()) >= 120]
    sample = rng.sample(claims, 260) + long_claims[:70] + rng.sample(news, 160)
    unseen = rng.sample([r for r in rows if r not in set(sample)], 40)
    model, docs = fit_model(
        sample, params={"cv_folds": 3, "max_char_features": 20_000, "gate_max_char_features": 20_000}
    )
    return SmallModel(model, sample, docs, analyse_rows(unseen, Analyser(model.rules_)))
