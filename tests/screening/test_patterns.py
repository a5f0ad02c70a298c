"""`screening.patterns.Pattern` gives exactly what Python's `re` gives, on every text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.patterns import Pattern, PatternSet, Searchable, _has_non_ascii_word, _relaxed
from screening.quality import _KEYWORDS, attribution, completeness

QUALITY_PATTERNS = [
    value for module in (attribution, completeness) for value in vars(module).values() if isinstance(value, Pattern)
]

TRICKY = [
    "Senin (10/8/2020) warga berkumpul karena hujan.",
    "Pada 12/8 ( rapat ) dan 3-4-2024 kemudian selesai",
    "pukul\xa007.00 WIB, kata\xa0Budi",  # no-break spaces: Python's \s, not RE2's
    "Andrékarena agar Éditor: Siti",  # non-ASCII letters next to key words
    "“Kami siap,” ujar Kepala Desa Sukamaju, Ahmad.\nPenulis: Rina\nEditor: Yusuf",
    "lihat www.desa-sukamaju.desa.id dan kominfo.go.id",
    "Oleh karena itu warga diminta hadir.",
    "broken \ud800 surrogate karena",
    "",
]


def test_the_quality_checks_use_the_fast_patterns() -> None:
    assert len(QUALITY_PATTERNS) >= 8


@pytest.mark.parametrize("text", TRICKY)
def test_search_and_finditer_equal_re_on_tricky_texts(text: str) -> None:
    for pattern in QUALITY_PATTERNS:
        expected = pattern.python.search(text)
        found = pattern.search(text)
        assert (found and (found.span(), found.group())) == (expected and (expected.span(), expected.group()))
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in pattern.python.finditer(text)]


def test_look_arounds_are_dropped_and_whitespace_spelt_out() -> None:
    relaxed = _relaxed(r"\b\d{1,2}(?=\s*\))|(?<=[a-z,] )[A-Z](?!x[)(])[\s,]")
    assert "(?=" not in relaxed and "(?<=" not in relaxed and "(?!" not in relaxed
    assert r"\s" not in relaxed and r"\x{a0}" in relaxed
    # what is left still compiles and still requires the rest of the pattern
    fast = Pattern(r"\b\d{1,2}[/-]\d{1,2}\b(?=\s*\))")
    assert fast.search("tanggal 10/8 saja") is None
    assert fast.search("Senin (10/8) pagi").span() == (7, 11)


def test_lookbehind_sees_the_text_before_the_candidate() -> None:
    pattern = Pattern(r"(?<=[a-z,] )[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}\b")
    text = "Budi Santoso datang. lalu Siti Aminah bicara"
    assert pattern.search(text).group() == "Siti Aminah"
    assert pattern.search(text).span() == re.search(pattern.pattern, text).span()


def test_multiline_anchors_and_case_folding_follow_re() -> None:
    pattern = Pattern(r"^[ \t]*(?:penulis|editor)[ \t]*:[ \t]*\w.*$", re.IGNORECASE | re.MULTILINE)
    text = "Isi berita.\n  PENULIS : Rina\nEditor:Yusuf"
    assert [m.group() for m in pattern.finditer(text)] == ["  PENULIS : Rina", "Editor:Yusuf"]


# fmt: off
_PIECES = st.sampled_from([
    " ", "\xa0", "\n", "(", ")", "/", "-", ",", ".", ":", "é", "“", "”", "1", "12", "2024", "a", "Budi", "Siti",
    "senin", "Kamis", "karena", "agar", "untuk meningkatkan", "kata", "ujar", "di", "balai desa", "Jalan", "RT",
    "kemudian", "melalui", "pukul", "WIB", "Penulis", "Editor", "go.id", "kominfo", "mengatakan", "Kepala Desa",
])
# fmt: on


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_search_and_finditer_equal_re_on_generated_texts(text: str) -> None:
    for pattern in QUALITY_PATTERNS:
        expected = pattern.python.search(text)
        found = pattern.search(text)
        assert (found and found.span()) == (expected and expected.span()), pattern.pattern[:60]
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in pattern.python.finditer(text)]


def span_of(m: re.Match[str] | None) -> tuple[int, int] | None:
    return m.span() if m else None


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.integers(min_value=0, max_value=60))
def test_a_prepared_text_and_a_start_give_what_re_gives(text: str, pos: int) -> None:
    prepared = Searchable(text)
    for pattern in QUALITY_PATTERNS:
        assert span_of(pattern.search(prepared)) == span_of(pattern.python.search(text))
        # from a start, the text before it still counts (word boundaries, look-behinds), as in `re`
        assert span_of(pattern.search(prepared, pos)) == span_of(pattern.python.search(text, pos)), pattern.pattern
        assert [m.span() for m in pattern.finditer(prepared)] == [m.span() for m in pattern.python.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_a_pattern_set_leaves_out_only_patterns_that_cannot_match(text: str) -> None:
    assert {p for p in _KEYWORDS.patterns if p.python.search(text)} <= _KEYWORDS.matching(Searchable(text))
    prepared = Searchable(text, _KEYWORDS)  # searches that consult the set find what `re` finds
    for pattern in QUALITY_PATTERNS:
        assert span_of(pattern.search(prepared)) == span_of(pattern.python.search(text))


def test_a_pattern_set_tells_which_patterns_a_post_has() -> None:
    patterns = PatternSet(Pattern(r"\bkarena\b"), Pattern(r"\bpukul\s+\d+"), Pattern(r"(?<=[a-z] )[A-Z]\w+"))
    karena, pukul, name = patterns.patterns
    assert patterns.matching(Searchable("rapat ditunda karena hujan")) == {karena}
    assert patterns.matching(Searchable("Mulai pukul 9 di rumah Budi")) == {pukul, name}  # relaxed: no look-behind
    assert patterns.matching(Searchable("Andrékarena")) == set(patterns.patterns)  # "é": RE2 cannot stand in
    assert patterns.matching(Searchable("hujan, rapat ditunda " * 500 + "karena")) == {karena}  # long: scanned too
    post = Searchable("Mulai pukul 9 pagi", patterns)
    assert not post.may_match(karena) and post.may_match(pukul)
    assert karena.search(post) is None and pukul.search(post) is not None
    assert post.may_match(Pattern("pagi"))  # not in the set: searched


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain ascii", False),
        ("curly “quotes” — dash", False),
        ("André", True),
        ("٣ digits", True),
        ("😱 emoji", False),
    ],
)
def test_word_characters_outside_ascii_are_found_in_utf8(text: str, expected: bool) -> None:
    assert _has_non_ascii_word(text.encode("utf-8")) is expected
