"""Style measures: the token counts read from the words agree with counting whole tokens in the normalised text."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.doc import _QUOTES, style_measures
from screening.text import EMOJI_TOKEN, URL_TOKEN, NormalisedText, capitals_share, normalise


def _reference(body: NormalisedText) -> tuple[float, ...]:
    sample = body.original[:20_000]
    words = max(len(body.tokens), 1)
    spaced = f"  {body.text.replace(' ', '  ')}  "
    return (
        capitals_share(sample),
        spaced.count(" ! ") / words,
        spaced.count(" ? ") / words,
        math.log1p(len(body.tokens)),
        sum(sample.count(q) for q in _QUOTES) / words,
        spaced.count(f" {URL_TOKEN} ") / words,
        spaced.count(f" {EMOJI_TOKEN} ") / words,
        1.0 if sample.lstrip()[:1] in _QUOTES else 0.0,
    )


_PIECES = st.sampled_from(
    [" ", "\n", "!", "?", "!!", "‼", "⁉", "！", '"', "“", "»", "😀", "Desa", "AWAS", "bit.ly/x", "urltoken", "É", "a"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_style_measures_count_whole_tokens(text: str) -> None:
    body = normalise(text)
    assert style_measures(body) == _reference(body)
    assert style_measures(normalise(text), body.words()) == _reference(body)
