"""Retention of the audit log: after `SARING_RETENTION_DAYS` a screening's title, text and author are purged.

The service purges at most every `PURGE_EVERY_S` while it records screenings, and before it lists them (so the
API never shows a text past its time); `saring audit purge` does it at once.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from screening.store import Store, StoreError

log = logging.getLogger("saring.service")

PURGE_EVERY_S = 600.0


def retention_cutoff(days: int, *, now: datetime | None = None) -> datetime:
    """Screenings created before this have outlived a retention of `days` days."""
    return (now or datetime.now(UTC)) - timedelta(days=days)


def purge_expired(store: Store, days: int | None, *, now: datetime | None = None) -> int:
    """Purge the texts older than `days` (none when `days` is None); returns how many screenings were purged."""
    if days is None:
        return 0
    return store.purge_texts(before=retention_cutoff(days, now=now))


class RetentionSweeper:
    """Runs `purge_expired` at most once per `every_s` seconds, however many requests ask (thread-safe)."""

    def __init__(self, store: Store, days: int | None, *, every_s: float = PURGE_EVERY_S) -> None:
        self.store = store
        self.days = days
        self.every_s = every_s
        self._last = float("-inf")
        self._lock = threading.Lock()

    def due(self) -> bool:
        return self.days is not None and time.monotonic() - self._last >= self.every_s

    def sweep(self, *, force: bool = False) -> int:
        """Purge now if due (or `force`); returns how many screenings were purged."""
        if self.days is None:
            return 0
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last < self.every_s:
                return 0
            self._last = now
        return purge_expired(self.store, self.days)


def sweep_quietly(sweeper: RetentionSweeper) -> None:
    """A due purge after a screening was recorded: a failure is logged and retried later, never the caller's."""
    try:
        purged = sweeper.sweep()
    except StoreError as exc:
        log.warning("retention purge failed", extra={"error_type": type(exc).__name__})
        return
    if purged:
        log.info("retention purge", extra={"purged": purged})
