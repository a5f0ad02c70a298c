"""The saring command line: train, evaluate (--json), models list/activate/rollback."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from screening.data import load_training_data
from screening.registry import ModelRegistry
from screening.store import Store
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


def test_train_list_activate_rollback(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    _write_small_training_data(data)
    monkeypatch.setenv("SARING_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'saring.db'}")
    (first,) = [
        v["version"] for v in json.loads(_run(capsys, ["models", "list", "--json", "--models-dir", str(models_dir)]))
    ]
    assert main(["train", "--models-dir", str(models_dir), "--training-data", str(data)]) == 0
    assert "tanpa label editor: belum ada yang tersimpan" in capsys.readouterr().out
    assert not (tmp_path / "var").exists()  # no store was created just to find it empty
    versions = json.loads(_run(capsys, ["models", "list", "--json", "--models-dir", str(models_dir)]))
    assert len(versions) == 2 and versions[0]["active"] and versions[0]["version"] != first
    assert main(["models", "rollback", "--models-dir", str(models_dir)]) == 0
    versions = json.loads(_run(capsys, ["models", "list", "--json", "--models-dir", str(models_dir)]))
    assert [v["version"] for v in versions if v["active"]] == [first]


def test_train_includes_the_editors_labels_or_says_loudly_it_leaves_them_out(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    _write_small_training_data(data)
    url = f"sqlite:///{tmp_path / 'saring.db'}"
    monkeypatch.setenv("SARING_DATABASE_URL", url)
    store = Store(url)
    store.migrate()
    base = load_training_data(data)
    store.save_label(text=base[0].text, label="valid" if base[0].label == "hoax" else "hoax", editor_id="ani")
    store.save_label(
        text="Warga Desa Sukamaju gotong royong membersihkan saluran irigasi.", label="valid", editor_id="ani"
    )
    store.save_label(
        text="Warga Desa Sukamaju gotong royong membersihkan saluran irigasi.", label="valid", editor_id="budi"
    )
    store.save_label(text="SEBARKAN!!! Bansos cair lewat tautan ini.", label="hoax", editor_id="ani")
    store.save_label(text="SEBARKAN!!! Bansos cair lewat tautan ini.", label="valid", editor_id="budi")  # a conflict
    store.close()
    argv = ["train", "--models-dir", str(models_dir), "--training-data", str(data)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "label editor: 5 tersimpan, 2 dipakai, 1 digabung" in out and "1 teks berkonflik ditinggalkan" in out
    active = ModelRegistry(models_dir).active_version()
    assert active is not None
    meta = ModelRegistry(models_dir).read_metadata(active)
    assert meta["training_data"]["n_rows"] == len(base) + 1  # one label replaced a base row, one was added
    assert meta["retrain"]["labels"] == {"stored": 5, "used": 2, "folded": 1, "left_out_conflicts": 1}
    assert meta["retrain"]["n_labels_overriding_base"] == 1
    assert main([*argv, "--base-only", "--no-activate"]) == 0
    assert "PERHATIAN: 5 label editor yang tersimpan TIDAK ikut dilatih (--base-only)" in capsys.readouterr().out
    assert ModelRegistry(models_dir).active_version() == active


def test_errors_are_reported_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tmp_path / "missing.csv"), "--models-dir", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == f"saring: {tmp_path / 'missing.csv'}: berkas tidak ditemukan\n"


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out
