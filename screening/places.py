"""Indonesian regions named in a text, from the Kemendagri list (province down to village).

Two kinds of mention count:

- a region word followed by a capitalised name ("Desa Sukamaju", "Kec. Cibeber", "Kota Batu"), kept when the
  name is listed at that level (the longest listed name wins, so "Desa Sukamaju Barat" beats "Sukamaju");
- a capitalised regency or province name on its own ("Cianjur", "Jawa Barat") or a common alias ("Jogja",
  "DKI", "Jabar"). A bare name that opens a sentence and is also an ordinary word ("Batu itu besar") is
  not taken for a place.

The names are read once from ``resources/place_names.txt`` (compiled from ``wilayah.csv`` by
``scripts/build_place_names.py``), which keeps start-up short. Spans index the text passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import ahocorasick

from screening.resources import RESOURCE_DIR, load_root_words
from screening.result import Span
from screening.text import ascii_table, translate_ascii

PlaceLevel = Literal["province", "regency", "district", "village"]

PROVINCE_ALIASES: dict[str, str] = {
    "dki": "Daerah Khusus Ibukota Jakarta",
    "dki jakarta": "Daerah Khusus Ibukota Jakarta",
    "jakarta": "Daerah Khusus Ibukota Jakarta",
    "diy": "Daerah Istimewa Yogyakarta",
    "yogyakarta": "Daerah Istimewa Yogyakarta",
    "jogja": "Daerah Istimewa Yogyakarta",
    "jogjakarta": "Daerah Istimewa Yogyakarta",
    "yogya": "Daerah Istimewa Yogyakarta",
    "jabar": "Jawa Barat",
    "jateng": "Jawa Tengah",
    "jatim": "Jawa Timur",
    "sumut": "Sumatera Utara",
    "sumbar": "Sumatera Barat",
    "sumsel": "Sumatera Selatan",
    "kalbar": "Kalimantan Barat",
    "kalteng": "Kalimantan Tengah",
    "kalsel": "Kalimantan Selatan",
    "kaltim": "Kalimantan Timur",
    "kaltara": "Kalimantan Utara",
    "sulut": "Sulawesi Utara",
    "sulteng": "Sulawesi Tengah",
    "sulsel": "Sulawesi Selatan",
    "sultra": "Sulawesi Tenggara",
    "sulbar": "Sulawesi Barat",
    "ntb": "Nusa Tenggara Barat",
    "ntt": "Nusa Tenggara Timur",
    "babel": "Kepulauan Bangka Belitung",
    "kepri": "Kepulauan Riau",
    "malut": "Maluku Utara",
}
# region word (lower case, as written) -> the levels a name after it may have
CONTEXT_LEVELS: dict[str, tuple[PlaceLevel, ...]] = {
    "desa": ("village",),
    "ds.": ("village",),
    "kelurahan": ("village",),
    "kel.": ("village",),
    "kampung": ("village",),
    "nagari": ("village",),
    "gampong": ("village",),
    "dusun": ("village",),
    "kecamatan": ("district",),
    "kec.": ("district",),
    "distrik": ("district",),
    "kabupaten": ("regency",),
    "kab.": ("regency",),
    "kota": ("regency",),
    "provinsi": ("province",),
    "prov.": ("province",),
}
# The look-ahead says what every region word starts with: tried first, it spares most positions the alternatives.
_CONTEXT_RE = re.compile(
    r"(?=(?i:[dgknp]))\b(?i:desa|ds\.|kelurahan|kel\.|kampung|nagari|gampong|dusun|kecamatan|kec\.|distrik|kabupaten|kab\.|kota"
    r"|provinsi|prov\.)\s+((?:[A-Z0-9][\w'().-]*)(?:\s+[A-Z0-9][\w'().-]*){0,4})"
)
# The region words as written in lower case: where `_CONTEXT_RE` may match, found by a pattern of plain literals,
# which `re` scans for their first letters far faster than it tries the case-blind one at every position.
_REGION_WORD_RE = re.compile("|".join(map(re.escape, CONTEXT_LEVELS)))
# The region words without their dot: where `_CONTEXT_RE` matches, one of them is a whole run of word characters.
_REGION_WORD_RUNS = frozenset(word.rstrip(".") for word in CONTEXT_LEVELS)
# The only characters besides ASCII letters that a case-blind pattern matches to an ASCII letter; "İ" is also the
# only one whose lower case is longer.
_ASCII_CASE_FOLDS = ("\u0130", "\u0131", "\u017f", "\u212a")
_NAME_WORD_RE = re.compile(r"\S+")
_NON_WORD_RE = re.compile(r"\W")
_ASCII_NON_WORD_TO_SPACE = ascii_table(lambda char: " " if _NON_WORD_RE.match(char) else char)
_TRAILING = ".,;:)("
_REGENCY_PREFIX_RE = re.compile(r"^(?:kabupaten|kota administrasi|kota)\s+")
_SENTENCE_END = ".!?\n"


@dataclass(frozen=True, slots=True)
class Place:
    """A region named in a text: its span, the official name it matched and its level."""

    span: Span
    name: str
    level: PlaceLevel


@dataclass(frozen=True)
class _Gazetteer:
    by_level: dict[str, frozenset[str]]  # lower-case names per level (regencies also without their prefix)
    bare: ahocorasick.Automaton  # lower-case regency/province names and aliases -> (official, level, length)
    bare_openers: frozenset[str]  # the first word (run of word characters) of each of those names


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Read the compiled name lists once: name sets per level and an automaton over regency and province names."""
    lists: dict[str, list[str]] = {}
    with open(RESOURCE_DIR / "place_names.txt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            key, _, names = line.rstrip("\n").partition("\t")
            lists[key] = names.split("|") if names else []
    by_level = {level: set(lists[level]) for level in ("province", "regency", "district", "village")}
    bare = ahocorasick.Automaton()
    for official in lists["official-regency"]:
        plain = _REGENCY_PREFIX_RE.sub("", official.lower())
        by_level["regency"].add(plain)
        bare.add_word(plain, (official, "regency", len(plain)))
    for official in lists["official-province"]:
        lower = official.lower()
        bare.add_word(lower, (official, "province", len(lower)))
    for alias, official in PROVINCE_ALIASES.items():
        bare.add_word(alias, (official, "province", len(alias)))
    bare.make_automaton()
    openers = frozenset(_NON_WORD_RE.split(name, maxsplit=1)[0] for name in bare)
    return _Gazetteer({k: frozenset(v) for k, v in by_level.items()}, bare, openers)


def place_names(level: PlaceLevel) -> frozenset[str]:
    """The lower-case names listed at `level` (regencies both with and without "Kabupaten"/"Kota")."""
    return _gazetteer().by_level[level]


def _ascii_word_runs(text: str, lower: str) -> list[str] | None:
    """The runs of word characters of `lower` (split apart in C) when `text` is ASCII; None otherwise."""
    return translate_ascii(lower, _ASCII_NON_WORD_TO_SPACE).split() if text.isascii() else None


def _may_name_a_region(words: list[str] | None, gazetteer: _Gazetteer) -> bool:
    """False when the automaton cannot find a bare name in the text of `words` (`_ascii_word_runs`): a name found
    stands between non-word characters, so its first word is a whole word of the text."""
    return words is None or not gazetteer.bare_openers.isdisjoint(words)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“(")
    return not before or before[-1] in _SENTENCE_END


def _context_matches(text: str, lower: str, words: list[str] | None = None) -> Iterator[re.Match[str]]:
    """The matches of `_CONTEXT_RE` in `text`; `lower` is `text.lower()`, `words` its `_ascii_word_runs` if known."""
    if words is None and any(char in text for char in _ASCII_CASE_FOLDS):  # with `words`, the text is ASCII
        yield from _CONTEXT_RE.finditer(text)
        return
    if words is not None and _REGION_WORD_RUNS.isdisjoint(words):  # no region word: no scan for one
        return
    # Every match starts where a region word stands in `lower`. One that starts inside another region word is
    # missed, but could not match: it would follow a letter (the words end in a letter or a dot after one).
    end = 0
    for word in _REGION_WORD_RE.finditer(lower):
        if word.start() >= end and (match := _CONTEXT_RE.match(text, word.start())) is not None:
            end = match.end()
            yield match


def find_places(text: str) -> list[Place]:
    """Regions named in `text`, in order of their start, with spans into `text` (see the module docstring)."""
    gazetteer = _gazetteer()
    places: list[Place] = []
    taken: list[tuple[int, int]] = []
    lower = text.lower()
    word_runs = _ascii_word_runs(text, lower)
    for m in _context_matches(text, lower, word_runs):
        context = text[m.start() : m.start(1)].strip().lower()
        levels = CONTEXT_LEVELS.get(context, ())
        words = list(_NAME_WORD_RE.finditer(m.group(1)))
        for n in range(len(words), 0, -1):
            written = text[m.start(1) : m.start(1) + words[n - 1].end()].rstrip(_TRAILING)
            candidate = written.lower()
            if context == "kota":
                candidate = f"kota {candidate}"
            level = next((lv for lv in levels if candidate in gazetteer.by_level[lv]), None)
            if level is not None:
                end = m.start(1) + len(written)
                places.append(Place(Span(m.start(), end, text[m.start() : end]), candidate, level))
                taken.append((m.start(), end))
                break
    # lower() can change length for a few scripts; then only context matches count
    if len(lower) == len(text) and _may_name_a_region(word_runs, gazetteer):
        roots = load_root_words()
        found: list[tuple[int, int, str, PlaceLevel]] = []
        for end_index, (official, level, length) in gazetteer.bare.iter(lower):
            start = end_index + 1 - length
            end = end_index + 1
            if start < 0 or (start > 0 and _is_word_char(text[start - 1])):
                continue
            if end < len(text) and _is_word_char(text[end]):
                continue
            if not text[start].isupper():
                continue
            if lower[start:end] in roots and _opens_sentence(text, start):
                continue
            found.append((start, end, official, level))
        found.sort(key=lambda f: (f[0], -f[1]))  # the longest name at a position wins ("DKI Jakarta", not "DKI")
        for start, end, official, level in found:
            if any(s < end and start < e for s, e in taken):
                continue
            places.append(Place(Span(start, end, text[start:end]), official, level))
            taken.append((start, end))
    places.sort(key=lambda p: (p.span.start, -p.span.end))
    return places
