"""The model registry: metadata, verification that refuses altered or foreign artifacts, atomic switch, rollback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from screening.errors import ModelArtifactError
from screening.registry import ARTIFACT_NAME, METADATA_NAME, ModelRegistry


@pytest.fixture
def registry(trained_models_dir: Path, tmp_path: Path) -> ModelRegistry:
    target = tmp_path / "models"
    shutil.copytree(trained_models_dir, target)
    return ModelRegistry(target)


def test_metadata_records_versions_data_hash_labels_metrics_and_hash(registry: ModelRegistry) -> None:
    meta = registry.versions()[0]
    assert meta["active"] is True
    assert {"python", "scikit-learn", "PySastrawi", "numpy"} <= set(meta["libraries"])
    assert len(meta["training_data"]["sha256"]) == 64
    assert meta["labels"] == ["hoax", "valid"]
    assert set(meta["metrics"]) == {"post", "article"}
    assert len(meta["artifact_sha256"]) == 64
    assert meta["ruleset_version"]
    assert meta["known_hoaxes_count"] > 1000


def test_refuses_an_altered_artifact(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    with open(registry.root / version / ARTIFACT_NAME, "ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelArtifactError, match="sha256"):
        registry.load()


def test_refuses_a_model_from_other_library_versions(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    path = registry.root / version / METADATA_NAME
    meta = json.loads(path.read_text())
    meta["libraries"]["scikit-learn"] = "0.0.1"
    path.write_text(json.dumps(meta))
    with pytest.raises(ModelArtifactError, match="scikit-learn"):
        registry.load()


def test_unknown_version_and_empty_registry_fail_clearly(tmp_path: Path, registry: ModelRegistry) -> None:
    with pytest.raises(ModelArtifactError, match="not found"):
        registry.activate("20990101T000000-deadbeef-0000")
    with pytest.raises(ModelArtifactError, match="saring train"):
        ModelRegistry(tmp_path / "empty").load()


def test_save_activate_and_rollback(registry: ModelRegistry) -> None:
    first = registry.active_version()
    assert first is not None
    trained = registry.load()
    second = registry.save(
        trained.model,
        training_rows=[],
        data_sources={},
        known_hoaxes=trained.known_hoaxes,
    )
    assert registry.active_version() == second != first
    assert not [p for p in registry.root.iterdir() if p.name.startswith(".tmp-")]
    assert registry.rollback() == first
    assert registry.active_version() == first
    assert registry.load().version == first


def test_refuses_a_model_of_another_format(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    path = registry.root / version / METADATA_NAME
    meta = json.loads(path.read_text())
    meta["model_format"] = 1
    path.write_text(json.dumps(meta))
    with pytest.raises(ModelArtifactError, match="model format"):
        registry.load()
