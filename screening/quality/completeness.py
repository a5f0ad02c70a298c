"""5W1H completeness: who, what, when, where, why and how of a report."""

from __future__ import annotations

import re
from collections.abc import Sequence

from screening.places import Place
from screening.quality.common import finding
from screening.result import QualityFinding

_I = re.IGNORECASE
# -- when -----------------------------------------------------------------------------------------------------
_MONTHS = (
    r"januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
    r"|jan|feb|mar|apr|jun|jul|agu|agt|agst|sep|sept|okt|nov|des"
)
_WHEN_RE = re.compile(
    r"\b(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b"
    r"|\b\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})\b"
    rf"|\b\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS})\s+\d{{4}}\b"
    r"|\b(?:pukul|jam)\s+\d{1,2}(?:[.:]\d{2})?(?:\s*(?:wib|wita|wit))?\b"
    r"|\btahun\s+(?:19|20)\d{2}\b",
    _I,
)
# -- who ------------------------------------------------------------------------------------------------------
_TITLES = (
    r"Kepala Desa|Kades|Kepala Dusun|Kadus|Lurah|Camat|Bupati|Wakil Bupati|Wali Kota|Walikota|Gubernur|Kapolsek"
    r"|Kapolres|Kapolda|Danramil|Dandim|Babinsa|Bhabinkamtibmas|Ketua|Sekretaris|Sekdes|Bendahara|Direktur"
    r"|Kepala|Kabid|Kasi|Kadis|Bapak|Ibu|Pak|Bu|Mbah|Ustaz|Ustadz|Kiai|KH\.|H\.|Hj\.|dr\.|Dr\.|Ir\.|Drs\."
)
_WHO_RE = re.compile(
    rf"\b(?:{_TITLES})\s+(?:[A-Z][\w'.-]+)"
    r"|\b(?:KIM|BPD|PKK|Puskesmas|Posyandu|Karang Taruna|Diskominfo|Dinas\s+[A-Z]\w+|Polsek|Polres|Koramil"
    r"|BUMDes|Bumdes|Gapoktan|Kelompok Tani|Pemdes|Pemerintah Desa|Pemerintah Kabupaten|Pemkab|LPM|Kemenkes"
    r"|Kominfo|BPBD|Basarnas|TNI|Polri|Kelompok Informasi Masyarakat)\b"
)
_WHY_RE = re.compile(
    r"\b(?:karena|sebab|disebabkan|akibat|dalam rangka|bertujuan|tujuannya|tujuan(?:nya)? (?:dari|kegiatan)|agar"
    r"|supaya|sehingga|guna|demi)\b",
    _I,
)
_HOW_RE = re.compile(
    r"\b(?:dengan cara|melalui|secara|caranya|dilakukan dengan|dilaksanakan dengan|menggunakan|dengan"
    r" (?:menggunakan|membagikan|memberikan|mengadakan|melibatkan))\b",
    _I,
)
_NAMED_SOURCE_RE = re.compile(
    r"\b(?:[Mm]enurut|kata|ujar|tutur|ungkap|jelas|tegas|terang|imbuh|papar|ucap)\s+(?:[A-Z][\w'.-]+)"
)


def assess_completeness(text: str, *, words: int, places: Sequence[Place]) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    present = {
        "who": bool(_WHO_RE.search(text)) or bool(_NAMED_SOURCE_RE.search(text)),
        "what": words >= 20,
        "when": bool(_WHEN_RE.search(text)),
        "where": bool(places),
        "why": bool(_WHY_RE.search(text)),
        "how": bool(_HOW_RE.search(text)),
    }
    weights = {"who": 20, "what": 15, "when": 20, "where": 20, "why": 12.5, "how": 12.5}
    advice = {
        "who": ("Tidak jelas siapa yang terlibat.", "Sebutkan nama dan jabatan pelaku atau narasumber."),
        "what": ("Isi terlalu singkat untuk menjelaskan peristiwa.", "Jelaskan apa yang terjadi secara utuh."),
        "when": ("Waktu kejadian tidak disebutkan.", "Tulis hari dan tanggal, misalnya Senin (12/8/2024)."),
        "where": (
            "Lokasi kejadian tidak disebutkan.",
            "Sebutkan lokasinya, misalnya Desa/Kelurahan, Kecamatan, dan Kabupaten/Kota.",
        ),
        "why": ("Latar belakang atau tujuan tidak dijelaskan.", "Jelaskan mengapa kegiatan atau peristiwa terjadi."),
        "how": ("Jalannya peristiwa tidak dijelaskan.", "Jelaskan bagaimana kegiatan dilaksanakan."),
    }
    for element, ok in present.items():
        if not ok:
            findings.append(finding("completeness", *advice[element], None, text))
    score = sum(w for element, w in weights.items() if present[element])
    return round(score), findings
