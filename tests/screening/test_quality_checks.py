"""Attribution, byline and 5W1H in the forms Indonesian newsrooms and KIM portals use, with spans."""

from __future__ import annotations

from id_texts import KIM_TEXT, KIM_TITLE
from quality_of import quality_of

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
