"""Deployment: the version, the offline documented API, the console, workers following the registry."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from screening.rules.engine import RuleEngine
from service.cli import main


def test_version_names_the_package_and_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out == f"saring {metadata.version('saring')} (aturan {RuleEngine.from_file().version})"


def test_version_needs_no_command_and_no_model(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"saring \S+ \(aturan \S+\)\n", run.stdout)
    assert list(tmp_path.iterdir()) == []  # it creates nothing where it runs
