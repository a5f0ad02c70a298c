"""Spelling: real Indonesian word lists, suggested corrections, and the rules KIM writers most often miss."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from id_texts import KIM_TEXT, KIM_TITLE
from quality_of import analysed, assessed, quality_of

from screening.language import LanguageGuess
from screening.quality import spelling
from screening.quality.common import Body
from screening.quality.lexicon import Lexicon, edit_kind, edits1, load_lexicon
from screening.quality.spelling import SpellingIssue, check_spelling
from screening.resources import load_slang_map
from screening.text import normalise

# A village report as a hurried KIM member writes it: nine slips of the kinds trainers see most.
DRAFT = (
    "Warga Desa Sukamaju mengikuti kegiatan posyandu balita pada Senin pagi. Kegiatan itu di hadiri oleh "
    "ibu-ibu PKK dan kader kesehatan. Petugas puskesmas memberikan penyuluhan tentang stunting dan "
    "pentingnya imunisasi. Informasi tentang jadwal posyandu tersebr di berbagai grup warga. "
    "Petugas juga mencatat berat badan balita dan membagikan makanan tambahan diberbagai dusun. "
    "Kepala desa mewakili mewakili pemerintah desa menyampaikan terima kasih kepada para kader. "
    "Menurutnya, kegitan ini rutin dilaksanakan setiap bulan. Pendaftaran peserta BPJS dapat dilakukan "
    "melalui bpjs-kesehatan.go.id atau kantor desa. Warga diharapkan tetap menjaga kesehatn keluarga "
    "dan aktif mengikuti kegiatn yang diadakan pemerntah desa. Petugas juga menjelaskan bahwa data "
    "balita akan di catat dalam buku KIA."
)
SLIPS = {
    "di hadiri": "dihadiri",
    "tersebr": "tersebar",
    "diberbagai": "di berbagai",
    "mewakili mewakili": "mewakili",
    "kegitan": "kegiatan",
    "kesehatn": "kesehatan",
    "kegiatn": "kegiatan",
    "pemerntah": "pemerintah",
    "di catat": "dicatat",
}


def issues_of(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    issues, _ = check_spelling(text, normalise(text))
    for issue in issues:
        assert text[issue.start : issue.end] == issue.text
    return {i.text: (i.source, i.suggestions) for i in issues}


def test_every_slip_of_the_draft_is_found_with_the_right_correction_first() -> None:
    found = issues_of(DRAFT)
    for slip, correction in SLIPS.items():
        assert slip in found, slip
        assert found[slip][1][0] == correction, (slip, found[slip])
    # ordinary words of community news, acronyms written as words, and a link without a scheme are fine
    assert set(found) == set(SLIPS)


def test_findings_say_which_list_or_rule_found_them() -> None:
    found = issues_of(DRAFT)
    assert found["tersebr"][0] == "lexicon"
    assert found["mewakili mewakili"][0] == "doubled_word"
    assert found["di hadiri"][0] == "di_prefix"
    assert found["diberbagai"][0] == "di_preposition"
    report = quality_of("Posyandu Balita Desa Sukamaju", DRAFT)
    language = [f for f in report.findings if f.check == "language"]
    by_text = {f.span.text: f for f in language if f.span is not None}
    assert by_text["tersebr"].source == "lexicon" and by_text["tersebr"].replacement == "tersebar"
    assert "tersebar" in by_text["tersebr"].suggestion
    assert "kamus" in by_text["tersebr"].message
    assert report.subscores["language"] < 70  # nine slips in 120 words
    clean = quality_of(KIM_TITLE, KIM_TEXT)
    assert clean.subscores["language"] >= 95


def test_ordinary_words_the_old_root_list_flagged_are_known() -> None:
    text = (
        "Pemeriksaan balita dan lansia berjalan lancar. Kartu bpjs dibagikan, link pendaftaran dikirim lewat "
        "grup, chip pada kartu dipindai, dan media mainstream ikut memberitakan kegiatan itu."
    )
    assert issues_of(text) == {}


def test_common_non_standard_forms_and_informal_words() -> None:
    found = issues_of("Kerja bakti ini merupakan kerjasama warga, dan kami menghimbau warga yg lain ikut.")
    assert found["kerjasama"] == ("kbbi", ("kerja sama",))
    assert found["menghimbau"] == ("kbbi", ("mengimbau",))
    assert found["yg"] == ("slang", ("yang",))
    # a speaker's own words stay as spoken
    assert "gak" not in issues_of('"Kami gak pernah menyerah," kata Ketua Karang Taruna, Dedi.')


def test_preposition_and_prefix_are_told_apart() -> None:
    assert "di rumah" not in issues_of("Warga berkumpul di rumah kepala dusun.")
    assert issues_of("Warga berkumpul dirumah kepala dusun.")["dirumah"] == ("di_preposition", ("di rumah",))
    assert "dibawa" not in issues_of("Sampah dibawa ke tempat pembuangan.")
    assert "di bawah" not in issues_of("Mereka berteduh di bawah pohon.")
    assert issues_of("Sampah di bawa ke tempat pembuangan.")["di bawa"] == ("di_prefix", ("dibawa",))


def test_names_codes_and_links_are_not_spell_checked() -> None:
    text = (
        "Tim dari Desa Sukamaju dipimpin Frank de Boer dan Gun Gun Gunawan. Info lengkap di "
        "www.sukamaju.desa.id atau humas@sukamaju.desa.id. (rin/yus)"
    )
    assert issues_of(text) == {}


def test_suggestions_rank_the_frequent_word_first() -> None:
    lex = load_lexicon()
    assert lex.suggest("tersebr")[0] == "tersebar"
    assert lex.suggest("pembangnan")[0] == "pembangunan"
    assert lex.suggest("menyelesaikn")[0] == "menyelesaikan"
    assert lex.suggest("kegiatna")[0] == "kegiatan"  # two letters swapped


@pytest.mark.parametrize(
    ("written", "meant", "kind"),
    [
        ("rumahh", "rumah", "extra"),
        ("ruma", "rumah", "missing"),
        ("rumha", "rumah", "swap"),
        ("rumsh", "rumah", "near"),  # s is beside a on the keyboard
        ("rumph", "rumah", "wrong"),
    ],
)
def test_each_candidate_says_what_kind_of_slip_it_undoes(written: str, meant: str, kind: str) -> None:
    assert meant in edits1(written)
    assert edit_kind(written, meant) == kind


def test_a_suggestion_asked_again_is_the_same_and_not_shared_mutably() -> None:
    lex = load_lexicon()
    first = lex.suggest("pembangnan")
    first.append("x")
    assert lex.suggest("pembangnan") == first[:-1]


@pytest.mark.parametrize("word", ["menyelesaikannya", "diperbaiki", "kesejahteraan", "bergotong", "memperhatikan"])
def test_derived_forms_reach_their_root(word: str) -> None:
    assert load_lexicon().known(word)


@pytest.mark.parametrize("word", ["dirumah", "diberbagai", "kerumah", "penah", "mejadi"])
def test_impossible_affix_combinations_are_not_words(word: str) -> None:
    assert load_lexicon().root_of(word) is None


def test_no_spelling_judgement_for_another_language() -> None:
    english = "The village held a meeting on Monday. Residents discussed the new irrigation channel."
    doc = analysed("Village meeting", english)
    assert doc.language.code == "en"
    report = assessed(doc)
    assert "language" not in report.subscores
    assert not [f for f in report.findings if f.check == "language"]
    assert "language" in assessed(replace(doc, language=LanguageGuess("id", 1.0, True))).subscores


def walked_word_by_word(text: str) -> tuple[list[SpellingIssue], int]:
    """The spelling check as a plain walk over every word, each against the one before it: what `check_spelling`
    finds visiting only the words where something can be found."""
    lex, slang, body, doc = load_lexicon(), load_slang_map(), Body(text), normalise(text)
    skipped = spelling._skipped_spans(body, doc)
    quotes = [m.span(1) for m in spelling._QUOTE_RE.finditer(text)]
    issues: list[SpellingIssue] = []
    words = 0
    previous: tuple[str, int, int] | None = None
    for m in spelling._WORD_RE.finditer(text):
        if words >= spelling.MAX_CHECKED_WORDS:
            break
        start, end = m.span()
        if spelling._inside(start, skipped):
            previous = None
            continue
        words += 1
        raw = m.group().translate(spelling._INVISIBLE)
        if not raw:
            continue
        lower = raw.lower()
        if previous is not None:
            gap = text[previous[2] : start]
            spaced = bool(gap) and gap.strip(" \t") == ""
            if (
                lower == previous[0]
                and len(lower) > 1
                and spaced
                and not spelling._legitimately_doubled(text[previous[1] : previous[2]], raw)
            ):
                if issues and issues[-1].start == previous[1] and issues[-1].source == "lexicon":
                    issues.pop()
                issues.append(SpellingIssue(previous[1], end, text[previous[1] : end], "doubled_word", (raw,)))
                previous = None
                continue
            if previous[0] == "di" and raw.islower() and gap in (" ", "  "):
                apart, together = lex.di_apart.get(lower, 0), lex.di_joined.get(lower, 0)
                if "di" + lower in lex.standard and lower not in lex.corrections and 3 * apart <= together:
                    issues.append(
                        SpellingIssue(previous[1], end, text[previous[1] : end], "di_prefix", ("di" + lower,))
                    )
                    previous = None
                    continue
        previous = (lower, start, end)
        if lower in lex.plain or not raw.islower():
            continue
        parts = spelling._parts(start, raw, lex)
        for part_start, part in parts:
            issue = spelling._check_word(text, part_start, part, lex=lex, slang=slang)
            kept_slang = (
                issue is None
                or issue.source != "slang"
                or not (len(parts) > 1 or spelling._inside(part_start, quotes) or spelling._in_name(text, issue))
            )
            if issue is not None and kept_slang:
                issues.append(issue)
    found = spelling._once_per_word(text, spelling._without_foreign(text, issues))
    # suggestions are asked of every unknown word left, as a whole word's issue would carry them
    return [_suggested(issue, lex) for issue in found], words


def _suggested(issue: SpellingIssue, lex: Lexicon) -> SpellingIssue:
    if issue.source != "lexicon" or len(issue.text) > spelling._MAX_CHECKED:
        return issue
    return replace(issue, suggestions=tuple(lex.suggest(issue.text)))


# fmt: off
_WORDS = st.sampled_from([
    "warga", "Warga", "rumah", "di", "Di", "tandai", "catat", "bawa", "tersebr", "kegitan", "yg", "gak", "Budi",
    "gorong", "mewakili", "kerjasama", "dirumah", "anak-anak", "hat-trick", "dipesenin", "de\u00admokrasi",
    "\u200b", "www.desa.id", "(met/rer)", "😱", "@budi", '"', "2024", "hlm.", "x" * 35,
])
_GAPS = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", ", ", ". ", "-", " - ", "\u00ad", "\u200b", ""])
# fmt: on
_TEXTS = st.lists(st.tuples(_WORDS, _GAPS), max_size=40).map(lambda pairs: "".join(w + g for w, g in pairs))


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
@example("Warga mewakili mewakili mewakili di di tandai warga di www.desa.id tandai")
def test_visiting_only_some_words_finds_what_a_word_by_word_walk_finds(text: str) -> None:
    assert check_spelling(text, normalise(text)) == walked_word_by_word(text)


@settings(max_examples=100, deadline=None)
@given(_TEXTS)
def test_only_the_first_words_are_looked_at(text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spelling, "MAX_CHECKED_WORDS", 6)
        assert check_spelling(text, normalise(text)) == walked_word_by_word(text)


_BRACKETED = st.lists(
    st.sampled_from(["(", ")", "[", "]", "/", " ", "met", "rer", "x", "12", "\n", "(ab/cd)"]), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(_BRACKETED.map("".join))
def test_reporter_codes_are_found_where_a_bracket_opens_as_a_scan_finds_them(text: str) -> None:
    assert spelling._codes(text) == [m.span() for m in spelling._CODE_RE.finditer(text)]


_WORD_AFTER_NOTHING_RE = re.compile(
    r"(?<![\w@#\u00ad\u200b])[A-Za-z\u00ad\u200b]+(?:-[A-Za-z\u00ad\u200b]+)*(?![\w@\u00ad\u200b])"
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab -_1@#é\u00ad\u200b\n", max_size=40))
@example("a-b-c a-9 é-a xé ab#cd @ab ab@c \u00adab a\u200b-b- _ab 1ab ab_ -ab- a--b")
def test_words_are_what_a_look_behind_first_pattern_finds(text: str) -> None:
    """The word pattern starts with the letter (so `re` tries only where a letter stands) and finds what the
    plain form, its look-behind first, finds."""
    expected = [m.span() for m in _WORD_AFTER_NOTHING_RE.finditer(text)]
    assert [m.span() for m in spelling._WORD_RE.finditer(text)] == expected


# misspellings enough for more findings than are shown, one of them too long to have suggestions
_MANY_UNKNOWN = " ".join(
    f"Warga desa sudah melihat {slip} itu kemarin."
    for slip in (
        "kegitan",
        "kesehatn",
        "kegiatn",
        "pemerntah",
        "tersebr",
        "pelaksanan",
        "x" * 35,
        "penyuluhn",
        "pembangnan",
        "masyarkat",
        "kebersihn",
    )
)


@pytest.mark.parametrize("suggested", [0, 1, 3, spelling.MAX_FINDINGS_PER_KIND])
def test_suggestions_are_asked_only_of_the_first_unknown_words(suggested: int) -> None:
    everything, words = check_spelling(_MANY_UNKNOWN, normalise(_MANY_UNKNOWN))
    capped, capped_words = check_spelling(_MANY_UNKNOWN, normalise(_MANY_UNKNOWN), suggested=suggested)
    unknown = [i for i, issue in enumerate(everything) if issue.source == "lexicon"]
    assert len(unknown) > spelling.MAX_FINDINGS_PER_KIND
    assert capped_words == words
    later = set(unknown[suggested:])
    assert capped == [replace(issue, suggestions=()) if i in later else issue for i, issue in enumerate(everything)]
    assert any(everything[i].suggestions for i in later)
