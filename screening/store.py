"""Durable storage for editors' labels and the screening audit log; the only module that touches the database.

An embedded SQLite file (WAL journal) is the default; a PostgreSQL URL lets several service replicas share one
store. The schema is created and upgraded by the alembic migrations in `screening/migrations` (`Store.migrate()`),
never by `create_all`, so a deployed database can be upgraded in place.

    store = Store("sqlite:///./var/saring.db")
    store.migrate()
    store.record_screening(result, title=title, text=text, caller_role="submitter", caller_key_id="k-1a2b3c4d")
    store.save_label(text=text, label="hoax", editor_id="ani", screening_id=result.screening_id)  # LabelOutcome
    store.list_labels(label="hoax", editor="ani")  # LabelPage: newest first, with the texts editors disagree on
    store.labels_for_training()   # every current label, oldest first (retraining folds and sets conflicts aside)
    store.correct_label(7, by="admin-ina", label="valid")  # an admin's correction, the old value kept in history
    store.delete_label(7, by="admin-ina")  # no longer a label anywhere; `label_history(7)` still reads it
    store.skip_review(screening_id, editor_id="editor-7")  # "unsure": leaves the queue, never a label
    store.list_screenings(ScreeningFilter(decision="reject"))  # the audit log, newest first
    store.purge_texts(before=cutoff)  # retention: texts go, hashes, scores and decisions stay

It also holds what every worker and replica of the service must share (sessions and Idempotency-Key records, in
their own block below): `open_session`/`session`/`revoke_session`, `claim_idempotency_key`/`finish_...`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from screening.data import text_sha256  # the same hash the Screener puts in ScreenResult.text_sha256
from screening.errors import InvalidInputError, ScreeningError, StoreError
from screening.labels import LABELS, Label
from screening.result import Decision, ScreenResult

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x5A_71_4E_47  # any constant; serialises `migrate()` across replicas sharing a database

__all__ = [
    "IdempotencyClaim",
    "LabelChange",
    "LabelDeletedError",
    "LabelFilter",
    "LabelHistory",
    "LabelNotFoundError",
    "LabelOutcome",
    "LabelPage",
    "LabelRecord",
    "LabelRevision",
    "ReviewSkip",
    "ScreeningAudit",
    "ScreeningFilter",
    "ScreeningMismatchError",
    "ScreeningPage",
    "ScreeningRecord",
    "SessionRecord",
    "Store",
    "StoreError",
    "engine_url",
    "never_created",
    "screening_row",
    "text_sha256",
]


# Mirrors the migrations (the schema's source of truth); used only to build queries.
_metadata = sa.MetaData()
_labels = sa.Table(
    "labels",
    _metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("label", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("editor_id", sa.String(128), nullable=False),
    sa.Column("screening_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("corrected_at", sa.DateTime(timezone=True)),
    sa.Column("corrected_by", sa.String(128)),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("deleted_by", sa.String(128)),
)
_CURRENT_LABEL = _labels.c.deleted_at.is_(None)  # a deleted label counts nowhere (only its history reads it)
_screenings = sa.Table(
    "screenings",
    _metadata,
    sa.Column("screening_id", sa.String(64), primary_key=True),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("hoax_risk", sa.Float, nullable=False),
    sa.Column("classifier_risk", sa.Float, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("model_version", sa.String(128), nullable=False),
    sa.Column("ruleset_version", sa.String(128), nullable=False),
    sa.Column("caller_role", sa.String(32)),
    sa.Column("caller_key_id", sa.String(64)),
    sa.Column("kim_group", sa.String(200)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("request_id", sa.String(64)),
    sa.Column("author", sa.String(200)),
    sa.Column("channel", sa.String(200)),
    sa.Column("text_purged_at", sa.DateTime(timezone=True)),
)
_review_skips = sa.Table(
    "review_skips",
    _metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("screening_id", sa.String(64), nullable=False),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("editor_id", sa.String(128), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


# Label history: an admin's corrections and deletions ---------------------------------------------------------------
_label_revisions = sa.Table(
    "label_revisions",
    _metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("old_label", sa.String(16), nullable=False),
    sa.Column("old_note", sa.Text),
    sa.Column("new_label", sa.String(16)),
    sa.Column("new_note", sa.Text),
    sa.Column("changed_by", sa.String(128), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)


class LabelNotFoundError(ScreeningError):
    """No label has this id."""

    def __init__(self, label_id: int) -> None:
        super().__init__(f"no label {label_id}")
        self.label_id = label_id


class LabelDeletedError(ScreeningError):
    """The label was deleted: it can be read in its history, not changed."""

    def __init__(self, label_id: int) -> None:
        super().__init__(f"label {label_id} was deleted")
        self.label_id = label_id


@dataclass(frozen=True, slots=True)
class LabelRevision:
    """One change to a stored label: its verdict and note before, after (None once deleted), who and when."""

    id: int
    label_id: int
    action: Literal["corrected", "deleted"]
    old_label: Label
    old_note: str | None
    new_label: Label | None
    new_note: str | None
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class LabelHistory:
    """A label as it is now (possibly deleted) and every change made to it, oldest first."""

    label: LabelRecord
    revisions: list[LabelRevision]

    @property
    def original_label(self) -> Label:
        return self.revisions[0].old_label if self.revisions else self.label.label

    @property
    def original_note(self) -> str | None:
        return self.revisions[0].old_note if self.revisions else self.label.note


@dataclass(frozen=True, slots=True)
class LabelChange:
    """What a correction or deletion did: the label now, whether anything changed, and whether editors' latest
    verdicts on its text still differ afterwards."""

    label: LabelRecord
    changed: bool
    conflict: bool


# -------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """An editor's verdict on a text; an admin may have corrected it since (`corrected_*`) or deleted it."""

    id: int
    text: str
    title: str
    text_sha256: str
    label: Label
    note: str | None
    editor_id: str
    screening_id: str | None
    created_at: datetime
    corrected_at: datetime | None = None
    corrected_by: str | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None


