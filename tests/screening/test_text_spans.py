"""Spans of the normalised text mapped back to the original: counting spaces (a few spans) gives what bisecting the
token starts gives, also where a token holds a space of its own (NFKC of a few symbols, e.g. "¨" -> " ̈")."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.text import NormalisedText, normalise


def _bisected_span(doc: NormalisedText, start: int, end: int) -> tuple[int, int]:
    if not doc.tokens or end <= start:
        return (0, 0)
    first = max(bisect_right(doc.norm_starts, start) - 1, 0)
    last = max(bisect_left(doc.norm_starts, end) - 1, first)
    return (doc.tokens[first].start, doc.tokens[last].end)


def _every_span_agrees(text: str) -> None:
    doc = normalise(text)
    spans = [(start, end) for start in range(len(doc.text) + 2) for end in range(start - 1, len(doc.text) + 2)]
    expected = [_bisected_span(doc, start, end) for start, end in spans]
    assert [doc.original_span(start, end) for start, end in spans] == expected
    assert doc.original_spans(spans) == expected
    for i in range(0, len(spans), 3):  # a few at a time: counted
        assert doc.original_spans(spans[i : i + 3]) == expected[i : i + 3], text


def test_a_token_holding_a_space_keeps_its_span() -> None:
    doc = normalise("a ¨ b")
    assert doc.text.count(" ") > len(doc.tokens) - 1
    _every_span_agrees("a ¨ b")
    _every_span_agrees("Yg ¨¨ GAK  percaya,bangeeet dgn ¨")


def test_norm_starts_index_the_tokens() -> None:
    doc = normalise("Cek bit.ly/x @budi dll!!  ¨ 😀😀")
    for token, start in zip(doc.tokens, doc.norm_starts, strict=True):
        assert doc.text[start : start + len(token.text)] == token.text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab ,.¨\n😀YgdllX", max_size=25))
def test_original_span_agrees_with_bisection(text: str) -> None:
    _every_span_agrees(text)
