"""The cheap test for links, mentions and hashtags: never False where the pattern would find one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screening.language import _NOT_LANGUAGE, _may_hold_links, _words_and_letters

_MARKERS = ("http", "www.", ".co", ".id", ".ly", ".net", ".org", ".me", ".io", ".link", "@", "#")


@given(st.text(alphabet="abcoidlynetrgmhpw.:/@#- \n", max_size=40))
def test_may_hold_links_is_a_substring_test_for_every_marker(text: str) -> None:
    assert _may_hold_links(text) == any(marker in text for marker in _MARKERS)
    if _NOT_LANGUAGE.search(text):
        assert _may_hold_links(text)


@given(st.text(max_size=40) | st.text(alphabet="aZ 1.!\n\t", max_size=40))
def test_letters_are_counted_in_the_words(text: str) -> None:
    words, letters = _words_and_letters(text)
    assert letters == sum(map(len, words))