@dataclass(frozen=True, slots=True)
class LabelOutcome:
    """What saving a verdict did: the label's id, whether it repeated the editor's own latest verdict on the text
    (then nothing new was stored and `id` is that earlier label), and whether editors now disagree on the text."""

    id: int
    duplicate: bool
    conflict: bool


@dataclass(frozen=True, slots=True)
class LabelFilter:
    """Which labels to list or export: by verdict, by editor, recorded at or after `since`, of one text (hash)."""

    label: Label | None = None
    editor: str | None = None
    since: datetime | None = None
    text_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class LabelPage:
    """One page of labels, newest first, the number matching the filter, and which of their texts are in conflict."""

    items: list[LabelRecord]
    total: int
    conflicts: frozenset[str]


class ScreeningMismatchError(InvalidInputError):
    """A label names a screening that is not in the audit log (`reason="unknown"`) or that screened another text
    (`reason="other_text"`)."""

    def __init__(self, screening_id: str, *, reason: Literal["unknown", "other_text"]) -> None:
        what = "is not in the audit log" if reason == "unknown" else "screened a different text"
        super().__init__(f"screening {screening_id!r} {what}")
        self.screening_id = screening_id
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """One audited screening call (the caller is identified by role and key id, never by the key).

    After `purge_texts` title and text are empty and author is None; `text_purged_at` says when that happened.
    """

    screening_id: str
    text_sha256: str
    title: str
    text: str
    hoax_risk: float
    classifier_risk: float
    decision: Decision
    model_version: str
    ruleset_version: str
    caller_role: str | None
    caller_key_id: str | None
    kim_group: str | None
    created_at: datetime
    request_id: str | None = None
    author: str | None = None
    channel: str | None = None
    text_purged_at: datetime | None = None


def _paged(table: sa.Table, where: list[Any], order_by: tuple[Any, ...], limit: int, offset: int) -> Any:
    """The rows of `table` matching `where`, in `order_by`, `limit` from `offset` (the listing pattern)."""
    if limit < 0 or offset < 0:
        raise InvalidInputError("limit and offset must not be negative")
    return sa.select(table).where(*where).order_by(*order_by).limit(limit).offset(offset)


def _count(table: sa.Table, where: list[Any]) -> Any:
    return sa.select(sa.func.count()).select_from(table).where(*where)


QueueOrder = Literal["newest", "oldest", "risk"]
_QUEUE_ORDERS: dict[str, tuple[Any, ...]] = {
    "newest": (_screenings.c.created_at.desc(),),
    "oldest": (_screenings.c.created_at.asc(),),
    "risk": (_screenings.c.hoax_risk.desc(), _screenings.c.created_at.desc()),
}


@dataclass(frozen=True, slots=True)
class ScreeningFilter:
    """Which audited screenings to list: created in [since, until), with this decision, model version, KIM group."""

    since: datetime | None = None
    until: datetime | None = None
    decision: Decision | None = None
    model_version: str | None = None
    kim_group: str | None = None


@dataclass(frozen=True, slots=True)
class ScreeningPage:
    """One page of the audit log, newest first, and how many screenings match the filter."""

    items: list[ScreeningRecord]
    total: int


@dataclass(frozen=True, slots=True)
class ReviewSkip:
    """An editor's "unsure" on a queued screening: it leaves the review queue but is never a training label."""

    id: int
    screening_id: str
    text_sha256: str
    editor_id: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ScreeningAudit:
    """What `record_screenings` needs besides the result: the submission, who asked, and the request's id."""

    result: ScreenResult
    title: str
    text: str
    caller_role: str | None = None
    caller_key_id: str | None = None
    kim_group: str | None = None
    author: str | None = None
    channel: str | None = None
    request_id: str | None = None


