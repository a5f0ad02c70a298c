"""Quality score: clean village news scores high, chain messages low, findings point at the right text."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from id_texts import (
    CHAIN_TEXT,
    DEBUNK_TEXT,
    DEBUNK_TITLE,
    HEALTH_TEXT,
    KIM_TEXT,
    KIM_TITLE,
    SCAM_TEXT,
)

from screening.errors import InvalidInputError
from screening.quality import assess_quality
from screening.result import QualityReport
from screening.text import normalise


def assert_spans_index_inputs(report: QualityReport, title: str, text: str) -> None:
    for finding in report.findings:
        if finding.span is None:
            continue
        source = title if finding.check == "headline" else text
        assert finding.span.field == ("title" if finding.check == "headline" else "text")
        assert 0 <= finding.span.start <= finding.span.end <= len(source)
        assert source[finding.span.start : finding.span.end] == finding.span.text


def findings_of(report: QualityReport, check: str) -> list[str]:
    return [f.span.text for f in report.findings if f.check == check and f.span is not None]


def test_clean_village_news_scores_high() -> None:
    report = assess_quality(KIM_TITLE, KIM_TEXT)
    assert report.kind == "article"
    assert report.score >= 85
    assert set(report.subscores) == {"completeness", "attribution", "byline", "headline", "language", "structure"}
    assert report.subscores["completeness"] >= 90
    assert report.subscores["attribution"] == 100
    assert report.subscores["byline"] == 100
    assert all(f.suggestion for f in report.findings)
    assert_spans_index_inputs(report, KIM_TITLE, KIM_TEXT)


def test_debunking_article_scores_well() -> None:
    report = assess_quality(DEBUNK_TITLE, DEBUNK_TEXT)
    assert report.kind == "article"
    assert report.score >= 75
    assert report.subscores["attribution"] == 100


@pytest.mark.parametrize("text", [CHAIN_TEXT, SCAM_TEXT, HEALTH_TEXT])
def test_chain_messages_are_posts_and_score_much_lower(text: str) -> None:
    clean = assess_quality(KIM_TITLE, KIM_TEXT).score
    report = assess_quality("", text)
    assert report.kind == "post"
    assert "byline" not in report.subscores and "structure" not in report.subscores
    assert "headline" not in report.subscores  # no title to judge
    assert report.score <= 45
    assert clean - report.score >= 40
    assert_spans_index_inputs(report, "", text)


def test_informal_words_are_reported_with_spans() -> None:
    report = assess_quality("", CHAIN_TEXT)
    informal = findings_of(report, "language")
    assert {"yg", "jgn", "org"} <= set(informal)
    assert report.subscores["language"] < 70


def test_misspelling_and_doubled_word() -> None:
    text = (
        "Kepala Desa Sukamaju, Budi, mewakili mewakili warga menyampaikan bahwa pembangnan jalan desa "
        "dilaksanakan pada Senin (12/8/2024). Anak-anak ikut membantu orang tua mereka."
    )
    report = assess_quality("Pembangunan Jalan Desa Sukamaju Dimulai", text)
    language = findings_of(report, "language")
    assert "mewakili mewakili" in language
    assert "pembangnan" in language
    assert not any("Anak" in s for s in language)  # hyphenated reduplication is correct
    assert not any("Sukamaju" in s or "Budi" in s for s in language)  # names are skipped
    assert_spans_index_inputs(report, "Pembangunan Jalan Desa Sukamaju Dimulai", text)


def test_headline_caps_and_clickbait_spans_index_title() -> None:
    title = "HEBOH!!! Ternyata Begini Rahasia Warga Desa Sukamaju"
    report = assess_quality(title, KIM_TEXT)
    assert report.subscores["headline"] <= 40
    cues = findings_of(report, "headline")
    assert {"HEBOH", "!!!", "Ternyata", "Begini"} <= set(cues)
    assert_spans_index_inputs(report, title, KIM_TEXT)
    shouting = assess_quality("WARGA DESA SUKAMAJU GOTONG ROYONG BERSIHKAN SALURAN IRIGASI", KIM_TEXT)
    assert shouting.subscores["headline"] <= 70
    assert assess_quality("", KIM_TEXT).subscores["headline"] == 0  # an article needs a title


def test_byline_forms() -> None:
    body = KIM_TEXT.rsplit("Penulis:", 1)[0]
    assert assess_quality(KIM_TITLE, body).subscores["byline"] == 0
    assert assess_quality(KIM_TITLE, body + "(rina/KIM Sukamaju)").subscores["byline"] == 70
    assert assess_quality(KIM_TITLE, body + "Reporter: Rina\nEditor: Yusuf").subscores["byline"] == 100


def test_missing_five_w_are_named() -> None:
    report = assess_quality("Kegiatan Warga", "Warga melakukan kegiatan bersama. Semua senang dengan hasilnya.")
    messages = " ".join(f.message for f in report.findings if f.check == "completeness")
    assert "Waktu" in messages and "Lokasi" in messages
    assert report.subscores["completeness"] <= 40


def test_doc_argument_is_used_and_invalid_input_rejected() -> None:
    doc = normalise(KIM_TEXT)
    assert assess_quality(KIM_TITLE, KIM_TEXT, doc) == assess_quality(KIM_TITLE, KIM_TEXT)
    with pytest.raises(InvalidInputError):
        assess_quality(None, KIM_TEXT)  # type: ignore[arg-type]


EDGE_CASES = [
    ("", ""),
    ("", " \n\n "),
    ("😱😱😱", "🔥🔥🔥"),
    ("\u200b", "\u200b\u200c\u200d\ufeff"),
    ("Judul", "Себарkan ابحث 漢字 Desa किरिम Kabupaten"),
    ("Desa", "Desa Kecamatan Kabupaten Kota Provinsi"),
    ("\ud800", "\udfff surrogate"),
    ("İ" * 50, "İstanbul ǅ ß ẞ ﬁ " * 20),
    ("Berita", (KIM_TEXT + "\n\n") * 40),  # about 100 KB
]


@pytest.mark.parametrize(("title", "text"), EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_edge_cases_never_raise(title: str, text: str) -> None:
    start = time.perf_counter()
    report = assess_quality(title, text)
    assert time.perf_counter() - start < 5.0
    assert 0 <= report.score <= 100
    assert all(0 <= v <= 100 for v in report.subscores.values())
    assert_spans_index_inputs(report, title, text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.text())
def test_any_unicode_never_raises(title: str, text: str) -> None:
    report = assess_quality(title, text)
    assert 0 <= report.score <= 100
    assert_spans_index_inputs(report, title, text)


def test_author_from_metadata_counts_as_a_byline() -> None:
    body = KIM_TEXT.split("Penulis:")[0]  # the same article without its byline lines
    without = assess_quality(KIM_TITLE, body)
    with_author = assess_quality(KIM_TITLE, body, author="Rina Marlina")
    assert with_author.subscores["byline"] > without.subscores["byline"]
    assert not any(f.message == "Nama penulis tidak dicantumkan." for f in with_author.findings)


def test_headline_reuses_the_callers_title_matches() -> None:
    from screening.rules import RuleEngine

    title = "VIRAL!!! Ternyata Ini Rahasia yang Bikin Warga Heboh"
    matches = RuleEngine.from_file().match(normalise(title))
    assert matches
    assert assess_quality(title, KIM_TEXT, title_matches=matches) == assess_quality(title, KIM_TEXT)
    # with no matches handed in, no headline cue is found again behind the caller's back
    calm = assess_quality(title, KIM_TEXT, title_matches=[])
    assert calm.subscores["headline"] > assess_quality(title, KIM_TEXT).subscores["headline"]
