"""The saring command line: train, evaluate (--json), models list/activate/rollback."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from screening.data import load_training_data
from service.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def models_dir(trained_models_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(trained_models_dir, target)
    return target


def _write_small_training_data(directory: Path) -> None:
    rows = load_training_data(REPO / "training_data")
    posts = [r for r in rows if r.source.startswith("mafindo")]
    chosen = posts[:150] + [r for r in posts if r.label == "valid"][:50] + [r for r in rows if "pratiwi" in r.source]
    directory.mkdir()
    with open(directory / "small.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["text", "label", "title"])
        writer.writeheader()
        writer.writerows({"text": r.text, "label": r.label, "title": r.title} for r in chosen)


def test_evaluate_json_prints_one_object_with_the_metrics(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "labelled.jsonl"
    rows = load_training_data(REPO / "training_data")[::200]
    path.write_text("\n".join(json.dumps({"text": r.text, "label": r.label}) for r in rows), "utf-8")
    assert main(["evaluate", str(path), "--json", "--models-dir", str(models_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == len(rows)
    assert {"accuracy", "macro_f1", "roc_auc", "brier", "ece"} <= set(report)


def test_train_list_activate_rollback(models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _write_small_training_data(data)
    (first,) = [
        v["version"] for v in json.loads(_run(capsys, ["models", "list", "--json", "--models-dir", str(models_dir)]))
    ]
    assert main(["train", "--models-dir", str(models_dir), "--training-data", str(data)]) == 0
    capsys.readouterr()
    versions = json.loads(_run(capsys, ["models", "list", "--json", "--models-dir", str(models_dir)]))
    assert len(versions) == 2 and versions[0]["active"] and versions[0]["version"] != first
    assert main(["models", "rollback", "--models-dir", str(models_dir)]) == 0
    versions = json.loads(_run(capsys, ["models", "list", "--json", "--models-dir", str(models_dir)]))
    assert [v["version"] for v in versions if v["active"]] == [first]


def test_errors_are_reported_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tmp_path / "missing.csv"), "--models-dir", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == f"saring: {tmp_path / 'missing.csv'}: berkas tidak ditemukan\n"


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out
