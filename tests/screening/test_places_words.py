"""The word-run test before the region-word scan: it loses no context match."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.places import _CONTEXT_RE, _ascii_word_runs, _context_matches

_PIECES = st.sampled_from(
    [" ", "  ", "\n", ",", ".", "-", "_", "(", "x", "9", "Desa", "DESA", "desa", "ds.", "Ds", "Kel.", "kelurahan"]
    + ["Kota", "KOTA", "kotak", "Kab.", "kabupaten", "Kec.", "prov.", "Provinsi", "Sukamaju", "Batu", "Jawa"]
    + ["\u212aota", "é", "Ó"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_the_word_runs_keep_every_context_match(text: str) -> None:
    lower = text.lower()
    found = [(m.span(), m.group(1)) for m in _context_matches(text, lower, _ascii_word_runs(text, lower))]
    assert found == [(m.span(), m.group(1)) for m in _CONTEXT_RE.finditer(text)]
