"""Spelling: real Indonesian word lists, suggested corrections, and the rules KIM writers most often miss."""

from __future__ import annotations

from dataclasses import replace

import pytest
from id_texts import KIM_TEXT, KIM_TITLE
from quality_of import analysed, assessed, quality_of

from screening.language import LanguageGuess
from screening.quality.lexicon import edit_kind, edits1, load_lexicon
from screening.quality.spelling import check_spelling
from screening.stemming import BoundedStemmer
from screening.text import normalise

STEMMER = BoundedStemmer()

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
    issues, _ = check_spelling(text, normalise(text), stemmer=STEMMER)
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
