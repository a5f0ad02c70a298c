"""The quality checks' shortcuts answer as the plain scans they stand in for."""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import takewhile

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from quality_of import analysed

from screening.quality import attribution, spelling
from screening.quality.common import Body
from screening.quality.headline import LEAD_WORDS, _lead_size
from screening.quality.spelling import SpellingIssue
from screening.quality.structure import assess_structure


def _foreign_by_scanning_every_line(text: str, issues: list[SpellingIssue]) -> list[SpellingIssue]:
    """`spelling._without_foreign` scanning every line that has two unknown words for its stretches."""
    starts = sorted(i.start for i in issues if i.source == "lexicon")
    foreign: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        if bisect_left(starts, line.end()) - bisect_left(starts, line.start()) < 2:
            continue
        for m in spelling._SEGMENT_RE.finditer(text, line.start(), line.end()):
            inside = bisect_left(starts, m.end()) - bisect_left(starts, m.start())
            words = max(len(spelling._WORD_RE.findall(m.group())), 1)
            if inside >= 2 and inside >= spelling._FOREIGN_SHARE * words:
                foreign.append(m.span())
    return [i for i in issues if i.source != "lexicon" or not spelling._inside(i.start, foreign)]


_PIECES = st.sampled_from(["kata", "lain", "x", " ", " ", ". ", "! ", "?", "\n", '"', "“", "”", "«", ",", "-"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=50).map("".join), st.data())
@example('lorem ipsum. dolor sit "amet. consectetur" adipiscing', None)
def test_foreign_stretches_are_what_a_scan_of_every_line_finds(text: str, data: st.DataObject | None) -> None:
    starts = [m.start() for m in spelling._WORD_RE.finditer(text)]
    chosen = sorted(data.draw(st.sets(st.sampled_from(starts)))) if data is not None and starts else starts
    issues = [SpellingIssue(s, s + 1, text[s], "lexicon", ()) for s in chosen]
    assert spelling._without_foreign(text, issues) == _foreign_by_scanning_every_line(text, issues)


def test_a_quote_holds_its_words_together_across_a_full_stop() -> None:
    text = 'Warga datang."lorem. ipsum" kata Budi.'  # the quote starts a stretch: right after a full stop
    issues = [SpellingIssue(text.index(w), text.index(w) + len(w), w, "lexicon", ()) for w in ("lorem", "ipsum")]
    assert spelling._without_foreign(text, issues) == _foreign_by_scanning_every_line(text, issues) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["kata", "Dua", " ", "  ", "\n", "\n\n", "\t", "\u3000", "."]), max_size=40).map("".join)
)
def test_the_lead_ends_where_the_first_line_of_the_stripped_text_ends(text: str) -> None:
    doc = analysed("Judul", text)
    stripped = text.strip()
    first = stripped.partition("\n")[0]
    end = (text.find(first) if first else 0) + len(first)
    n = len(list(takewhile(end.__gt__, (t.start for t in doc.body.tokens[:LEAD_WORDS]))))
    assert _lead_size(doc) == (LEAD_WORDS if n < 15 else n)


@pytest.mark.parametrize(("words", "too_long"), [(150, False), (151, True)])
@pytest.mark.parametrize("word", ["kata", "a"])  # "a a ... a": the fewest characters the words can take
def test_a_paragraph_is_too_long_past_150_words(word: str, words: int, too_long: bool) -> None:
    text = " ".join([word] * words) + "\n\nPendek.\n\nPendek."
    _, findings = assess_structure(text, words=words + 2)
    assert any("terlalu panjang" in f.message for f in findings) == too_long


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('Ia berkata "air sudah mengalir" tadi.', True),
        ("Ia berkata «air sudah mengalir» tadi.", True),
        ("Ia berkata “air sudah mengalir” tadi.", True),
        ("Tanpa kutipan apa pun.", False),
    ],
)
def test_quotes_are_found_whatever_their_marks(text: str, quoted: bool) -> None:
    _, findings = attribution.assess_attribution(Body(text))
    assert any(f.source == "attribution" for f in findings) != quoted  # the finding that no quote was found
