"""Fixtures for the HTTP tests: explicit Settings (no patched globals), a served registry, clients per role."""

from __future__ import annotations

import csv
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from http_helpers import API_KEYS, REPO

from screening.registry import ModelRegistry, ensure_default_model
from service.app import create_app
from service.settings import Settings

ROWS_PER_FILE = 300  # enough for a model that separates obvious hoaxes from reporting, quick to train


@pytest.fixture(scope="session")
def small_training_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first rows of each bundled training file: real data, a fraction of the training time."""
    target = tmp_path_factory.mktemp("training-data")
    for source in sorted((REPO / "training_data").glob("*.csv")):
        with source.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = [row for _, row in zip(range(ROWS_PER_FILE), reader, strict=False)]
            fields = reader.fieldnames or []
        with (target / source.name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return target


@pytest.fixture(scope="session")
def served_models_dir(tmp_path_factory: pytest.TempPathFactory, small_training_dir: Path) -> Path:
    """A registry holding one real trained model, built once per session."""
    root = tmp_path_factory.mktemp("served-models")
    ensure_default_model(ModelRegistry(root), small_training_dir)
    return root


@pytest.fixture
def models_dir(served_models_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session registry, so activation tests cannot disturb other tests."""
    target = tmp_path / "models"
    shutil.copytree(served_models_dir, target, symlinks=True)
    return target


@pytest.fixture
def make_settings(models_dir: Path, tmp_path: Path, small_training_dir: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "models_dir": models_dir,
            "training_data_dir": small_training_dir,
            "database_url": f"sqlite:///{tmp_path / 'saring.db'}",
            "api_keys": API_KEYS,
            "train_if_missing": False,
            "rate_limit_per_minute": 0,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as c:
        yield c


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database (see tests/screening/test_store.py); skipped only if SARING_SKIP_POSTGRES=1."""
    if os.environ.get("SARING_SKIP_POSTGRES") == "1":
        pytest.skip("SARING_SKIP_POSTGRES=1")
    admin_url = os.environ.get("SARING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"saring_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
