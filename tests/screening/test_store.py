"""The store against both backends: an SQLite file and a throw-away PostgreSQL database.

PostgreSQL comes from SARING_TEST_POSTGRES_URL (default: the local server, database `test`); the tests create a
`saring_test_<random>` database and drop it at the end. They are skipped only when SARING_SKIP_POSTGRES=1.
"""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from empty_database import drop_all_tables

from screening.errors import InvalidInputError
from screening.result import QualityReport, ScreenResult, Thresholds
from screening.store import (
    LabelDeletedError,
    LabelFilter,
    LabelNotFoundError,
    ScreeningAudit,
    ScreeningFilter,
    ScreeningMismatchError,
    Store,
    StoreError,
    engine_url,
    text_sha256,
)
from screening.training.retrain import labels_to_rows

PG_ADMIN_URL = os.environ.get("SARING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SKIP_PG = os.environ.get("SARING_SKIP_POSTGRES") == "1"

HEAD = "0005_label_history"
HOAX = "Pesan berantai: vaksin mengandung chip pelacak, sebarkan ke semua grup WA sebelum dihapus!"
VALID = "Kelompok Informasi Masyarakat Desa Sukamaju menggelar kerja bakti membersihkan saluran irigasi, Minggu (3/11)."


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if SKIP_PG:
        pytest.skip("SARING_SKIP_POSTGRES=1")
    admin = sa.create_engine(engine_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"saring_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:  # a missing server fails here, on purpose: CI must run these
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield engine_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'saring.db'}"
    else:
        base: str = request.getfixturevalue("postgres_url")
        url = base
    s = Store(url)
    if request.param == "postgresql":
        drop_all_tables(s.engine)  # each test gets an empty database
    s.migrate()
    yield s
    s.close()


def make_result(*, decision: str = "review", text: str = HOAX, risk: float = 0.6) -> ScreenResult:
    return ScreenResult(
        screening_id=uuid.uuid4().hex,
        text_sha256=text_sha256(text),
        hoax_risk=risk,
        classifier_risk=risk,
        decision=decision,  # type: ignore[arg-type]
        thresholds=Thresholds(),
        genre="post",
        base_rate=0.5,
        language="id",
        notices=(),
        quality=QualityReport(kind="post", score=50, subscores={}, findings=()),
        rules=(),
        terms=(),
        similar_hoaxes=(),
        model_version="m-test",
        ruleset_version="r-test",
    )


def test_migrate_is_idempotent_and_reports_head(store: Store) -> None:
    assert store.migrate() == HEAD
    assert store.migrate() == HEAD
    assert store.ping()


def test_migrate_works_from_another_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = Store("sqlite:///elsewhere/saring.db")
    assert s.migrate() == HEAD
    assert (tmp_path / "elsewhere" / "saring.db").exists()
    s.close()


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    s = Store(f"sqlite:///{tmp_path / 's.db'}")
    s.migrate()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    s.close()


def test_label_roundtrip_returns_committed_id(store: Store) -> None:
    first = store.add_label(text=HOAX, label="hoax", editor_id="editor-1", title="Vaksin", note="hoaks lama")
    second = store.add_label(text=VALID, label="valid", editor_id="editor-2")
    assert second > first
    assert store.count_labels() == 2
    rows = store.labels_for_training()
    assert [r.label for r in rows] == ["hoax", "valid"]
    assert rows[0].text_sha256 == text_sha256(HOAX) and rows[0].title == "Vaksin" and rows[0].note == "hoaks lama"
    assert rows[0].created_at.tzinfo is not None


def test_labels_for_training_are_every_label_for_retraining_to_fold(store: Store) -> None:
    store.add_label(text=HOAX, label="valid", editor_id="e1")
    store.add_label(text=VALID, label="valid", editor_id="e1")
    store.add_label(text=HOAX, label="hoax", editor_id="e1", note="dikoreksi")  # e1 corrects their own verdict
    store.add_label(text=VALID, label="hoax", editor_id="e2")  # e2 disagrees with e1: a conflict
    rows = store.labels_for_training()
    assert [(r.text, r.label, r.editor_id) for r in rows] == [
        (HOAX, "valid", "e1"),
        (VALID, "valid", "e1"),
        (HOAX, "hoax", "e1"),
        (VALID, "hoax", "e2"),
    ]
    # what retraining makes of them: the newer verdict of e1 counts, the disputed text is left out and counted
    used = labels_to_rows(rows)
    assert [(r.text, r.label) for r in used.rows] == [(HOAX, "hoax")]
    assert used.counts() == {"stored": 4, "used": 1, "folded": 1, "left_out_conflicts": 1}


def test_review_queue_newest_first_without_labelled(store: Store) -> None:
    older = make_result(decision="review", text="teks satu")
    newer = make_result(decision="review", text="teks dua")
    labelled = make_result(decision="review", text="teks tiga")
    same_text_labelled = make_result(decision="review", text="teks empat")
    published = make_result(decision="publish", text="teks lima", risk=0.1)
    for r in (older, newer, labelled, same_text_labelled, published):
        store.record_screening(r, title="Judul", text=r.screening_id, caller_role="submitter", caller_key_id="k1")
    store.add_label(text="teks tiga", label="hoax", editor_id="e", screening_id=labelled.screening_id)
    # a label on the same text answers the screening too, even without its id
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE labels SET text_sha256 = :h"), {"h": same_text_labelled.text_sha256})
    queue = store.review_queue(limit=10)
    assert [r.screening_id for r in queue] == [newer.screening_id, older.screening_id]
    assert store.review_queue(limit=1, offset=1)[0].screening_id == older.screening_id
    assert queue[0].caller_role == "submitter" and queue[0].caller_key_id == "k1"


def test_skip_review_leaves_the_queue_without_a_training_label(store: Store) -> None:
    skipped = make_result(decision="review", text="teks ragu")
    same_text = make_result(decision="review", text="teks ragu")
    kept = make_result(decision="review", text="teks lain")
    for r in (skipped, same_text, kept):
        store.record_screening(r, title="Judul", text=r.screening_id)
    with store.engine.begin() as conn:  # the resubmitted copy carries the same text hash
        conn.execute(
            sa.text("UPDATE screenings SET text_sha256 = :h WHERE screening_id = :s"),
            {"h": skipped.text_sha256, "s": same_text.screening_id},
        )
    skip_id = store.skip_review(skipped.screening_id, editor_id="redaktur-1", note="perlu cek ke desa")
    assert skip_id > 0
    assert [r.screening_id for r in store.review_queue()] == [kept.screening_id]
    assert store.labels_for_training() == [] and store.count_labels() == 0
    [skip] = store.review_skips()
    assert (skip.screening_id, skip.editor_id, skip.note) == (skipped.screening_id, "redaktur-1", "perlu cek ke desa")
    assert skip.text_sha256 == skipped.text_sha256 and skip.created_at.tzinfo is not None
    with pytest.raises(InvalidInputError):
        store.skip_review("tidak-ada", editor_id="redaktur-1")
    with pytest.raises(InvalidInputError):
        store.skip_review(kept.screening_id, editor_id=" ")


def test_record_screenings_batch_and_lookup(store: Store) -> None:
    results = [make_result(text=f"teks {i}") for i in range(5)]
    store.record_screenings(
        [ScreeningAudit(r, "Judul", f"teks {i}", kim_group="KIM Maju") for i, r in enumerate(results)]
    )
    rec = store.get_screening(results[3].screening_id)
    assert rec is not None
    assert rec.text == "teks 3" and rec.kim_group == "KIM Maju" and rec.model_version == "m-test"
    assert store.get_screening("nope") is None


def test_duplicate_screening_id_is_a_store_error(store: Store) -> None:
    r = make_result()
    store.record_screening(r, title="", text=HOAX)
    with pytest.raises(StoreError):
        store.record_screening(r, title="", text=HOAX)


@pytest.mark.parametrize("bad", ["nul\x00char", "lone \ud800 surrogate"])
def test_unstorable_text_is_invalid_input(store: Store, bad: str) -> None:
    with pytest.raises(InvalidInputError):
        store.add_label(text=bad, label="hoax", editor_id="e")
    assert store.count_labels() == 0


def test_bad_label_rejected(store: Store) -> None:
    with pytest.raises(InvalidInputError):
        store.add_label(text=HOAX, label="maybe", editor_id="e")  # type: ignore[arg-type]


def test_concurrent_writers(store: Store) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                store.add_label(text=f"teks {n}-{i}", label="valid", editor_id=f"e{n}")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count_labels() == 40


def test_unreachable_database_fails_ping_and_raises_store_error() -> None:
    s = Store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert s.ping() is False
    with pytest.raises(StoreError):
        s.add_label(text=HOAX, label="hoax", editor_id="e")


def test_save_label_folds_repeats_and_reports_conflicts(store: Store) -> None:
    first = store.save_label(text=HOAX, label="hoax", editor_id="ani")
    again = store.save_label(text=HOAX, label="hoax", editor_id="ani")
    assert (again.id, again.duplicate, again.conflict) == (first.id, True, False)
    budi = store.save_label(text=HOAX, label="valid", editor_id="budi")
    assert (budi.duplicate, budi.conflict) == (False, True)
    assert store.conflicts([text_sha256(HOAX), text_sha256(VALID)]) == {text_sha256(HOAX)}
    changed = store.save_label(text=HOAX, label="valid", editor_id="ani")  # a correction is stored, and settles it
    assert (changed.duplicate, changed.conflict) == (False, False)
    assert store.count_labels() == 3 and store.conflicts([text_sha256(HOAX)]) == frozenset()


def test_save_label_checks_the_screening_against_the_text(store: Store) -> None:
    result = make_result(text=HOAX)
    store.record_screening(result, title="", text=HOAX)
    with pytest.raises(ScreeningMismatchError) as unknown:
        store.save_label(text=HOAX, label="hoax", editor_id="ani", screening_id="nope")
    assert unknown.value.reason == "unknown"
    with pytest.raises(ScreeningMismatchError) as other:
        store.save_label(text=VALID, label="valid", editor_id="ani", screening_id=result.screening_id)
    assert other.value.reason == "other_text"
    assert store.count_labels() == 0
    store.save_label(text=HOAX, label="hoax", editor_id="ani", screening_id=result.screening_id)


def test_list_and_iterate_labels_with_filters(store: Store) -> None:
    for i in range(4):
        store.save_label(text=f"{HOAX} {i}", label="hoax" if i < 3 else "valid", editor_id="ani" if i % 2 else "budi")
    page = store.list_labels(LabelFilter(label="hoax"), limit=2)
    assert page.total == 3 and [r.text for r in page.items] == [f"{HOAX} 2", f"{HOAX} 1"]
    assert [r.text for r in store.list_labels(LabelFilter(editor="ani")).items] == [f"{HOAX} 3", f"{HOAX} 1"]
    assert [r.text for r in store.iter_labels(LabelFilter(editor="budi"), chunk=1)] == [f"{HOAX} 0", f"{HOAX} 2"]


def test_a_conflict_returns_a_labelled_screening_to_the_queue(store: Store) -> None:
    result = make_result(decision="review", text=HOAX)
    store.record_screening(result, title="", text=HOAX)
    store.save_label(text=HOAX, label="hoax", editor_id="ani", screening_id=result.screening_id)
    assert store.review_queue() == []
    store.save_label(text=HOAX, label="valid", editor_id="budi")
    assert [r.screening_id for r in store.review_queue()] == [result.screening_id]


def test_audit_rows_are_listed_filtered_and_their_texts_purged(store: Store) -> None:
    old, new = make_result(decision="review", text=HOAX), make_result(decision="publish", text=VALID, risk=0.1)
    store.record_screenings(
        [
            ScreeningAudit(old, "Vaksin", HOAX, author="Siti", channel="whatsapp", request_id="req-1", kim_group="A"),
            ScreeningAudit(new, "Kerja bakti", VALID, author="Budi", channel="website", request_id="req-2"),
        ]
    )
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE screenings SET created_at = :t WHERE screening_id = :s"),
            {"t": datetime.now(UTC) - timedelta(days=10), "s": old.screening_id},
        )
    page = store.list_screenings()
    assert page.total == 2 and [r.screening_id for r in page.items] == [new.screening_id, old.screening_id]
    assert (page.items[1].author, page.items[1].channel, page.items[1].request_id) == ("Siti", "whatsapp", "req-1")
    assert store.list_screenings(ScreeningFilter(decision="publish")).items[0].screening_id == new.screening_id
    week_ago = datetime.now(UTC) - timedelta(days=7)
    assert [r.screening_id for r in store.list_screenings(ScreeningFilter(until=week_ago)).items] == [old.screening_id]
    assert store.list_screenings(ScreeningFilter(since=week_ago, kim_group="A")).total == 0
    assert store.list_screenings(ScreeningFilter(model_version="m-test"), limit=1, offset=1).items[0].text == HOAX
    assert store.purge_texts(before=week_ago) == 1
    assert store.purge_texts(before=week_ago) == 0  # already purged
    purged = store.get_screening(old.screening_id)
    assert purged is not None and (purged.title, purged.text, purged.author) == ("", "", None)
    assert purged.text_purged_at is not None and purged.text_sha256 == old.text_sha256
    assert (purged.decision, purged.hoax_risk, purged.request_id, purged.channel) == (
        "review",
        0.6,
        "req-1",
        "whatsapp",
    )
    assert store.get_screening(new.screening_id) == page.items[0]
    assert store.review_queue() == []  # a purged screening has nothing left to review


