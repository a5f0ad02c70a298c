"""Retraining with editors' labels: labels help, the gate keeps a worse model out, crashes leave the registry sound."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from id_texts import BPJS_CHAIN, CHAIN_TEXT, HEALTH_TEXT, SCAM_TEXT, SLANG_CHAIN, VACCINE_HOAX

from screening.data import load_training_data
from screening.doc import Analyser
from screening.errors import RetrainInProgressError
from screening.registry import ModelRegistry
from screening.scorer import CompiledModel
from screening.store import Store
from screening.submission import Submission
from screening.training.retrain import (
    RetrainOptions,
    compare_holdout_metrics,
    labels_to_rows,
    retrain,
)
from screening.training.train import train_and_register

REPO = Path(__file__).resolve().parents[2]
BANSOS = REPO / "tests" / "data" / "retrain_bansos.jsonl"


@dataclass(frozen=True)
class Label:
    id: int
    text: str
    title: str
    label: str
    editor_id: str = "ani"


def _bansos(split: str, label: str | None = None) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in BANSOS.read_text("utf-8").splitlines()]
    return [r for r in rows if r["split"] == split and (label is None or r["label"] == label)]


def _editor_labels() -> list[Label]:
    return [Label(i, r["text"], "", r["label"]) for i, r in enumerate(_bansos("labels"), start=1)]


def _risks(model: CompiledModel, texts: list[str]) -> np.ndarray:
    analyser = Analyser(model.rules)
    return np.asarray([model.score_one(analyser.analyse(Submission(text=t))).trained_hoax_risk for t in texts])


@pytest.fixture(scope="module")
def small_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 300-row balanced sample of the real training data and a registry with one model trained on it."""
    root = tmp_path_factory.mktemp("retrain")
    rows = load_training_data(REPO / "training_data")
    rnd = random.Random(0)
    pick = rnd.sample([r for r in rows if r.is_hoax], 150) + rnd.sample([r for r in rows if not r.is_hoax], 150)
    data = root / "training_data"
    data.mkdir()
    with open(data / "base.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "title"])
        writer.writerows([r.text, r.label, r.title] for r in pick)
    models = root / "models"
    train_and_register(ModelRegistry(models), data)
    return data, models


@pytest.fixture
def registry(small_setup: tuple[Path, Path], tmp_path: Path) -> ModelRegistry:
    shutil.copytree(small_setup[1], tmp_path / "models")
    return ModelRegistry(tmp_path / "models")


@pytest.mark.slow
def test_editor_labels_teach_a_new_scam_and_paraphrases_score_higher(
    small_setup: tuple[Path, Path], registry: ModelRegistry
) -> None:
    data, _ = small_setup
    before_version = registry.active_version()
    assert before_version is not None
    before = registry.load().model
    held_hoax = [r["text"] for r in _bansos("heldout", "hoax")]
    held_valid = [r["text"] for r in _bansos("heldout", "valid")]
    risk_before = _risks(before, held_hoax)
    valid_before = float(_risks(before, held_valid).mean())
    assert risk_before.mean() < 0.6, "the current model already knows this scam; the test would show nothing"

    activated: list[str] = []

    def activate(version: str) -> None:
        registry.activate(version)
        activated.append(version)

    report = retrain(registry, data, labels=_editor_labels(), activate=activate)
    assert report.outcome == "promoted", report.to_dict()
    assert activated == [report.new_version] == [registry.active_version()]
    after = registry.load().model
    risk_after = _risks(after, held_hoax)
    # held-out paraphrases of the scam (never labelled) now look like what they are
    assert risk_after.mean() - risk_before.mean() > 0.2, (risk_before, risk_after)
    assert float(np.median(risk_after)) > 0.7
    assert (risk_after > risk_before).mean() >= 0.75
    # genuine bansos news is not swept along: it does not become riskier
    assert float(_risks(after, held_valid).mean()) <= valid_before + 0.05

    meta = registry.read_metadata(str(report.new_version))["retrain"]
    assert meta["previous_version"] == before_version
    assert meta["n_labels"] == len(_editor_labels()) and meta["label_counts"] == {"hoax": 26, "valid": 10}
    assert len(meta["base_sha256"]) == 64 and len(meta["labels_sha256"]) == 64
    assert meta["labels_through_id"] == len(_editor_labels())
    assert set(meta["comparison"]) <= {"post", "article"} and meta["comparison"]
    assert meta["labels"] == {"stored": 36, "used": 36, "folded": 0, "left_out_conflicts": 0}
    assert [v.version for v in registry.versions()] == [report.new_version, before_version]

    # same data again: nothing to do; rollback returns to the previous model
    again = retrain(registry, data, labels=_editor_labels())
    assert again.outcome == "unchanged" and again.new_version is None
    assert registry.rollback() == before_version


def test_a_candidate_worse_than_the_margin_is_kept_out(
    small_setup: tuple[Path, Path], registry: ModelRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = small_setup
    before = registry.active_version()
    worse = {"by_genre": {"post": {"macro_f1": 0.70, "roc_auc": 0.80}, "article": {"macro_f1": 0.9, "roc_auc": 0.95}}}
    good = {"by_genre": {"post": {"macro_f1": 0.75, "roc_auc": 0.805}, "article": {"macro_f1": 0.9, "roc_auc": 0.95}}}
    calls = iter([good, worse, good])
    monkeypatch.setattr("screening.training.retrain.evaluate_docs", lambda model, rows, docs: next(calls))
    monkeypatch.setattr("screening.training.retrain._brief", lambda metrics: {})
    report = retrain(registry, data, labels=_editor_labels(), options=RetrainOptions(margin=0.01))
    assert report.outcome == "kept"
    assert report.reasons == ["post macro_f1 drops by 0.050 (> margin 0.010): 0.750 -> 0.700"]
    assert registry.active_version() == before and len(registry.versions()) == 1


def test_gate_compares_each_genre_and_metric_against_the_margin() -> None:
    ref = {"by_genre": {"post": {"macro_f1": 0.80, "roc_auc": 0.90}, "article": {"macro_f1": 0.9, "roc_auc": None}}}
    cand = {"by_genre": {"post": {"macro_f1": 0.795, "roc_auc": 0.87}, "article": {"macro_f1": 0.95, "roc_auc": 1.0}}}
    comparison, failures = compare_holdout_metrics(ref, cand, 0.01)
    assert comparison["post"]["macro_f1"]["delta"] == -0.005
    assert comparison["article"]["roc_auc"]["delta"] is None  # one class only on the hold-out: not compared
    assert failures == ["post roc_auc drops by 0.030 (> margin 0.010): 0.900 -> 0.870"]
    assert compare_holdout_metrics(ref, cand, 0.05)[1] == []


def test_agreeing_labels_fold_and_disagreeing_ones_are_left_out() -> None:
    folded = labels_to_rows(
        [Label(1, "teks a", "", "hoax"), Label(2, "teks b", "", "valid"), Label(3, "teks a", "", "hoax")]
    )
    assert [(r.text, r.label, r.source) for r in folded.rows] == [
        ("teks b", "valid", "editor-labels#2"),
        ("teks a", "hoax", "editor-labels#3"),
    ]
    assert folded.counts() == {"stored": 3, "used": 2, "folded": 1, "left_out_conflicts": 0}
    # one editor correcting their own verdict is not a conflict: the newer label counts
    corrected = labels_to_rows([Label(1, "teks a", "", "hoax"), Label(2, "teks a", "", "valid")])
    assert [(r.label, r.source) for r in corrected.rows] == [("valid", "editor-labels#2")]
    assert corrected.counts()["left_out_conflicts"] == 0
    # two editors whose latest verdicts differ are a conflict: left out until they agree
    conflict = labels_to_rows([Label(1, "teks a", "", "hoax", "ani"), Label(2, "teks a", "", "valid", "budi")])
    assert conflict.rows == [] and conflict.counts()["left_out_conflicts"] == 1
    settled = labels_to_rows(
        [
            Label(1, "teks a", "", "hoax", "ani"),
            Label(2, "teks a", "", "valid", "budi"),
            Label(3, "teks a", "", "valid", "ani"),
        ]
    )
    assert [r.label for r in settled.rows] == ["valid"] and settled.counts()["left_out_conflicts"] == 0


def test_labels_that_flatly_contradict_the_model_hold_the_candidate(
    small_setup: tuple[Path, Path], registry: ModelRegistry
) -> None:
    data, _ = small_setup
    model = registry.load().model
    chains = [CHAIN_TEXT, SCAM_TEXT, HEALTH_TEXT, BPJS_CHAIN, SLANG_CHAIN, VACCINE_HOAX]
    chains += [f"{SCAM_TEXT} Kode undian {n}{n}{n}." for n in range(1, 7)]
    chains += [f"{HEALTH_TEXT} Sudah {n} orang sembuh total." for n in range(2, 7)]
    obvious = [t for t, risk in zip(chains, _risks(model, chains), strict=True) if risk >= 0.9]
    assert len(obvious) >= 5, "the current model must be sure of these for the test to mean anything"
    prank = [Label(i, text, "", "valid") for i, text in enumerate(obvious, start=1)]
    report = retrain(registry, data, labels=prank, options=RetrainOptions(margin=1.0))
    assert report.outcome == "held_for_review", report.to_dict()
    assert {c["label_id"] for c in report.contradicting_labels} == {label.id for label in prank}
    assert len(registry.versions()) == 1


def test_one_retrain_per_registry_and_stale_temp_dirs_are_removed(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    with registry.retrain_lock(), pytest.raises(RetrainInProgressError), registry.retrain_lock():
        pass
    stale, fresh, pointer = tmp_path / ".tmp-old", tmp_path / ".tmp-live", tmp_path / ".ACTIVE.0f0f"
    stale.mkdir()
    fresh.mkdir()
    pointer.write_text("v1\n")
    for path in (stale, pointer):
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    assert sorted(registry.remove_stale_temp()) == [".ACTIVE.0f0f", ".tmp-old"]
    assert fresh.is_dir() and not stale.exists() and not pointer.exists()


@pytest.mark.slow
def test_killing_a_retrain_at_any_moment_leaves_a_sound_registry(
    small_setup: tuple[Path, Path], registry: ModelRegistry, tmp_path: Path
) -> None:
    data, _ = small_setup
    original = registry.active_version()
    assert original is not None
    store = Store(f"sqlite:///{tmp_path / 'labels.db'}")
    store.migrate()
    for record in _editor_labels():
        store.add_label(text=record.text, label=record.label, editor_id="editor-1")  # type: ignore[arg-type]
    store.close()
    command = [
        sys.executable,
        "-m",
        "service.cli_batch",
        "retrain",
        "--models-dir",
        str(registry.root),
        "--training-data",
        str(data),
        "--database-url",
        f"sqlite:///{tmp_path / 'labels.db'}",
        "--force",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SARING_")}
    rnd = random.Random()
    # kill at a random moment after a phase starts: training, the final fit and save, between save and activation
    for marker, longest in (("melatih model acuan", 4.0), ("melatih model akhir", 9.0), ("disimpan dan", 0.05)):
        delay = rnd.uniform(0.0, longest)
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        seen = []
        for raw in proc.stderr:
            seen.append(raw.decode())
            if marker in seen[-1]:
                time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=120)
        proc.stderr.close()
        assert proc.returncode in (0, -signal.SIGKILL), "".join(seen)
        assert any(marker in line for line in seen), "".join(seen)
        # every directory that looks like a version is complete and verifies; nothing half-written is listed
        listed = [v.version for v in registry.versions()]
        on_disk = sorted(p.name for p in registry.root.iterdir() if p.is_dir() and not p.name.startswith("."))
        assert sorted(listed) == on_disk, f"{marker} + {delay:.2f}s"
        for version in listed:
            registry.load(version)
        active = registry.active_version()
        assert active == original or (active in listed and active != original), f"{marker} + {delay:.2f}s"
        assert registry.load().version == active
        assert registry.load(original).version == original
    with registry.retrain_lock():  # the killed processes did not keep the lock
        pass
