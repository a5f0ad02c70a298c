"""The audit log's write path (service.audit): nothing answered is lost, a full queue waits, shutdown drains, and the
response body is the documented schema, field for field."""

from __future__ import annotations

import csv
import fcntl
import os
import signal
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from http_helpers import ADMIN, ARTICLE, HOAX_POST, REPO, SUBMITTER
from processes import Served

from screening.registry import ModelRegistry
from screening.screen import Screener
from screening.store import ScreeningAudit, Store, screening_row
from service.actions import is_brief
from service.app import create_app
from service.audit import AuditWriter, replay_spool
from service.responses import json_bytes
from service.schemas import BatchScreenResponse, ScreenResponse, Submission
from service.settings import Settings


@pytest.fixture(scope="module")
def screener(served_models_dir: Path) -> Screener:
    return Screener.from_registry(ModelRegistry(served_models_dir))


def _audits(screener: Screener, n: int, prefix: str = "teks") -> list[ScreeningAudit]:
    return [
        ScreeningAudit(screener.screen(text=f"{prefix} {i}: {HOAX_POST['text']}"), "", f"{prefix} {i}")
        for i in range(n)
    ]


def _logged(store: Store, audits: list[ScreeningAudit]) -> list[bool]:
    return [store.get_screening(a.result.screening_id) is not None for a in audits]


