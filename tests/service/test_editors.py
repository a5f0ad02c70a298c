"""The editors' workflow through the API: the editor role, labels as records, the audit log and its retention."""

from __future__ import annotations

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
