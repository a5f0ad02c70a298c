"""Fixtures for the HTTP tests: explicit Settings (no patched globals), a served registry, clients per role."""

from __future__ import annotations

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
from processes import Served

from screening.store import Store, engine_url
from service.app import create_app
from service.settings import Settings


@pytest.fixture(scope="session")
def served_models_dir(trained_models_dir: Path) -> Path:
    """The session's real trained registry (tests/conftest.py); tests serve private copies of it."""
    return trained_models_dir


@pytest.fixture
def models_dir(served_models_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session registry, so activation tests cannot disturb other tests."""
    target = tmp_path / "models"
    shutil.copytree(served_models_dir, target, symlinks=True)
    return target


@pytest.fixture
def make_settings(models_dir: Path, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "models_dir": models_dir,
            "training_data_dir": REPO / "training_data",
            "database_url": f"sqlite:///{tmp_path / 'saring.db'}",
            "api_keys": API_KEYS,
            "train_if_missing": False,
            "rate_limit_per_minute": 0,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated SQLite store of the test's own."""
    s = Store(f"sqlite:///{tmp_path / 'saring.db'}")
    s.migrate()
    yield s
    s.close()


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
    admin = sa.create_engine(engine_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"saring_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield engine_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start `saring serve` processes (`serve(models_dir, name, *args)`); all are stopped after the test."""
    started: list[Served] = []

    def start(models_dir: Path, name: str, *args: str, database_url: str | None = None) -> Served:
        served = Served(models_dir, tmp_path / name, *args, database_url=database_url)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()
