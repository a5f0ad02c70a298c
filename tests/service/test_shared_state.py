"""Sign-in sessions and Idempotency-Key records across real processes: `saring serve --workers 2` and a second
replica on one PostgreSQL store; whichever process answers, it knows what any other one recorded."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from http_helpers import ADMIN, ADMIN_KEY, HOAX_POST
from processes import Served

pytestmark = pytest.mark.slow
JSON = {"Content-Type": "application/json"}


def fresh(served: Served, session: str | None = None) -> httpx.Client:
    """A client on a new connection, so the kernel may hand it to any worker of `served`; signed in with `session`."""
    cookies = {"saring_ui_session": session} if session else None
    return httpx.Client(base_url=served.base, timeout=10, follow_redirects=False, cookies=cookies)


def sign_in(served: Served) -> str:
    """Sign in through the form of `served`; returns the session cookie's value."""
    with fresh(served) as c:
        page = c.get("/ui/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text
        r = c.post(
            "/ui/masuk",
            data={"csrf_token": token.group(1), "kunci": ADMIN_KEY, "lanjut": "/ui/antrean"},
            headers={"Origin": served.base},
        )
        assert r.status_code == 303, r.text
        return str(r.cookies["saring_ui_session"])


def queue_status(served: Served, session: str) -> int:
    with fresh(served, session) as c:
        return c.get("/ui/antrean").status_code


def sign_out(served: Served, session: str) -> None:
    with fresh(served, session) as c:
        page = c.get("/ui/antrean")  # sets the CSRF cookie this client sends back
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text
        r = c.post("/ui/keluar", data={"csrf_token": token.group(1)}, headers={"Origin": served.base})
        assert r.status_code == 303, r.text


def post_label(served: Served, key: str, text: str, label: str) -> httpx.Response:
    with fresh(served) as c:
        body = {"text": text, "title": HOAX_POST["title"], "label": label}
        return c.post("/v1/labels", json=body, headers={**ADMIN, **JSON, "Idempotency-Key": key})


def labels_total(served: Served) -> int:
    with fresh(served) as c:
        return int(c.get("/v1/labels", headers=ADMIN).json()["total"])


@pytest.fixture
def replicas(models_dir: Path, serve: Callable[..., Served], postgres_url: str) -> tuple[Served, Served]:
    two = serve(models_dir, "two-workers", "--workers", "2", database_url=postgres_url)
    one = serve(models_dir, "one-worker", database_url=postgres_url)
    two.wait_ready()
    one.wait_ready()
    two.wait_workers(2)
    return two, one


def test_a_session_opened_anywhere_is_honoured_and_revoked_everywhere(replicas: tuple[Served, Served]) -> None:
    two, one = replicas
    session = sign_in(one)
    # every answer of the other replica (new connections: both of its workers) knows the session
    assert [queue_status(two, session) for _ in range(8)] == [200] * 8
    assert queue_status(one, session) == 200
    sign_out(two, session)
    assert [queue_status(p, session) for p in (one, two, two, two)] == [303] * 4  # to the sign-in page
    back = sign_in(two)
    assert queue_status(one, back) == 200


def test_an_idempotency_key_holds_across_workers_and_replicas(replicas: tuple[Served, Served]) -> None:
    two, one = replicas
    # a text of its own: the session's PostgreSQL database may hold other tests' labels of HOAX_POST
    text = f"{HOAX_POST['text']} ({uuid.uuid4().hex})"
    before = labels_total(one)
    first = post_label(one, "label-7f3c9a1e", text, "hoax")
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    for _ in range(4):
        again = post_label(two, "label-7f3c9a1e", text, "hoax")
        assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
        assert again.json() == first.json()
    changed = post_label(two, "label-7f3c9a1e", text, "valid")
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_key_reused"
    assert "pakai kunci baru" in changed.json()["error"]["message"]
    assert labels_total(two) == before + 1

    # the same retry arriving at every process at once: it runs once, every answer is that one
    answers: list[httpx.Response] = []
    start = threading.Barrier(6)

    def retry(served: Served) -> None:
        start.wait()
        answers.append(post_label(served, "label-concurrent-01", text, "valid"))

    threads = [threading.Thread(target=retry, args=(p,)) for p in (one, two, one, two, one, two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") != "true" for a in answers) == 1
    assert labels_total(one) == before + 2
