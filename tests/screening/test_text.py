"""Normalisation: canonical forms of Indonesian as people write it, and spans back to the original."""

from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.text import (
    _SPACE_RE,
    _TO_SPACE,
    _TOKEN_RE,
    EMOJI_TOKEN,
    MENTION_TOKEN,
    PLACEHOLDERS,
    URL_TOKEN,
    _piece,
    _piece_tokens,
    _scan,
    _word_piece,
    ascii_table,
    cased_letters,
    has_alnum,
    normalise,
    translate_ascii,
    word_count,
)


def test_slang_elongation_and_case_are_canonicalised() -> None:
    doc = normalise("Yg GAK percaya bangeeet dgn berita ini, tdk usah utk dibaca")
    assert doc.text == "yang tidak percaya banget dengan berita ini , tidak usah untuk dibaca"


def test_double_letters_kept_when_they_make_a_word() -> None:
    assert normalise("maaaaf ya").text == "maaf ya"
    assert normalise("sakiiiit").text == "sakit"


def test_urls_mentions_hashtags_and_emoji_become_placeholders() -> None:
    doc = normalise("Cek https://bit.ly/abc123 @pakRT #SaveDesa 😡😡🔥")
    assert doc.words() == ["cek", URL_TOKEN, MENTION_TOKEN, "savedesa", EMOJI_TOKEN]


def test_unicode_repair_fullwidth_zero_width_and_mojibake() -> None:
    assert normalise("ＨＯＡＫＳ").text == "hoaks"
    assert normalise("ho\u200bax").text == "hoaks"  # a zero-width space inside a word keeps it whole
    assert normalise("donâ€™t").text == "don ' t"


def test_original_span_points_at_the_source_of_an_expanded_slang_word() -> None:
    original = "Sebarkan!!! yg ga percaya"
    doc = normalise(original)
    start = doc.text.index("tidak percaya")
    a, b = doc.original_span(start, start + len("tidak percaya"))
    assert original[a:b] == "ga percaya"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_never_raises_and_every_token_indexes_the_original(text: str) -> None:
    doc = normalise(text)
    for token, start in zip(doc.tokens, doc.norm_starts, strict=True):
        assert 0 <= token.start < token.end <= len(text)
        assert doc.text[start : start + len(token.text)] == token.text
    a, b = doc.original_span(0, len(doc.text))
    assert 0 <= a <= b <= len(text)


_PIECES = st.sampled_from(
    [" ", "  ", "\n\n", "\t", "\u00a0", "\u2028", "\u3000", "\x1c", ".", "-", ",", "!", "@", "#", "/", "(", ")"]
    + ["\u200b", "\u00ad", "\x00", "😀", "👍🏽", "é", "Ａ", "İ", "yg", "bangeeet", "Maaaf", "salfok", "dll", "warga"]
    + ["http://", "https://bit.ly/x.", "www.", "kominfo.go.id", ".com", "a-a-", "desa", "RT", "05"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_a_text_is_tokenised_as_its_pieces_between_spaces_are(text: str) -> None:
    """Tokenising piece by piece gives what the token pattern finds scanning the whole text, and counting words
    piece by piece what counting them over the whole text gives."""
    doc = normalise(text)
    assert doc.tokens == tuple(_scan(text))
    assert word_count(doc) == len(
        {(t.start, t.end) for t in doc.tokens if t.text not in PLACEHOLDERS and has_alnum(t.text)}
    )


@given(st.text(st.characters(categories=("L", "N")), min_size=1).filter(str.isalnum))
def test_the_token_pattern_reads_an_alphanumeric_text_as_one_word(text: str) -> None:
    match = _TOKEN_RE.match(text)
    assert match is not None and match.lastgroup == "word" and match.end() == len(text)


@settings(max_examples=500, deadline=None)
@given(
    st.text(st.characters(categories=("L", "N")), min_size=1).filter(str.isalnum)
    | st.sampled_from(["dll", "gw", "bangeeet", "Maaaf", "www", "http", "com", "id", "2019", "İstanbul", "Ａ１"]),
    st.text(st.sampled_from(".,!?;:"), max_size=4),
)
def test_a_word_and_its_closing_marks_are_tokenised_as_the_pattern_does(word: str, marks: str) -> None:
    assert _word_piece(word + marks) == _piece(tuple(_scan(word + marks)))


def test_only_a_word_and_its_closing_marks_skip_the_pattern() -> None:
    for piece in ["", "...", "a.b", "bit.ly", "www.x", "(kata)", "kata-kata", "@warga", "#viral", "a_b", "😀!"]:
        assert _word_piece(piece) is None


def test_every_space_splits_pieces() -> None:
    spaces = {char for char in map(chr, range(0x110000)) if char.isspace()}
    assert {chr(code) for code in _TO_SPACE} == spaces
    assert {char for char in map(chr, range(0x110000)) if _SPACE_RE.match(char)} == spaces


def test_a_long_piece_is_tokenised_like_a_short_one() -> None:
    long_piece = "a-" * 100 + "bangeeet.com"
    assert normalise(f"x {long_piece}").tokens[1:] == tuple(
        (t.text, t.start + 2, t.end + 2) for t in normalise(long_piece).tokens
    )
    assert normalise(long_piece).tokens == tuple(_scan(long_piece))


def test_edge_cases() -> None:
    for text in ["", " ", "😀😀😀", "\u200b\u200c\u200d", "x" * 1_000_000, "漢字 العربية русский ไทย", "\x00\x01"]:
        doc = normalise(text)
        assert all(0 <= t.start < t.end <= len(text) for t in doc.tokens)


@given(st.text(max_size=60) | st.text(alphabet="abcXYZ !?1", max_size=60))
def test_cased_letters_counts_as_str_methods_do(text: str) -> None:
    """The byte-deleting count of ASCII text and the per-character count agree on any text."""
    upper = sum(map(str.isupper, text))
    assert cased_letters(text) == (upper, upper + sum(map(str.islower, text)))


def test_a_remembered_piece_is_dropped_from_the_garbage_collectors_rounds() -> None:
    entry = _piece_tokens("Desa,Sukamaju!")
    for _ in range(3):  # each collection untracks one level of nested tuples
        gc.collect()
    assert not gc.is_tracked(entry)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_translate_ascii_maps_every_character_as_its_table_says(text: str) -> None:
    """The bytes route gives what mapping each character gives (lower case, non-letters to spaces)."""

    def char_map(char: str) -> str:
        return char.lower() if char.isalpha() else " "

    assert translate_ascii(text, ascii_table(char_map)) == "".join(map(char_map, text))
