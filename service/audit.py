"""The audit log's write path: screenings are answered before their rows are committed, and none is ever lost.

    submit(audits)   in the request's thread: check the rows, append them to this process's spool file (one
                     `os.write`, no fsync), queue them; waits while the queue is full (never drops), then returns
    writer thread    commits what was queued within `LINGER_S` in one transaction (batches grow with the load),
                     then forgets those rows in the spool (the file is emptied once everything in it is committed)
    flush()          waits until every row submitted before it is committed: what reads the audit log calls it
                     first (`service.deps.get_store`), so a review queue or a label naming a screening sees it
    close()          at shutdown (the lifespan): commits everything queued, then removes the spool
    start-up         spool files left by a process that died (killed, crashed) are written to the database and
                     removed; rows already there are skipped, so a replay twice changes nothing

What that guarantees: every screening answered 200 is in the database, or in a spool file that the next start of
any process on the same spool directory writes there. A process killed at any moment (SIGKILL, out of memory)
loses nothing: its writes are in the kernel's page cache. A machine that loses power may lose the rows answered
in its last moments (those not yet committed, normally a few milliseconds' worth), as the database itself may
for what it has not yet flushed to disk. A spool line cut short by a kill belongs to a request that was never
answered, and is skipped.

Each process spools to its own files and holds an exclusive `flock` on them while it lives; at start-up a process
replays only files whose lock it can take, i.e. whose owner is gone. So `saring serve --workers N` and several
replicas (each with its own spool directory, or sharing one on the same machine) keep working on one database.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from screening.store import ScreeningAudit, Store, StoreError, screening_row

log = logging.getLogger("saring.service")

BATCH_ROWS = 500  # rows committed in one transaction at most
SEGMENT_BYTES = 4 * 1024 * 1024  # a spool file is replaced by a new one past this size while rows are pending
SPOOL_SUFFIX = ".spool"
LINGER_S = 0.02  # the writer commits this often, at once only when a reader or a full batch is waiting
RETRY_S = (0.05, 0.2, 1.0, 5.0)  # waits between attempts while the database refuses; the last one repeats


@dataclass(eq=False)
class _Segment:
    """One spool file of this process: open, locked, appended to; `pending` rows in it are not yet committed."""

    path: Path
    fd: int
    size: int = 0
    pending: int = 0
    sealed: bool = False

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self.fd)  # after the unlink: the lock is held until the file is gone


@dataclass(eq=False)
class _Entry:
    seq: int
    segment: _Segment | None
    rows: list[dict[str, Any]] = field(default_factory=list)


class AuditWriter:
    """Writes screenings to the audit log off the response path (see the module docstring for what it promises).

    `spool_dir=None` keeps no spool (for a database that itself does not outlive the process, e.g. SQLite in memory).
    """

    def __init__(
        self,
        store: Store,
        spool_dir: Path | None,
        *,
        max_queued_rows: int = 2048,
        flush_timeout_s: float = 10.0,
    ) -> None:
        self.store = store
        self.spool_dir = spool_dir
        self.max_queued_rows = max_queued_rows
        self.flush_timeout_s = flush_timeout_s
        self._cond = threading.Condition()
        self._queue: collections.deque[_Entry] = collections.deque()
        self._queued_rows = 0
        self._submitted = 0  # sequence number of the last submit
        self._committed = 0  # every submit up to this one is in the database
        self._wanted = 0  # a reader waits for every submit up to this one: commit without lingering
        self._segment: _Segment | None = None
        self._sealed: list[_Segment] = []
        self._closing = False
        self._thread: threading.Thread | None = None
        self._segments_made = 0

    # Start and stop ------------------------------------------------------------------------------------------------

    def start(self) -> AuditWriter:
        """Replay what dead processes left in the spool directory, then start the writer thread."""
        if self.spool_dir is not None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            replayed = replay_spool(self.store, self.spool_dir)
            if replayed:
                log.warning("audit rows recovered from the spool", extra={"rows": replayed})
        self._thread = threading.Thread(target=self._run, name="saring-audit-writer", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout_s: float = 30.0) -> bool:
        """Commit everything queued and stop; True when all of it is in the database (else it stays spooled)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
        with self._cond:
            drained = not self._queue and (self._thread is None or not self._thread.is_alive())
            if drained:
                for segment in [*self._sealed, *([self._segment] if self._segment else [])]:
                    segment.remove()
                self._sealed.clear()
                self._segment = None
        if not drained:
            log.error("audit rows still queued at shutdown; they stay in the spool until the next start")
        return drained

    # The request's side --------------------------------------------------------------------------------------------

    def submit(self, audits: Sequence[ScreeningAudit]) -> None:
        """Spool and queue the rows of one call (all or none); returns once they cannot be lost.

        Raises `InvalidInputError` for text the database would refuse, and `StoreError` when the audit log has
        stopped taking rows (shutdown) or its queue stayed full for `flush_timeout_s` (the database is down).
        """
        if not audits:
            return
        now = datetime.now(UTC)
        rows = [screening_row(audit, created_at=now) for audit in audits]
        data = b"".join(orjson.dumps(row) + b"\n" for row in rows) if self.spool_dir is not None else b""
        with self._cond:
            # Back-pressure: wait for room rather than drop. A call larger than the whole queue goes in alone.
            room = self._cond.wait_for(
                lambda: (
                    self._closing or self._queued_rows == 0 or self._queued_rows + len(rows) <= self.max_queued_rows
                ),
                timeout=self.flush_timeout_s,
            )
            if self._closing:
                raise StoreError("audit log closed: the service is stopping")
            if not room:
                raise StoreError("audit log queue full: the database is not keeping up")
            segment = self._append(data, len(rows)) if data else None
            self._submitted += 1
            self._queue.append(_Entry(self._submitted, segment, rows))
            self._queued_rows += len(rows)
            if self._queued_rows >= BATCH_ROWS:
                self._cond.notify_all()  # the writer: a full batch is waiting

    def has_room(self, rows: int) -> bool:
        """Whether `submit` of `rows` rows would return at once, not wait for room (read without the lock: a hint
        that holds while no other thread submits, since the writer only makes room)."""
        queued = self._queued_rows
        return not self._closing and (queued == 0 or queued + rows <= self.max_queued_rows)

    def pending(self) -> bool:
        """Whether some submitted row is not yet committed (read without the lock: a hint, `flush` decides)."""
        return self._committed != self._submitted

    def flush(self) -> None:
        """Wait until every row submitted before this call is committed; `StoreError` after `flush_timeout_s`."""
        with self._cond:
            target = self._submitted
            self._wanted = max(self._wanted, target)
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: self._committed >= target, timeout=self.flush_timeout_s):
                raise StoreError("audit log not yet written: the database is not keeping up")

    def _append(self, data: bytes, rows: int) -> _Segment:
        assert self.spool_dir is not None
        segment = self._segment
        if segment is None or segment.size >= SEGMENT_BYTES:
            if segment is not None:
                segment.sealed = True
                self._sealed.append(segment)
            segment = self._segment = self._new_segment()
        view = memoryview(data)
        while view:
            written = os.write(segment.fd, view)
            view = view[written:]
        segment.size += len(data)
        segment.pending += rows
        return segment

    def _new_segment(self) -> _Segment:
        """A new spool file, locked before any other process can see it under its final name."""
        assert self.spool_dir is not None
        self._segments_made += 1
        name = f"{os.getpid()}-{time.time_ns()}-{self._segments_made}"
        temporary = self.spool_dir / f"{name}.new"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        final = self.spool_dir / f"{name}{SPOOL_SUFFIX}"
        os.rename(temporary, final)
        return _Segment(final, fd)

    # The writer thread ---------------------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                # Commit every LINGER_S, at once only for a reader or a full batch: one commit for many requests
                # costs far less than one each, and waking at every row would compete for the interpreter with
                # the response that row belongs to.
                self._cond.wait_for(
                    lambda: self._closing or self._wanted > self._committed or self._queued_rows >= BATCH_ROWS,
                    timeout=LINGER_S,
                )
                if not self._queue:
                    if self._closing:
                        return
                    continue
                batch = [self._queue.popleft()]
                rows = len(batch[0].rows)
                while self._queue and rows + len(self._queue[0].rows) <= BATCH_ROWS:
                    batch.append(self._queue.popleft())
                    rows += len(batch[-1].rows)
            if not self._commit([row for entry in batch for row in entry.rows]):
                with self._cond:
                    self._queue.extendleft(reversed(batch))  # still spooled; the next start replays them
                return
            with self._cond:
                self._settle(batch)
                self._cond.notify_all()

    def _commit(self, rows: list[dict[str, Any]]) -> bool:
        """Commit `rows`, trying again while the database refuses; False only when a shutdown gave up on them."""
        attempt = 0
        while True:
            try:
                self.store.insert_screening_rows(rows, skip_existing=True)
                return True
            except Exception as exc:  # noqa: BLE001 - a row is never dropped: logged, tried again
                wait = RETRY_S[min(attempt, len(RETRY_S) - 1)]
                attempt += 1
                extra = {"rows": len(rows), "error_type": type(exc).__name__, "retry_in_s": wait}
                if isinstance(exc, StoreError):
                    log.warning("audit rows not committed yet; trying again", extra=extra)
                else:
                    log.exception("audit rows not committed (unexpected error); trying again", extra=extra)
                with self._cond:
                    closing = self._cond.wait_for(lambda: self._closing, timeout=wait)
                if closing:
                    if attempt >= 3:
                        return False
                    time.sleep(0.2)

    def _settle(self, batch: list[_Entry]) -> None:
        """After a commit (lock held): count the rows done, remove or empty spool files holding nothing pending."""
        for entry in batch:
            if entry.segment is not None:
                entry.segment.pending -= len(entry.rows)
            self._queued_rows -= len(entry.rows)
        self._committed = batch[-1].seq
        for segment in [s for s in self._sealed if s.pending == 0]:
            self._sealed.remove(segment)
            segment.remove()
        current = self._segment
        if current is not None and current.pending == 0 and current.size:
            os.ftruncate(current.fd, 0)  # O_APPEND: the next row is written at the start again
            current.size = 0


def replay_spool(store: Store, spool_dir: Path) -> int:
    """Write the rows of spool files whose process is gone to the database, then remove them; returns the rows
    read. Files another live process holds are left alone."""
    replayed = 0
    for path in spool_dir.glob("*.new"):
        # a file being created holds no row yet; one left for a minute was left by a process that died creating it
        with contextlib.suppress(FileNotFoundError):
            if time.time() - path.stat().st_mtime > 60:
                path.unlink()
    for path in sorted(spool_dir.glob(f"*{SPOOL_SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue  # another process replayed it first
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its process is alive
            with os.fdopen(os.dup(fd), "rb") as spool:
                rows = [row for line in spool if (row := _spooled_row(line)) is not None]
            for start in range(0, len(rows), BATCH_ROWS):
                store.insert_screening_rows(rows[start : start + BATCH_ROWS], skip_existing=True)
            replayed += len(rows)
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return replayed


def _spooled_row(line: bytes) -> dict[str, Any] | None:
    try:
        row: dict[str, Any] = orjson.loads(line)
        row["created_at"] = datetime.fromisoformat(row["created_at"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None  # cut short by a kill before the request was answered
    return row
