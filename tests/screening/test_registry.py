"""The model registry: model files as data, verified by behaviour, atomic switches and a rollback that walks back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from screening.errors import ModelArtifactError
from screening.registry import (
    ACTIVE_NAME,
    LOG_NAME,
    METADATA_NAME,
    MODEL_ARRAYS,
    MODEL_JSON,
    REFERENCES_NAME,
    ModelRegistry,
    file_sha256,
)


@pytest.fixture
def registry(trained_models_dir: Path, tmp_path: Path) -> ModelRegistry:
    target = tmp_path / "models"
    shutil.copytree(trained_models_dir, target)
    return ModelRegistry(target)


def _new_version(registry: ModelRegistry) -> str:
    trained = registry.load()
    return registry.save(trained.model, training_rows=[], data_sources={}, known_hoaxes=trained.known_hoaxes)


def _rehash(registry: ModelRegistry, version: str, name: str) -> None:
    """Record a file's new hash, as someone altering it on purpose would."""
    path = registry.root / version / METADATA_NAME
    meta = json.loads(path.read_text("utf-8"))
    meta["files"][name] = file_sha256(registry.root / version / name)
    path.write_text(json.dumps(meta), "utf-8")


def test_a_version_is_data_and_json_only(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    names = {p.name for p in (registry.root / version).iterdir()}
    assert names == {MODEL_ARRAYS, MODEL_JSON, "known_hoaxes.npz", "known_hoaxes.json", REFERENCES_NAME, METADATA_NAME}
    with np.load(registry.root / version / MODEL_ARRAYS, allow_pickle=False) as arrays:
        assert all(not arrays[name].dtype.hasobject for name in arrays.files)


def test_metadata_records_data_labels_metrics_and_file_hashes(registry: ModelRegistry) -> None:
    info = registry.versions()[0]
    assert info.active and info.loadable and info.problem is None
    meta = info.metadata
    assert {"python", "scikit-learn", "numpy"} <= set(meta["libraries"])
    assert len(meta["training_data"]["sha256"]) == 64
    assert meta["training_data"]["n_news"] > 6000
    assert meta["labels"] == ["hoax", "valid"]
    assert set(meta["metrics"]) == {"post", "article"}
    assert all(len(h) == 64 for h in meta["files"].values())
    assert meta["parity_max_difference"] <= 1e-9
    assert meta["known_hoaxes_count"] > 1000


def test_other_library_versions_do_not_matter_behaviour_does(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    path = registry.root / version / METADATA_NAME
    meta = json.loads(path.read_text("utf-8"))
    meta["libraries"] = {"numpy": "1.26.5", "scikit-learn": "1.5.3", "scipy": "1.11.9", "PySastrawi": "1.2.1"}
    path.write_text(json.dumps(meta), "utf-8")
    assert registry.load().version == version  # recorded versions are information, not a reason to refuse


def test_refuses_a_damaged_array_file(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    with open(registry.root / version / MODEL_ARRAYS, "ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelArtifactError, match="model.npz tidak cocok dengan sha256 yang tercatat"):
        registry.load()
    assert not registry.versions()[0].loadable


def test_refuses_a_tampered_array_whose_hash_was_recomputed(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    path = registry.root / version / MODEL_ARRAYS
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["post.combiner_coef"] = arrays["post.combiner_coef"] * 1.01
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)  # type: ignore[arg-type]
    _rehash(registry, version, MODEL_ARRAYS)
    with pytest.raises(ModelArtifactError, match=r"teks acuan \d+ mendapat .* saat disimpan"):
        registry.load()


def test_a_pickle_in_a_version_folder_is_never_loaded(registry: ModelRegistry, tmp_path: Path) -> None:
    version = registry.active_version()
    assert version is not None
    marker = tmp_path / "ran"
    payload = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()  # a pickle that runs a shell command
    (registry.root / version / MODEL_ARRAYS).write_bytes(payload)
    _rehash(registry, version, MODEL_ARRAYS)
    with pytest.raises(ModelArtifactError, match="tidak terbaca"):
        registry.load()
    assert not marker.exists()


def test_malformed_metadata_marks_one_version_unloadable_and_breaks_nothing(registry: ModelRegistry) -> None:
    good = registry.active_version()
    assert good is not None
    broken = _new_version(registry)
    registry.activate(good)
    (registry.root / broken / METADATA_NAME).write_bytes(b"[1, 2, 3]")
    infos = {i.version: i for i in registry.versions()}
    assert infos[good].loadable and not infos[broken].loadable
    assert "bukan objek JSON" in str(infos[broken].problem)
    (registry.root / broken / METADATA_NAME).write_bytes(b"\xff\xfe not utf-8")
    assert "tidak terbaca" in str({i.version: i for i in registry.versions()}[broken].problem)
    with pytest.raises(ModelArtifactError):
        registry.activate(broken)
    assert registry.active_version() == good


def test_an_old_pickle_format_version_is_listed_with_the_reason(registry: ModelRegistry) -> None:
    old = registry.root / "20251101T000000-deadbeef-0000"
    old.mkdir()
    (old / "model.joblib").write_bytes(b"not loaded")
    (old / METADATA_NAME).write_text(json.dumps({"format_version": 1, "model_format": 3}), "utf-8")
    info = {i.version: i for i in registry.versions()}[old.name]
    assert not info.loadable and "pickle" in str(info.problem) and "saring train" in str(info.problem)


@pytest.mark.parametrize("name", ["../models", "a/b", "..", "", ".hidden", "x" * 200])
def test_version_names_are_plain_directory_names(registry: ModelRegistry, name: str) -> None:
    with pytest.raises(ModelArtifactError, match="bukan nama versi model"):
        registry.activate(name)


def test_an_active_pointer_outside_the_registry_counts_as_none(registry: ModelRegistry) -> None:
    (registry.root / ACTIVE_NAME).write_text("../../etc\n", "utf-8")
    assert registry.active_version() is None
    with pytest.raises(ModelArtifactError, match="belum ada model aktif"):
        registry.load()


def test_unknown_version_and_empty_registry_fail_clearly(tmp_path: Path, registry: ModelRegistry) -> None:
    with pytest.raises(ModelArtifactError, match="tidak ada di"):
        registry.activate("20990101T000000-deadbeef-0000")
    with pytest.raises(ModelArtifactError, match="saring train"):
        ModelRegistry(tmp_path / "empty").load()


def test_rollback_walks_back_through_history(registry: ModelRegistry) -> None:
    first = registry.active_version()
    second = _new_version(registry)
    third = _new_version(registry)
    assert registry.active_version() == third
    assert not [p for p in registry.root.iterdir() if p.name.startswith(".tmp-")]
    assert registry.rollback() == second
    assert registry.rollback() == first  # back again, not forth to the third
    with pytest.raises(ModelArtifactError, match="tidak ada versi model sebelumnya"):
        registry.rollback()
    assert registry.active_version() == first


def test_a_torn_last_line_of_the_activation_log_is_ignored(registry: ModelRegistry) -> None:
    first = registry.active_version()
    _new_version(registry)
    with open(registry.root / LOG_NAME, "a", encoding="utf-8") as log:
        log.write('{"version": "2026')
    assert registry.rollback() == first


def test_rollback_skips_a_version_that_can_no_longer_load(registry: ModelRegistry) -> None:
    first = registry.active_version()
    second = _new_version(registry)
    _new_version(registry)
    (registry.root / second / MODEL_JSON).write_text("{", "utf-8")
    assert registry.rollback() == first


def test_refuses_a_model_of_another_structure(registry: ModelRegistry) -> None:
    version = registry.active_version()
    assert version is not None
    path = registry.root / version / METADATA_NAME
    meta = json.loads(path.read_text("utf-8"))
    meta["model_format"] = 1
    path.write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelArtifactError, match="struktur model"):
        registry.load()