def screening_row(audit: ScreeningAudit, *, created_at: datetime) -> dict[str, Any]:
    """The audit-log row of one screening, screened at `created_at`; raises `InvalidInputError` for text the
    database would refuse, so a caller learns it before the row is queued anywhere."""
    for name, value in (
        ("title", audit.title),
        ("text", audit.text),
        ("kim_group", audit.kim_group),
        ("author", audit.author),
        ("channel", audit.channel),
        ("request_id", audit.request_id),
    ):
        _check_text(name, value)
    r = audit.result
    return {
        "screening_id": r.screening_id,
        "text_sha256": r.text_sha256,
        "title": audit.title,
        "text": audit.text,
        "hoax_risk": float(r.hoax_risk),
        "classifier_risk": float(r.classifier_risk),
        "decision": r.decision,
        "model_version": r.model_version,
        "ruleset_version": r.ruleset_version,
        "caller_role": audit.caller_role,
        "caller_key_id": audit.caller_key_id,
        "kim_group": audit.kim_group,
        "author": audit.author,
        "channel": audit.channel,
        "request_id": audit.request_id,
        "created_at": created_at,
    }


def engine_url(url: str) -> sa.URL:
    """The SQLAlchemy URL for a database URL; a bare `postgresql://` uses psycopg 3, the driver this project ships."""
    parsed = sa.make_url(url)
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed


