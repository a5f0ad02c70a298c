"""Several service replicas sharing one PostgreSQL store."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa
from empty_database import drop_all_tables
from fastapi.testclient import TestClient
from http_helpers import ADMIN, ARTICLE, HOAX_POST, SUBMITTER

from screening.store import Store
from service.app import create_app
from service.settings import Settings


def test_two_replicas_share_a_postgres_store(make_settings: Callable[..., Settings], postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    drop_all_tables(engine)  # the session's database is shared: start empty, so both replicas migrate it
    engine.dispose()
    apps = [create_app(make_settings(database_url=postgres_url)) for _ in range(2)]
    clients = [TestClient(app) for app in apps]
    started: list[BaseException] = []

    def start(c: TestClient) -> None:
        try:
            c.__enter__()  # both replicas migrate at once; the advisory lock serialises them
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            started.append(exc)

    threads = [threading.Thread(target=start, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not started, started
        first, second = clients
        a = first.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
        b = second.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).json()
        label = {"text": HOAX_POST["text"], "label": "hoax", "screening_id": a["screening_id"]}
        assert second.post("/v1/labels", json=label, headers=ADMIN).status_code == 201
        assert first.get("/readyz").json()["store_reachable"]
    finally:
        for c in clients:
            c.__exit__(None, None, None)
    store = Store(postgres_url)
    try:
        assert store.get_screening(a["screening_id"]) is not None
        assert store.get_screening(b["screening_id"]) is not None
        assert [r.screening_id for r in store.labels_for_training()] == [a["screening_id"]]
    finally:
        store.close()
