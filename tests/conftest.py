"""Shared fixtures: one real model trained on the bundled training data, once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.registry import ModelRegistry, TrainedModel, ensure_default_model
from screening.screen import DEFAULT_BASE_RATES, Screener

REPO = Path(__file__).resolve().parents[1]
TRAINING_DATA = REPO / "training_data"


@pytest.fixture(scope="session")
def trained_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry holding one model trained on the real training data (about 15 s, once)."""
    root = tmp_path_factory.mktemp("models")
    ensure_default_model(ModelRegistry(root), TRAINING_DATA)
    return root


@pytest.fixture(scope="session")
def trained(trained_models_dir: Path) -> TrainedModel:
    return ModelRegistry(trained_models_dir).load()


@pytest.fixture(scope="session")
def screener(trained: TrainedModel) -> Screener:
    """Screens as the service does by default (deployment base rates, default thresholds)."""
    return Screener.from_trained(trained, base_rates=DEFAULT_BASE_RATES)
