"""The editors' workflow through the API: the editor role, labels as records, the audit log and its retention."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from empty_database import drop_all_tables
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
    """The app's store with every screening it answered committed (as its own readers see it)."""
    client.app.state.audit.flush()  # type: ignore[attr-defined]
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
    with pytest.raises(ValueError, match="entri kunci API ke-1:"):
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
    assert ">Konflik label</p>" in editors.get(f"/ui/antrean/{sid}").text
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
            (
                "id",
                "created_at",
                "editor",
                "label",
                "text_sha256",
                "screening_id",
                "conflict",
                "title",
                "text",
                "note",
                "corrected_at",
                "corrected_by",
            )
        )
    ]
    assert editors.get("/v1/labels/export", headers=SUBMITTER).status_code == 403


# -- an admin's corrections and deletions -------------------------------------------------------------------------
def test_only_an_admin_corrects_or_deletes_a_label(editors: TestClient) -> None:
    own = label(editors, ANI, HOAX_POST["text"], "hoax").json()["id"]
    for who in (ANI, BUDI, SUBMITTER):
        patched = editors.patch(f"/v1/labels/{own}", json={"label": "valid"}, headers=who)
        deleted = editors.delete(f"/v1/labels/{own}", headers={**who, **JSON})
        for r in (patched, deleted):
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
            assert "admin" in r.json()["error"]["message"]
    assert editors.get(f"/v1/labels/{own}/history", headers=SUBMITTER).status_code == 403
    [stored] = editors.get("/v1/labels", headers=ANI).json()["items"]
    assert (stored["label"], stored["corrected_by"]) == ("hoax", None)
    assert [e["action"] for e in editors.get(f"/v1/labels/{own}/history", headers=BUDI).json()["events"]] == ["created"]


