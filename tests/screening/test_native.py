"""Native calls at exit: a drain waits for the running calls, and calls that come after it never start."""

from __future__ import annotations

import threading

from screening.native import _NativeCalls


def test_calls_enter_and_leave_without_a_drain() -> None:
    calls = _NativeCalls()
    with calls, calls:  # nested, as a pattern search inside a rule match would be
        assert len(calls._running) == 2
    assert not calls._running


def test_drain_waits_for_a_running_call() -> None:
    calls = _NativeCalls()
    inside, release = threading.Event(), threading.Event()

    def call() -> None:
        with calls:
            inside.set()
            release.wait()

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    assert inside.wait(10)
    drained = threading.Event()
    drainer = threading.Thread(target=lambda: (calls.drain(timeout=30), drained.set()), daemon=True)
    drainer.start()
    assert not drained.wait(0.2)  # the call is still running
    release.set()
    assert drained.wait(10)
    worker.join(10)
    assert not calls._running


def test_a_call_after_the_drain_never_starts() -> None:
    calls = _NativeCalls()
    calls.drain(timeout=1)
    started = threading.Event()

    def call() -> None:
        with calls:
            started.set()

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    assert not started.wait(0.2)
    assert not calls._running  # it waits outside, not counted as running