class GatedStore(Store):
    """A store whose commits wait until the test opens the gate."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.gate = threading.Event()
        self.commits = 0

    def insert_screening_rows(self, rows: Any, *, skip_existing: bool = False) -> None:
        self.gate.wait(30)
        self.commits += 1
        super().insert_screening_rows(rows, skip_existing=skip_existing)


def test_shutdown_commits_everything_queued_and_removes_the_spool(tmp_path: Path, screener: Screener) -> None:
    gated = GatedStore(f"sqlite:///{tmp_path / 'audit.db'}")
    gated.migrate()
    spool = tmp_path / "spool"
    writer = AuditWriter(gated, spool).start()
    audits = _audits(screener, 5)
    for audit in audits:
        writer.submit([audit])
    assert list(spool.glob("*.spool"))  # answered, not yet committed: the rows are on disk
    assert not any(_logged(gated, audits))
    gated.gate.set()
    assert writer.close()
    assert all(_logged(gated, audits))
    assert list(spool.iterdir()) == []
    gated.close()


def test_a_full_queue_makes_the_next_screening_wait_and_drops_nothing(tmp_path: Path, screener: Screener) -> None:
    gated = GatedStore(f"sqlite:///{tmp_path / 'audit.db'}")
    gated.migrate()
    writer = AuditWriter(gated, tmp_path / "spool", max_queued_rows=2).start()
    audits = _audits(screener, 3)
    writer.submit([audits[0]])
    writer.submit([audits[1]])
    returned = threading.Event()

    def third() -> None:
        writer.submit([audits[2]])
        returned.set()

    waiting = threading.Thread(target=third)
    waiting.start()
    assert not returned.wait(0.5)  # no room: the third screening is held, not dropped
    gated.gate.set()
    assert returned.wait(10)
    waiting.join()
    writer.flush()
    assert _logged(gated, audits) == [True, True, True]
    assert writer.close()
    gated.close()


def test_brief_means_short_and_never_waiting_for_the_audit_queue(tmp_path: Path, screener: Screener) -> None:
    store = Store(f"sqlite:///{tmp_path / 'audit.db'}")
    store.migrate()
    audit = AuditWriter(store, None, max_queued_rows=1)  # not started: what is queued stays queued
    short, long = Submission(title="Judul", text="a" * 95), Submission(title="", text="a" * 101)
    assert is_brief(audit, [short], max_chars=100) and not is_brief(audit, [long], max_chars=100)
    assert not is_brief(audit, [short, short], max_chars=100)  # the characters of a batch add up
    assert not is_brief(audit, [short], max_chars=0)
    audit.submit(_audits(screener, 1))
    assert not audit.has_room(1) and not is_brief(audit, [short], max_chars=100)  # submit would wait for room
    store.close()


def test_flush_commits_at_once_for_a_reader(store: Store, tmp_path: Path, screener: Screener) -> None:
    writer = AuditWriter(store, tmp_path / "spool").start()
    [audit] = _audits(screener, 1)
    writer.submit([audit])
    writer.flush()
    assert store.get_screening(audit.result.screening_id) is not None
    assert not writer.pending()
    assert writer.close()


def test_replay_writes_a_dead_process_spool_once_and_skips_a_line_cut_short(
    store: Store, tmp_path: Path, screener: Screener
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    audits = _audits(screener, 3)
    from datetime import UTC, datetime

    lines = [orjson.dumps(screening_row(a, created_at=datetime.now(UTC))) for a in audits]
    store.record_screenings([audits[0]])  # committed before the process died, not yet forgotten in the spool
    (spool / "4242-1-1.spool").write_bytes(b"\n".join(lines) + b"\n" + lines[0][:40])  # killed mid-write
    assert replay_spool(store, spool) == 3
    assert _logged(store, audits) == [True, True, True]
    assert list(spool.iterdir()) == []
    assert replay_spool(store, spool) == 0
    assert store.list_screenings(limit=10).total == 3


def test_replay_leaves_a_live_process_spool_alone(store: Store, tmp_path: Path, screener: Screener) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    [audit] = _audits(screener, 1)
    from datetime import UTC, datetime

    path = spool / "4243-1-1.spool"
    path.write_bytes(orjson.dumps(screening_row(audit, created_at=datetime.now(UTC))) + b"\n")
    owner = os.open(path, os.O_RDWR)
    fcntl.flock(owner, fcntl.LOCK_EX)
    try:
        assert replay_spool(store, spool) == 0
        assert path.exists() and store.get_screening(audit.result.screening_id) is None
    finally:
        os.close(owner)
    assert replay_spool(store, spool) == 1


def _training_texts(n: int) -> list[dict[str, str]]:
    texts = []
    for path in sorted((REPO / "training_data").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["text"].strip()]
        texts += [{"title": (r.get("title") or "")[:500], "text": r["text"][:3000]} for r in rows[:n]]
    return texts


def test_the_encoded_body_is_the_response_model_field_for_field(screener: Screener) -> None:
    """orjson writes the result dataclasses directly; FastAPI used to validate them against ScreenResponse and dump
    that. Same fields, same order, same values, on real texts of both genres."""
    for item in [HOAX_POST, ARTICLE, *_training_texts(15)]:
        result = screener.screen(text=item["text"], title=item.get("title", ""))
        encoded = orjson.loads(json_bytes(result))
        through_model = ScreenResponse.model_validate(result.to_dict()).model_dump(mode="json")
        assert encoded == through_model
        assert _key_order(encoded) == _key_order(through_model)


def _key_order(value: Any) -> Any:
    if isinstance(value, dict):
        return [(k, _key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_key_order(v) for v in value]
    return None


def test_http_bodies_validate_against_their_documented_models(client: TestClient) -> None:
    one = client.post("/v1/screen", json=ARTICLE, headers=SUBMITTER)
    assert one.status_code == 200 and one.headers["content-type"] == "application/json"
    assert one.headers["x-model-version"] == one.json()["model_version"]
    assert ScreenResponse.model_validate_json(one.content).model_dump(mode="json") == one.json()
    batch = client.post("/v1/screen/batch", json={"items": [HOAX_POST, {"text": ""}, ARTICLE]}, headers=SUBMITTER)
    assert batch.status_code == 200
    body = batch.json()
    assert BatchScreenResponse.model_validate_json(batch.content).model_dump(mode="json") == body
    assert [item["error"] is None for item in body["items"]] == [True, False, True]
    assert body["items"][1]["error"]["code"] == "invalid_item"


def test_a_screening_is_readable_at_once_through_the_api(client: TestClient) -> None:
    screening_id = client.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()["screening_id"]
    labelled = client.post(
        "/v1/labels", json={"text": HOAX_POST["text"], "label": "hoax", "screening_id": screening_id}, headers=ADMIN
    )
    assert labelled.status_code in (200, 201), labelled.text
    listed = client.get("/v1/screenings", headers=ADMIN).json()
    assert screening_id in [item["screening_id"] for item in listed["items"]]


def test_an_in_memory_database_keeps_no_spool(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings(database_url="sqlite://")
    assert settings.audit_spool is None
    with TestClient(create_app(settings)) as c:
        screening_id = c.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).json()["screening_id"]
        assert screening_id in [i["screening_id"] for i in c.get("/v1/screenings", headers=ADMIN).json()["items"]]


# -- real processes -----------------------------------------------------------------------------------------------


def _database(served: Served) -> Path:
    return served.workdir.parent / f"{served.workdir.name}.db"


def _screen_all(base: str, n: int) -> list[str]:
    ids = []
    with httpx.Client(base_url=base, timeout=30) as c:
        for i in range(n):
            r = c.post("/v1/screen", json={"text": f"{HOAX_POST['text']} ({i})"}, headers=SUBMITTER)
            assert r.status_code == 200, r.text
            ids.append(r.json()["screening_id"])
    return ids


def _in_database(path: Path, ids: list[str]) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT screening_id FROM screenings")} & set(ids)


@pytest.mark.slow
def test_a_server_killed_under_load_loses_no_answered_screening(serve: Callable[..., Served], models_dir: Path) -> None:
    first = serve(models_dir, "killed")
    first.wait_ready()
    answered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=first.base, timeout=30) as c:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    r = c.post("/v1/screen", json={"text": f"{HOAX_POST['text']} {i}"}, headers=SUBMITTER)
                except httpx.TransportError:
                    return  # the server is gone: this request was never answered
                if r.status_code == 200:
                    with lock:
                        answered.append(r.json()["screening_id"])

    # The database is held by another writer, as a busy one can be: the server answers from its spool meanwhile.
    held = sqlite3.connect(_database(first), timeout=30)
    held.execute("BEGIN EXCLUSIVE")
    clients = [threading.Thread(target=client) for _ in range(4)]
    for t in clients:
        t.start()
    while len(answered) < 30:
        threading.Event().wait(0.05)
    os.killpg(first.proc.pid, signal.SIGKILL)  # no shutdown, no drain
    first.proc.wait(10)
    stop.set()
    for t in clients:
        t.join(30)
    held.rollback()
    held.close()
    with lock:
        ids = list(answered)
    missing_before = set(ids) - _in_database(_database(first), ids)
    assert missing_before  # the kill left answered screenings only in the spool
    again = Served(models_dir, first.workdir)  # same database, so the same spool
    try:
        again.wait_ready()
        assert _in_database(_database(first), ids) == set(ids)
        assert "audit rows recovered from the spool" in again.output()
    finally:
        again.stop()


@pytest.mark.slow
def test_a_graceful_stop_drains_the_queue_before_exiting(serve: Callable[..., Served], models_dir: Path) -> None:
    served = serve(models_dir, "drained")
    served.wait_ready()
    held = sqlite3.connect(_database(served), timeout=30)
    held.execute("BEGIN EXCLUSIVE")
    ids = _screen_all(served.base, 10)
    served.proc.send_signal(signal.SIGINT)
    threading.Event().wait(0.5)
    assert served.proc.poll() is None  # still committing what it answered
    held.rollback()
    held.close()
    served.proc.wait(30)  # (uvicorn exits 130 after SIGINT, as after Ctrl-C)
    assert _in_database(_database(served), ids) == set(ids)
    spool = _database(served).with_name(_database(served).name + ".audit-spool")
    assert list(spool.glob("*.spool")) == []  # committed by the drain, not left for a replay
