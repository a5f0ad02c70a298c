"""Attribution, byline and 5W1H in the forms Indonesian newsrooms and KIM portals use, with spans."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from id_texts import KIM_TEXT, KIM_TITLE
from quality_of import quality_of

from screening.quality import _KEYWORDS, attribution, completeness
from screening.quality.common import Body

BODY = KIM_TEXT.rsplit("Penulis:", 1)[0]
PLN = (
    "Pemadaman listrik bergilir akan berlangsung di Kecamatan Cibeber, Kabupaten Cianjur, pada Kamis (15/8/2024) "
    "pukul 09.00-15.00 WIB karena pemeliharaan jaringan. Petugas akan mengganti tiang dan kabel yang rusak, "
    "kemudian menguji jaringan sebelum listrik dinyalakan kembali. Warga diminta menyiapkan penerangan cadangan.\n\n"
    "Sumber: akun resmi PLN UP3 Cianjur"
)


def messages(report: object, check: str) -> list[str]:
    return [f.message for f in report.findings if f.check == check]  # type: ignore[attr-defined]


def test_bylines_in_parentheses_and_reporter_codes() -> None:
    assert quality_of(KIM_TITLE, BODY + "(Penulis: Ahmad Fauzi / KIM Sukamaju)").subscores["byline"] == 70
    both = BODY + "(Penulis: Ahmad Fauzi / Editor: Siti Aminah)"
    assert quality_of(KIM_TITLE, both).subscores["byline"] == 100
    assert quality_of(KIM_TITLE, BODY + "Pewarta: Ahmad Fauzi\nRedaktur: Siti").subscores["byline"] == 100
    assert quality_of(KIM_TITLE, BODY + "(met/rer)").subscores["byline"] == 100
    # a sentence that opens with "Oleh karena itu" is no byline
    assert quality_of(KIM_TITLE, BODY + "Oleh karena itu warga diminta hadir.").subscores["byline"] == 0


def test_missing_byline_points_at_the_end_of_the_text() -> None:
    report = quality_of(KIM_TITLE, BODY)
    byline = [f for f in report.findings if f.check == "byline"]
    assert byline and all(f.span is not None for f in byline)
    assert byline[0].span is not None and BODY.rstrip().endswith(byline[0].span.text)


def test_source_line_and_official_links_count_as_attribution() -> None:
    report = quality_of("Pemadaman Listrik Bergilir di Cibeber Kamis Ini", PLN)
    assert report.subscores["attribution"] >= 60
    assert "Tidak ada narasumber atau kutipan." not in messages(report, "attribution")
    link = PLN.replace("Sumber: akun resmi PLN UP3 Cianjur", "Informasi lengkap di pln.co.id dan cianjurkab.go.id.")
    assert quality_of("Pemadaman Listrik Bergilir di Cibeber", link).subscores["attribution"] >= 30


def test_named_speakers_in_the_forms_reporters_write() -> None:
    for said in ("ujar Camat Cibeber, Hendra", "tutur Hendra", "ungkap Kepala Desa Sukamaju", "jelas Hendra"):
        text = f'"Saluran akan kami perbaiki sebelum musim hujan tiba," {said}, Senin (12/8/2024).'
        report = quality_of("", text)
        assert report.subscores["attribution"] == 100, said


def test_five_w_one_h_are_found_with_spans() -> None:
    report = quality_of(KIM_TITLE, KIM_TEXT)
    elements = report.elements
    assert set(elements) == {"who", "what", "when", "where", "why", "how"}
    assert all(span is not None for span in elements.values())
    for span in elements.values():
        assert span is not None and KIM_TEXT[span.start : span.end] == span.text
    assert elements["when"] is not None and elements["when"].text == "Senin"
    assert elements["where"] is not None and elements["where"].text == "Desa Sukamaju"
    assert not messages(report, "completeness")


def test_an_article_that_tells_what_happened_is_not_told_it_does_not() -> None:
    text = (
        "Warga Dusun Krajan, Desa Sukamaju, menggelar kerja bakti pada Minggu (11/8/2024). Kegiatan dimulai "
        "dengan membersihkan selokan, kemudian warga memperbaiki pagar balai desa. Ketua RT 02, Slamet, "
        "memimpin kegiatan agar lingkungan bersih menjelang peringatan kemerdekaan."
    )
    report = quality_of("Kerja Bakti Warga Dusun Krajan", text)
    assert "Jalannya peristiwa tidak dijelaskan." not in messages(report, "completeness")
    assert report.subscores["completeness"] == 100


def test_missing_elements_are_named_and_point_at_the_lead() -> None:
    text = "Warga melakukan kegiatan bersama. Semua senang dengan hasilnya."
    report = quality_of("Kegiatan Warga", text)
    missing = [f for f in report.findings if f.check == "completeness"]
    assert {f.source for f in missing} >= {"when", "where", "who"}
    assert all(f.span is not None and f.span.text == "Warga melakukan kegiatan bersama." for f in missing)
    assert report.elements["when"] is None and report.elements["where"] is None


# fmt: off
_PIECES = st.sampled_from([
    " ", "\n", ", ", ". ", '"', "“", "”", "é", "1", "(", ")", "a", "warga", "rapat", "Budi", "Siti Aminah",
    "Kepala Desa", "Camat", "KIM", "kata", "ujarnya", "menurut", "mengatakan", "Menurutnya", "Dinas Kesehatan",
    "sebut", "x" * 30,
])
# fmt: on


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
@example("warga Camat Budi Santoso datang")  # a role and a name from one place: the role, as the one pattern
@example("Rapat, Budi Santoso bersama Kepala Desa Dedi")
def test_who_is_the_first_role_or_name_as_one_pattern_finds_it(text: str) -> None:
    one = re.compile(completeness._ROLE_RE.pattern + r"|(?<=[a-z,] )[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}\b")
    found = completeness._who(Body(text, _KEYWORDS))
    expected = one.search(text)
    assert (found and found.span()) == (expected and expected.span())


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join), st.data())
def test_a_speaker_near_a_quote_is_found_as_in_the_window_alone(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(text)))
    end = data.draw(st.integers(min_value=start, max_value=len(text)))
    around = text[max(start - 100, 0) : end + 100]
    expected = any(p.python.search(around) for p in attribution._SPEAKER_PATTERNS)
    assert attribution._speaker_near(Body(text, _KEYWORDS), start, end) == expected


@pytest.mark.parametrize("speaker", ["kata", "ujarnya", "menurut Budi", "Siti Aminah mengatakan"])
def test_a_speaker_at_the_edge_of_the_window_is_judged_as_in_the_window_alone(speaker: str) -> None:
    quote = '"Air sudah mengalir lancar ke sawah"'
    for gap in range(95, 106 + len(speaker)):  # the speaker ends before, at and after the window's end
        for before in ("", "Kemarin " + "x" * gap):  # ... and the window starts at or after the text's start
            text = before + quote + " " * (gap - len(speaker)) + speaker + " itu."
            start = len(before)
            end = start + len(quote)
            around = text[max(start - 100, 0) : end + 100]
            expected = any(p.python.search(around) for p in attribution._SPEAKER_PATTERNS)
            found = attribution._speaker_near(Body(text, _KEYWORDS), start, end)
            assert found == expected, (speaker, gap)


_LAZY_LEAD_RE = re.compile(r"\S[^\n]*?(?:[.!?](?=\s|$)|\n|$)")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b c", " ", "\n", ".", "!", "?", "\t", "\u00a0", "\r", "\x85"])).map("".join))
@example("Warga Desa Sukamaju. Kepala desa!\nBaris dua")
def test_the_lead_is_what_the_lazy_pattern_finds(text: str) -> None:
    """The lead pattern takes runs whole; it ends where the lazy one, trying every character, ends."""
    lead, expected = Body(text).lead, _LAZY_LEAD_RE.search(text)
    assert (None if lead is None else (lead.start, lead.end)) == (None if expected is None else expected.span())