def test_iterating_the_audit_log_reads_every_row_once_in_chunks(store: Store) -> None:
    results = [make_result(decision="review" if i % 2 else "publish", text=f"teks {i}") for i in range(7)]
    store.record_screenings([ScreeningAudit(r, "", f"teks {i}") for i, r in enumerate(results)])  # one time: ties
    later = make_result(text="teks nanti")
    store.record_screenings([ScreeningAudit(later, "", "teks nanti")])
    every = list(store.iter_screenings(chunk=3))
    assert sorted(r.screening_id for r in every[:7]) == sorted(r.screening_id for r in results)
    assert len(every) == 8 and every[-1].screening_id == later.screening_id  # oldest first, each once
    assert [r.created_at for r in every] == sorted(r.created_at for r in every)
    reviewed = list(store.iter_screenings(ScreeningFilter(decision="review"), chunk=2))
    assert {r.screening_id for r in reviewed} == {r.screening_id for r in results[1::2]} | {later.screening_id}
    assert list(store.iter_screenings(ScreeningFilter(kim_group="tidak ada"))) == []


def downgrade(store: Store, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from screening.store import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_the_audit_migration_goes_down_and_up_again(store: Store) -> None:
    store.record_screening(make_result(text=HOAX), title="", text=HOAX, caller_role="submitter")
    downgrade(store, "0002_review_skips")
    with store.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("screenings")}
    assert "request_id" not in columns and "text_purged_at" not in columns
    assert store.migrate() == HEAD
    [row] = store.list_screenings().items
    assert row.text == HOAX and row.request_id is None and row.text_purged_at is None


