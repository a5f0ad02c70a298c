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
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from screening.data import load_training_data
from screening.registry import ModelRegistry, train_and_register
from screening.retrain import (
    RetrainInProgressError,
    RetrainJobRunner,
    RetrainOptions,
    RetrainReport,
    compare_holdout_metrics,
    labels_to_rows,
    registry_lock,
    remove_stale_temp_dirs,
    retrain,
)
from screening.store import Store

REPO = Path(__file__).resolve().parents[2]
BANSOS = REPO / "tests" / "data" / "retrain_bansos.jsonl"


@dataclass(frozen=True)
class Label:
    id: int
    text: str
    title: str
    label: str


def _bansos(split: str, label: str | None = None) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in BANSOS.read_text("utf-8").splitlines()]
    return [r for r in rows if r["split"] == split and (label is None or r["label"] == label)]


def _editor_labels() -> list[Label]:
    return [Label(i, r["text"], "", r["label"]) for i, r in enumerate(_bansos("labels"), start=1)]


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
    risk_before = before.predict_proba(held_hoax)[:, 1]
    valid_before = float(before.predict_proba(held_valid)[:, 1].mean())
    assert risk_before.mean() < 0.6, "the current model already knows this scam; the test would show nothing"

    activated: list[str] = []

    def activate(version: str) -> None:
        registry.activate(version)
        activated.append(version)

    report = retrain(registry, data, labels=_editor_labels(), activate=activate)
    assert report.outcome == "promoted", report.describe()
    assert activated == [report.new_version] == [registry.active_version()]
    after = registry.load().model
    risk_after = after.predict_proba(held_hoax)[:, 1]
    # held-out paraphrases of the scam (never labelled) now look like what they are
    assert risk_after.mean() - risk_before.mean() > 0.2, (risk_before, risk_after)
    assert float(np.median(risk_after)) > 0.7
    assert (risk_after > risk_before).mean() >= 0.75
    # genuine bansos news is not swept along: it does not become riskier
    assert float(after.predict_proba(held_valid)[:, 1].mean()) <= valid_before + 0.05

    meta = registry.read_metadata(str(report.new_version))["retrain"]
    assert meta["previous_version"] == before_version
    assert meta["n_labels"] == len(_editor_labels()) and meta["label_counts"] == {"hoax": 26, "valid": 10}
    assert len(meta["base_sha256"]) == 64 and len(meta["labels_sha256"]) == 64
    assert meta["labels_through_id"] == len(_editor_labels())
    assert set(meta["comparison"]) <= {"post", "article"} and meta["comparison"]
    assert [v["version"] for v in registry.versions()] == [report.new_version, before_version]

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
    monkeypatch.setattr("screening.retrain.evaluate_rows", lambda model, rows: next(calls))
    monkeypatch.setattr("screening.retrain._brief", lambda metrics: {})
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


def test_newest_label_per_text_wins_and_order_follows_it() -> None:
    rows = labels_to_rows(
        [Label(1, "teks a", "", "hoax"), Label(2, "teks b", "", "valid"), Label(3, "teks a", "", "valid")]
    )
    assert [(r.text, r.label, r.source) for r in rows] == [
        ("teks b", "valid", "editor-labels#2"),
        ("teks a", "valid", "editor-labels#3"),
    ]


def test_one_retrain_per_registry_and_stale_temp_dirs_are_removed(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    with registry_lock(registry), pytest.raises(RetrainInProgressError), registry_lock(registry):
        pass
    stale, fresh, pointer = tmp_path / ".tmp-old", tmp_path / ".tmp-live", tmp_path / ".ACTIVE.0f0f"
    stale.mkdir()
    fresh.mkdir()
    pointer.write_text("v1\n")
    for path in (stale, pointer):
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    assert sorted(remove_stale_temp_dirs(registry)) == [".ACTIVE.0f0f", ".tmp-old"]
    assert fresh.is_dir() and not stale.exists() and not pointer.exists()


def test_job_runner_reports_status_and_refuses_a_second_job() -> None:
    release = threading.Event()

    def task(progress: object) -> RetrainReport:
        assert callable(progress)
        progress("training")
        release.wait(5)
        return RetrainReport("kept", ["worse"], "v1")

    runner = RetrainJobRunner()
    job = runner.start(task)
    with pytest.raises(RetrainInProgressError):
        runner.start(task)
    time.sleep(0.05)
    running = runner.get(job.job_id)
    assert running is not None and running.status == "running" and running.messages == ["training"]
    release.set()
    assert runner.wait(5)
    done = runner.get(job.job_id)
    assert done is not None and done.status == "succeeded" and done.to_dict()["outcome"] == "kept"

    def failing(progress: object) -> RetrainReport:
        raise RuntimeError("disk full")

    failed = runner.start(failing)
    assert runner.wait(5)
    state = runner.get(failed.job_id)
    assert state is not None and state.status == "failed" and state.error == "RuntimeError: disk full"
    assert runner.get("nope") is None and runner.latest() is not None


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
    for marker, longest in (("training the reference", 4.0), ("training the final model", 9.0), ("stored and", 0.05)):
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
        listed = [str(v["version"]) for v in registry.versions()]
        on_disk = sorted(p.name for p in registry.root.iterdir() if p.is_dir() and not p.name.startswith("."))
        assert sorted(listed) == on_disk, f"{marker} + {delay:.2f}s"
        for version in listed:
            registry.verify(version)
        active = registry.active_version()
        assert active == original or (active in listed and active != original), f"{marker} + {delay:.2f}s"
        assert registry.load().version == active
        assert registry.load(original).version == original
    with registry_lock(registry):  # the killed processes did not keep the lock
        pass
