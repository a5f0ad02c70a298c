"""Sign-in sessions of the editors' pages: the cookie carries a random session id, never an API key.

A session is created when an editor signs in with a key, lives `SARING_UI_SESSION_HOURS` (or until logout, which
revokes it), and knows only the caller's role and key id. Sessions are held in this process's memory: a restart
signs everyone out, and several replicas need sticky sessions (or one replica for the pages).
Only a SHA-256 digest of each id is kept, so the table itself holds nothing a cookie could be made from.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from service.security import Caller

MAX_SESSIONS = 10_000


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class SessionStore:
    """Session id -> (caller, expiry); thread-safe, bounded (the oldest sessions go first when full)."""

    def __init__(
        self, *, ttl_s: float, max_sessions: int = MAX_SESSIONS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[bytes, tuple[Caller, float]] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, caller: Caller) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._expire(now)
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)
            self._sessions[_digest(token)] = (caller, now + self.ttl_s)
        return token

    def get(self, token: str) -> Caller | None:
        digest = _digest(token)
        with self._lock:
            found = self._sessions.get(digest)
            if found is None:
                return None
            caller, expires = found
            if self._clock() >= expires:
                del self._sessions[digest]
                return None
            return caller

    def revoke(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(_digest(token), None)

    def _expire(self, now: float) -> None:
        # sessions are kept in creation order and all live equally long, so the expired ones are at the front
        while self._sessions:
            digest, (_, expires) = next(iter(self._sessions.items()))
            if expires > now:
                break
            del self._sessions[digest]