def test_review_queue_orders_filters_and_counts(store: Store) -> None:
    rows = [(0.62, "KIM Maju"), (0.91, "KIM Maju"), (0.48, "KIM Sejahtera")]
    results = [make_result(text=f"teks antrean {i}", risk=risk) for i, (risk, _) in enumerate(rows)]
    for result, (_, group) in zip(results, rows, strict=True):
        store.record_screenings([ScreeningAudit(result, "", f"teks antrean {result.hoax_risk}", kim_group=group)])
    ids = [r.screening_id for r in results]
    assert [r.screening_id for r in store.review_queue(order="risk")] == [ids[1], ids[0], ids[2]]
    assert [r.screening_id for r in store.review_queue(order="oldest")] == ids
    assert [r.screening_id for r in store.review_queue(order="newest")] == ids[::-1]
    assert store.review_queue_count() == 3 and store.review_queue_count(kim_group="KIM Maju") == 2
    assert [r.screening_id for r in store.review_queue(kim_group="KIM Sejahtera")] == [ids[2]]
    assert store.review_queue_count(since=datetime(2999, 1, 1, tzinfo=UTC)) == 0
    with pytest.raises(InvalidInputError):
        store.review_queue(order="acak")  # type: ignore[arg-type]


# -- shared by every worker and replica: sign-in sessions, Idempotency-Key records ---------------------------------
def test_a_session_is_kept_as_a_digest_and_lasts_until_it_expires_or_is_revoked(store: Store) -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    token = "sesi-" + secrets.token_urlsafe(32)
    store.open_session(
        token, role="editor", key_id="editor-0123456789", name="ani", expires_at=now + timedelta(hours=8)
    )
    found = store.session(token, now=now)
    assert found is not None and (found.role, found.key_id, found.name) == ("editor", "editor-0123456789", "ani")
    assert store.session(token + "x", now=now) is None
    with store.engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(sa.text("SELECT * FROM ui_sessions"))]
    assert stored and all(token not in str(value) for row in stored for value in row)
    assert store.session(token, now=now + timedelta(hours=8)) is None  # expired
    other = "sesi-" + secrets.token_urlsafe(32)
    store.open_session(other, role="admin", key_id="admin-0123456789", name=None, expires_at=now + timedelta(hours=1))
    store.revoke_session(other)
    assert store.session(other, now=now) is None
    assert store.purge_expired_shared(now=now + timedelta(hours=9)) == 1  # the expired one; the revoked one is gone


