"""Packaging beyond pyproject.toml: the wheel carries `training_data/` (with its README licence notes) as
`service/training_data`, so an installed Saring can train its default model. A checkout reads its own copy."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TRAINING_DATA = Path(__file__).resolve().parent / "training_data"


class BuildWithTrainingData(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib) / "service" / "training_data"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(TRAINING_DATA, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": BuildWithTrainingData})
