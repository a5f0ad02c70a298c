"""One analysed document: one genre for classifier and quality, feature streams that mask what misleads."""

from __future__ import annotations

import pytest
from id_texts import CHAIN_TEXT, KIM_TEXT, KIM_TITLE

from screening.doc import ARTICLE_MIN_WORDS, STYLE_FEATURES, Analyser, stance_word, style_measures
from screening.registry import TrainedModel
from screening.resources import load_function_words
from screening.rules import RuleEngine
from screening.screen import Screener
from screening.submission import Submission
from screening.text import URL_TOKEN, normalise


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser(RuleEngine.from_file())


@pytest.mark.parametrize(
    ("submission", "genre"),
    [
        # 90 words and two links: links are not words, so a post (the classifier once counted "https", "www", ...)
        (Submission(text="kata " * 90 + "https://contoh.id/a/b/c/d www.contoh.com/x/y/z"), "post"),
        # 60 x "dll": 60 words as written, though each expands to "dan lain-lain"
        (Submission(text="dll " * 60), "post"),
        # a 14-word post with a title is still a post
        (
            Submission(
                title="Judul Singkat",
                text="Info penting untuk warga desa, besok ada pembagian sembako di balai desa ya.",
            ),
            "post",
        ),
        (Submission(title=KIM_TITLE, text=KIM_TEXT), "article"),
    ],
)
def test_one_genre_for_classifier_and_quality(
    analyser: Analyser, trained: TrainedModel, submission: Submission, genre: str
) -> None:
    doc = analyser.analyse(submission)
    assert doc.genre == genre
    result = Screener.from_trained(trained).screen(text=submission.text, title=submission.title)
    assert result.genre == genre == result.quality.kind


def test_the_genre_cut_is_words_as_written(analyser: Analyser) -> None:
    assert analyser.analyse_text("kata " * (ARTICLE_MIN_WORDS - 1)).genre == "post"
    assert analyser.analyse_text("kata " * ARTICLE_MIN_WORDS).genre == "article"


def test_title_and_body_are_analysed_once_with_their_own_spans(analyser: Analyser) -> None:
    doc = analyser.analyse(Submission(title="HEBOH!!! Sebarkan", text="Warga berkumpul di balai desa."))
    assert doc.title.original == "HEBOH!!! Sebarkan" and doc.body.original == "Warga berkumpul di balai desa."
    assert doc.title_rules and all(s.field == "title" for m in doc.title_rules for s in m.spans)
    assert all(s.field == "text" for m in doc.body_rules for s in m.spans)
    assert {m.rule_id for m in doc.rules} >= {"spread_call", "clickbait_cue"}


def test_word_and_stance_streams_mask_place_names_and_risk_findings(analyser: Analyser) -> None:
    doc = analyser.analyse_text(KIM_TEXT)
    assert "sukamaju" in doc.body.text and "cibeber" in doc.body.text
    for stream in (doc.word_stream, doc.stance_stream):
        assert "sukamaju" not in stream.split() and "cibeber" not in stream.split()
    chain = analyser.analyse_text(CHAIN_TEXT)
    assert "sebar" not in chain.word_stream.split()  # the spread rule carries it, with its declared direction
    assert "sebarkan" in chain.body.text and "sebarkan" in chain.char_stream


def test_stance_stream_keeps_function_and_stance_words_only() -> None:
    words = ["menurut", "polisi", "kabar", "penculikan", "itu", "tidak", "benar", ",", "ada", "3", "korban", "urltoken"]
    fw = load_function_words()
    assert " ".join(stance_word(w, fw) for w in words) == "menurut * kabar * itu tidak benar , ada # * urltoken"


def test_language_is_part_of_the_document(analyser: Analyser) -> None:
    assert analyser.analyse_text(KIM_TEXT).language.code == "id"
    english = "Residents of the village gathered on Monday to clean the irrigation canal before the planting season."
    assert analyser.analyse_text(english).language.code == "en"


def test_style_counts_whole_tokens_even_when_adjacent() -> None:
    body = normalise("Awas!! ! ? https://bit.ly/x 😀😀 😀 ！ “Kata” urltokens")
    words = body.words()
    style = dict(zip(STYLE_FEATURES, style_measures(body), strict=True))
    assert style["style:exclamations_per_word"] == words.count("!") / len(words) == 4 / len(words)
    assert style["style:questions_per_word"] == 1 / len(words)
    assert style["style:links_per_word"] == words.count(URL_TOKEN) / len(words) == 1 / len(words)
    assert style["style:emoji_per_word"] == 2 / len(words)