def test_an_idempotency_key_is_claimed_once_then_answers_with_the_first_response(store: Store) -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    lease = now + timedelta(seconds=30)
    first = store.claim_idempotency_key("editor-1", "k-1", body_sha256="a" * 64, lease_until=lease, now=now)
    assert first.state == "claimed"
    running = store.claim_idempotency_key("editor-1", "k-1", body_sha256="a" * 64, lease_until=lease, now=now)
    assert running.state == "running" and running.body_sha256 == "a" * 64
    other_caller = store.claim_idempotency_key("editor-2", "k-1", body_sha256="b" * 64, lease_until=lease, now=now)
    assert other_caller.state == "claimed"  # keys are per caller
    store.finish_idempotency_key("editor-1", "k-1", response='{"id": 7}', expires_at=now + timedelta(hours=24))
    done = store.claim_idempotency_key("editor-1", "k-1", body_sha256="c" * 64, lease_until=lease, now=now)
    assert (done.state, done.body_sha256, done.response) == ("done", "a" * 64, '{"id": 7}')
    later = now + timedelta(hours=25)
    again = store.claim_idempotency_key("editor-1", "k-1", body_sha256="c" * 64, lease_until=later, now=later)
    assert again.state == "claimed"  # expired: the key may be used anew


def test_a_released_or_lapsed_claim_can_be_taken_again(store: Store) -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    lease = now + timedelta(seconds=30)
    assert store.claim_idempotency_key("e", "k", body_sha256="a" * 64, lease_until=lease, now=now).state == "claimed"
    store.release_idempotency_key("e", "k")
    assert store.claim_idempotency_key("e", "k", body_sha256="a" * 64, lease_until=lease, now=now).state == "claimed"
    after = lease + timedelta(seconds=1)  # the process holding it died
    taken = store.claim_idempotency_key("e", "k", body_sha256="a" * 64, lease_until=after, now=after)
    assert taken.state == "claimed"


