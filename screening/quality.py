"""Journalistic quality of a submission: a 0-100 score, sub-scores and findings an editor can act on.

Sub-scores (each 0-100):

- ``completeness``: the 5W1H of a report: who (named people, officials, organisations), what (enough
  substance), when (day names, dates, times), where (regions from the Kemendagri list, matched with their
  "Desa"/"Kecamatan"/"Kabupaten" context, or regency/province names and common aliases), why and how;
- ``attribution``: direct quotes and who said them ("ujarnya", "kata ...", "menurut ...");
- ``byline``: author and editor lines ("Penulis:", "Editor:", "(nama/KIM ...)");
- ``headline``: length, all capitals, clickbait cues (the ``clickbait`` rules of rules.yaml), "!!!";
- ``language``: words that are neither Indonesian root words nor reducible to one by Sastrawi's stemmer,
  informal spellings ("yg"), doubled words ("mewakili mewakili");
- ``structure``: length and paragraphs.

Kind: a text with no title and fewer than `POST_MAX_WORDS` words is a social-media ``post``; posts are not
judged on byline and structure (nor on the headline, which they lack), and those sub-scores are left out
of both ``subscores`` and the total.

Spans: the title and the body are assessed separately. Findings of the ``headline`` check carry spans that
index `title` (``Span.field == "title"``); every other finding's span indexes the body `text`
(``Span.field == "text"``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import ahocorasick

from screening.errors import InvalidInputError
from screening.resources import RESOURCE_DIR, load_root_words, load_slang_map, load_stopwords
from screening.result import QualityFinding, QualityReport, RuleMatch, Span, TextKind
from screening.stemming import BoundedStemmer
from screening.text import EMOJI_TOKEN, MENTION_TOKEN, URL_TOKEN, NormalisedText, normalise

# Same cut as screening.data.ARTICLE_MIN_WORDS, so training genres and quality kinds agree on untitled texts.
POST_MAX_WORDS = 100
# Spelling is checked on at most this many words: enough for any article, bounded on pathological input.
MAX_CHECKED_WORDS = 5000
MAX_FINDINGS_PER_KIND = 8

WEIGHTS: dict[str, float] = {
    "completeness": 0.25,
    "attribution": 0.20,
    "byline": 0.10,
    "headline": 0.15,
    "language": 0.15,
    "structure": 0.15,
}

_PLACEHOLDERS = frozenset({URL_TOKEN, MENTION_TOKEN, EMOJI_TOKEN})
# Standard words of community news that PySastrawi's root list lacks.
_EXTRA_WORDS_TEXT = (
    "hoaks herbal admin online daring internet website situs whatsapp covid vaksin vaksinasi posyandu puskesmas"
    " stunting bansos sembako disinfektan hektare kilometer digital aplikasi media video foto"
)
_EXTRA_WORDS = frozenset(_EXTRA_WORDS_TEXT.split())
_TITLE_ABBREVIATIONS = frozenset({"dr", "drg", "ir", "h", "hj", "kh", "prof", "st", "sh", "se"})
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
# -- attribution ----------------------------------------------------------------------------------------------
_QUOTE_RE = re.compile(r"[\"“”„«»]([^\"“”„«»\n]{8,600})[\"“”„«»]")
_SAID_RE = re.compile(
    r"\b(?:ujar|ujarnya|jelas|jelasnya|tutur|tuturnya|ungkap|ungkapnya|terang|terangnya|tegas|tegasnya|imbuh"
    r"|imbuhnya|tambah|tambahnya|ucap|ucapnya|sebut|sebutnya|papar|paparnya|kata)\b|[,\"”]\s*katanya\b",
    _I,
)
_NAMED_SOURCE_RE = re.compile(
    r"\b(?:[Mm]enurut|kata|ujar|tutur|ungkap|jelas|tegas|terang|imbuh|papar|ucap)\s+(?:[A-Z][\w'.-]+)"
)
# -- byline ---------------------------------------------------------------------------------------------------
_AUTHOR_RE = re.compile(
    r"^\s*(?:penulis|reporter|pewarta|kontributor|oleh|teks|naskah|liputan)\s*:?\s*\S.*$"
    r"|\((?:[^()\n/]{2,40})/(?:kim|diskominfo|kominfo|humas)[^()\n]{0,40}\)",
    _I | re.MULTILINE,
)
_EDITOR_RE = re.compile(r"^\s*(?:editor|redaktur|penyunting|penyelaras|publikasi)\s*:?\s*\S.*$", _I | re.MULTILINE)
_PARAGRAPH_SPLIT_RE = re.compile(r"\n\s*\n")

_PROVINCE_ALIASES: dict[str, str] = {
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
_CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "desa": ("village",),
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
_CONTEXT_RE = re.compile(
    r"\b(?i:desa|kelurahan|kel\.|kampung|nagari|gampong|dusun|kecamatan|kec\.|distrik|kabupaten|kab\.|kota"
    r"|provinsi|prov\.)\s+((?:[A-Z0-9][\w'().-]*)(?:\s+[A-Z0-9][\w'().-]*){0,4})"
)


@dataclass(frozen=True, slots=True)
class Place:
    """A region named in a text: its span, the official name it matched and its level."""

    span: Span
    name: str
    level: str  # province | regency | district | village


@dataclass(frozen=True)
class _Wilayah:
    by_level: dict[str, frozenset[str]]  # lower-case bare names per level
    bare: ahocorasick.Automaton  # regency/province names and aliases -> (official name, level)


@lru_cache(maxsize=1)
def _wilayah() -> _Wilayah:
    """Read wilayah.csv once: name sets per level and an automaton over regency and province names."""
    names: dict[str, set[str]] = {"province": set(), "regency": set(), "district": set(), "village": set()}
    bare = ahocorasick.Automaton()
    with open(RESOURCE_DIR / "wilayah.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            name, level = row["name"].strip(), row["level"]
            lower = name.lower()
            if level == "regency":
                plain = re.sub(r"^(?:kabupaten|kota administrasi|kota)\s+", "", lower)
                names[level].add(plain)
                names[level].add(lower)
                bare.add_word(plain, (name, level, len(plain)))
            elif level == "province":
                names[level].add(lower)
                bare.add_word(lower, (name, level, len(lower)))
            else:
                names[level].add(lower)
    for alias, official in _PROVINCE_ALIASES.items():
        bare.add_word(alias, (official, "province", len(alias)))
    bare.make_automaton()
    return _Wilayah({k: frozenset(v) for k, v in names.items()}, bare)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def find_places(text: str) -> list[Place]:
    """Regions named in `text`: "Desa X"/"Kecamatan Y"/"Kabupaten Z" checked against the Kemendagri list
    (longest listed name wins), plus capitalised regency and province names and aliases ("Jogja", "DKI")."""
    wilayah = _wilayah()
    places: list[Place] = []
    taken: list[tuple[int, int]] = []
    for m in _CONTEXT_RE.finditer(text):
        context = text[m.start() : m.start(1)].strip().lower()
        levels = _CONTEXT_WORDS.get(context, ())
        words = list(re.finditer(r"\S+", m.group(1)))
        for n in range(len(words), 0, -1):
            candidate_end = m.start(1) + words[n - 1].end()
            candidate = text[m.start(1) : candidate_end].rstrip(".,;:)(").lower()
            if context == "kota":
                candidate = f"kota {candidate}"
            level = next((lv for lv in levels if candidate in wilayah.by_level[lv]), None)
            if level is not None:
                end = m.start(1) + len(text[m.start(1) : candidate_end].rstrip(".,;:)("))
                places.append(Place(Span(m.start(), end, text[m.start() : end]), candidate, level))
                taken.append((m.start(), end))
                break
    lower = text.lower()
    if len(lower) == len(text):  # lower() can change length for a few scripts; then only context matches count
        for end_index, (official, level, length) in wilayah.bare.iter(lower):
            start = end_index + 1 - length
            end = end_index + 1
            if start < 0 or (start > 0 and _is_word_char(text[start - 1])):
                continue
            if end < len(text) and _is_word_char(text[end]):
                continue
            if not text[start].isupper() or any(s <= start < e for s, e in taken):
                continue
            places.append(Place(Span(start, end, text[start:end]), official, level))
            taken.append((start, end))
    places.sort(key=lambda p: (p.span.start, -p.span.end))
    return places


@lru_cache(maxsize=1)
def _default_stemmer() -> BoundedStemmer:
    return BoundedStemmer()


def _known_word(word: str, stemmer: BoundedStemmer) -> bool:
    """True when `word` is a root word or Sastrawi's stemmer reduces it to one (the stemmer's cache is bounded)."""
    roots = load_root_words()
    if word in roots:
        return True
    if "-" in word:
        return all(_known_word(part, stemmer) for part in word.split("-") if part)
    return stemmer.stem(word) in roots


def _finding(check: str, message: str, suggestion: str, span: tuple[int, int] | None, source: str) -> QualityFinding:
    """A finding; headline spans index the title (``Span.field == "title"``), all others the body text."""
    if span is None:
        return QualityFinding(check, message, suggestion, None)
    field: Literal["text", "title"] = "title" if check == "headline" else "text"
    return QualityFinding(check, message, suggestion, Span(span[0], span[1], source[span[0] : span[1]], field))


def _word_count(doc: NormalisedText) -> int:
    return sum(1 for t in doc.tokens if t.text not in _PLACEHOLDERS and any(c.isalnum() for c in t.text))


# -- sub-scores -----------------------------------------------------------------------------------------------


def _completeness(text: str, doc: NormalisedText, words: int) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    places = find_places(text)
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
            findings.append(_finding("completeness", *advice[element], None, text))
    score = sum(w for element, w in weights.items() if present[element])
    return round(score), findings


def _attribution(text: str) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    quotes = list(_QUOTE_RE.finditer(text))
    said = _SAID_RE.search(text)
    named = _NAMED_SOURCE_RE.search(text)
    score = 40 * bool(quotes) + 30 * bool(said) + 30 * bool(named)
    if not quotes and not said and not named:
        findings.append(
            _finding(
                "attribution",
                "Tidak ada narasumber atau kutipan.",
                'Kutip narasumber yang jelas, misalnya: "...", kata Kepala Desa Sukamaju, Budi Santoso.',
                None,
                text,
            )
        )
    elif not quotes:
        findings.append(
            _finding(
                "attribution", "Belum ada kutipan langsung.", "Tambahkan kutipan langsung dari narasumber.", None, text
            )
        )
    for q in quotes[:MAX_FINDINGS_PER_KIND]:
        around = text[max(q.start() - 80, 0) : q.end() + 80]
        if not _SAID_RE.search(around) and not _NAMED_SOURCE_RE.search(around):
            findings.append(
                _finding(
                    "attribution",
                    "Kutipan tanpa keterangan siapa yang mengatakannya.",
                    "Tulis siapa yang mengatakan kutipan ini, misalnya ..., ujar Camat X.",
                    q.span(),
                    text,
                )
            )
            score = max(score - 15, 0)
    return score, findings


def _byline(text: str, known_author: str = "") -> tuple[int, list[QualityFinding]]:
    author = bool(known_author.strip()) or _AUTHOR_RE.search(text)
    editor = _EDITOR_RE.search(text)
    findings: list[QualityFinding] = []
    if not author:
        findings.append(
            _finding(
                "byline",
                "Nama penulis tidak dicantumkan.",
                'Tambahkan baris "Penulis: ..." atau (nama/KIM ...).',
                None,
                text,
            )
        )
    if not editor:
        findings.append(
            _finding("byline", "Nama editor tidak dicantumkan.", 'Tambahkan baris "Editor: ...".', None, text)
        )
    return 70 * bool(author) + 30 * bool(editor), findings


@lru_cache(maxsize=1)
def _headline_rules() -> Any:
    from screening.rules import RuleEngine

    return RuleEngine.from_file()


def _headline(title: str, title_matches: Sequence[RuleMatch] | None = None) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    stripped = title.strip()
    if not stripped:
        return 0, [_finding("headline", "Judul kosong.", "Tulis judul singkat yang menyebut inti berita.", None, title)]
    score = 100
    doc = normalise(title)
    n_words = _word_count(doc)
    whole = (title.find(stripped[0]), title.find(stripped[0]) + len(stripped))
    if n_words < 4:
        score -= 25
        findings.append(
            _finding("headline", "Judul terlalu pendek.", "Gunakan 6-14 kata yang menyebut inti berita.", whole, title)
        )
    elif n_words > 20:
        score -= 20
        findings.append(
            _finding("headline", "Judul terlalu panjang.", "Ringkas judul menjadi 6-14 kata.", whole, title)
        )
    letters = [c for c in title if c.isalpha() and (c.isupper() or c.islower())]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        score -= 30
        findings.append(
            _finding(
                "headline",
                "Judul ditulis dengan huruf kapital semua.",
                "Gunakan huruf kapital hanya di awal kata.",
                whole,
                title,
            )
        )
    cue_penalty = 0
    matches = title_matches if title_matches is not None else _headline_rules().match(doc)
    for match in matches:
        if match.category not in ("clickbait", "shouting"):
            continue
        if match.rule_id == "shouting_caps":
            continue  # counted above with a headline-specific threshold
        for span in match.spans[:MAX_FINDINGS_PER_KIND]:
            cue_penalty += 15 if match.category == "clickbait" else 20
            findings.append(
                _finding(
                    "headline",
                    f'Judul memuat isyarat umpan klik: "{span.text}".',
                    "Ganti dengan judul yang langsung menyebut fakta utama.",
                    (span.start, span.end),
                    title,
                )
            )
    return max(score - min(cue_penalty, 70), 0), findings


def _language(text: str, doc: NormalisedText, stemmer: BoundedStemmer) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    roots, stopwords, slang = load_root_words(), load_stopwords(), load_slang_map()
    checked = misspelled = informal = doubled = 0
    seen_spans: set[tuple[int, int]] = set()
    previous: tuple[str, int, int] | None = None
    last_was_number = after_number = False
    for tok in doc.tokens:
        raw = text[tok.start : tok.end]
        lower = raw.lower()
        word_like = tok.text.isalpha() and raw.isalpha()
        if previous is not None and word_like and len(tok.text) > 1 and tok.text == previous[0]:
            between = text[previous[2] : tok.start]
            if between.strip() == "" and between and (previous[1], tok.end) not in seen_spans:
                doubled += 1
                seen_spans.add((previous[1], tok.end))
                if doubled <= MAX_FINDINGS_PER_KIND:
                    findings.append(
                        _finding(
                            "language",
                            f'Kata ganda: "{text[previous[1] : tok.end]}".',
                            "Hapus salah satu kata, atau pakai tanda hubung untuk kata ulang (anak-anak).",
                            (previous[1], tok.end),
                            text,
                        )
                    )
        previous = (tok.text, tok.start, tok.end) if word_like else None
        after_number, last_was_number = last_was_number, tok.text.isdigit()
        if (tok.start, tok.end) in seen_spans or checked >= MAX_CHECKED_WORDS:
            continue
        if tok.text in _PLACEHOLDERS or not raw.isascii() or not raw.isalpha():
            continue
        # Not slang: acronyms (PKK, WA), abbreviations with a full stop or titles (dr.), standard words the
        # lexicon also lists ("tak"), single letters, and units after a number ("5 g").
        not_slang = (
            (raw.isupper() and len(raw) > 1)
            or text[tok.end : tok.end + 1] == "."
            or lower in _TITLE_ABBREVIATIONS
            or lower in roots
            or len(raw) < 2
            or after_number
        )
        if lower in slang and slang[lower] != lower and not not_slang:
            informal += 1
            seen_spans.add((tok.start, tok.end))
            if informal <= MAX_FINDINGS_PER_KIND:
                findings.append(
                    _finding(
                        "language",
                        f'Kata tidak baku: "{raw}".',
                        f'Gunakan bentuk baku "{slang[lower]}".',
                        (tok.start, tok.end),
                        text,
                    )
                )
            continue
        if len(raw) < 4 or raw[0].isupper() or lower in stopwords or lower in roots or lower in _EXTRA_WORDS:
            if len(raw) >= 4 and not raw[0].isupper():
                checked += 1
            continue
        checked += 1
        if not _known_word(lower, stemmer):
            misspelled += 1
            seen_spans.add((tok.start, tok.end))
            if misspelled <= MAX_FINDINGS_PER_KIND:
                findings.append(
                    _finding(
                        "language",
                        f'Kata tidak dikenal kamus: "{raw}" (mungkin salah ketik).',
                        "Periksa ejaannya dengan KBBI.",
                        (tok.start, tok.end),
                        text,
                    )
                )
    if checked == 0:
        return (100 if doubled == 0 else 80), findings
    # about one unknown word in 25 is normal (names in lower case, new loanwords); beyond that it costs
    unknown_rate = max(misspelled / checked - 0.04, 0.0)
    informal_rate = informal / checked
    score = 100 - 400 * unknown_rate - 300 * informal_rate - 10 * doubled
    return max(round(score), 0), findings


def _structure(text: str, words: int) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    paragraphs = [p for p in _PARAGRAPH_SPLIT_RE.split(text) if p.strip()]
    if len(paragraphs) <= 1:
        paragraphs = [line for line in text.splitlines() if line.strip()]
    if words < 50:
        length = 20
    elif words < 100:
        length = 50
    elif words < 150:
        length = 75
    else:
        length = 100
    if length < 100:
        findings.append(
            _finding(
                "structure",
                f"Berita terlalu pendek ({words} kata).",
                "Tulis minimal 150 kata dengan informasi lengkap.",
                None,
                text,
            )
        )
    n_par = len(paragraphs)
    para_score = 100 if n_par >= 3 else 60 if n_par == 2 else 30
    if n_par < 3:
        findings.append(
            _finding(
                "structure",
                "Teks tidak dibagi menjadi paragraf.",
                "Bagi berita menjadi beberapa paragraf pendek.",
                None,
                text,
            )
        )
    longest = max((len(p.split()) for p in paragraphs), default=0)
    if longest > 150:
        para_score -= 20
        findings.append(
            _finding(
                "structure",
                "Ada paragraf yang terlalu panjang.",
                "Pecah paragraf panjang (lebih dari 150 kata).",
                None,
                text,
            )
        )
    return round((length + max(para_score, 0)) / 2), findings


# -- public -----------------------------------------------------------------------------------------------------


def detect_kind(title: str, doc: NormalisedText) -> TextKind:
    """``post`` for an untitled text under `POST_MAX_WORDS` words, otherwise ``article``."""
    return "post" if not title.strip() and _word_count(doc) < POST_MAX_WORDS else "article"


def assess_quality(
    title: str,
    text: str,
    doc: NormalisedText | None = None,
    *,
    author: str = "",
    stemmer: BoundedStemmer | None = None,
    title_matches: Sequence[RuleMatch] | None = None,
) -> QualityReport:
    """Score the journalistic quality of a submission (0-100) with sub-scores and findings.

    `author` is the writer named by the submitting tool (its metadata); it counts as a byline. `stemmer` lets
    a caller share its stemmer (and its cache) with the spelling check; `title_matches`, the rules that the
    caller's rule engine found in `title`, saves matching them again (and keeps a custom rule set in force).
    `doc` may pass the already normalised body (``normalise(text)``) to avoid normalising twice.
    Spans of ``headline`` findings index `title`; all other spans index `text`.
    """
    if not isinstance(title, str) or not isinstance(text, str):
        raise InvalidInputError("title and text must be strings")
    if doc is None or doc.original != text:
        doc = normalise(text)
    kind = detect_kind(title, doc)
    words = _word_count(doc)
    subscores: dict[str, int] = {}
    findings: list[QualityFinding] = []
    parts: list[tuple[str, tuple[int, list[QualityFinding]]]] = [
        ("completeness", _completeness(text, doc, words)),
        ("attribution", _attribution(text)),
        ("language", _language(text, doc, stemmer or _default_stemmer())),
    ]
    if kind == "article":
        parts.append(("headline", _headline(title, title_matches)))
        parts.append(("byline", _byline(text, author)))
        parts.append(("structure", _structure(text, words)))
    elif title.strip():
        parts.append(("headline", _headline(title, title_matches)))
    for name, (score, found) in parts:
        subscores[name] = int(min(max(score, 0), 100))
        findings.extend(found)
    total_weight = sum(WEIGHTS[name] for name in subscores)
    total = sum(WEIGHTS[name] * value for name, value in subscores.items()) / total_weight
    ordered = {name: subscores[name] for name in WEIGHTS if name in subscores}
    return QualityReport(kind=kind, score=round(total), subscores=ordered, findings=tuple(findings))
