"""Regions named in a text: context words, bare regency/province names, aliases, and what is not a place."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening import places
from screening.places import _CONTEXT_RE, CONTEXT_LEVELS, _context_matches, find_places, place_names
from screening.resources import RESOURCE_DIR


def spans(text: str) -> dict[str, str]:
    return {p.span.text: p.level for p in find_places(text)}


def test_places_with_context_and_aliases() -> None:
    text = (
        "Warga Desa Sukamaju, Kecamatan Cibeber, Kabupaten Cianjur, dan rombongan dari Jogja serta DKI "
        "hadir. Batu itu besar, dan desa baru itu jauh."
    )
    places = {p.span.text: p for p in find_places(text)}
    assert places["Desa Sukamaju"].level == "village"
    assert places["Kecamatan Cibeber"].level == "district"
    assert places["Kabupaten Cianjur"].level == "regency"
    assert places["Jogja"].name == "Daerah Istimewa Yogyakarta"
    assert places["DKI"].level == "province"
    assert "desa baru" not in places  # lower-case context words with common nouns are not places
    for place in places.values():
        assert text[place.span.start : place.span.end] == place.span.text


def test_an_ordinary_word_opening_a_sentence_is_not_a_place() -> None:
    # "Batu" is Kota Batu, and also the word for stone; "Malang" is a city and "unlucky"
    assert "Batu" not in spans("Batu itu besar. Malang nasibnya.")
    found = spans("Rombongan dari Batu dan Malang tiba di Kota Batu.")
    assert found["Batu"] == "regency" and found["Malang"] == "regency" and found["Kota Batu"] == "regency"


def test_longest_name_wins_and_abbreviated_context_words() -> None:
    found = spans("Petugas dari DKI Jakarta datang ke Ds. Sukamaju, Kec. Cibeber, Kab. Cianjur.")
    assert found["DKI Jakarta"] == "province" and "DKI" not in found and "Jakarta" not in found
    assert found["Ds. Sukamaju"] == "village"
    assert found["Kec. Cibeber"] == "district"
    assert found["Kab. Cianjur"] == "regency"


def test_unlisted_village_is_not_a_place() -> None:
    assert not [p for p in find_places("Desa Zzyzxqwerty mengadakan rapat") if p.level == "village"]


def test_compiled_names_match_the_shipped_region_list() -> None:
    with open(RESOURCE_DIR / "wilayah.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for level in ("province", "district", "village"):
        listed = {r["name"].strip().lower() for r in rows if r["level"] == level}
        assert place_names(level) == listed  # regenerate with scripts/build_place_names.py if this fails
    regencies = {r["name"].strip().lower() for r in rows if r["level"] == "regency"}
    assert regencies <= place_names("regency")
    assert "cianjur" in place_names("regency")  # also without "Kabupaten"


def test_every_region_word_starts_as_the_context_pattern_expects() -> None:
    """The context pattern's look-ahead tries only these first letters."""
    assert {word[0] for word in CONTEXT_LEVELS} <= set("dgknp")


_CONTEXT_PIECES = st.sampled_from(
    [" ", "  ", "\n", ",", ".", "-", "(", "x", "Desa", "DESA", "desa", "ds.", "Kel.", "kelurahan", "Kota", "KOTA"]
    + ["Kab.", "kabupaten", "Kec.", "prov.", "Provinsi", "Sukamaju", "Batu", "Bandung Barat", "Cianjur", "Jawa"]
    + ["\u0130", "\u0131", "\u017f", "\u212a", "\u212aota", "de\u017fa", "é", "Ó"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_CONTEXT_PIECES, max_size=25).map("".join))
def test_region_words_are_found_where_the_context_pattern_finds_them(text: str) -> None:
    found = [(m.span(), m.group(1)) for m in _context_matches(text, text.lower())]
    assert found == [(m.span(), m.group(1)) for m in _CONTEXT_RE.finditer(text)]


_BARE_PIECES = st.sampled_from(
    [" ", ".", ",", "/", "-", "(", ")", "_", "x", "Cianjur", "cianjur", "Jawa Barat", "DKI", "Dki Jakarta", "Jogja"]
    + ["Batu", "Batu itu", "Kota", "Bandung", "Barat", "Toli-Toli", "Sukamaju", "é", "9", "Aceh"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_BARE_PIECES, max_size=20).map("".join))
def test_the_word_test_before_the_automaton_loses_no_place(text: str) -> None:
    found = find_places(text)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(places, "_may_name_a_region", lambda lower, gazetteer: True)
        assert found == find_places(text)