def test_concurrent_claims_of_one_key_let_exactly_one_run(store: Store) -> None:
    lease = datetime.now(UTC) + timedelta(seconds=30)
    states: list[str] = []
    barrier = threading.Barrier(6)

    def claim() -> None:
        barrier.wait()
        states.append(store.claim_idempotency_key("e", "same", body_sha256="a" * 64, lease_until=lease).state)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(states) == ["claimed"] + ["running"] * 5


# -- an admin's corrections and deletions, kept in history -------------------------------------------------------
def test_a_correction_keeps_the_old_value_and_conflicts_and_retraining_see_the_new_one(store: Store) -> None:
    ani = store.save_label(text=HOAX, label="hoax", editor_id="ani", note="sudah dibantah")
    budi = store.save_label(text=HOAX, label="valid", editor_id="budi")
    assert budi.conflict and labels_to_rows(store.labels_for_training()).counts()["left_out_conflicts"] == 1

    fixed = store.correct_label(budi.id, by="admin-ina", label="hoax", note="salah klik")
    assert fixed.changed and not fixed.conflict
    assert (fixed.label.label, fixed.label.note, fixed.label.editor_id) == ("hoax", "salah klik", "budi")
    assert fixed.label.corrected_by == "admin-ina" and fixed.label.corrected_at is not None
    assert store.conflicts([text_sha256(HOAX)]) == frozenset()
    page = store.list_labels()
    assert [(r.id, r.label, r.corrected_by) for r in page.items] == [
        (budi.id, "hoax", "admin-ina"),
        (ani.id, "hoax", None),
    ]
    assert page.conflicts == frozenset()
    used = labels_to_rows(store.labels_for_training())
    assert [r.label for r in used.rows] == ["hoax"] and used.counts()["left_out_conflicts"] == 0
    # budi repeating the corrected verdict is folded into it
    assert store.save_label(text=HOAX, label="hoax", editor_id="budi").duplicate

    same = store.correct_label(budi.id, by="admin-ina", label="hoax")  # nothing to change: nothing recorded
    assert not same.changed and same.label == fixed.label
    store.correct_label(ani.id, by="admin-joko", note="")  # an empty note clears it; the verdict stays
    history = store.label_history(budi.id)
    assert [(r.action, r.old_label, r.old_note, r.new_label, r.new_note, r.changed_by) for r in history.revisions] == [
        ("corrected", "valid", None, "hoax", "salah klik", "admin-ina")
    ]
    assert (history.original_label, history.label.label) == ("valid", "hoax")
    [cleared] = store.label_history(ani.id).revisions
    assert (cleared.old_note, cleared.new_note, cleared.new_label) == ("sudah dibantah", None, "hoax")
    assert store.list_labels(LabelFilter(editor="ani")).items[0].note is None
    with pytest.raises(InvalidInputError):
        store.correct_label(ani.id, by="admin-ina", label="maybe")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        store.correct_label(ani.id, by=" ", label="valid")
    with pytest.raises(LabelNotFoundError):
        store.correct_label(ani.id + 100, by="admin-ina", label="valid")


