"""The editors' pages in process (TestClient): each page, roles, login cookie, CSRF, queue verdicts, models."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from http_helpers import ADMIN_KEY, ARTICLE, HOAX_POST, SUBMITTER_KEY

from screening.result import RuleMatch, Span
from screening.store import Store
from screening.training.retrain import RetrainReport
from service.app import create_app
from service.jobs import RetrainJobRunner
from service.settings import Settings
from service.ui import auth, present
from service.ui import routes as ui_routes

ORIGIN = {"Origin": "http://localhost"}


def token_of(page: str) -> str:
    found = re.search(rf'name="{auth.CSRF_FIELD}" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def post_form(
    client: TestClient,
    url: str,
    data: dict[str, str],
    *,
    page: str = "/ui/",
    files: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a form the way a browser does from one of the pages: with that page's CSRF token and Origin."""
    token = token_of(client.get(page).text)
    return client.post(
        url,
        data={auth.CSRF_FIELD: token, **data},
        files=files,
        headers=ORIGIN if headers is None else headers,
        follow_redirects=False,
    )


def local_client(app: Any) -> TestClient:
    """A browser on this machine, as key-less mode requires (loopback socket, client and Host)."""
    return TestClient(app, base_url="http://localhost", client=("127.0.0.1", 50000))


def login(client: TestClient, key: str) -> None:
    r = post_form(client, "/ui/masuk", {"kunci": key, "lanjut": "/ui/"}, page="/ui/masuk")
    assert r.status_code == 303 and r.headers["location"] == "/ui/", r.text


