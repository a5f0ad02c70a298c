"""Language detection: Indonesian as people write it stays Indonesian; Javanese, Sundanese, Malay, English do not."""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from id_texts import CHAIN_TEXT, DEBUNK_TEXT, KIM_TEXT, SCAM_TEXT
from lang_texts import ENGLISH, INDONESIAN_HARD, JAVANESE, MALAY, SUNDANESE

from screening.language import (
    UNDETERMINED,
    LanguageGuess,
    _indonesian_or_malay,
    _may_hold_links,
    _words_and_letters,
    detect_language,
)

REPO = Path(__file__).resolve().parents[2]


def _share(texts: list[str], code: str) -> float:
    return sum(detect_language(t).code == code for t in texts) / len(texts)


@pytest.mark.parametrize(("texts", "code"), [(JAVANESE, "jv"), (SUNDANESE, "su"), (MALAY, "ms"), (ENGLISH, "en")])
def test_other_languages_are_recognised_and_flagged(texts: list[str], code: str) -> None:
    assert _share(texts, code) >= 0.9
    assert sum(detect_language(t).is_other_language for t in texts) >= 0.9 * len(texts)


def test_indonesian_chain_message_with_english_loanwords_stays_indonesian() -> None:
    guess = detect_language("PENTING!!! Share ke semua grup ya, klik link ini buat daftar bansos sebelum tgl 30.")
    assert guess.code == "id" and guess.reliable and not guess.is_other_language


@pytest.mark.parametrize("text", INDONESIAN_HARD + [CHAIN_TEXT, SCAM_TEXT, KIM_TEXT, DEBUNK_TEXT])
def test_indonesian_slang_shouting_and_short_posts_are_never_flagged(text: str) -> None:
    guess = detect_language(text)
    assert guess.code in ("id", UNDETERMINED), guess
    assert not guess.is_other_language


def test_indonesian_sentence_around_english_names_is_indonesian() -> None:
    text = "Program tersebut tidak ada, ujar General Manager External Corporate Communication Telkomsel, Senin (17/9)."
    assert detect_language(text).code == "id"


BARE = ["", "   ", "Hoaks.", "😀😀😀", "https://bit.ly/bansos-2024", "@kominfo #hoaks", "123 456"]


@pytest.mark.parametrize("text", BARE)
def test_texts_without_evidence_are_undetermined(text: str) -> None:
    assert detect_language(text) == LanguageGuess(UNDETERMINED, 0.0, False)


def test_a_headline_length_text_is_never_a_reliable_guess() -> None:
    guess = detect_language("DUBES CHINA BAWA DUIT")
    assert not guess.reliable and not guess.is_other_language


def test_characters_the_detector_rejects_do_not_break_it() -> None:
    text = "Warga desa\x00 gotong royong\ud800 membersihkan saluran irigasi\ufffe menjelang musim tanam padi."
    assert detect_language(text).code == "id"


def test_confidence_is_the_share_of_the_text_in_that_language() -> None:
    mixed = ENGLISH[1] + " " + JAVANESE[1]
    pure = detect_language(ENGLISH[1])
    assert 0.0 < detect_language(mixed).confidence < pure.confidence <= 1.0


def test_indonesian_news_is_almost_never_flagged() -> None:
    with open(REPO / "training_data" / "indosum" / "indosum_news.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    sample = random.Random(0).sample(texts, 300)
    flagged = [t[:80] for t in sample if detect_language(t).is_other_language]
    assert len(flagged) <= 3, flagged


@given(st.text(max_size=80) | st.text(alphabet="abcXYZ -.!İß1_\n", max_size=80))
def test_words_and_letters_are_the_runs_of_letters(text: str) -> None:
    """The ASCII shortcut finds the words and letters the letter pattern finds."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    assert _words_and_letters(text) == (words, sum(len(w) for w in re.findall(r"[^\W\d_]+", text)))


def test_lower_case_keeps_the_number_of_letters_of_every_character() -> None:
    letter = re.compile(r"[^\W\d_]")
    changed = [
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if len(letter.findall(char.lower())) != (letter.match(char) is not None)
    ]
    assert changed == []


def test_malay_pairs_are_counted_even_when_adjacent() -> None:
    assert _indonesian_or_malay(["orang", "ramai", "orang", "ramai", "karena"]) == "ms"
    assert _indonesian_or_malay(["orang", "ramai", "karena", "saja"]) == "id"


def test_only_texts_with_a_link_marker_are_searched_for_links() -> None:
    assert not _may_hold_links("Warga desa bergotong royong. Saluran irigasi bersih.")
    assert _may_hold_links("Lihat di kompas.com/berita") and _may_hold_links("cek @kominfo")


def test_control_characters_of_ascii_text_are_spaces_to_the_detector() -> None:
    text = "Warga desa gotong royong membersihkan saluran irigasi menjelang musim tanam padi."
    assert detect_language(text.replace(" ", "\x00")) == detect_language(text)
    assert detect_language(text.replace(" ", "\x07\x7f")) == detect_language(text.replace(" ", "  "))