def never_created(url: str) -> bool:
    """An SQLite database whose file does not exist yet: nothing was ever stored in it (and a `Store` on it would
    create it). False for every other database, which may hold data whether or not it answers."""
    parsed = engine_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database not in ("", ":memory:") and not Path(database).expanduser().exists()


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _check_text(name: str, value: str | None) -> None:
    # PostgreSQL rejects NUL in text and no driver can encode lone surrogates: refuse them before the database does.
    if value is None:
        return
    if "\x00" in value:
        raise InvalidInputError(f"{name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(f"{name} is not valid Unicode text") from exc


class Store:
    """Labels and screening audit log behind one SQLAlchemy engine; thread-safe, one per process."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = engine_url(url)
        self.dialect: Literal["sqlite", "postgresql"] | str = self.url.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            database = self.url.database or ""
            in_memory = database in ("", ":memory:")
            kwargs["connect_args"] = {"timeout": 10.0, "check_same_thread": False}
            if in_memory:
                kwargs["poolclass"] = StaticPool  # one shared connection, or every checkout sees an empty database
            else:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=5.0)
            if self.dialect == "postgresql":
                kwargs["connect_args"] = {"connect_timeout": 5}  # a readiness probe must not hang on a dead server
        self.engine: Engine = sa.create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"database error: {type(exc).__name__}") from exc

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"database error: {type(exc).__name__}") from exc

    def migrate(self) -> str:
        """Bring the schema to the newest migration (idempotent); returns the revision now in place."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self._begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        return str(revision)

    def ping(self) -> bool:
        """True when the database answers and the schema is in place."""
        try:
            with self._connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(_labels).where(sa.false()))
        except StoreError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()

    # Screenings -----------------------------------------------------------------------------------------------------

    def record_screening(
        self,
        result: ScreenResult,
        *,
        title: str,
        text: str,
        caller_role: str | None = None,
        caller_key_id: str | None = None,
        kim_group: str | None = None,
    ) -> None:
        """Append one screening to the audit log."""
        self.record_screenings(
            [
                ScreeningAudit(
                    result, title, text, caller_role=caller_role, caller_key_id=caller_key_id, kim_group=kim_group
                )
            ]
        )

    def record_screenings(self, audits: Sequence[ScreeningAudit]) -> None:
        """Append several screenings in one transaction (a batch call is logged all or nothing)."""
        now = datetime.now(UTC)
        self.insert_screening_rows([screening_row(audit, created_at=now) for audit in audits])

    def insert_screening_rows(self, rows: Sequence[dict[str, Any]], *, skip_existing: bool = False) -> None:
        """Append rows made by `screening_row` in one transaction. With `skip_existing` a row whose screening id is
        already logged is left out instead of failing the transaction, so writing the same rows again (a replay
        after a crash) changes nothing."""
        if not rows:
            return
        insert: Any = sa.insert(_screenings)
        if skip_existing and self.dialect == "postgresql":
            insert = postgresql.insert(_screenings).on_conflict_do_nothing(index_elements=["screening_id"])
        elif skip_existing and self.dialect == "sqlite":
            insert = sqlite.insert(_screenings).on_conflict_do_nothing(index_elements=["screening_id"])
        with self._begin() as conn:
            if skip_existing and self.dialect not in ("postgresql", "sqlite"):
                ids = [row["screening_id"] for row in rows]
                found = set(
                    conn.execute(
                        sa.select(_screenings.c.screening_id).where(_screenings.c.screening_id.in_(ids))
                    ).scalars()
                )
                rows = [row for row in rows if row["screening_id"] not in found]
                if not rows:
                    return
            conn.execute(insert, rows)

    def get_screening(self, screening_id: str) -> ScreeningRecord | None:
        with self._connect() as conn:
            row = conn.execute(sa.select(_screenings).where(_screenings.c.screening_id == screening_id)).first()
        return None if row is None else _screening_record(row)

    def list_screenings(
        self, match: ScreeningFilter | None = None, *, limit: int = 50, offset: int = 0
    ) -> ScreeningPage:
        """Audited screenings matching `match`, newest first, `limit` from `offset`."""
        where = _screening_conditions(match or ScreeningFilter())
        order = (_screenings.c.created_at.desc(), _screenings.c.screening_id.desc())
        query = _paged(_screenings, where, order, limit, offset)
        with self._connect() as conn:
            items = [_screening_record(row) for row in conn.execute(query)]
            total = conn.execute(_count(_screenings, where)).scalar_one()
        return ScreeningPage(items=items, total=int(total))

    def iter_screenings(self, match: ScreeningFilter | None = None, *, chunk: int = 500) -> Iterator[ScreeningRecord]:
        """Every audited screening matching `match`, oldest first, read `chunk` at a time (for exports of any size).

        Pages by the last row seen (created_at, screening_id), not by offset, so a long export neither slows down
        nor skips or repeats rows while new screenings are recorded.
        """
        where = _screening_conditions(match or ScreeningFilter())
        order = (_screenings.c.created_at, _screenings.c.screening_id)
        after: tuple[datetime, str] | None = None
        while True:
            query = sa.select(_screenings).where(*where)
            if after is not None:
                at, last_id = after
                query = query.where(
                    sa.or_(
                        _screenings.c.created_at > at,
                        sa.and_(_screenings.c.created_at == at, _screenings.c.screening_id > last_id),
                    )
                )
            with self._connect() as conn:
                rows = conn.execute(query.order_by(*order).limit(chunk)).all()
            yield from (_screening_record(row) for row in rows)
            if len(rows) < chunk:
                return
            after = (rows[-1].created_at, rows[-1].screening_id)

    def purge_texts(self, *, before: datetime) -> int:
        """Empty the title and text (and drop the author) of every screening created before `before`.

        What remains is what an audit needs without the words: hash, scores, decision, versions, KIM group, channel,
        caller and request id. Labels keep their texts (they are training data). Returns how many were purged.
        """
        query = (
            sa.update(_screenings)
            .where(_screenings.c.created_at < _utc(before), _screenings.c.text_purged_at.is_(None))
            .values(title="", text="", author=None, text_purged_at=datetime.now(UTC))
        )
        with self._begin() as conn:
            return int(conn.execute(query).rowcount or 0)

    def review_queue(
        self,
        limit: int = 50,
        offset: int = 0,
        *,
        order: QueueOrder = "newest",
        kim_group: str | None = None,
        since: datetime | None = None,
    ) -> list[ScreeningRecord]:
        """Screenings that asked for review and that no editor has labelled or skipped yet, and every screening of
        a text editors disagree on (`conflicts`), whatever its decision, until their verdicts agree; newest first,
        oldest first or highest risk first; optionally of one KIM group, or created at or after `since`.

        A screening counts as answered when a label or a skip names its screening id or the same text (hash). A
        screening whose text was purged is no longer in the queue: there is nothing left to read.
        """
        if order not in _QUEUE_ORDERS:
            raise InvalidInputError(f"queue order must be one of {', '.join(_QUEUE_ORDERS)}")
        order_by = (*_QUEUE_ORDERS[order], _screenings.c.screening_id.desc())
        query = _paged(_screenings, self._queue_conditions(kim_group, since), order_by, limit, offset)
        with self._connect() as conn:
            return [_screening_record(row) for row in conn.execute(query)]

    def review_queue_count(self, *, kim_group: str | None = None, since: datetime | None = None) -> int:
        """How many screenings `review_queue` holds with these filters."""
        with self._connect() as conn:
            return int(conn.execute(_count(_screenings, self._queue_conditions(kim_group, since))).scalar_one())

    @staticmethod
    def _queue_conditions(kim_group: str | None, since: datetime | None) -> list[Any]:
        answered = sa.exists().where(
            _CURRENT_LABEL,
            sa.or_(
                _labels.c.screening_id == _screenings.c.screening_id,
                _labels.c.text_sha256 == _screenings.c.text_sha256,
            ),
        )
        skipped = sa.exists().where(
            sa.or_(
                _review_skips.c.screening_id == _screenings.c.screening_id,
                _review_skips.c.text_sha256 == _screenings.c.text_sha256,
            )
        )
        waiting = sa.and_(_screenings.c.decision == "review", ~answered, ~skipped)
        disputed = _screenings.c.text_sha256.in_(_conflicted_texts().scalar_subquery())
        conditions: list[Any] = [sa.or_(waiting, disputed), _screenings.c.text_purged_at.is_(None)]
        if kim_group:
            conditions.append(_screenings.c.kim_group == kim_group)
        if since is not None:
            conditions.append(_screenings.c.created_at >= since)
        return conditions

    def skip_review(self, screening_id: str, *, editor_id: str, note: str | None = None) -> int:
        """Record an editor's "unsure" on a screening: it leaves the review queue, stores no label; returns the id."""
        if not editor_id.strip():
            raise InvalidInputError("editor_id is empty")
        for name, value in (("screening_id", screening_id), ("editor_id", editor_id), ("note", note)):
            _check_text(name, value)
        with self._begin() as conn:
            digest = conn.execute(
                sa.select(_screenings.c.text_sha256).where(_screenings.c.screening_id == screening_id)
            ).scalar_one_or_none()
            if digest is None:
                raise InvalidInputError(f"no screening {screening_id!r} in the audit log")
            values = {
                "screening_id": screening_id,
                "text_sha256": digest,
                "editor_id": editor_id,
                "note": note,
                "created_at": datetime.now(UTC),
            }
            new_id = conn.execute(sa.insert(_review_skips).values(**values).returning(_review_skips.c.id)).scalar_one()
        return int(new_id)

    def review_skips(self) -> list[ReviewSkip]:
        """Every recorded skip, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(sa.select(_review_skips).order_by(_review_skips.c.created_at, _review_skips.c.id))
            return [
                ReviewSkip(
                    id=int(m["id"]),
                    screening_id=m["screening_id"],
                    text_sha256=m["text_sha256"],
                    editor_id=m["editor_id"],
                    note=m["note"],
                    created_at=_utc(m["created_at"]),
                )
                for m in (row._mapping for row in rows)
            ]

    # Labels ---------------------------------------------------------------------------------------------------------

    def add_label(
        self,
        *,
        text: str,
        label: Label,
        editor_id: str,
        title: str = "",
        note: str | None = None,
        screening_id: str | None = None,
    ) -> int:
        """Store an editor's verdict; returns its id once committed (see `save_label`)."""
        return self.save_label(
            text=text, label=label, editor_id=editor_id, title=title, note=note, screening_id=screening_id
        ).id

    def save_label(
        self,
        *,
        text: str,
        label: Label,
        editor_id: str,
        title: str = "",
        note: str | None = None,
        screening_id: str | None = None,
    ) -> LabelOutcome:
        """Store an editor's verdict unless it repeats that editor's latest verdict on the same text.

        A `screening_id` must name a screening of this very text (ScreeningMismatchError otherwise). Another verdict
        by the same editor is a correction: it is stored too and, being newer, is the one that counts.
        """
        if label not in LABELS:
            raise InvalidInputError(f"label must be one of {LABELS}, got {label!r}")
        if not text.strip():
            raise InvalidInputError("text is empty")
        if not editor_id.strip():
            raise InvalidInputError("editor_id is empty")
        for name, value in (
            ("text", text),
            ("title", title),
            ("note", note),
            ("editor_id", editor_id),
            ("screening_id", screening_id),
        ):
            _check_text(name, value)
        digest = text_sha256(text)
        with self._begin() as conn:
            if screening_id is not None:
                screened = conn.execute(
                    sa.select(_screenings.c.text_sha256).where(_screenings.c.screening_id == screening_id)
                ).scalar_one_or_none()
                if screened is None:
                    raise ScreeningMismatchError(screening_id, reason="unknown")
                if screened != digest:
                    raise ScreeningMismatchError(screening_id, reason="other_text")
            latest = conn.execute(
                sa.select(_labels.c.id, _labels.c.label)
                .where(_labels.c.text_sha256 == digest, _labels.c.editor_id == editor_id, _CURRENT_LABEL)
                .order_by(_labels.c.created_at.desc(), _labels.c.id.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.label == label:
                label_id, duplicate = int(latest.id), True
            else:
                values = {
                    "text": text,
                    "title": title,
                    "text_sha256": digest,
                    "label": label,
                    "note": note,
                    "editor_id": editor_id,
                    "screening_id": screening_id,
                    "created_at": datetime.now(UTC),
                }
                label_id = int(conn.execute(sa.insert(_labels).values(**values).returning(_labels.c.id)).scalar_one())
                duplicate = False
            conflict = bool(conn.execute(_conflicted_texts([digest])).first())
        return LabelOutcome(id=label_id, duplicate=duplicate, conflict=conflict)

    def conflicts(self, digests: Iterable[str]) -> frozenset[str]:
        """Those of these text hashes on which editors' latest verdicts differ."""
        wanted = list(dict.fromkeys(digests))
        if not wanted:
            return frozenset()
        with self._connect() as conn:
            return frozenset(conn.execute(_conflicted_texts(wanted)).scalars())

    def list_labels(self, match: LabelFilter | None = None, *, limit: int = 50, offset: int = 0) -> LabelPage:
        """Labels matching `match`, newest first, `limit` from `offset`."""
        where = _label_conditions(match or LabelFilter())
        query = _paged(_labels, where, (_labels.c.created_at.desc(), _labels.c.id.desc()), limit, offset)
        with self._connect() as conn:
            items = [_label_record(row) for row in conn.execute(query)]
            total = int(conn.execute(_count(_labels, where)).scalar_one())
            digests = list(dict.fromkeys(r.text_sha256 for r in items))
            conflicts = frozenset(conn.execute(_conflicted_texts(digests)).scalars()) if digests else frozenset()
        return LabelPage(items=items, total=total, conflicts=conflicts)

    def iter_labels(self, match: LabelFilter | None = None, *, chunk: int = 500) -> Iterator[LabelRecord]:
        """Every label matching `match`, oldest first, read `chunk` at a time (for exports of any size)."""
        where = _label_conditions(match or LabelFilter())
        after = 0
        while True:
            query = sa.select(_labels).where(*where, _labels.c.id > after).order_by(_labels.c.id).limit(chunk)
            with self._connect() as conn:
                rows = [_label_record(row) for row in conn.execute(query)]
            yield from rows
            if len(rows) < chunk:
                return
            after = rows[-1].id

    def labels_for_training(self) -> list[LabelRecord]:
        """Every current label (corrections applied, deleted ones left out), oldest first.

        Retraining reads them all, not one per text: it folds repeats and leaves out the texts whose editors'
        latest verdicts differ, as `conflicts` defines them (`screening.training.retrain.labels_to_rows`).
        """
        return list(self.iter_labels())

    def count_labels(self) -> int:
        """How many current labels there are (deleted ones not counted)."""
        with self._connect() as conn:
            return int(conn.execute(_count(_labels, [_CURRENT_LABEL])).scalar_one())

    # Label history: an admin's corrections and deletions -----------------------------------------------------------

    def correct_label(
        self, label_id: int, *, by: str, label: Label | None = None, note: str | None = None
    ) -> LabelChange:
        """Change a label's verdict and/or note (`note=""` clears it; None keeps either), keeping the old value.

        The label keeps its id, editor and time, so it still stands for that editor's verdict (conflicts, folding);
        the change is a `label_revisions` row naming `by`. A correction that changes nothing records nothing.
        """
        if label is not None and label not in LABELS:
            raise InvalidInputError(f"label must be one of {LABELS}, got {label!r}")
        _check_changer(by)
        _check_text("note", note)
        with self._begin() as conn:
            current = _current_label_for_update(conn, label_id)
            new_label = current.label if label is None else label
            new_note = current.note if note is None else (note.strip() or None)
            changed = (new_label, new_note) != (current.label, current.note)
            if changed:
                _revise(conn, current, "corrected", by=by, new_label=new_label, new_note=new_note)
            return _label_change(conn, label_id, changed=changed)

    def delete_label(self, label_id: int, *, by: str) -> LabelChange:
        """Take a label out of use (lists, exports, conflicts, the review queue, retraining); its row and history
        stay readable through `label_history`. A deleted label cannot be deleted or corrected again."""
        _check_changer(by)
        with self._begin() as conn:
            _revise(conn, _current_label_for_update(conn, label_id), "deleted", by=by, new_label=None, new_note=None)
            return _label_change(conn, label_id, changed=True)

    def label_history(self, label_id: int) -> LabelHistory:
        """A label, deleted or not, with every change made to it, oldest first (LabelNotFoundError if none)."""
        with self._connect() as conn:
            row = conn.execute(sa.select(_labels).where(_labels.c.id == label_id)).first()
            if row is None:
                raise LabelNotFoundError(label_id)
            revisions = conn.execute(
                sa.select(_label_revisions)
                .where(_label_revisions.c.label_id == label_id)
                .order_by(_label_revisions.c.changed_at, _label_revisions.c.id)
            )
            return LabelHistory(label=_label_record(row), revisions=[_label_revision(r) for r in revisions])

    # Shared by every worker and replica: sign-in sessions and Idempotency-Key records (tables at the end) -----------

    def open_session(self, token: str, *, role: str, key_id: str, name: str | None, expires_at: datetime) -> None:
        """Remember a sign-in session until `expires_at`; only the SHA-256 of `token` is stored."""
        values = {
            "token_sha256": _token_digest(token),
            "role": role,
            "key_id": key_id,
            "name": name,
            "created_at": datetime.now(UTC),
            "expires_at": _utc(expires_at),
        }
        with self._begin() as conn:
            conn.execute(sa.insert(_ui_sessions).values(**values))

    def session(self, token: str, *, now: datetime | None = None) -> SessionRecord | None:
        """The session `token` opened, unless it expired or was revoked."""
        query = sa.select(_ui_sessions).where(
            _ui_sessions.c.token_sha256 == _token_digest(token), _ui_sessions.c.expires_at > _utc(now or _now())
        )
        with self._connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        return SessionRecord(role=m["role"], key_id=m["key_id"], name=m["name"], expires_at=_utc(m["expires_at"]))

    def revoke_session(self, token: str) -> None:
        with self._begin() as conn:
            conn.execute(sa.delete(_ui_sessions).where(_ui_sessions.c.token_sha256 == _token_digest(token)))

    def claim_idempotency_key(
        self, caller_id: str, key: str, *, body_sha256: str, lease_until: datetime, now: datetime | None = None
    ) -> IdempotencyClaim:
        """Take `key` for a request whose body hashes to `body_sha256`, or say who has it.

        The first request under a key claims it ("claimed") until `lease_until` (so a process that dies mid-request
        does not hold it for ever) and then calls `finish_idempotency_key`; a later one finds its response ("done")
        or the request still running ("running"), with the body hash the key was first used with.
        """
        moment = _utc(now or _now())
        slot = (_idempotency_keys.c.caller_id == caller_id, _idempotency_keys.c.key == key)
        insert = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(_idempotency_keys)
        row = {
            "caller_id": caller_id,
            "key": key,
            "body_sha256": body_sha256,
            "response": None,
            "created_at": moment,
            "expires_at": _utc(lease_until),
        }
        with self._begin() as conn:
            conn.execute(sa.delete(_idempotency_keys).where(*slot, _idempotency_keys.c.expires_at <= moment))
            taken = insert.values(**row).on_conflict_do_nothing().returning(_idempotency_keys.c.key)
            if conn.execute(taken).first() is not None:
                return IdempotencyClaim(state="claimed", body_sha256=body_sha256, response=None)
            found = conn.execute(
                sa.select(_idempotency_keys.c.body_sha256, _idempotency_keys.c.response).where(*slot)
            ).one()
        state: Literal["done", "running"] = "running" if found.response is None else "done"
        return IdempotencyClaim(state=state, body_sha256=found.body_sha256, response=found.response)

    def finish_idempotency_key(self, caller_id: str, key: str, *, response: str, expires_at: datetime) -> None:
        """Keep the first response under a claimed key until `expires_at`."""
        query = (
            sa.update(_idempotency_keys)
            .where(_idempotency_keys.c.caller_id == caller_id, _idempotency_keys.c.key == key)
            .values(response=response, expires_at=_utc(expires_at))
        )
        with self._begin() as conn:
            conn.execute(query)

    def release_idempotency_key(self, caller_id: str, key: str) -> None:
        """Give up a claim whose request failed, so a retry runs it again."""
        query = sa.delete(_idempotency_keys).where(
            _idempotency_keys.c.caller_id == caller_id,
            _idempotency_keys.c.key == key,
            _idempotency_keys.c.response.is_(None),
        )
        with self._begin() as conn:
            conn.execute(query)

    def purge_expired_shared(self, *, now: datetime | None = None) -> int:
        """Delete expired sessions and Idempotency-Key records; returns how many went."""
        moment = _utc(now or _now())
        with self._begin() as conn:
            gone = conn.execute(sa.delete(_ui_sessions).where(_ui_sessions.c.expires_at <= moment)).rowcount or 0
            gone += (
                conn.execute(sa.delete(_idempotency_keys).where(_idempotency_keys.c.expires_at <= moment)).rowcount or 0
            )
        return int(gone)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _label_conditions(match: LabelFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [_CURRENT_LABEL]
    if match.label is not None:
        where.append(_labels.c.label == match.label)
    if match.editor is not None:
        where.append(_labels.c.editor_id == match.editor)
    if match.since is not None:
        where.append(_labels.c.created_at >= _utc(match.since))
    if match.text_sha256 is not None:
        where.append(_labels.c.text_sha256 == match.text_sha256)
    return where


def _screening_conditions(match: ScreeningFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if match.since is not None:
        where.append(_screenings.c.created_at >= _utc(match.since))
    if match.until is not None:
        where.append(_screenings.c.created_at < _utc(match.until))
    if match.decision is not None:
        where.append(_screenings.c.decision == match.decision)
    if match.model_version is not None:
        where.append(_screenings.c.model_version == match.model_version)
    if match.kim_group is not None:
        where.append(_screenings.c.kim_group == match.kim_group)
    return where


def _conflicted_texts(digests: Sequence[str] | None = None) -> sa.Select[Any]:
    """Text hashes (among `digests`, or all) on which the editors' latest verdicts, one per editor, differ."""
    latest = sa.select(
        _labels.c.text_sha256,
        _labels.c.label,
        sa.func.row_number()
        .over(
            partition_by=(_labels.c.text_sha256, _labels.c.editor_id),
            order_by=(_labels.c.created_at.desc(), _labels.c.id.desc()),
        )
        .label("rank"),
    ).where(_CURRENT_LABEL)
    if digests is not None:
        latest = latest.where(_labels.c.text_sha256.in_(list(digests)))
    ranked = latest.subquery()
    return (
        sa.select(ranked.c.text_sha256)
        .where(ranked.c.rank == 1)
        .group_by(ranked.c.text_sha256)
        .having(sa.func.count(sa.distinct(ranked.c.label)) > 1)
    )


def _check_changer(by: str) -> None:
    if not by.strip():
        raise InvalidInputError("who makes the change is empty")
    _check_text("by", by)


def _current_label_for_update(conn: Connection, label_id: int) -> LabelRecord:
    """The label, locked until the transaction ends (PostgreSQL; SQLite writers are serialised anyway)."""
    row = conn.execute(sa.select(_labels).where(_labels.c.id == label_id).with_for_update()).first()
    if row is None:
        raise LabelNotFoundError(label_id)
    record = _label_record(row)
    if record.deleted_at is not None:
        raise LabelDeletedError(label_id)
    return record


def _revise(
    conn: Connection,
    current: LabelRecord,
    action: Literal["corrected", "deleted"],
    *,
    by: str,
    new_label: Label | None,
    new_note: str | None,
) -> None:
    """Record one change of a label in its history, then make it: a correction sets the verdict and note, a
    deletion only marks the row; either names who made it and when."""
    now = datetime.now(UTC)
    conn.execute(
        sa.insert(_label_revisions).values(
            label_id=current.id,
            action=action,
            old_label=current.label,
            old_note=current.note,
            new_label=new_label,
            new_note=new_note,
            changed_by=by,
            changed_at=now,
        )
    )
    values: dict[str, Any] = (
        {"label": new_label, "note": new_note, "corrected_at": now, "corrected_by": by}
        if action == "corrected"
        else {"deleted_at": now, "deleted_by": by}
    )
    conn.execute(sa.update(_labels).where(_labels.c.id == current.id).values(**values))


def _label_change(conn: Connection, label_id: int, *, changed: bool) -> LabelChange:
    """The label as it is now and whether editors' latest verdicts on its text still differ."""
    record = _label_record(conn.execute(sa.select(_labels).where(_labels.c.id == label_id)).one())
    conflict = bool(conn.execute(_conflicted_texts([record.text_sha256])).first())
    return LabelChange(label=record, changed=changed, conflict=conflict)


def _label_revision(row: sa.Row[Any]) -> LabelRevision:
    m = row._mapping
    return LabelRevision(
        id=int(m["id"]),
        label_id=int(m["label_id"]),
        action=m["action"],
        old_label=m["old_label"],
        old_note=m["old_note"],
        new_label=m["new_label"],
        new_note=m["new_note"],
        changed_by=m["changed_by"],
        changed_at=_utc(m["changed_at"]),
    )


def _label_record(row: sa.Row[Any]) -> LabelRecord:
    m = row._mapping
    return LabelRecord(
        id=int(m["id"]),
        text=m["text"],
        title=m["title"],
        text_sha256=m["text_sha256"],
        label=m["label"],
        note=m["note"],
        editor_id=m["editor_id"],
        screening_id=m["screening_id"],
        created_at=_utc(m["created_at"]),
        corrected_at=_utc_or_none(m["corrected_at"]),
        corrected_by=m["corrected_by"],
        deleted_at=_utc_or_none(m["deleted_at"]),
        deleted_by=m["deleted_by"],
    )


def _screening_record(row: sa.Row[Any]) -> ScreeningRecord:
    m = row._mapping
    return ScreeningRecord(
        screening_id=m["screening_id"],
        text_sha256=m["text_sha256"],
        title=m["title"],
        text=m["text"],
        hoax_risk=float(m["hoax_risk"]),
        classifier_risk=float(m["classifier_risk"]),
        decision=m["decision"],
        model_version=m["model_version"],
        ruleset_version=m["ruleset_version"],
        caller_role=m["caller_role"],
        caller_key_id=m["caller_key_id"],
        kim_group=m["kim_group"],
        created_at=_utc(m["created_at"]),
        request_id=m["request_id"],
        author=m["author"],
        channel=m["channel"],
        text_purged_at=_utc_or_none(m["text_purged_at"]),
    )


# Shared by every worker and replica: sign-in sessions and Idempotency-Key records ----------------------------------
_ui_sessions = sa.Table(
    "ui_sessions",
    _metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("name", sa.String(128)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
_idempotency_keys = sa.Table(
    "idempotency_keys",
    _metadata,
    sa.Column("caller_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("response", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """Who a sign-in session belongs to (role, key id, key name) and until when it lasts."""

    role: str
    key_id: str
    name: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    """What `claim_idempotency_key` found: the key is now this request's ("claimed"), its first request answered
    ("done", `response` its JSON) or is still running ("running"); `body_sha256` is the body it was first used with."""

    state: Literal["claimed", "done", "running"]
    body_sha256: str
    response: str | None


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)
