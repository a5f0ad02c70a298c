"""Keeping the interpreter from finalising under a thread that is inside native regular-expression code.

A thread that released the GIL inside the RE2 binding and finds the interpreter finalising is ended by a forced
unwind through C++ frames that cannot unwind: the process aborts ("terminate called without an active
exception", exit code 134) instead of exiting. That happens whenever a program exits while a daemon thread is
matching: a retrain job in the service, a screening a timed-out request left running. Every RE2 call of the
project runs inside `native_calls`; at exit, new calls wait (in Python, where a thread can be ended safely) and
running ones are waited for (each is a single match, milliseconds).
"""

from __future__ import annotations

import atexit
import threading


class _NativeCalls:
    """Running calls are entries of a list: `append` and `pop` are each one step under the GIL, so entering and
    leaving take no lock (a call is entered several times per document); only the exit takes the condition."""

    def __init__(self) -> None:
        self._running: list[None] = []
        self._exiting = False
        self._changed = threading.Condition()

    def __enter__(self) -> None:
        self._running.append(None)
        # read after the entry is in: a drain that started before this sees it, or this sees the drain
        if self._exiting:
            self._leave()
            with self._changed:
                while self._exiting:
                    self._changed.wait()

    def __exit__(self, *exc: object) -> None:
        self._leave()

    def _leave(self) -> None:
        self._running.pop()
        if self._exiting:  # a drain may be waiting for this call
            with self._changed:
                self._changed.notify_all()

    def drain(self, timeout: float = 30.0) -> None:
        """Let no new call start and wait for the running ones (at exit)."""
        with self._changed:
            self._exiting = True
            self._changed.wait_for(lambda: not self._running, timeout=timeout)


native_calls = _NativeCalls()
atexit.register(native_calls.drain)
