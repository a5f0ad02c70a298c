"""Quality score: clean village news scores high, chain messages low, findings point at the right text."""

from __future__ import annotations

import time
from dataclasses import replace

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
from quality_of import analysed, assessed, quality_of

from screening.errors import InvalidInputError
from screening.result import QualityReport
from screening.submission import Submission
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
    report = quality_of(KIM_TITLE, KIM_TEXT)
    assert report.kind == "article"
    assert report.score >= 85
    assert set(report.subscores) == {"completeness", "attribution", "byline", "headline", "language", "structure"}
    assert report.subscores["completeness"] >= 90
    assert report.subscores["attribution"] == 100
    assert report.subscores["byline"] == 100
    assert all(f.suggestion for f in report.findings)
    assert_spans_index_inputs(report, KIM_TITLE, KIM_TEXT)


def test_debunking_article_scores_well() -> None:
    report = quality_of(DEBUNK_TITLE, DEBUNK_TEXT)
    assert report.kind == "article"
    assert report.score >= 75
    assert report.subscores["attribution"] == 100


@pytest.mark.parametrize("text", [CHAIN_TEXT, SCAM_TEXT, HEALTH_TEXT])
def test_chain_messages_are_posts_and_score_much_lower(text: str) -> None:
    clean = quality_of(KIM_TITLE, KIM_TEXT).score
    report = quality_of("", text)
    assert report.kind == "post"
    assert "byline" not in report.subscores and "structure" not in report.subscores
    assert "headline" not in report.subscores  # no title to judge
    assert report.score <= 45
    assert clean - report.score >= 40
    assert_spans_index_inputs(report, "", text)


def test_informal_words_are_reported_with_spans() -> None:
    report = quality_of("", CHAIN_TEXT)
    informal = findings_of(report, "language")
    assert {"yg", "jgn", "org"} <= set(informal)
    assert report.subscores["language"] < 70


def test_misspelling_and_doubled_word() -> None:
    text = (
        "Kepala Desa Sukamaju, Budi, mewakili mewakili warga menyampaikan bahwa pembangnan jalan desa "
        "dilaksanakan pada Senin (12/8/2024). Anak-anak ikut membantu orang tua mereka."
    )
    report = quality_of("Pembangunan Jalan Desa Sukamaju Dimulai", text)
    language = findings_of(report, "language")
    assert "mewakili mewakili" in language
    assert "pembangnan" in language
    assert not any("Anak" in s for s in language)  # hyphenated reduplication is correct
    assert not any("Sukamaju" in s or "Budi" in s for s in language)  # names are skipped
    assert_spans_index_inputs(report, "Pembangunan Jalan Desa Sukamaju Dimulai", text)


def test_headline_caps_and_clickbait_spans_index_title() -> None:
    title = "HEBOH!!! Ternyata Begini Rahasia Warga Desa Sukamaju"
    report = quality_of(title, KIM_TEXT)
    assert report.subscores["headline"] <= 40
    cues = findings_of(report, "headline")
    assert {"HEBOH", "!!!", "Ternyata", "Begini"} <= set(cues)
    assert_spans_index_inputs(report, title, KIM_TEXT)
    shouting = quality_of("WARGA DESA SUKAMAJU GOTONG ROYONG BERSIHKAN SALURAN IRIGASI", KIM_TEXT)
    assert shouting.subscores["headline"] <= 70
    assert quality_of("", KIM_TEXT).subscores["headline"] == 0  # an article needs a title


def test_byline_forms() -> None:
    body = KIM_TEXT.rsplit("Penulis:", 1)[0]
    assert quality_of(KIM_TITLE, body).subscores["byline"] == 0
    assert quality_of(KIM_TITLE, body + "(rina/KIM Sukamaju)").subscores["byline"] == 70
    assert quality_of(KIM_TITLE, body + "Reporter: Rina\nEditor: Yusuf").subscores["byline"] == 100


def test_missing_five_w_are_named() -> None:
    report = quality_of("Kegiatan Warga", "Warga melakukan kegiatan bersama. Semua senang dengan hasilnya.")
    messages = " ".join(f.message for f in report.findings if f.check == "completeness")
    assert "Waktu" in messages and "Lokasi" in messages
    assert report.subscores["completeness"] <= 40


def test_report_reads_the_analysed_document_and_invalid_input_is_rejected() -> None:
    doc = analysed(KIM_TITLE, KIM_TEXT)
    assert assessed(doc) == quality_of(KIM_TITLE, KIM_TEXT)
    with pytest.raises(InvalidInputError):  # a submission is checked before it is analysed and assessed
        Submission(text=KIM_TEXT, title=None).checked()  # type: ignore[arg-type]


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
    report = quality_of(title, text)
    assert time.perf_counter() - start < 5.0
    assert 0 <= report.score <= 100
    assert all(0 <= v <= 100 for v in report.subscores.values())
    assert_spans_index_inputs(report, title, text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.text())
def test_any_unicode_never_raises(title: str, text: str) -> None:
    report = quality_of(title, text)
    assert 0 <= report.score <= 100
    assert_spans_index_inputs(report, title, text)


def test_author_from_metadata_counts_as_a_byline() -> None:
    body = KIM_TEXT.split("Penulis:")[0]  # the same article without its byline lines
    without = quality_of(KIM_TITLE, body)
    with_author = quality_of(KIM_TITLE, body, author="Rina Marlina")
    assert with_author.subscores["byline"] > without.subscores["byline"]
    assert not any(f.message == "Nama penulis tidak dicantumkan." for f in with_author.findings)


def test_headline_reads_the_documents_title_matches() -> None:
    from screening.rules import RuleEngine

    title = "VIRAL!!! Ternyata Ini Rahasia yang Bikin Warga Heboh"
    doc = analysed(title, KIM_TEXT)
    matches = RuleEngine.from_file().match(normalise(title))
    assert matches
    assert [m.rule_id for m in doc.title_rules] == [m.rule_id for m in matches]
    # with no matches in the document, no headline cue is found again behind the analyser's back
    calm = assessed(replace(doc, title_rules=()))
    assert calm.subscores["headline"] > assessed(doc).subscores["headline"]