def test_a_deleted_label_counts_nowhere_and_its_history_stays(store: Store) -> None:
    result = make_result(decision="review", text=HOAX)
    store.record_screening(result, title="", text=HOAX)
    ani = store.save_label(text=HOAX, label="hoax", editor_id="ani", screening_id=result.screening_id)
    budi = store.save_label(text=HOAX, label="valid", editor_id="budi")
    store.save_label(text=VALID, label="valid", editor_id="budi")
    assert [r.screening_id for r in store.review_queue()] == [result.screening_id]  # in conflict

    gone = store.delete_label(budi.id, by="admin-ina")
    assert not gone.conflict and gone.label.deleted_by == "admin-ina" and gone.label.deleted_at is not None
    assert store.review_queue() == []  # ani's label still answers the screening, and no one disagrees
    assert store.count_labels() == 2 and store.list_labels().total == 2
    assert budi.id not in [r.id for r in store.iter_labels()]
    assert [r.text for r in labels_to_rows(store.labels_for_training()).rows] == [HOAX, VALID]

    store.delete_label(ani.id, by="admin-ina")
    assert [r.screening_id for r in store.review_queue()] == [result.screening_id]  # unanswered again
    assert [r.text for r in store.labels_for_training()] == [VALID]
    assert store.list_labels(LabelFilter(editor="ani")).total == 0
    history = store.label_history(budi.id)
    assert history.label.deleted_by == "admin-ina" and history.label.label == "valid"
    assert [(r.action, r.old_label, r.new_label) for r in history.revisions] == [("deleted", "valid", None)]
    with pytest.raises(LabelDeletedError):
        store.delete_label(budi.id, by="admin-ina")
    with pytest.raises(LabelDeletedError):
        store.correct_label(budi.id, by="admin-ina", label="hoax")
    with pytest.raises(LabelNotFoundError):
        store.label_history(budi.id + 100)
    # ani labelling the text again is a new label, not a repeat of the deleted one
    again = store.save_label(text=HOAX, label="hoax", editor_id="ani")
    assert not again.duplicate and again.id not in (ani.id, budi.id)


def test_the_label_history_migration_goes_down_and_up_again(store: Store) -> None:
    kept = store.save_label(text=HOAX, label="hoax", editor_id="ani")
    store.correct_label(kept.id, by="admin-ina", label="valid")
    deleted = store.save_label(text=VALID, label="valid", editor_id="ani")
    store.delete_label(deleted.id, by="admin-ina")
    downgrade(store, "0004_shared_sessions")
    with store.engine.connect() as conn:
        assert "label_revisions" not in sa.inspect(conn).get_table_names()
        rows = conn.execute(sa.text("SELECT id, label FROM labels")).all()
    assert [tuple(r) for r in rows] == [(kept.id, "valid")]  # the deleted label does not come back to life
    assert store.migrate() == HEAD
    [label] = store.labels_for_training()
    assert (label.id, label.label, label.corrected_at) == (kept.id, "valid", None)