def test_an_admin_correction_settles_a_conflict_and_is_kept_in_history(editors: TestClient) -> None:
    sid = editors.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()["screening_id"]
    label(editors, ANI, HOAX_POST["text"], "hoax", screening_id=sid)
    budi = label(editors, BUDI, HOAX_POST["text"], "valid", screening_id=sid, note="kata kades").json()
    assert budi["conflict"] is True
    r = editors.patch(f"/v1/labels/{budi['id']}", json={"label": "hoax", "note": "dikoreksi redaktur"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    fixed = r.json()
    assert (fixed["label"], fixed["note"], fixed["editor"], fixed["conflict"]) == (
        "hoax",
        "dikoreksi redaktur",
        "budi",
        False,
    )
    assert fixed["corrected_by"].startswith("admin-") and fixed["corrected_at"] is not None
    # the list, the export and the queue see the corrected verdict
    listed = editors.get("/v1/labels", headers=ANI).json()["items"]
    assert [(x["label"], x["conflict"]) for x in listed] == [("hoax", False), ("hoax", False)]
    rows = list(csv.DictReader(io.StringIO(editors.get("/v1/labels/export", headers=ANI).text)))
    assert [(x["editor"], x["label"], x["corrected_by"]) for x in rows] == [
        ("ani", "hoax", ""),
        ("budi", "hoax", fixed["corrected_by"]),
    ]
    assert sid not in [x.screening_id for x in store_of(editors).review_queue()]
    history = editors.get(f"/v1/labels/{budi['id']}/history", headers=ANI).json()
    assert history["label"]["deleted_at"] is None and history["label"]["label"] == "hoax"
    assert [(e["action"], e["by"], e["previous_label"], e["label"], e["note"]) for e in history["events"]] == [
        ("created", "budi", None, "valid", "kata kades"),
        ("corrected", fixed["corrected_by"], "valid", "hoax", "dikoreksi redaktur"),
    ]
    empty = editors.patch(f"/v1/labels/{budi['id']}", json={}, headers=ADMIN)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_request"
    assert editors.patch(f"/v1/labels/{budi['id']}", json={"label": "maybe"}, headers=ADMIN).status_code == 422
    assert editors.patch(f"/v1/labels/{budi['id']}", json={"editor": "ani"}, headers=ADMIN).status_code == 422
    missing = editors.patch("/v1/labels/999999", json={"label": "valid"}, headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "label_not_found"
    assert "tidak ada" in missing.json()["error"]["message"]


def test_a_deleted_label_is_gone_from_lists_exports_and_conflicts_but_its_history_stays(
    editors: TestClient,
) -> None:
    sid = editors.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()["screening_id"]
    ani = label(editors, ANI, HOAX_POST["text"], "hoax", screening_id=sid).json()
    budi = label(editors, BUDI, HOAX_POST["text"], "valid", screening_id=sid).json()
    sign_in(editors, ANI_KEY)
    assert "conflict-chip" in editors.get("/ui/antrean").text
    r = editors.delete(f"/v1/labels/{budi['id']}", headers={**ADMIN, **JSON})
    assert r.status_code == 200, r.text
    assert (
        r.json()["id"] == budi["id"] and r.json()["conflict"] is False and r.json()["deleted_by"].startswith("admin-")
    )
    assert "conflict-chip" not in editors.get("/ui/antrean").text and sid not in editors.get("/ui/antrean").text
    listed = editors.get("/v1/labels", headers=ANI).json()
    assert listed["total"] == 1 and [x["id"] for x in listed["items"]] == [ani["id"]]
    assert [
        x["id"] for x in map(json.loads, editors.get("/v1/labels/export?format=jsonl", headers=ANI).text.splitlines())
    ] == [ani["id"]]
    history = editors.get(f"/v1/labels/{budi['id']}/history", headers=ANI).json()
    assert history["label"]["deleted_by"] == r.json()["deleted_by"] and history["label"]["label"] == "valid"
    assert [(e["action"], e["previous_label"], e["label"]) for e in history["events"]] == [
        ("created", None, "valid"),
        ("deleted", "valid", None),
    ]
    for again in (
        editors.delete(f"/v1/labels/{budi['id']}", headers={**ADMIN, **JSON}),
        editors.patch(f"/v1/labels/{budi['id']}", json={"label": "hoax"}, headers=ADMIN),
    ):
        assert again.status_code == 409 and again.json()["error"]["code"] == "label_deleted"
        assert "sudah dihapus" in again.json()["error"]["message"]
    # the last label of the screening deleted: it waits in the queue again
    editors.delete(f"/v1/labels/{ani['id']}", headers={**ADMIN, **JSON})
    assert sid in editors.get("/ui/antrean").text
    assert editors.get("/v1/labels", headers=ANI).json()["total"] == 0


def test_an_admin_settles_a_conflict_on_the_review_page(editors: TestClient) -> None:
    screened = editors.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    sid = screened["screening_id"]
    label(editors, ANI, HOAX_POST["text"], "hoax", screening_id=sid, note="sudah dibantah")
    budi = label(editors, BUDI, HOAX_POST["text"], "valid", screening_id=sid).json()["id"]
    of_text = editors.get("/v1/labels", params={"text_sha256": screened["text_sha256"]}, headers=ANI).json()
    assert of_text["total"] == 2
    assert editors.get("/v1/labels", params={"text_sha256": "0" * 64}, headers=ANI).json()["total"] == 0
    assert editors.get("/v1/labels", params={"text_sha256": "bukan-hash"}, headers=ANI).status_code == 422

    sign_in(editors, ANI_KEY)  # an editor sees the labels, not the admin's buttons, and may not use them
    page = editors.get(f"/ui/antrean/{sid}").text
    assert "Label editor untuk teks ini" in page and "sudah dibantah" in page and "Koreksi ke" not in page
    refused = post_form(editors, f"/ui/label/{budi}", {"tindakan": "hoax", "kembali": sid}, page=f"/ui/antrean/{sid}")
    assert refused.status_code == 403 and "Hanya admin" in refused.text

    editors.cookies.clear()
    sign_in(editors, ADMIN_KEY)
    page = editors.get(f"/ui/antrean/{sid}").text
    assert ">Konflik label</p>" in page and "Koreksi ke Hoaks" in page and "Koreksi ke Valid" in page
    fixed = post_form(editors, f"/ui/label/{budi}", {"tindakan": "hoax", "kembali": sid}, page=f"/ui/antrean/{sid}")
    assert fixed.status_code == 303 and fixed.headers["location"] == f"/ui/antrean/{sid}?pesan=diubah"
    page = editors.get(fixed.headers["location"]).text
    assert "Label dikoreksi." in page and ">Konflik label</p>" not in page and "dikoreksi oleh admin-" in page
    gone = post_form(editors, f"/ui/label/{budi}", {"tindakan": "hapus", "kembali": sid}, page=f"/ui/antrean/{sid}")
    assert gone.headers["location"] == f"/ui/antrean/{sid}?pesan=dihapus"
    assert f'id="label-{budi}"' not in editors.get(gone.headers["location"]).text
    again = post_form(editors, f"/ui/label/{budi}", {"tindakan": "hapus", "kembali": sid}, page=f"/ui/antrean/{sid}")
    assert again.status_code == 409 and "sudah dihapus" in again.text
    odd = post_form(editors, f"/ui/label/{budi}", {"tindakan": "ragu"}, page=f"/ui/antrean/{sid}")
    assert odd.status_code == 422
    events = editors.get(f"/v1/labels/{budi}/history", headers=ANI).json()["events"]
    assert [e["action"] for e in events] == ["created", "corrected", "deleted"]


def test_retrain_reads_conflicts_corrections_and_deletions_from_the_store(
    editors: TestClient, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """`saring retrain` (which the service's retrain runs) hands retraining the store's current labels: a text in
    conflict is left out and reported, an admin's correction and deletion count at once."""
    import screening.training.retrain as retraining
    from service.cli import main

    seen: list[dict[str, int]] = []

    def fake_retrain(registry: Any, data: Any, *, labels: Any, **_: Any) -> retraining.RetrainReport:
        counts = retraining.labels_to_rows(labels).counts()
        seen.append(counts)
        data = {"n_base_rows": 100, "n_labels": counts["used"], "n_labels_overriding_base": 0, "labels": counts}
        return retraining.RetrainReport("dry_run", [], None, data=data)

    monkeypatch.setattr(retraining, "retrain", fake_retrain)
    monkeypatch.setenv("SARING_DATABASE_URL", make_settings().database_url.get_secret_value())
    monkeypatch.setenv("SARING_MODELS_DIR", str(make_settings().models_dir))
    label(editors, ANI, HOAX_POST["text"], "hoax")
    budi = label(editors, BUDI, HOAX_POST["text"], "valid").json()
    label(editors, ANI, ARTICLE["text"], "valid")
    label(editors, ANI, ARTICLE["text"], "valid")  # folded: nothing stored
    old = label(editors, BUDI, f"{ARTICLE['text']} Versi lama.", "hoax").json()
    assert main(["retrain", "--quiet"]) == 0
    assert seen[-1] == {"stored": 4, "used": 2, "folded": 0, "left_out_conflicts": 1}
    assert "4 tersimpan, 2 dipakai, 0 digabung dengan label lain untuk teks yang sama, 1 teks berkonflik" in (
        capsys.readouterr().out
    )
    editors.patch(f"/v1/labels/{budi['id']}", json={"label": "hoax"}, headers=ADMIN)
    editors.delete(f"/v1/labels/{old['id']}", headers={**ADMIN, **JSON})
    assert main(["retrain", "--quiet"]) == 0
    assert seen[-1] == {"stored": 3, "used": 2, "folded": 1, "left_out_conflicts": 0}


# -- audit log ----------------------------------------------------------------------------------------------------
@pytest.fixture
def audited(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """Default thresholds (so decisions differ) and a retention period of 30 days."""
    with TestClient(create_app(make_settings(api_keys=KEYS, retention_days=30)), base_url="http://localhost") as c:
        yield c


def backdate(client: TestClient, screening_ids: list[str], days: int) -> None:
    store = store_of(client)
    with store.engine.begin() as conn:
        for sid in screening_ids:
            conn.execute(
                sa.update(sa.table("screenings", sa.column("screening_id"), sa.column("created_at")))
                .where(sa.column("screening_id") == sid)
                .values(created_at=datetime.now(UTC) - timedelta(days=days))
            )


def test_the_audit_log_keeps_request_id_author_and_channel(audited: TestClient) -> None:
    r = audited.post("/v1/screen", json=ARTICLE, headers={**SUBMITTER, "X-Request-ID": "req-20261201-0001"})
    assert r.headers["x-request-id"] == "req-20261201-0001"
    [row] = audited.get("/v1/screenings", headers=ANI).json()["items"]
    assert row["screening_id"] == r.json()["screening_id"] and row["request_id"] == "req-20261201-0001"
    assert (row["author"], row["channel"], row["kim_group"]) == (ARTICLE["author"], "website", "KIM Sukamaju")
    assert row["text"] == ARTICLE["text"] and row["caller_role"] == "submitter"
    batch = audited.post("/v1/screen/batch", json={"items": [HOAX_POST]}, headers=SUBMITTER)
    assert audited.get("/v1/screenings", headers=ANI).json()["items"][0]["request_id"] == batch.headers["x-request-id"]
    assert audited.get("/v1/screenings", headers=SUBMITTER).status_code == 403


def test_the_audit_log_is_filtered_and_paginated(audited: TestClient) -> None:
    ids = {}
    for name, body in (("article", ARTICLE), ("hoax", HOAX_POST), ("article2", {**ARTICLE, "kim_group": "KIM Lain"})):
        ids[name] = audited.post("/v1/screen", json=body, headers=SUBMITTER).json()
    backdate(audited, [ids["article"]["screening_id"]], days=3)
    everything = audited.get("/v1/screenings", headers=ANI).json()
    assert everything["total"] == 3 and everything["items"][-1]["screening_id"] == ids["article"]["screening_id"]
    decision = ids["hoax"]["decision"]
    assert decision != ids["article"]["decision"]
    same = audited.get("/v1/screenings", params={"decision": decision}, headers=ANI).json()
    assert [x["screening_id"] for x in same["items"]] == [ids["hoax"]["screening_id"]]
    version = ids["hoax"]["model_version"]
    assert audited.get("/v1/screenings", params={"model_version": version}, headers=ANI).json()["total"] == 3
    assert audited.get("/v1/screenings", params={"model_version": "none"}, headers=ANI).json()["total"] == 0
    older = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    recent = audited.get("/v1/screenings", params={"since": older}, headers=ANI).json()
    assert recent["total"] == 2
    past = audited.get("/v1/screenings", params={"until": older}, headers=ANI).json()
    assert [x["screening_id"] for x in past["items"]] == [ids["article"]["screening_id"]]
    kim = audited.get("/v1/screenings", params={"kim_group": "KIM Lain"}, headers=ANI).json()
    assert [x["screening_id"] for x in kim["items"]] == [ids["article2"]["screening_id"]]
    page = audited.get("/v1/screenings", params={"limit": 2, "offset": 0}, headers=ANI).json()
    assert len(page["items"]) == 2 and page["next_offset"] == 2
    last = audited.get("/v1/screenings", params={"limit": 2, "offset": 2}, headers=ANI).json()
    assert len(last["items"]) == 1 and last["next_offset"] is None
    empty = audited.get("/v1/screenings", params={"since": older, "until": older}, headers=ANI)
    assert empty.status_code == 422 and "since" in empty.json()["error"]["message"]
    assert audited.get("/v1/screenings", params={"decision": "maybe"}, headers=ANI).status_code == 422


def test_after_the_retention_period_texts_are_gone_and_everything_else_remains(audited: TestClient) -> None:
    old = audited.post("/v1/screen", json=HOAX_POST, headers={**SUBMITTER, "X-Request-ID": "req-old"}).json()
    kept = audited.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).json()
    label(audited, ANI, HOAX_POST["text"], "hoax", screening_id=old["screening_id"])
    before = {x["screening_id"]: x for x in audited.get("/v1/screenings", headers=ANI).json()["items"]}
    backdate(audited, [old["screening_id"]], days=31)
    after = {x["screening_id"]: x for x in audited.get("/v1/screenings", headers=ANI).json()["items"]}
    assert after.keys() == before.keys()
    purged = after[old["screening_id"]]
    assert (purged["title"], purged["text"], purged["author"]) == (None, None, None)
    assert purged["text_purged_at"] is not None
    unchanged = {"title", "text", "author", "text_purged_at", "created_at"}
    for field in set(purged) - unchanged:
        assert purged[field] == before[old["screening_id"]][field], field
    assert purged["text_sha256"] == old["text_sha256"] and purged["request_id"] == "req-old"
    assert after[kept["screening_id"]] == before[kept["screening_id"]]  # within the period: untouched
    record = store_of(audited).get_screening(old["screening_id"])
    assert record is not None and HOAX_POST["text"] not in (record.text, record.title)
    assert (record.decision, record.hoax_risk) == (old["decision"], pytest.approx(old["hoax_risk"]))
    [stored_label] = store_of(audited).labels_for_training()  # labels are training data: kept whole
    assert stored_label.text == HOAX_POST["text"] and stored_label.screening_id == old["screening_id"]


def test_the_audit_log_exports_as_csv_and_jsonl_with_purged_texts_empty(audited: TestClient) -> None:
    old = audited.post("/v1/screen", json=HOAX_POST, headers={**SUBMITTER, "X-Request-ID": "req-lama"}).json()
    new = audited.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).json()
    backdate(audited, [old["screening_id"]], days=31)  # past the retention period: the export purges it first
    r = audited.get("/v1/screenings/export", headers=ANI)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "saring-screenings.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["screening_id"] for x in rows] == [old["screening_id"], new["screening_id"]]  # oldest first
    purged, kept = rows
    assert (purged["title"], purged["text"], purged["author"]) == ("", "", "") and purged["text_purged_at"]
    assert (purged["text_sha256"], purged["decision"], purged["request_id"]) == (
        old["text_sha256"],
        old["decision"],
        "req-lama",
    )
    assert float(purged["hoax_risk"]) == pytest.approx(old["hoax_risk"])
    assert kept["text"] == ARTICLE["text"] and kept["kim_group"] == "KIM Sukamaju" and kept["text_purged_at"] == ""
    j = audited.get("/v1/screenings/export", params={"format": "jsonl"}, headers=ANI)
    assert j.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in j.text.splitlines()]
    # JSON lines are the rows of GET /v1/screenings, oldest first
    listed = audited.get("/v1/screenings", headers=ANI).json()["items"]
    assert lines == list(reversed(listed)) and lines[0]["text"] is None
    filtered = audited.get(
        "/v1/screenings/export", params={"decision": new["decision"], "format": "jsonl"}, headers=ANI
    )
    assert [json.loads(x)["screening_id"] for x in filtered.text.splitlines()] == [new["screening_id"]]
    nothing = audited.get("/v1/screenings/export", params={"kim_group": "KIM Lain"}, headers=ANI)
    assert nothing.text.splitlines() == [",".join(json.loads(j.text.splitlines()[0]).keys())]
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    bad = audited.get("/v1/screenings/export", params={"since": since, "until": since}, headers=ANI)
    assert bad.status_code == 422 and "since" in bad.json()["error"]["message"]
    assert audited.get("/v1/screenings/export", params={"format": "xml"}, headers=ANI).status_code == 422
    assert audited.get("/v1/screenings/export", headers=SUBMITTER).status_code == 403


def test_saring_audit_export(
    audited: TestClient,
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: Any,
) -> None:
    from service.cli import main

    old = audited.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    new = audited.post("/v1/screen", json={**ARTICLE, "kim_group": "KIM Lain"}, headers=SUBMITTER).json()
    backdate(audited, [old["screening_id"]], days=31)
    monkeypatch.setenv("SARING_DATABASE_URL", make_settings().database_url.get_secret_value())
    monkeypatch.setenv("SARING_MODELS_DIR", str(make_settings().models_dir))
    monkeypatch.setenv("SARING_RETENTION_DAYS", "30")
    out = tmp_path / "audit.csv"
    assert main(["audit", "export", str(out)]) == 0
    assert "diekspor: 2 penyaringan" in capsys.readouterr().err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(x["screening_id"], x["text"]) for x in rows] == [
        (old["screening_id"], ""),  # purged by the retention period before it was written
        (new["screening_id"], ARTICLE["text"]),
    ]
    assert main(["audit", "export", "-", "--format", "jsonl", "--kim-group", "KIM Lain"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["screening_id"] == new["screening_id"]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert main(["audit", "export", "-", "--since", tomorrow]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # the header only
    with pytest.raises(SystemExit) as refused:
        main(["audit", "export", "-", "--since", "kemarin"])
    assert refused.value.code == 2 and "'kemarin' bukan tanggal" in capsys.readouterr().err
    assert main(["audit", "export", "-", "--since", tomorrow, "--until", tomorrow]) == 2


def test_saring_labels_correct_delete_and_history(
    editors: TestClient,
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    from service.cli import main

    label(editors, ANI, HOAX_POST["text"], "hoax")
    budi = label(editors, BUDI, HOAX_POST["text"], "valid").json()["id"]
    monkeypatch.setenv("SARING_DATABASE_URL", make_settings().database_url.get_secret_value())
    monkeypatch.setenv("SARING_MODELS_DIR", str(make_settings().models_dir))
    capsys.readouterr()
    assert main(["labels", "correct", str(budi), "--label", "hoaks", "--note", "salah klik", "--by", "ina"]) == 0
    assert f"label {budi} dikoreksi oleh ina: putusan hoaks" in capsys.readouterr().out
    [fixed] = [x for x in editors.get("/v1/labels", headers=ANI).json()["items"] if x["id"] == budi]
    assert (fixed["label"], fixed["note"], fixed["corrected_by"], fixed["conflict"]) == (
        "hoax",
        "salah klik",
        "ina",
        False,
    )
    assert main(["labels", "correct", str(budi), "--label", "hoax", "--by", "ina"]) == 0
    assert "tidak berubah" in capsys.readouterr().out
    assert main(["labels", "correct", str(budi), "--by", "ina"]) == 2
    assert "--label, --note" in capsys.readouterr().err
    assert main(["labels", "correct", str(budi), "--label", "mungkin"]) == 2
    assert main(["labels", "delete", str(budi), "--by", "ina"]) == 0
    assert f"label {budi} dihapus oleh ina" in capsys.readouterr().out
    assert editors.get("/v1/labels", headers=ANI).json()["total"] == 1
    assert main(["labels", "delete", str(budi)]) == 2
    assert "sudah dihapus" in capsys.readouterr().err
    assert main(["labels", "correct", "999999", "--label", "valid"]) == 2
    assert "label 999999 tidak ada" in capsys.readouterr().err
    assert main(["labels", "history", str(budi)]) == 0
    printed = capsys.readouterr().out
    assert "(dihapus)" in printed and "dibuat" in printed and "dikoreksi oleh ina: valid -> hoaks" in printed
    assert main(["labels", "history", str(budi), "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert history == editors.get(f"/v1/labels/{budi}/history", headers=ANI).json()
    assert [e["action"] for e in history["events"]] == ["created", "corrected", "deleted"]


def test_saring_audit_purge_purges_now(
    audited: TestClient, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from service.cli import main

    screened = audited.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    backdate(audited, [screened["screening_id"]], days=3)
    monkeypatch.setenv("SARING_DATABASE_URL", make_settings().database_url.get_secret_value())
    monkeypatch.setenv("SARING_MODELS_DIR", str(make_settings().models_dir))
    assert main(["audit", "purge"]) == 2  # no retention configured for the command, no --days
    assert main(["audit", "purge", "--days", "7"]) == 0 and "teks 0 penyaringan" in capsys.readouterr().out
    assert main(["audit", "purge", "--days", "2"]) == 0 and "teks 1 penyaringan" in capsys.readouterr().out
    record = store_of(audited).get_screening(screened["screening_id"])
    assert record is not None and record.text == "" and record.text_purged_at is not None


def test_saring_labels_export_and_import(
    editors: TestClient,
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: Any,
) -> None:
    from service.cli import main

    label(editors, ANI, HOAX_POST["text"], "hoax", note="dibantah")
    label(editors, BUDI, ARTICLE["text"], "valid")
    monkeypatch.setenv("SARING_DATABASE_URL", make_settings().database_url.get_secret_value())
    monkeypatch.setenv("SARING_MODELS_DIR", str(make_settings().models_dir))
    exported = tmp_path / "labels.csv"
    assert main(["labels", "export", str(exported)]) == 0
    rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    assert [(r["editor"], r["label"], r["note"]) for r in rows] == [("ani", "hoax", "dibantah"), ("budi", "valid", "")]
    capsys.readouterr()
    assert main(["labels", "import", str(exported)]) == 0  # the same verdicts again: folded
    assert "0 label disimpan, 2 sama" in capsys.readouterr().out
    incoming = tmp_path / "new.jsonl"
    incoming.write_text(
        json.dumps({"text": HOAX_POST["text"], "label": "valid"})
        + "\n"
        + "{rusak\n"
        + json.dumps({"text": ARTICLE["text"], "label": "hoaks", "screening_id": "tidak-ada"})
        + "\n",
        encoding="utf-8",
    )
    assert main(["labels", "import", str(incoming), "--editor", "citra"]) == 1
    out = capsys.readouterr()
    assert "1 label disimpan" in out.out and "2 baris dilewati" in out.out and "1 teks berkonflik" in out.out
    assert "baris 2 dilewati: bukan JSON" in out.err
    assert "baris 3 dilewati: screening_id 'tidak-ada' tidak ada di log penyaringan" in out.err
    assert store_of(editors).count_labels() == 3


def test_labels_conflicts_and_retention_on_postgresql(
    make_settings: Callable[..., Settings], postgres_url: str
) -> None:
    """The same store behaviour behind the API with PostgreSQL, the backend of several replicas."""
    engine = sa.create_engine(postgres_url)
    drop_all_tables(engine)  # the session's database is shared: start empty
    engine.dispose()
    settings = make_settings(api_keys=KEYS, database_url=postgres_url, retention_days=30)
    with TestClient(create_app(settings), base_url="http://localhost") as pg:
        screened = pg.post("/v1/screen", json=HOAX_POST, headers={**SUBMITTER, "X-Request-ID": "req-pg-1"}).json()
        sid = screened["screening_id"]
        assert label(pg, ANI, HOAX_POST["text"], "hoax", screening_id=sid).json()["conflict"] is False
        assert label(pg, ANI, HOAX_POST["text"], "hoax").json()["duplicate"] is True
        budi = label(pg, BUDI, HOAX_POST["text"], "valid", screening_id=sid).json()
        assert budi["conflict"] is True
        assert label(pg, BUDI, ARTICLE["text"], "valid", screening_id=sid).status_code == 422
        assert [x["conflict"] for x in pg.get("/v1/labels", headers=ANI).json()["items"]] == [True, True]
        assert sid in [r.screening_id for r in store_of(pg).review_queue()]
        # an admin corrects budi's verdict (the conflict is settled), then deletes it (kept in its history)
        assert pg.patch(f"/v1/labels/{budi['id']}", json={"label": "hoax"}, headers=ANI).status_code == 403
        fixed = pg.patch(f"/v1/labels/{budi['id']}", json={"label": "hoax"}, headers=ADMIN).json()
        assert (fixed["label"], fixed["conflict"]) == ("hoax", False)
        assert sid not in [r.screening_id for r in store_of(pg).review_queue()]
        assert pg.delete(f"/v1/labels/{budi['id']}", headers={**ADMIN, **JSON}).status_code == 200
        history = pg.get(f"/v1/labels/{budi['id']}/history", headers=ANI).json()
        assert [(e["action"], e["label"]) for e in history["events"]] == [
            ("created", "valid"),
            ("corrected", "hoax"),
            ("deleted", None),
        ]
        assert [x["editor"] for x in pg.get("/v1/labels", headers=ANI).json()["items"]] == ["ani"]
        backdate(pg, [sid], days=31)
        [row] = pg.get("/v1/screenings", headers=ANI).json()["items"]
        assert (row["text"], row["request_id"], row["decision"]) == (None, "req-pg-1", screened["decision"])
        assert row["text_sha256"] == screened["text_sha256"] and store_of(pg).count_labels() == 1
        [exported] = csv.DictReader(io.StringIO(pg.get("/v1/screenings/export", headers=ANI).text))
        assert (exported["text"], exported["text_sha256"]) == ("", screened["text_sha256"])
