"""Batch pool workers: a model that cannot load is one clean error; workers do not outlive a killed parent."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from screening.batch import OUTPUT_FIELDS, BatchOptions, Chunk, Encoding, Row, ScreenerSpec
from screening.batch.engines import make_runner
from screening.batch.writer import partial_path
from screening.errors import ModelArtifactError
from screening.registry import MODEL_ARRAYS, ModelRegistry
from screening.screen import BATCH_YOUNG_GC_THRESHOLD, YOUNG_GC_THRESHOLD

REPO = Path(__file__).resolve().parents[2]


def _tampered_registry(trained_models_dir: Path, tmp_path: Path) -> Path:
    """A copy of the session registry whose active model's artifact was altered after it was written."""
    models = tmp_path / "models"
    shutil.copytree(trained_models_dir, models)
    version = ModelRegistry(models).active_version()
    assert version is not None
    with open(models / version / MODEL_ARRAYS, "ab") as f:
        f.write(b"altered")
    return models


def test_pool_workers_that_cannot_load_the_model_report_one_clean_error(
    trained_models_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    models = _tampered_registry(trained_models_dir, tmp_path)
    version = ModelRegistry(models).active_version()
    # the parent would refuse this spec before starting workers; hand it to the pool as it is to test the workers
    runner = make_runner(
        ScreenerSpec(models, version), Encoding("jsonl", OUTPUT_FIELDS), engine="local", jobs=2, scheduler=None
    )
    try:
        chunk = Chunk(0, [Row(1, "1", "", "Sebarkan info ini ke semua grup!")], [], 10, 1, 1)
        with pytest.raises(ModelArtifactError, match="sha256"):
            runner.submit(chunk).result()
    finally:
        runner.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenProcessPool" not in err, err


def test_a_model_that_fails_verification_stops_the_run_before_writing(trained_models_dir: Path, tmp_path: Path) -> None:
    from screening.batch import screen_file

    models = _tampered_registry(trained_models_dir, tmp_path)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Sebarkan info ini ke semua grup!"}) + "\n", "utf-8")
    with pytest.raises(ModelArtifactError, match="sha256"):
        screen_file(ScreenerSpec(models), source, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_reads_and_verifies_its_model_once(
    trained_models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from screening.batch import screen_file

    loads: list[str | None] = []
    real_load = ModelRegistry.load

    def counted_load(self: ModelRegistry, version: str | None = None) -> object:
        loads.append(version)
        return real_load(self, version)

    monkeypatch.setattr(ModelRegistry, "load", counted_load)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Sebarkan info ini ke semua grup!"}) + "\n", "utf-8")
    summary = screen_file(
        ScreenerSpec(trained_models_dir), source, tmp_path / "out.jsonl", options=BatchOptions(jobs=jobs)
    )
    assert summary.screened == 1
    # the parent verifies the model before any output, then screens with it (workers fork with it loaded)
    assert loads == [summary.model_version]


def test_a_batch_screener_collects_young_garbage_less_often_than_the_service(trained_models_dir: Path) -> None:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's default, whatever an earlier test in this process left
    try:
        ScreenerSpec(trained_models_dir).load()
        # what forked workers inherit: fewer, longer young collections than a request could wait for
        assert gc.get_threshold()[0] >= BATCH_YOUNG_GC_THRESHOLD > YOUNG_GC_THRESHOLD
    finally:
        gc.set_threshold(*before)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(c) for c in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping remains


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc (Linux)")
def test_workers_exit_when_the_parent_is_killed(trained_models_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    line = json.dumps({"text": "Info dari grup sebelah: besok listrik padam total se-Jawa 3 hari. Sebarkan!"})
    source.write_text((line + "\n") * 20_000, "utf-8")
    command = [
        sys.executable, "-m", "service.cli_batch", "screen", str(source), "--out", str(tmp_path / "out.jsonl"),
        "--jobs", "2", "--models-dir", str(trained_models_dir), "--quiet",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SARING_")}
    proc = subprocess.Popen(command, cwd=REPO, env=env)
    partial = partial_path(tmp_path / "out.jsonl")  # the output takes its own name only once complete
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            # the pool's workers are the children that load the model (a resource tracker may also appear)
            workers = _children(proc.pid)
            if len(workers) >= 2 and partial.is_file() and partial.stat().st_size:
                break
            time.sleep(0.05)
        assert proc.poll() is None and len(workers) >= 2, "the run ended or never started its workers"
        os.kill(proc.pid, signal.SIGKILL)  # the parent alone, as the OOM killer or `kill -9` would
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        survivors = [w for w in workers if _alive(w)]
        assert not survivors, f"worker processes {survivors} outlived their parent"
    finally:
        for pid in [proc.pid, *workers]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait()
