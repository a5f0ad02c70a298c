"""The editors' workflow through the API: the editor role, labels as records, the audit log and its retention."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from http_helpers import ADMIN, ADMIN_KEY, ARTICLE, HOAX_POST, SUBMITTER, SUBMITTER_KEY

from screening.store import Store
from service.app import create_app
from service.settings import Settings, parse_api_keys
from service.ui import auth

ANI_KEY = "edi-" + "1b2c3d4e5f60718293a4b5c6d7e8f9a0"
BUDI_KEY = "edi-" + "a0f9e8d7c6b5a4938271605f4e3d2c1b"
KEYS = f"admin:{ADMIN_KEY},submitter:{SUBMITTER_KEY},editor:ani:{ANI_KEY},editor:budi:{BUDI_KEY}"
ANI = {"Authorization": f"Bearer {ANI_KEY}"}
BUDI = {"Authorization": f"Bearer {BUDI_KEY}"}
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def editors(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """Named editors; every screening asks for review, so each lands in the queue."""
    app = create_app(make_settings(api_keys=KEYS, review_threshold=0.0, reject_threshold=1.0))
    with TestClient(app, base_url="http://localhost") as c:
        yield c


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def post_form(client: TestClient, url: str, data: dict[str, str], *, page: str = "/ui/") -> Any:
    found = re.search(rf'name="{auth.CSRF_FIELD}" value="([^"]+)"', client.get(page).text)
    assert found, "the page has no CSRF token"
    return client.post(
        url,
        data={auth.CSRF_FIELD: found.group(1), **data},
        headers={"Origin": "http://localhost"},
        follow_redirects=False,
    )


def sign_in(client: TestClient, key: str) -> None:
    r = post_form(client, "/ui/masuk", {"kunci": key, "lanjut": "/ui/"}, page="/ui/masuk")
    assert r.status_code == 303, r.text


# -- roles --------------------------------------------------------------------------------------------------------
def test_keys_carry_an_optional_name() -> None:
    keys = parse_api_keys(f"editor:ani:{ANI_KEY},admin:{ADMIN_KEY}")
    assert [(k.role, k.name) for k in keys] == [("editor", "ani"), ("admin", None)]
    assert keys[0].key_id.startswith("editor-") and ANI_KEY not in repr(keys)
    with pytest.raises(ValueError, match="entry 1"):
        parse_api_keys(f"redaktur:{ANI_KEY}")


def test_an_editor_labels_as_itself(editors: TestClient) -> None:
    r = editors.post("/v1/labels", json={"text": HOAX_POST["text"], "label": "hoax"}, headers=ANI)
    assert r.status_code == 201, r.text
    assert r.json()["editor"] == "ani"
    unnamed = editors.post("/v1/labels", json={"text": ARTICLE["text"], "label": "valid"}, headers=ADMIN)
    assert unnamed.status_code == 201 and unnamed.json()["editor"].startswith("admin-")


def test_a_free_text_editor_id_is_refused(editors: TestClient) -> None:
    r = editors.post("/v1/labels", json={"text": HOAX_POST["text"], "label": "hoax", "editor_id": "budi"}, headers=ANI)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.editor_id"


def test_an_editor_cannot_switch_or_retrain_models(editors: TestClient) -> None:
    version = editors.get("/v1/models", headers=ANI).json()["versions"][0]["version"]
    for url in (f"/v1/models/{version}/activate", "/v1/models/rollback", "/v1/retrain"):
        r = editors.post(url, headers={**ANI, **JSON})
        assert r.status_code == 403, url
        assert r.json()["error"]["code"] == "forbidden"
    assert editors.post("/v1/screen", json=ARTICLE, headers=ANI).status_code == 200


def test_a_submitter_cannot_label(editors: TestClient) -> None:
    r = editors.post("/v1/labels", json={"text": HOAX_POST["text"], "label": "hoax"}, headers=SUBMITTER)
    assert r.status_code == 403
    assert "editor" in r.json()["error"]["message"]


def test_an_editor_reviews_the_queue_in_the_pages_by_name(editors: TestClient) -> None:
    screened = editors.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    sign_in(editors, ANI_KEY)
    home = editors.get("/ui/").text
    assert "<strong>ani</strong> (editor)" in home and "Antrean tinjauan" in home
    assert screened["screening_id"] in editors.get("/ui/antrean").text
    r = post_form(editors, f"/ui/antrean/{screened['screening_id']}", {"putusan": "hoax"}, page="/ui/antrean")
    assert r.status_code == 303, r.text
    [label] = store_of(editors).labels_for_training()
    assert (label.editor_id, label.screening_id) == ("ani", screened["screening_id"])
    models = editors.get("/ui/model").text
    assert "Latih ulang" not in models and "Aktifkan versi" not in models
    assert post_form(editors, "/ui/model/kembalikan", {}).status_code == 403


# -- labels as records --------------------------------------------------------------------------------------------
def label(client: TestClient, headers: dict[str, str], text: str, verdict: str, **extra: Any) -> Any:
    return client.post("/v1/labels", json={"text": text, "label": verdict, **extra}, headers=headers)


def test_a_screening_id_must_belong_to_the_labelled_text(editors: TestClient) -> None:
    screened = editors.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    unknown = label(editors, ANI, HOAX_POST["text"], "hoax", screening_id="0" * 32)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "screening_mismatch"
    assert "tidak ada di log penyaringan" in unknown.json()["error"]["message"]
    other = label(editors, ANI, ARTICLE["text"], "valid", screening_id=screened["screening_id"])
    assert other.status_code == 422 and "teks lain" in other.json()["error"]["message"]
    right = label(editors, ANI, HOAX_POST["text"], "hoax", screening_id=screened["screening_id"])
    assert right.status_code == 201
    assert store_of(editors).count_labels() == 1


def test_a_repeated_verdict_is_folded(editors: TestClient) -> None:
    first = label(editors, ANI, HOAX_POST["text"], "hoax").json()
    again = label(editors, ANI, HOAX_POST["text"], "hoax").json()
    assert again["duplicate"] is True and again["id"] == first["id"] and first["duplicate"] is False
    other_editor = label(editors, BUDI, HOAX_POST["text"], "hoax").json()
    assert other_editor["duplicate"] is False and other_editor["conflict"] is False
    assert store_of(editors).count_labels() == 2


def test_two_editors_disagree_and_the_item_returns_to_the_queue_as_a_conflict(editors: TestClient) -> None:
    screened = editors.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    sid = screened["screening_id"]
    assert label(editors, ANI, HOAX_POST["text"], "hoax", screening_id=sid).json()["conflict"] is False
    assert sid not in [r.screening_id for r in store_of(editors).review_queue()]
    budi = label(editors, BUDI, HOAX_POST["text"], "valid", screening_id=sid).json()
    assert budi["conflict"] is True
    listed = editors.get("/v1/labels", headers=ANI).json()
    assert listed["total"] == 2 and [x["conflict"] for x in listed["items"]] == [True, True]
    sign_in(editors, ANI_KEY)
    queue = editors.get("/ui/antrean").text
    assert sid in queue and "conflict-chip" in queue and ">Konflik label</p>" in queue
    # ani comes round to budi's verdict: their latest verdicts agree, the conflict is settled
    assert label(editors, ANI, HOAX_POST["text"], "valid", screening_id=sid).json()["conflict"] is False
    assert "conflict-chip" not in editors.get("/ui/antrean").text
    assert [x["conflict"] for x in editors.get("/v1/labels", headers=ANI).json()["items"]] == [False] * 3


def test_labels_are_listed_filtered_and_paginated(editors: TestClient) -> None:
    texts = [f"{HOAX_POST['text']} Versi {i}." for i in range(5)]
    for i, text in enumerate(texts):
        label(editors, ANI if i % 2 == 0 else BUDI, text, "hoax" if i < 3 else "valid")
    page = editors.get("/v1/labels", params={"limit": 2}, headers=BUDI).json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["next_offset"] == 2
    assert page["items"][0]["text"] == texts[4]  # newest first
    rest = editors.get("/v1/labels", params={"limit": 2, "offset": 4}, headers=BUDI).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    by_ani = editors.get("/v1/labels", params={"editor": "ani"}, headers=BUDI).json()
    assert by_ani["total"] == 3 and {x["editor"] for x in by_ani["items"]} == {"ani"}
    valid = editors.get("/v1/labels", params={"label": "valid", "editor": "budi"}, headers=BUDI).json()
    assert [x["text"] for x in valid["items"]] == [texts[3]]
    later = editors.get("/v1/labels", params={"since": "2999-01-01T00:00:00Z"}, headers=BUDI).json()
    assert later["total"] == 0
    assert editors.get("/v1/labels", params={"label": "maybe"}, headers=BUDI).status_code == 422
    assert editors.get("/v1/labels", headers=SUBMITTER).status_code == 403


def test_labels_export_as_csv_and_jsonl(editors: TestClient) -> None:
    label(editors, ANI, HOAX_POST["text"], "hoax", note='Sudah dibantah, "resmi"')
    label(editors, BUDI, HOAX_POST["text"], "valid")
    label(editors, BUDI, ARTICLE["text"], "valid")
    r = editors.get("/v1/labels/export", params={"format": "csv"}, headers=ANI)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["editor"], x["label"], x["conflict"]) for x in rows] == [
        ("ani", "hoax", "true"),
        ("budi", "valid", "true"),
        ("budi", "valid", "false"),
    ]
    assert rows[0]["text"] == HOAX_POST["text"] and rows[0]["note"] == 'Sudah dibantah, "resmi"'
    j = editors.get("/v1/labels/export", params={"format": "jsonl", "editor": "budi"}, headers=ANI)
    assert j.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in j.text.splitlines()]
    assert [x["text"] for x in lines] == [HOAX_POST["text"], ARTICLE["text"]]
    empty = editors.get("/v1/labels/export", params={"label": "hoax", "editor": "budi"}, headers=ANI)
    assert empty.text.splitlines() == [
        ",".join(
            ("id", "created_at", "editor", "label", "text_sha256", "screening_id", "conflict", "title", "text", "note")
        )
    ]
    assert editors.get("/v1/labels/export", headers=SUBMITTER).status_code == 403