@pytest.fixture
def local(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """Key-less local mode: no login, every user is the local admin; every screening goes to review."""
    app = create_app(make_settings(api_keys="", review_threshold=0.0, reject_threshold=1.0))
    with local_client(app) as c:
        yield c


@pytest.fixture
def keyed(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    app = create_app(make_settings(review_threshold=0.0, reject_threshold=1.0))
    with TestClient(app, base_url="http://localhost") as c:
        yield c


def store_of(client: TestClient) -> Store:
    """The app's store with every screening it answered committed (as its own readers see it)."""
    client.app.state.audit.flush()  # type: ignore[attr-defined]
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def screening_id_of(page: str) -> str:
    found = re.search(r"ID penyaringan <code>([0-9a-f]+)</code>", page)
    assert found
    return found.group(1)


# -- pages ------------------------------------------------------------------------------------------------------
def test_screen_page_is_accessible_indonesian_and_locked_down(local: TestClient) -> None:
    r = local.get("/ui/")
    assert r.status_code == 200
    page = r.text
    assert '<html lang="id">' in page and 'href="#isi"' in page and "Langsung ke isi" in page
    assert '<label for="text">Teks</label>' in page and 'id="text"' in page and 'type="file"' in page
    assert "Antrean tinjauan" in page  # the local user is an admin
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"]
    assert auth.CSRF_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert local.get("/", follow_redirects=False).headers["location"] == "/ui/"
    assert local.get("/ui/static/saring.css").status_code == 200


def test_screening_shows_decision_highlights_terms_and_is_audited(local: TestClient) -> None:
    r = post_form(local, "/ui/periksa", {"title": HOAX_POST["title"], "text": HOAX_POST["text"]})
    assert r.status_code == 200, r.text
    page = r.text
    assert "Hasil penyaringan" in page and "Perlu ditinjau" in page and "Risiko hoaks" in page
    marks = re.findall(r'<mark class="mark-(?:risk|calm)" title="([^"]+)"[^>]*>', page)
    assert marks, "a chain-message hoax should have highlighted spans"
    assert re.search(r'<li id="temuan-1"', page) and "Menaikkan risiko" in page
    assert "Mutu jurnalistik" in page and "Kata yang menggerakkan model" in page
    assert "Hoaks serupa yang sudah dikenal" in page
    # the marked text is the submitted text, nothing added or lost (tags and reference numbers aside)
    doc = re.search(r'<div class="doc" id="teks-ditandai">(.*?)</div>\n', page, re.S)
    assert doc is not None
    plain = re.sub(r"<sup.*?</sup>|<[^>]+>", "", doc.group(1))
    assert plain.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&") == HOAX_POST["text"]
    record = store_of(local).get_screening(screening_id_of(page))
    assert record is not None and record.text == HOAX_POST["text"] and record.caller_key_id == "local"
    assert record.decision == "review"


def test_uploaded_txt_file_is_screened_and_crlf_normalised(local: TestClient) -> None:
    content = ARTICLE["text"].replace(". ", ".\r\n").encode("utf-8-sig")
    r = post_form(
        local,
        "/ui/periksa",
        {"title": ARTICLE["title"], "text": ""},
        files={"berkas": ("naskah.txt", content, "text/plain")},
    )
    assert r.status_code == 200, r.text
    record = store_of(local).get_screening(screening_id_of(r.text))
    assert record is not None and record.text == ARTICLE["text"].replace(". ", ".\n")
    assert "Unggahan media sosial" in r.text  # 51 words: below the article length


def test_invalid_submissions_are_explained(local: TestClient) -> None:
    r = post_form(local, "/ui/periksa", {"title": "Judul", "text": "   "})
    assert r.status_code == 422 and "Teks wajib diisi" in r.text and 'value="Judul"' in r.text
    r = post_form(local, "/ui/periksa", {"text": ""}, files={"berkas": ("x.txt", b"\xff\xfe\x00bad", "text/plain")})
    assert r.status_code == 422 and "bukan teks UTF-8" in r.text


def test_submitted_text_is_escaped(local: TestClient) -> None:
    evil = "<script>alert(1)</script> SEBARKAN!!! vaksin mengandung chip, kirim ke semua grup"
    r = post_form(local, "/ui/periksa", {"title": "<img src=x onerror=alert(1)>", "text": evil})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;" in r.text


# -- CSRF -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "headers"),
    [
        ("missing", ORIGIN),
        ("wrong", ORIGIN),
        ("right", {"Origin": "http://evil.example"}),
        ("right", {"Origin": "null"}),
        ("right", {}),
        ("right", {"Referer": "http://evil.example/ui/"}),
    ],
)
def test_state_changing_forms_need_token_and_same_origin(
    local: TestClient, token: str, headers: dict[str, str]
) -> None:
    good = token_of(local.get("/ui/").text)
    data = {"text": HOAX_POST["text"]}
    if token != "missing":
        data[auth.CSRF_FIELD] = good if token == "right" else good[:-2] + "xx"
    before = store_of(local).review_queue()
    r = local.post("/ui/periksa", data=data, headers=headers, follow_redirects=False)
    assert r.status_code == 403
    assert "tidak berasal dari halaman Saring" in r.text or "situs lain" in r.text  # the form check or the guard
    assert store_of(local).review_queue() == before
    for url in ("/ui/model/kembalikan", "/ui/model/latih-ulang", "/ui/antrean/abc"):
        assert local.post(url, data=data, headers=headers).status_code == 403


def test_same_origin_referer_is_enough_without_origin(local: TestClient) -> None:
    r = post_form(local, "/ui/periksa", {"text": HOAX_POST["text"]}, headers={"Referer": "http://localhost/ui/"})
    assert r.status_code == 200


# -- login and roles --------------------------------------------------------------------------------------------
def test_pages_need_login_when_keys_are_configured(keyed: TestClient) -> None:
    r = keyed.get("/ui/antrean", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/masuk?lanjut=/ui/antrean"
    assert keyed.get("/ui/model", follow_redirects=False).status_code == 303
    page = keyed.get("/ui/masuk").text
    assert 'type="password"' in page and "Kunci API" in page
    r = post_form(keyed, "/ui/masuk", {"kunci": "bukan-kunci-yang-benar-sama-sekali"}, page="/ui/masuk")
    assert r.status_code == 401 and "tidak dikenal" in r.text
    assert "bukan-kunci-yang-benar" not in r.text and auth.SESSION_COOKIE not in r.headers.get("set-cookie", "")
    assert post_form(keyed, "/ui/periksa", {"text": "x"}, page="/ui/masuk").status_code == 401


def test_login_cookie_is_httponly_strict_and_logout_clears_it(keyed: TestClient) -> None:
    r = post_form(keyed, "/ui/masuk", {"kunci": SUBMITTER_KEY, "lanjut": "/ui/model"}, page="/ui/masuk")
    assert r.status_code == 303 and r.headers["location"] == "/ui/model"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(auth.SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    page = keyed.get("/ui/").text
    assert "pengirim" in page and "Keluar" in page
    r = post_form(keyed, "/ui/keluar", {})
    assert r.status_code == 303 and r.headers["location"] == "/ui/masuk"
    assert keyed.get("/ui/", follow_redirects=False).status_code == 303


def test_login_never_redirects_off_site(keyed: TestClient) -> None:
    for target in ("//evil.example/ui/", "https://evil.example/", "/v1/models", "/ui\\..\\x"):
        r = post_form(keyed, "/ui/masuk", {"kunci": SUBMITTER_KEY, "lanjut": target}, page="/ui/masuk")
        assert r.headers["location"] == "/ui/"


def test_submitter_screens_but_admin_actions_are_hidden_and_refused(keyed: TestClient) -> None:
    login(keyed, SUBMITTER_KEY)
    r = post_form(keyed, "/ui/periksa", {"title": HOAX_POST["title"], "text": HOAX_POST["text"]})
    assert r.status_code == 200 and "<mark" in r.text
    record = store_of(keyed).get_screening(screening_id_of(r.text))
    assert record is not None and record.caller_role == "submitter" and record.caller_key_id.startswith("submitter-")
    assert "Antrean tinjauan" not in r.text
    models = keyed.get("/ui/model").text
    assert "Versi tersimpan" in models and "Macro-F1" in models
    assert "Latih ulang" not in models and "Aktifkan versi" not in models and "Kembalikan" not in models
    assert keyed.get("/ui/antrean").status_code == 403
    assert keyed.get(f"/ui/antrean/{record.screening_id}").status_code == 403
    assert keyed.get("/ui/model/latih-ulang").status_code == 403
    for url, data in (
        (f"/ui/antrean/{record.screening_id}", {"putusan": "hoax"}),
        ("/ui/model/kembalikan", {}),
        ("/ui/model/aktifkan", {"versi": record.model_version}),
        ("/ui/model/latih-ulang", {}),
    ):
        r = post_form(keyed, url, data)
        assert r.status_code == 403 and ("Hanya admin" in r.text or "Hanya editor" in r.text), url
    assert store_of(keyed).labels_for_training() == []
    assert getattr(keyed.app.state, "retrain_runner", None) is None  # type: ignore[attr-defined]


def test_sign_in_takes_the_apis_keys_and_the_cookie_is_no_key(keyed: TestClient) -> None:
    keyed.cookies.set(auth.SESSION_COOKIE, ADMIN_KEY, path="/ui")  # a key is not a session
    assert keyed.get("/ui/", follow_redirects=False).status_code == 303
    login(keyed, ADMIN_KEY)
    assert keyed.get("/ui/antrean").status_code == 200


# -- review queue -----------------------------------------------------------------------------------------------
def test_queue_verdicts_become_labels_and_unsure_only_leaves_the_queue(keyed: TestClient) -> None:
    login(keyed, ADMIN_KEY)
    ids = []
    for text in (
        HOAX_POST["text"],
        ARTICLE["text"],
        "Kabar: air kelapa dicampur garam menyembuhkan COVID dalam 1 hari",
    ):
        ids.append(screening_id_of(post_form(keyed, "/ui/periksa", {"text": text}).text))
    page = keyed.get("/ui/antrean").text
    positions = [page.index(f'id="naskah-{i}"') for i in ids]
    assert positions == sorted(positions, reverse=True), "newest first"
    assert page.count('name="putusan" value="hoax"') == 3
    detail = keyed.get(f"/ui/antrean/{ids[0]}")
    assert detail.status_code == 200 and "Tinjau naskah" in detail.text and "<mark" in detail.text
    assert f'action="/ui/antrean/{ids[0]}"' in detail.text and "tidak dicatat" in detail.text
    assert len(store_of(keyed).review_queue()) == 3, "looking at an item must not audit a new screening"
    assert keyed.get("/ui/antrean/tidak-ada").status_code == 404

    r = post_form(
        keyed, f"/ui/antrean/{ids[0]}", {"putusan": "hoax", "catatan": "pesan berantai lama"}, page="/ui/antrean"
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui/antrean?tersimpan=hoax"
    assert "Putusan “Hoaks” disimpan." in keyed.get(r.headers["location"]).text
    post_form(keyed, f"/ui/antrean/{ids[1]}", {"putusan": "valid"}, page="/ui/antrean")
    post_form(keyed, f"/ui/antrean/{ids[2]}", {"putusan": "unsure", "catatan": "cek ke puskesmas"}, page="/ui/antrean")

    store = store_of(keyed)
    labels = {r.screening_id: r for r in store.labels_for_training()}
    assert set(labels) == {ids[0], ids[1]}
    assert labels[ids[0]].label == "hoax" and labels[ids[0]].note == "pesan berantai lama"
    assert labels[ids[0]].text == HOAX_POST["text"] and labels[ids[0]].editor_id.startswith("admin-")
    assert labels[ids[1]].label == "valid"
    [skip] = store.review_skips()
    assert skip.screening_id == ids[2] and skip.note == "cek ke puskesmas"
    assert store.review_queue() == []
    assert "Antrean kosong" in keyed.get("/ui/antrean").text


def test_bad_verdicts_are_refused(local: TestClient) -> None:
    sid = screening_id_of(post_form(local, "/ui/periksa", {"text": HOAX_POST["text"]}).text)
    assert post_form(local, f"/ui/antrean/{sid}", {"putusan": "mungkin"}).status_code == 422
    assert post_form(local, "/ui/antrean/tidak-ada", {"putusan": "hoax"}).status_code == 404
    assert post_form(local, f"/ui/antrean/{sid}", {"putusan": "hoax", "catatan": "x" * 2001}).status_code == 422
    assert store_of(local).labels_for_training() == []


def test_queue_pages(local: TestClient) -> None:
    for i in range(21):
        post_form(local, "/ui/periksa", {"text": f"{HOAX_POST['text']} ({i})"})
    first = local.get("/ui/antrean").text
    assert first.count('class="card queue-item"') == 20 and "/ui/antrean?halaman=2" in first
    second = local.get("/ui/antrean?halaman=2").text
    assert second.count('class="card queue-item"') == 1 and "/ui/antrean?halaman=1" in second


def decisions_counted(client: TestClient, decision: str) -> float:
    found = re.search(rf'^saring_decisions_total{{decision="{decision}"}} (\S+)$', client.get("/metrics").text, re.M)
    return float(found.group(1)) if found else 0.0


def test_every_recorded_screening_counts_its_decision_once(local: TestClient) -> None:
    before = decisions_counted(local, "review")  # the fixture's thresholds send everything to review
    assert local.post("/v1/screen", json=ARTICLE, headers={"Content-Type": "application/json"}).status_code == 200
    batch = {"items": [ARTICLE, HOAX_POST, {"text": ""}]}
    assert local.post("/v1/screen/batch", json=batch).json()["succeeded"] == 2
    page = post_form(local, "/ui/periksa", {"text": HOAX_POST["text"]})
    assert page.status_code == 200
    local.get(f"/ui/antrean/{screening_id_of(page.text)}")  # analysed again for the editor, not a new screening
    assert decisions_counted(local, "review") == before + 4
    assert len(store_of(local).list_screenings(limit=10).items) == 4


def test_a_failure_on_a_page_is_the_problem_page(local: TestClient) -> None:
    app = local.app
    healthy = app.state.store  # type: ignore[attr-defined]
    app.state.store = Store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")  # type: ignore[attr-defined]
    try:
        r = local.get("/ui/antrean")
        assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
        assert "Basis data tidak dapat dihubungi" in r.text and "<nav" in r.text
    finally:
        app.state.store.close()  # type: ignore[attr-defined]
        app.state.store = healthy  # type: ignore[attr-defined]
    app.state.holder._screener = None  # type: ignore[attr-defined]  # as before the first model is loaded
    r = post_form(local, "/ui/periksa", {"text": HOAX_POST["text"]})
    assert r.status_code == 503 and "Model belum dimuat" in r.text


# -- models -----------------------------------------------------------------------------------------------------
def test_models_page_shows_version_metrics_and_admin_actions(local: TestClient) -> None:
    page = local.get("/ui/model").text
    holder = local.app.state.holder  # type: ignore[attr-defined]
    version = holder.screener.model_version
    assert version in page and "Aktif" in page and "Dilatih" in page and "Data latih" in page
    assert "ROC-AUC" in page and "Artikel" in page and "Unggahan/klaim pendek" in page
    assert "Latih ulang dengan label redaktur" in page and "Kembalikan ke versi sebelumnya" in page
    post_form(local, "/ui/periksa", {"text": HOAX_POST["text"]})
    facts = local.get("/ui/model").text
    assert re.search(r"Naskah menunggu tinjauan</dt><dd>1</dd>", facts)
    assert re.search(r"Label redaktur tersimpan</dt><dd>0</dd>", facts)


def test_activate_and_rollback_through_the_page(local: TestClient) -> None:
    holder = local.app.state.holder  # type: ignore[attr-defined]
    version = holder.screener.model_version
    r = post_form(local, "/ui/model/aktifkan", {"versi": "tidak-ada"}, page="/ui/model")
    assert r.status_code == 404 and "tidak ada" in r.text
    r = post_form(local, "/ui/model/kembalikan", {}, page="/ui/model")
    assert r.status_code == 409 and "Tidak ada versi sebelumnya" in r.text
    r = post_form(local, "/ui/model/aktifkan", {"versi": version}, page="/ui/model")
    assert r.status_code == 303 and r.headers["location"] == "/ui/model?pesan=aktif"
    assert holder.screener.model_version == version


def test_retrain_button_starts_the_job_and_the_page_reports_it(
    local: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def task(progress: Callable[[str], None]) -> RetrainReport:
        progress("training the candidate on 10 rows")
        calls.append("ran")
        return RetrainReport("kept", ["post macro_f1 drops by 0.050 (> margin 0.010): 0.750 -> 0.700"], "v-old")

    runner = RetrainJobRunner()
    local.app.state.retrain_runner = runner  # type: ignore[attr-defined]
    monkeypatch.setattr(ui_routes, "retrain_task", lambda request: task)
    r = post_form(local, "/ui/model/latih-ulang", {}, page="/ui/model")
    assert r.status_code == 303 and r.headers["location"] == "/ui/model?pesan=mulai"
    assert runner.wait(10) and calls == ["ran"]
    page = local.get("/ui/model").text
    assert "Pelatihan ulang terakhir" in page and "Selesai" in page and "Model lama dipertahankan" in page
    assert "post: macro_f1 turun 0.050 (lebih dari batas 0.010): 0.750 -&gt; 0.700" in page
    assert "melatih model calon pada 10 baris" in page and "training" not in page
    status = local.get("/ui/model/latih-ulang").json()
    assert status["status"] == "succeeded" and status["outcome"] == "kept"


def test_real_retrain_without_labels_changes_nothing(local: TestClient) -> None:
    holder = local.app.state.holder  # type: ignore[attr-defined]
    before = holder.screener.model_version
    assert post_form(local, "/ui/model/latih-ulang", {}, page="/ui/model").status_code == 303
    runner = local.app.state.retrain_runner  # type: ignore[attr-defined]
    assert runner.wait(120)
    job = runner.latest()
    assert job.status == "succeeded" and job.report.outcome == "unchanged", job.error
    assert holder.screener.model_version == before


# -- presentation helpers ---------------------------------------------------------------------------------------
def test_highlight_cuts_overlapping_spans_and_keeps_the_text() -> None:
    text = "Sebarkan segera ke semua grup sebelum dihapus"
    rules = [
        RuleMatch("chain", "berantai", 1.0, "Ajakan menyebarkan", (Span(0, 15, text[0:15]),)),
        RuleMatch("urgent", "desakan", 0.5, "Desakan waktu", (Span(9, 15, text[9:15]), Span(30, 45, text[30:45]))),
        RuleMatch("title", "judul", 0.5, "Di judul", (Span(0, 3, "Seb", "title"),)),
        RuleMatch("debunk", "klarifikasi", -1.0, "Klarifikasi", (Span(40, 99, "hapus"),)),
    ]
    findings = present.findings_of(rules)
    segments = present.highlight(text, rules, findings, "text")
    assert "".join(s.text for s in segments) == text
    assert [(s.text, [f.number for f in s.findings]) for s in segments] == [
        ("Sebarkan ", [1]),
        ("segera", [1, 2]),
        (" ke semua grup ", []),
        ("sebelum di", [2]),
        ("hapus", [2, 4]),
    ]
    assert segments[1].tooltip == "[1] Ajakan menyebarkan | [2] Desakan waktu"
    assert not findings[3].raises_risk and findings[0].raises_risk
    assert [s.text for s in present.highlight("Sebarkan", rules, findings, "title") if s.findings] == ["Seb"]


def test_only_web_links_become_links() -> None:
    assert present.safe_link("https://turnbackhoax.id/x") == "https://turnbackhoax.id/x"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil", "", None, "ftp://x/y"):
        assert present.safe_link(bad) is None
    assert present.percent(0.734) == "73 %" and present.decimal(0.87654) == "0,877"


def test_forms_share_the_apis_rate_limit(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(api_keys="", rate_limit_per_minute=1, rate_limit_burst=1))
    with local_client(app) as c:
        assert post_form(c, "/ui/periksa", {"text": HOAX_POST["text"]}).status_code == 200
        r = post_form(c, "/ui/periksa", {"text": HOAX_POST["text"]})
        assert r.status_code == 429 and "Terlalu banyak permintaan" in r.text


@pytest.mark.parametrize(
    ("risk", "shown"),
    [
        (0.8486, "84,9 %"),
        (0.8499, "84,99 %"),
        (0.85, "85 %"),
        (0.62, "62 %"),
        (0.4499, "44,99 %"),
        (0.4478, "44,8 %"),
        (0.01, "1 %"),
    ],
)
def test_a_risk_is_never_shown_on_the_wrong_side_of_a_threshold(risk: float, shown: str) -> None:
    from screening.result import Thresholds
    from service.ui.present import risk_percent

    assert risk_percent(risk, Thresholds(review=0.45, reject=0.85)) == shown


def test_editors_read_what_a_rule_means_not_its_id(local: TestClient) -> None:
    r = post_form(local, "/ui/periksa", {"title": HOAX_POST["title"], "text": HOAX_POST["text"]})
    assert r.status_code == 200, r.text
    visible = re.sub(r"<[^>]+>", " ", r.text)  # the page as read: attributes (data-rule) are not shown
    assert "rule:" not in visible and "unverified_source" not in visible and "spread_call" not in visible
    assert "ajakan menyebarkan" in visible  # the category of the call to spread, as the findings list names it


def test_rule_and_gate_terms_are_named_for_editors() -> None:
    from types import SimpleNamespace

    from screening.result import TermContribution
    from service.ui.present import terms_view

    result = SimpleNamespace(
        terms=[
            TermContribution("rule:spread_call", 0.8),
            TermContribution("gate:ordinary_news", -2.0),
            TermContribution("vaksin", 0.3),
        ],
        rules=[SimpleNamespace(rule_id="spread_call", category="spread")],
    )
    towards, away = terms_view(result)  # type: ignore[arg-type]
    assert [(t.label, t.is_word) for t in towards] == [("aturan: ajakan menyebarkan", False), ("vaksin", True)]
    assert [(t.label, t.is_word) for t in away] == [("mirip berita biasa", False)]


def test_the_author_given_on_the_form_is_the_byline_and_is_audited(local: TestClient) -> None:
    r = post_form(
        local, "/ui/periksa", {"title": ARTICLE["title"], "text": ARTICLE["text"], "author": "Ani / KIM Maju"}
    )
    assert r.status_code == 200, r.text
    record = store_of(local).get_screening(screening_id_of(r.text))
    assert record is not None and record.author == "Ani / KIM Maju"
    assert 'value="Ani / KIM Maju"' in r.text


def test_queue_sorts_filters_and_counts(local: TestClient) -> None:
    import dataclasses
    import uuid

    from screening.store import ScreeningAudit

    holder = local.app.state.holder  # type: ignore[attr-defined]
    base = holder.require().screen(text=HOAX_POST["text"])
    store = store_of(local)
    rows = [(0.62, "KIM Maju"), (0.91, "KIM Maju"), (0.48, "KIM Sejahtera")]
    ids = []
    for risk, group in rows:
        result = dataclasses.replace(base, screening_id=uuid.uuid4().hex, hoax_risk=risk, decision="review")
        store.record_screenings([ScreeningAudit(result, "", f"{HOAX_POST['text']} {risk}", kim_group=group)])
        ids.append(result.screening_id)
    page = local.get("/ui/antrean?urut=risiko").text
    assert "3 naskah menunggu tinjauan" in page
    positions = [page.index(f'id="naskah-{i}"') for i in ids]
    assert positions[1] < positions[0] < positions[2], "highest risk first"
    oldest = local.get("/ui/antrean?urut=terlama").text
    assert [oldest.index(f'id="naskah-{i}"') for i in ids] == sorted(oldest.index(f'id="naskah-{i}"') for i in ids)
    maju = local.get("/ui/antrean", params={"kim": "KIM Maju"}).text
    assert "2 naskah menunggu tinjauan (dengan saringan ini)" in maju and f'id="naskah-{ids[2]}"' not in maju
    assert "0 naskah" in local.get("/ui/antrean?sejak=2999-01-01").text
    assert local.get("/ui/antrean?sejak=kemarin").status_code == 422
