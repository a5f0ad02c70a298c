"""The faces of batch screening and retraining: `saring screen`, `saring retrain` and the admin retrain route."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from http_helpers import ADMIN, REPO, SUBMITTER

from screening.batch import BatchSummary, Fields, Progress
from screening.data import load_training_data
from screening.registry import ModelRegistry
from screening.training.train import train_and_register
from service.app import create_app
from service.cli_batch import format_summary, main, render_progress
from service.settings import Settings

BANSOS = REPO / "tests" / "data" / "retrain_bansos.jsonl"


def test_screen_command_writes_csv_in_order_and_a_summary(
    tmp_path: Path, trained_models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "kiriman.csv"
    with open(source, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["no", "pesan"])
        writer.writerow(["a1", "SEBARKAN!!! Besok listrik padam total se-Jawa selama 3 hari, siapkan lilin!!!"])
        writer.writerow(["a2", ""])
        writer.writerow(["a3", "Posyandu Melati membuka layanan imunisasi dasar setiap Selasa di balai desa."])
    out = tmp_path / "hasil.csv"
    code = main(
        [
            "screen",
            str(source),
            "--out",
            str(out),
            "--text-field",
            "pesan",
            "--id-field",
            "no",
            "--jobs",
            "1",
            "--models-dir",
            str(trained_models_dir),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [r["id"] for r in rows] == ["a1", "a3"]
    assert float(rows[0]["hoax_risk"]) > float(rows[1]["hoax_risk"])
    errors = [json.loads(line) for line in (tmp_path / "hasil.csv.errors.jsonl").read_text().splitlines()]
    assert errors == [{"line": 3, "id": "a2", "reason": "'pesan' kosong"}]
    summary = capsys.readouterr().err
    assert "3 baris dibaca, 2 disaring, 1 galat" in summary and "publish" in summary and "reject" in summary


def test_screen_command_on_dask_reads_partitions_and_writes_what_the_local_engine_writes(
    tmp_path: Path, trained_models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    distributed = pytest.importorskip("distributed")
    source = tmp_path / "kiriman.jsonl"
    texts = ["SEBARKAN!!! Besok listrik padam total se-Jawa 3 hari!!!", "", "Posyandu Melati buka setiap Selasa."]
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts * 3), "utf-8")
    common = ["--with-messages", "--models-dir", str(trained_models_dir)]
    assert main(["screen", str(source), "--out", str(tmp_path / "lokal.jsonl"), "--jobs", "1", *common]) == 0
    with distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster:
        dask = ["--engine", "dask", "--scheduler", cluster.scheduler_address, "--partition-mb", "1"]
        assert main(["screen", str(source), "--out", str(tmp_path / "dask.jsonl"), *dask, *common]) == 0
    assert "mesin dask, 2 proses" in capsys.readouterr().err
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "lokal.jsonl").read_bytes()
    errors = (tmp_path / "dask.jsonl.errors.jsonl").read_text("utf-8")
    assert errors == (tmp_path / "lokal.jsonl.errors.jsonl").read_text("utf-8") and errors.count("\n") == 3


def test_screen_command_keeps_columns_and_writes_messages(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "kiriman.csv"
    with open(source, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "kecamatan", "desa", "catatan"])
        writer.writerow(["a1", "SEBARKAN!!! Besok listrik padam total se-Jawa 3 hari!!!", "Cibeber", "Mekar", "x"])
    out = tmp_path / "hasil.csv"
    argv = ["screen", str(source), "--out", str(out), "--keep-columns", "kecamatan, desa", "--with-messages"]
    assert main([*argv, "--jobs", "1", "--quiet", "--models-dir", str(trained_models_dir)]) == 0
    (row,) = csv.DictReader(io.StringIO(out.read_text("utf-8")))
    assert list(row)[-4:] == ["rule_messages", "notices", "kecamatan", "desa"]
    assert (row["kecamatan"], row["desa"]) == ("Cibeber", "Mekar") and "catatan" not in row
    assert row["rules"] and row["rule_messages"]
    argv = ["screen", str(source), "--out", str(out), "--keep-columns", "desa", "--keep-all-columns"]
    assert main([*argv, "--jobs", "1", "--quiet", "--models-dir", str(trained_models_dir)]) == 0
    (row,) = csv.DictReader(io.StringIO(out.read_text("utf-8")))
    assert list(row)[-3:] == ["desa", "kecamatan", "catatan"] and row["catatan"] == "x"


def test_summary_numbers_are_written_as_indonesian_readers_write_them() -> None:
    summary = BatchSummary(rows=6_000, screened=5_990, errors=10, seconds=7.5, model_version="v1", jobs=2)
    summary.decisions = {"publish": 4_000, "review": 1_980, "reject": 10}
    text = format_summary(summary, output="hasil.csv", errors="hasil.csv.errors.jsonl", fields=Fields())
    assert "6.000 baris dibaca, 5.990 disaring, 10 galat dalam 7,5 detik (800 baris/detik" in text
    assert "publish 4.000  review 1.980  reject 10" in text


def test_progress_line_shows_share_rate_and_time_left() -> None:
    line = render_progress(Progress(rows=5_000, input_bytes=250, total_bytes=1_000, elapsed=10.0))
    assert "25,0%" in line and "5.000 baris" in line and "500 baris/detik" in line and "sisa 00:00:30" in line
    assert "sisa" not in render_progress(Progress(rows=10, input_bytes=5, total_bytes=None, elapsed=1.0))


@pytest.fixture
def small_registry(tmp_path: Path) -> tuple[Path, Path]:
    rows = load_training_data(REPO / "training_data")
    rnd = random.Random(1)
    claims = [r for r in rows if r.corpus == "claims"]  # the CSV below has no corpus column
    pick = rnd.sample([r for r in claims if r.is_hoax], 100) + rnd.sample([r for r in claims if not r.is_hoax], 100)
    data = tmp_path / "training_data"
    data.mkdir()
    with open(data / "base.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows([r.text, r.label] for r in pick)
    models = tmp_path / "small-models"
    train_and_register(ModelRegistry(models), data)
    return data, models


@pytest.mark.slow
def test_admin_retrain_job_promotes_and_the_service_serves_the_new_model_without_restart(
    small_registry: tuple[Path, Path], make_settings: Callable[..., Settings]
) -> None:
    data, models = small_registry
    app = create_app(make_settings(models_dir=models, training_data_dir=data))
    labels = [json.loads(line) for line in BANSOS.read_text("utf-8").splitlines()]
    with TestClient(app) as client:
        before = client.get("/v1/models", headers=SUBMITTER).json()["serving_version"]
        for item in (x for x in labels if x["split"] == "labels"):
            r = client.post("/v1/labels", headers=ADMIN, json={"text": item["text"], "label": item["label"]})
            assert r.status_code == 201, r.text
        assert client.post("/v1/retrain", headers={**SUBMITTER, "Content-Type": "application/json"}).status_code == 403
        # the promotion gate itself is tested in tests/screening/test_retrain.py; here it compares two models of a
        # 200-row base on about 45 held-out rows, where one row moves macro-F1 by several hundredths: a wide margin
        # keeps this test on the job and the model switch
        started = client.post("/v1/retrain", headers=ADMIN, json={"margin": 0.2})
        assert started.status_code == 202, started.text
        job_id = started.json()["job_id"]
        again = client.post("/v1/retrain", headers={**ADMIN, "Content-Type": "application/json"})
        assert again.status_code == 409  # one at a time
        deadline = time.monotonic() + 180
        while True:
            status = client.get(f"/v1/retrain/{job_id}", headers=ADMIN).json()
            if status["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status["status"] == "succeeded", status
        assert status["outcome"] == "promoted", status["report"]
        new_version = status["report"]["new_version"]
        models_now = client.get("/v1/models", headers=SUBMITTER).json()
        assert models_now["serving_version"] == new_version == models_now["active_version"] != before
        screened = client.post("/v1/screen", headers=SUBMITTER, json={"text": labels[30]["text"]}).json()
        assert screened["model_version"] == new_version
        assert client.get("/v1/retrain/" + "0" * 32, headers=ADMIN).status_code == 404
