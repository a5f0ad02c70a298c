"""5W1H completeness: who, what, when, where, why and how of a report, each found with a span.

- who: a role or title with a name ("Kepala Desa Sukamaju, Ahmad"), an institution ("BPD", "Dinas Kesehatan"),
  a named source ("kata Budi"), or a name of two or more capitalised words inside a sentence;
- what: enough substance (at least 20 words); its span is the lead sentence;
- when: day names, dates ("Senin (10/8/2020)", "12 Agustus 2024"), times ("pukul 07.00 WIB"), years, and
  relative times ("kemarin", "pekan lalu");
- where: regions from the Kemendagri list (given by the caller, down to villages), venues after a preposition
  ("di balai desa", "ke lapangan"), streets and neighbourhoods ("Jalan Merdeka", "RT 03/RW 05"), and "di/ke" + a
  capitalised name;
- why: cause and purpose ("karena", "akibat", "dalam rangka", "agar", "untuk meningkatkan");
- how: manner and the course of events ("dengan cara", "melalui", "secara", "dimulai dengan", "kemudian").

A missing element is reported with the lead sentence as its span: that is where a trainer would add it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from screening.patterns import Pattern
from screening.places import Place
from screening.quality.common import Body, finding
from screening.result import QualityFinding, Span

_I = re.IGNORECASE
_MONTHS = (
    r"januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
    r"|jan|feb|mar|apr|jun|jul|agu|agt|agst|sep|sept|okt|nov|des"
)
_WHEN_RE = Pattern(
    r"\b(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b"
    r"|\b\d{1,2}[/-]\d{1,2}(?:[/-](?:\d{4}|\d{2}))?\b(?=\s*\))"
    r"|\b\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})\b"
    rf"|\b\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS})\s+\d{{4}}\b"
    r"|\b(?:pukul|jam)\s+\d{1,2}(?:[.:]\d{2})?(?:\s*(?:wib|wita|wit))?\b"
    r"|\btahun\s+(?:19|20)\d{2}\b"
    r"|\b(?:kemarin|kemarin\s+(?:pagi|siang|sore|malam)|hari\s+ini|besok|lusa|semalam|tadi\s+(?:pagi|siang|sore|malam)"
    r"|(?:pekan|minggu|bulan|tahun)\s+(?:ini|lalu|depan)|akhir\s+pekan|dini\s+hari)\b",
    _I,
)
_TITLES = (
    r"Kepala Desa|Kades|Kepala Dusun|Kadus|Lurah|Camat|Bupati|Wakil Bupati|Wali Kota|Walikota|Gubernur|Kapolsek"
    r"|Kapolres|Kapolda|Danramil|Dandim|Babinsa|Bhabinkamtibmas|Ketua|Sekretaris|Sekdes|Bendahara|Direktur"
    r"|Kepala|Kabid|Kasi|Kadis|Menteri|Presiden|Wakil|Anggota|Koordinator|Bapak|Ibu|Pak|Bu|Mbah|Ustaz|Ustadz|Kiai"
    r"|KH\.|H\.|Hj\.|dr\.|Dr\.|Ir\.|Drs\.|Prof\."
)
# who: a role, an institution or a named source (searched by RE2: `Pattern`), or a name of two or more capitalised
# words inside a sentence (`_NAME_RE`, a look-behind RE2 cannot search); the first of the two in the text, the role
# where both start at one place: what the one pattern `_ROLE_RE|(?<=[a-z,] )[A-Z][a-z]+...` finds
_ROLE_RE = Pattern(
    rf"\b(?:{_TITLES})\s+(?:[A-Z][\w'.-]+)"
    r"|\b(?:KIM|BPD|PKK|Puskesmas|Posyandu|Karang Taruna|Diskominfo|Dinas\s+[A-Z]\w+|Polsek|Polres|Koramil"
    r"|BUMDes|Bumdes|Gapoktan|Kelompok Tani|Pemdes|Pemerintah Desa|Pemerintah Kabupaten|Pemkab|Pemkot|LPM"
    r"|Kemenkes|Kominfo|BPBD|Basarnas|TNI|Polri|DPRD|DPR|KPU|Bawaslu|Kelompok Informasi Masyarakat)\b"
    r"|\b(?:[Mm]enurut|kata|ujar|tutur|ungkap|jelas|tegas|terang|imbuh|papar|ucap)\s+(?:[A-Z][\w'.-]+)"
)
# "(?<=[a-z,] )[A-Z]..." with the capital first: `re` then tries only where a capital letter stands (searched by `re`
# itself, `_NAME_RE.python`: most capitals are not after a small letter, and RE2 cannot look back)
_NAME_RE = Pattern(r"[A-Z](?<=[a-z,] [A-Z])[a-z]+(?:\s+[A-Z][a-z]+){1,3}\b")
_VENUE_RE = Pattern(
    r"\b(?:[Dd]i|[Kk]e|[Dd]ari|menuju|sekitar)\s+(?:(?:halaman|depan|dalam|belakang|samping)\s+)?"
    r"(?:balai\s+(?:desa|kelurahan|dusun|warga|pertemuan|RW)|kantor\s+\w+|aula|pendopo|pendapa|alun-alun"
    r"|lapangan|masjid|musala|mushola|gereja|pura|vihara|sekolah|puskesmas|posyandu|pasar|gedung|gelanggang"
    r"|stadion|bendungan|sungai|pantai|kebun|sawah|ladang|rumah|jalan|lokasi|tempat|area|kawasan|wilayah)\b"
    r"|\b(?:Jalan|Jl\.|Gang|Gg\.)\s+[A-Z0-9][\w.'-]*"
    r"|\bRT\s*\d{1,3}(?:\s*/\s*RW\s*\d{1,3})?\b|\bRW\s*\d{1,3}\b"
    r"|\b(?:[Dd]i|[Kk]e|[Dd]ari)\s+[A-Z][\w'-]+"
)
_WHY_RE = Pattern(
    r"\b(?:karena|sebab|disebabkan|penyebab(?:nya)?|akibat|lantaran|gara-gara|mengingat|pasalnya|dalam rangka"
    r"|bertujuan|tujuan(?:nya)?|agar|supaya|sehingga|guna|demi|dilatarbelakangi|latar belakang|alasan(?:nya)?"
    r"|untuk\s+(?:me|mem|men|meng|meny)\w+|menyusul)\b",
    _I,
)
_HOW_RE = Pattern(
    r"\b(?:dengan\s+cara|caranya|melalui|secara|menggunakan|memakai|dilakukan\s+dengan|dilaksanakan\s+dengan"
    r"|dengan\s+(?:me|mem|men|meng|meny|ber)\w+|dimulai\s+dengan|diawali|diakhiri|kemudian|lalu|selanjutnya"
    r"|setelah\s+itu|sebelum\s+itu|berlangsung|berupa|dalam\s+bentuk|bersama-sama|bergotong\s+royong)\b",
    _I,
)

# the keyword patterns of the 5W1H (`screening.quality` scans a short body for all checks' at once)
PATTERNS = (_ROLE_RE, _NAME_RE, _WHEN_RE, _VENUE_RE, _WHY_RE, _HOW_RE)

WEIGHTS = {"who": 20, "what": 15, "when": 20, "where": 20, "why": 12.5, "how": 12.5}
_ADVICE = {
    "who": ("Tidak jelas siapa yang terlibat.", "Sebutkan nama dan jabatan pelaku atau narasumber."),
    "what": ("Isi terlalu singkat untuk menjelaskan peristiwa.", "Jelaskan apa yang terjadi secara utuh."),
    "when": ("Waktu kejadian tidak disebutkan.", "Tulis hari dan tanggal, misalnya Senin (12/8/2024)."),
    "where": (
        "Lokasi kejadian tidak disebutkan.",
        "Sebutkan lokasinya, misalnya Desa/Kelurahan, Kecamatan, dan Kabupaten/Kota, atau tempat kegiatan.",
    ),
    "why": ("Latar belakang atau tujuan tidak dijelaskan.", "Jelaskan mengapa kegiatan atau peristiwa terjadi."),
    "how": ("Jalannya peristiwa tidak dijelaskan.", "Jelaskan bagaimana kegiatan dilaksanakan."),
}


def _who(body: Body) -> re.Match[str] | None:
    role = _ROLE_RE.search(body.searchable)
    name = _NAME_RE.python.search(body.text) if body.searchable.may_match(_NAME_RE) else None
    if name is not None and (role is None or name.start() < role.start()):
        return name
    return role


def find_elements(body: Body | str, *, words: int, places: Sequence[Place]) -> dict[str, Span | None]:
    """The first evidence of each of the 5W1H in the body (None where there is none)."""
    if isinstance(body, str):
        body = Body(body)
    searchable, lead = body.searchable, body.lead

    def first(pattern: Pattern) -> Span | None:
        m = pattern.search(searchable)
        return Span(m.start(), m.end(), m.group()) if m else None

    who = _who(body)
    if places:
        where: Span | None = Span(places[0].span.start, places[0].span.end, places[0].span.text)
    else:
        where = first(_VENUE_RE)
    return {
        "who": Span(who.start(), who.end(), who.group()) if who else None,
        "what": lead if words >= 20 else None,
        "when": first(_WHEN_RE),
        "where": where,
        "why": first(_WHY_RE),
        "how": first(_HOW_RE),
    }


def assess_completeness(
    body: Body, *, words: int, places: Sequence[Place]
) -> tuple[int, list[QualityFinding], dict[str, Span | None]]:
    """Completeness sub-score, a finding per missing element, and the evidence found for each."""
    elements = find_elements(body, words=words, places=places)
    findings = [
        finding("completeness", *_ADVICE[name], body.lead, body.text, origin=name)
        for name, span in elements.items()
        if span is None
    ]
    score = sum(w for name, w in WEIGHTS.items() if elements[name] is not None)
    return round(score), findings, elements
