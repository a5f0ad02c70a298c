"""The endpoints through the app in process, with the real Screener on a trained model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from http_helpers import ADMIN, ARTICLE, HOAX_POST, SUBMITTER

from screening.store import Store
from service.app import create_app
from service.settings import Settings


def test_screen_returns_full_result_and_model_header(client: TestClient) -> None:
    r = client.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER)
    assert r.status_code == 200, r.text
    body = r.json()
    assert r.headers["x-model-version"] == body["model_version"]
    assert 0.0 <= body["hoax_risk"] <= 1.0 and 0.0 <= body["classifier_risk"] <= 1.0
    assert body["decision"] in {"publish", "review", "reject"}
    assert body["thresholds"] == {"review": 0.45, "reject": 0.85}
    assert 0 <= body["quality"]["score"] <= 100
    for key in ("rules", "terms", "similar_hoaxes", "ruleset_version", "screening_id", "text_sha256"):
        assert key in body


def test_rule_spans_point_into_the_submitted_fields(client: TestClient) -> None:
    body = client.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    assert body["rules"], "a chain-message hoax should fire rules"
    for rule in body["rules"]:
        assert rule["message"] and rule["spans"]
        for span in rule["spans"]:
            source = HOAX_POST[span["field"]]
            assert source[span["start"] : span["end"]] == span["text"]
    article = client.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).json()
    # 51 words: a short item, scored and judged as a post (one genre for the classifier and the quality score)
    assert article["genre"] == "post" and article["quality"]["subscores"]


def test_chain_message_hoax_outscores_a_sober_article(client: TestClient) -> None:
    hoax = client.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    article = client.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).json()
    assert hoax["hoax_risk"] > article["hoax_risk"]
    assert hoax["decision"] in {"review", "reject"}


def test_request_thresholds_only_tighten(client: TestClient) -> None:
    strict = client.post(
        "/v1/screen", json={**ARTICLE, "thresholds": {"review": 0.0, "reject": 0.99}}, headers=SUBMITTER
    ).json()
    assert strict["thresholds"] == {"review": 0.0, "reject": 0.85}
    assert strict["decision"] in {"review", "reject"}
    loose = client.post(
        "/v1/screen", json={**HOAX_POST, "thresholds": {"review": 0.99, "reject": 1.0}}, headers=SUBMITTER
    ).json()
    assert loose["thresholds"] == {"review": 0.45, "reject": 0.85}


def test_screenings_are_audited_with_key_id_not_key(client: TestClient, make_settings: Callable[..., Settings]) -> None:
    body = client.post("/v1/screen", json=ARTICLE, headers=SUBMITTER).json()
    client.app.state.audit.flush()  # type: ignore[attr-defined]  # read below straight from the database
    store = Store(make_settings().database_url.get_secret_value())
    record = store.get_screening(body["screening_id"])
    store.close()
    assert record is not None
    assert record.text == ARTICLE["text"] and record.title == ARTICLE["title"]
    assert record.kim_group == "KIM Sukamaju" and record.caller_role == "submitter"
    assert record.caller_key_id is not None and record.caller_key_id.startswith("submitter-")
    assert record.model_version == body["model_version"] and record.decision == body["decision"]


def test_batch_keeps_order_and_isolates_bad_items(client: TestClient) -> None:
    items = [ARTICLE, {"text": ""}, "not an object", {**HOAX_POST, "bogus": 1}, HOAX_POST]
    r = client.post("/v1/screen/batch", json={"items": items}, headers=SUBMITTER)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [e["index"] for e in body["items"]] == [0, 1, 2, 3, 4]
    ok = [e["result"] is not None for e in body["items"]]
    assert ok == [True, False, False, False, True]
    assert body["succeeded"] == 2 and body["failed"] == 3
    assert body["items"][1]["error"]["code"] == "invalid_item"
    assert body["items"][3]["error"]["details"][0]["field"] == "bogus"
    single = client.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    assert body["items"][4]["result"]["hoax_risk"] == single["hoax_risk"]
    assert r.headers["x-model-version"] == body["model_version"]


def test_batch_over_the_limit_is_422(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings(max_batch_items=3))) as c:
        r = c.post("/v1/screen/batch", json={"items": [ARTICLE] * 4}, headers=SUBMITTER)
        assert r.status_code == 422 and r.json()["error"]["code"] == "batch_too_large"
        assert c.post("/v1/screen/batch", json={"items": [ARTICLE] * 3}, headers=SUBMITTER).status_code == 200
        assert c.post("/v1/screen/batch", json={"items": []}, headers=SUBMITTER).status_code == 422


def test_batch_over_the_character_budget_is_422(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings(max_batch_chars=1_000))) as c:
        r = c.post("/v1/screen/batch", json={"items": [ARTICLE, ARTICLE, ARTICLE]}, headers=SUBMITTER)
        assert r.status_code == 422 and r.json()["error"]["code"] == "batch_too_large"
        assert c.post("/v1/screen/batch", json={"items": [ARTICLE]}, headers=SUBMITTER).status_code == 200


def test_label_is_committed_before_201(client: TestClient, make_settings: Callable[..., Settings]) -> None:
    screened = client.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    label = {
        "text": HOAX_POST["text"],
        "title": HOAX_POST["title"],
        "label": "hoax",
        "note": "Sudah dibantah Kemenkes",
        "screening_id": screened["screening_id"],
    }
    r = client.post("/v1/labels", json=label, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert r.json()["text_sha256"] == screened["text_sha256"] and r.json()["editor"].startswith("admin-")
    store = Store(make_settings().database_url.get_secret_value())  # a separate connection sees it
    rows = store.labels_for_training()
    store.close()
    assert [(x.id, x.label, x.editor_id, x.screening_id) for x in rows] == [
        (r.json()["id"], "hoax", r.json()["editor"], screened["screening_id"])
    ]
    bad = client.post("/v1/labels", json={**label, "label": "maybe"}, headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "body.label"


def test_validation_problems_are_explained_in_indonesian(client: TestClient) -> None:
    bad = {
        "text": "   ",
        "title": "x" * 600,
        "kim_group": 7,
        "thresholds": {"review": 0.9, "reject": 0.5},
        "bogus": True,
    }
    r = client.post("/v1/screen", json=bad, headers=SUBMITTER)
    assert r.status_code == 422
    problems = {d["field"]: (d["type"], d["problem"]) for d in r.json()["error"]["details"]}
    assert problems == {
        "body.text": ("value_error", "tidak boleh kosong atau hanya berisi spasi"),
        "body.title": ("string_too_long", "terlalu panjang (paling banyak 500 karakter)"),
        "body.kim_group": ("string_type", "harus berupa teks"),
        "body.thresholds": ("value_error", "review tidak boleh lebih besar dari reject"),
        "body.bogus": ("extra_forbidden", "kolom ini tidak dikenal"),
    }
    label = client.post("/v1/labels", json={"text": "teks", "label": "maybe"}, headers=ADMIN)
    [detail] = label.json()["error"]["details"]
    assert detail["problem"] == "harus salah satu dari: 'hoax', 'valid'"
    missing = client.post("/v1/labels", json={"label": "hoax"}, headers=ADMIN).json()["error"]["details"]
    assert [(d["field"], d["problem"]) for d in missing] == [("body.text", "wajib diisi")]
    paged = client.get("/v1/labels", params={"limit": 0, "since": "kemarin"}, headers=ADMIN).json()["error"]
    assert {d["field"]: d["problem"] for d in paged["details"]} == {
        "query.since": "harus berupa tanggal dan waktu (ISO 8601, misalnya 2026-12-01T08:00:00Z)",
        "query.limit": "harus paling sedikit 1",
    }


JSON_ADMIN = {**ADMIN, "Content-Type": "application/json"}


def test_models_list_activate_and_rollback(client: TestClient) -> None:
    listing = client.get("/v1/models", headers=SUBMITTER).json()
    active = listing["active_version"]
    assert active is not None and listing["serving_version"] == active
    assert any(v["version"] == active and v["active"] for v in listing["versions"])
    r = client.post(f"/v1/models/{active}/activate", headers=JSON_ADMIN)
    assert r.status_code == 200 and r.json()["active_version"] == active
    missing = client.post("/v1/models/no-such-version/activate", headers=JSON_ADMIN)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"
    assert client.post("/v1/models/..%2F..%2Fetc/activate", headers=JSON_ADMIN).status_code in {404, 422}
    assert 'saring_model_info{model_version="' + active in client.get("/metrics").text
    # the log now holds only this version: nothing earlier to go back to
    rollback = client.post("/v1/models/rollback", headers=JSON_ADMIN)
    assert rollback.status_code == 409 and rollback.json()["error"]["code"] == "model_invalid"
    assert client.get("/readyz").status_code == 200  # still serving


def test_health_readiness_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["model_loaded"] and ready.json()["store_reachable"]
    client.post("/v1/screen", json=ARTICLE, headers=SUBMITTER)
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'saring_http_requests_total{method="POST",route="/v1/screen",status="200"}' in text
    assert "saring_http_request_duration_seconds_bucket" in text
    assert "saring_decisions_total" in text


def test_not_ready_without_a_model(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    empty = tmp_path / "empty-models"
    with TestClient(create_app(make_settings(models_dir=empty, train_if_missing=False))) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["model_loaded"] is False
        s = c.post("/v1/screen", json=ARTICLE, headers=SUBMITTER)
        assert s.status_code == 503 and s.json()["error"]["code"] == "model_not_loaded"
        assert c.get("/healthz").status_code == 200


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/screen",
        "/v1/screen/batch",
        "/v1/labels",
        "/v1/models",
        "/v1/models/{version}/activate",
        "/v1/models/rollback",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert {"ScreenRequest", "ScreenResponse", "BatchScreenRequest", "LabelSubmission", "ErrorResponse"} <= set(schemas)
    assert schemas["ScreenRequest"]["additionalProperties"] is False
    assert client.get("/docs").status_code == 200


def test_unreachable_store_is_503_not_500(client: TestClient) -> None:
    app = client.app
    healthy = app.state.store  # type: ignore[attr-defined]
    app.state.store = Store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")  # type: ignore[attr-defined]
    try:
        label = {"text": ARTICLE["text"], "label": "valid"}
        r = client.post("/v1/labels", json=label, headers=ADMIN)
        assert r.status_code == 503 and r.json()["error"]["code"] == "store_unavailable"
        assert client.get("/v1/screenings", headers=ADMIN).status_code == 503
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["store_reachable"] is False
    finally:
        app.state.store.close()  # type: ignore[attr-defined]
        app.state.store = healthy  # type: ignore[attr-defined]
    assert client.get("/readyz").status_code == 200


def test_screening_goes_on_while_the_database_is_down_and_its_row_arrives_later(client: TestClient) -> None:
    """The audit row waits in the queue (and the spool) while the database refuses; reads wait for it, and once
    the database is back the row is there."""
    audit = client.app.state.audit  # type: ignore[attr-defined]
    healthy = audit.store
    audit.store = Store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    audit.flush_timeout_s = 0.5
    try:
        r = client.post("/v1/screen", json=ARTICLE, headers=SUBMITTER)
        assert r.status_code == 200
        screening_id = r.json()["screening_id"]
        waiting = client.get(f"/v1/screenings?kim_group={ARTICLE['kim_group']}", headers=ADMIN)
        assert waiting.status_code == 503 and waiting.json()["error"]["code"] == "store_unavailable"
    finally:
        audit.store.close()
        audit.store = healthy
        audit.flush_timeout_s = 10.0  # the writer tries again within 5 s
    listed = client.get(f"/v1/screenings?kim_group={ARTICLE['kim_group']}", headers=ADMIN).json()
    assert [item["screening_id"] for item in listed["items"]] == [screening_id]


def test_deployment_base_rate_setting_reaches_the_screener(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings(hoax_base_rate_post=0.3))) as low:
        risky = low.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    with TestClient(create_app(make_settings(hoax_base_rate_post=0.7))) as high:
        riskier = high.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    assert (risky["genre"], risky["base_rate"]) == ("post", 0.3)
    assert riskier["base_rate"] == 0.7
    assert riskier["hoax_risk"] > risky["hoax_risk"]


def test_explain_false_leaves_terms_empty_and_changes_nothing_else(client: TestClient) -> None:
    explained = client.post("/v1/screen", json=HOAX_POST, headers=SUBMITTER).json()
    bare = client.post("/v1/screen", json={**HOAX_POST, "explain": False}, headers=SUBMITTER).json()
    assert explained["terms"] and bare["terms"] == []
    for key in ("hoax_risk", "classifier_risk", "decision", "rules", "quality", "similar_hoaxes"):
        assert bare[key] == explained[key]
    batch = client.post(
        "/v1/screen/batch", json={"items": [HOAX_POST, ARTICLE], "explain": False}, headers=SUBMITTER
    ).json()
    assert [item["result"]["terms"] for item in batch["items"]] == [[], []]
    refused = client.post("/v1/screen", json={**HOAX_POST, "explain": "kadang"}, headers=SUBMITTER)
    assert refused.status_code == 422
