"""Headline: the CLICK-ID clickbait model (served without scikit-learn, same numbers) and the lead check."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from id_texts import KIM_TEXT, KIM_TITLE
from quality_of import analysed, assessed, quality_of

from screening.doc import default_analyser
from screening.quality.clickbait import analyse_headline, fit_clickbait, load_clickbait_model, unanimous_headlines
from screening.quality.headline import LEAD_WORDS, _lead_size
from screening.text import normalise


def test_served_scores_equal_the_fitted_pipeline() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    titles, labels, _ = unanimous_headlines()
    titles, labels = titles[:1500], labels[:1500]
    model = fit_clickbait(titles, labels)
    vectorizer = TfidfVectorizer(analyzer=analyse_headline, min_df=2, sublinear_tf=True)
    features = vectorizer.fit_transform(titles)
    classifier = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(features, labels)
    probe = titles[:50] + ["Warga Desa Sukamaju Gotong Royong", "Ternyata Begini Rahasianya, Bikin Kaget!"]
    expected = classifier.predict_proba(vectorizer.transform(probe))[:, 1]
    for title, want in zip(probe, expected, strict=True):
        got, _ = model.score(normalise(title))
        assert math.isclose(got, want, abs_tol=1e-9), title


def test_shipped_model_separates_clickbait_from_plain_news() -> None:
    model = load_clickbait_model()
    bait, raised = model.score(normalise("Wow, 5 Fakta Mengejutkan Soal Bansos yang Jarang Diketahui"))
    plain, _ = model.score(normalise("Pemkab Cianjur Salurkan Bansos kepada 1.200 Keluarga Penerima Manfaat"))
    assert bait > 0.8 > 0.3 > plain
    assert raised and all(c > 0 for _, _, c in raised)


def test_clickbait_spans_only_above_the_asked_probability() -> None:
    model = load_clickbait_model()
    doc = normalise("Wow, 5 Fakta Mengejutkan Soal Bansos yang Jarang Diketahui")
    probability, raised = model.score(doc)
    assert raised
    assert model.score(doc, explain_above=probability) == (probability, raised)  # at the bar: explained
    assert model.score(doc, explain_above=math.nextafter(probability, 1.0)) == (probability, [])  # below it: not


def test_clickbait_headline_finding_points_into_the_title() -> None:
    title = "Wah, Warga Sukamaju Lakukan Ini, Hasilnya Bikin Kaget"
    report = assessed(replace(analysed(title, KIM_TEXT), title_rules=()))  # no rule cues: the model alone
    model_findings = [f for f in report.findings if f.source == "clickbait_model"]
    assert len(model_findings) == 1
    span = model_findings[0].span
    assert span is not None and span.field == "title" and title[span.start : span.end] == span.text
    assert (
        report.subscores["headline"]
        < assessed(replace(analysed(KIM_TITLE, KIM_TEXT), title_rules=())).subscores["headline"]
    )


def test_headline_key_words_must_reach_the_lead() -> None:
    assert not [f for f in quality_of(KIM_TITLE, KIM_TEXT).findings if f.source == "lead"]
    off_topic = "Pemkab Cianjur Resmikan Jembatan Gantung di Kecamatan Sukaresmi"
    lead = [f for f in quality_of(off_topic, KIM_TEXT).findings if f.source == "lead"]
    assert len(lead) == 1 and lead[0].span is not None and lead[0].span.field == "title"
    assert "Resmikan" in lead[0].message


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab1 \n.,-'\"é😱@#/:\u200b", "Ã¢â‚¬Å“", "yg", "dll", "www.x.id"])).map("".join))
def test_the_lead_is_read_from_tokens_in_the_order_of_the_text(text: str) -> None:
    # the lead check stops at the first token past the first paragraph, which needs the tokens in text order
    starts = [t.start for t in normalise(text).tokens]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    "text",
    [KIM_TEXT, "Jakarta —\n\n" + KIM_TEXT, "  satu baris saja tanpa titik", "Pendek.\nLalu " + "kata " * 80, ""],
)
def test_the_lead_is_the_first_paragraph_and_its_stems_are_the_analysers(text: str) -> None:
    doc = analysed(KIM_TITLE, text)
    first = re.split(r"\n\s*\n|\n", text.strip(), maxsplit=1)[0] if text.strip() else ""
    end = (text.find(first) if first else 0) + len(first)
    lead = [t.text for t in doc.body.tokens if t.start < end][:LEAD_WORDS]
    expected = len(lead) if len(lead) >= 15 else LEAD_WORDS
    assert _lead_size(doc) == expected
    stemmer = default_analyser().stemmer
    assert list(doc.stems[:expected]) == [stemmer.stem(t.text) for t in doc.body.tokens[:expected]]
