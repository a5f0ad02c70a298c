"""`screening.patterns.Pattern` gives exactly what Python's `re` gives, on every text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.patterns import Pattern, _relaxed
from screening.quality import attribution, completeness

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
