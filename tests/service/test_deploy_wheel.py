"""The built wheel in a fresh venv, run from an empty directory: it serves, screens, and writes only to its home.

Builds the wheel from a copy of the source (so the checkout gets no build/), installs it with the lock file's
versions, and starts `saring serve` with SARING_HOME in a temporary directory. The default model is trained
from the training data the wheel carries, unless SARING_TEST_MODELS_DIR names a trained registry to reuse.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from http_helpers import ARTICLE, HOAX_POST, REPO
from processes import free_port

from screening.data import data_hash, load_training_data

pytestmark = pytest.mark.slow
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "models", "var", "reports"
)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{cmd}:\n{done.stdout}\n{done.stderr}"
    return done


def clean_env(**extra: str) -> dict[str, str]:
    """The environment less anything that would point the installed Saring at this checkout."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("SARING_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    return {**env, **extra}


def test_installed_wheel_serves_from_an_empty_directory(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=COPY_IGNORE)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(source)])
    (wheel,) = (tmp_path / "dist").glob("saring-*.whl")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    run([str(py), "-m", "pip", "install", "--quiet", "-c", str(REPO / "requirements.lock"), str(wheel)], timeout=900)

    home, empty, user_home = tmp_path / "home", tmp_path / "empty", tmp_path / "user"
    empty.mkdir()
    user_home.mkdir()
    env = clean_env(SARING_HOME=str(home), HOME=str(user_home), PYTHONDONTWRITEBYTECODE="1")

    # the wheel carries the training data: the installed copy holds exactly the checkout's rows
    shown = run(
        [str(py), "-c", "from service.settings import Settings; s = Settings(); print(s.training_data_dir)"],
        cwd=empty,
        env=env,
    ).stdout.strip()
    bundled = Path(shown)
    assert bundled.is_relative_to(venv) and (bundled / "README.md").is_file()
    assert data_hash(load_training_data(bundled)) == data_hash(load_training_data(REPO / "training_data"))

    given = os.environ.get("SARING_TEST_MODELS_DIR")
    if given:
        shutil.copytree(
            given, home / "models", dirs_exist_ok=True
        )  # else `saring serve` trains the default model from the wheel's data

    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(venv / "bin" / "saring"), "serve", "--port", str(port)],
            cwd=empty,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"saring serve exited:\n{log_path.read_text(errors='replace')}")
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.5)
        assert ready.json()["model_version"]
        screened = httpx.post(f"{base}/v1/screen", json=HOAX_POST, timeout=30)
        assert screened.status_code == 200, screened.text
        assert screened.json()["decision"] in ("review", "reject")
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)

    # the command line from the same empty directory: one JSON line per submission, on stdout
    screened_cli = run(
        [str(venv / "bin" / "saring"), "screen", "-", "--quiet"],
        cwd=empty,
        env=env,
        input=json.dumps({"text": ARTICLE["text"], "title": ARTICLE["title"]}) + "\n",
        timeout=300,
    )
    assert json.loads(screened_cli.stdout.splitlines()[0])["decision"]

    assert list(empty.iterdir()) == []  # nothing where it ran
    assert list(user_home.iterdir()) == []  # nor in the user's home: state is under SARING_HOME
    assert {p.name for p in home.iterdir()} == {"models", "var"}
