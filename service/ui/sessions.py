"""Sign-in sessions of the editors' pages: the cookie carries a random session id, never an API key.

A session is created when an editor signs in with a key, lives `SARING_UI_SESSION_HOURS` (or until logout, which
revokes it), and knows only the caller's role, key id and key name. Sessions live in the store, so every worker and
replica honours a session any of them opened, and a restart signs nobody out. Only a SHA-256 digest of each id is
stored, so the table itself holds nothing a cookie could be made from. Expired sessions are never honoured;
the service deletes them every few minutes (`service.app`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

from screening.store import Store
from service.security import Caller
from service.settings import Role


class SessionStore:
    """Session id -> caller until expiry, in the shared store; `clock` gives seconds since the epoch (tests)."""

    def __init__(self, store: Store, *, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def create(self, caller: Caller) -> str:
        token = secrets.token_urlsafe(32)
        now = self._now()
        self.store.open_session(
            token,
            role=caller.role,
            key_id=caller.key_id,
            name=caller.name,
            expires_at=now + timedelta(seconds=self.ttl_s),
        )
        return token

    def get(self, token: str) -> Caller | None:
        found = self.store.session(token, now=self._now())
        if found is None:
            return None
        return Caller(role=cast(Role, found.role), key_id=found.key_id, name=found.name)

    def revoke(self, token: str) -> None:
        self.store.revoke_session(token)
