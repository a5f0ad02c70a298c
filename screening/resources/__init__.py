"""Language resources the library carries: slang lexicon, root words, stopwords, region names, headlines.

Each loader reads a file shipped in this folder (see `SOURCES.md` for origin and licence) once and
caches the result; callers get immutable views.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path

RESOURCE_DIR = Path(__file__).resolve().parent

# Curated on top of the Colloquial Indonesian Lexicon: the forms most common in chain messages, and
# fixes where the lexicon's "formal" side is still colloquial (ga -> enggak) or wrong (ngapain -> mengapai).
SLANG_OVERRIDES: dict[str, str] = {
    "yg": "yang",
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "g": "tidak",
    "dgn": "dengan",
    "dg": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "krn": "karena",
    "karna": "karena",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "blm": "belum",
    "jgn": "jangan",
    "bgt": "banget",
    "aja": "saja",
    "kalo": "kalau",
    "kl": "kalau",
    "klo": "kalau",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "ngapain": "mengapa",
    "org": "orang",
    "sy": "saya",
    "tsb": "tersebut",
    "dr": "dari",
    "pd": "pada",
    "dlm": "dalam",
    "sbg": "sebagai",
    "skrg": "sekarang",
    "trs": "terus",
    "bs": "bisa",
    "hrs": "harus",
    "jd": "jadi",
    "tp": "tapi",
    "tpi": "tapi",
    "sm": "sama",
    "lg": "lagi",
    "kpd": "kepada",
    "spt": "seperti",
    "thd": "terhadap",
    "sbb": "sebagai berikut",
    "yth": "yang terhormat",
    "hoax": "hoaks",
    "hoak": "hoaks",
    "dll": "dan lain-lain",
    "dsb": "dan sebagainya",
    "bpk": "bapak",
    "ibu2": "ibu-ibu",
    "tlg": "tolong",
    "mhn": "mohon",
    "sj": "saja",
    "jg": "juga",
    "juga2": "juga",
    "msh": "masih",
    "krg": "kurang",
    "bnyk": "banyak",
    "byk": "banyak",
    "sgt": "sangat",
    "bkn": "bukan",
    "ato": "atau",
    "atw": "atau",
    "emg": "memang",
    "emang": "memang",
    "sblm": "sebelum",
    "stlh": "setelah",
    "pemda": "pemerintah daerah",
    "pemkab": "pemerintah kabupaten",
    "wa": "whatsapp",
    "medsos": "media sosial",
    "info": "informasi",
    "katanya": "katanya",
    "copas": "copas",
}


@lru_cache(maxsize=1)
def load_root_words() -> frozenset[str]:
    """Indonesian root words from PySastrawi's dictionary (the same list its stemmer uses)."""
    text = importlib_resources.files("Sastrawi.Stemmer").joinpath("data/kata-dasar.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


@lru_cache(maxsize=1)
def load_stem_table() -> dict[str, str]:
    """Frequent word -> its Sastrawi stem, precomputed (``stems_id.tsv``; empty when the file is absent)."""
    path = RESOURCE_DIR / "stems_id.tsv"
    if not path.exists():
        return {}
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                word, _, stem = line.rstrip("\n").partition("\t")
                table[word] = stem
    return table


@lru_cache(maxsize=1)
def load_slang_map() -> dict[str, str]:
    """Slang -> standard form. Lexicon keys that are standard root words are left alone."""
    roots = load_root_words()
    mapping: dict[str, str] = {}
    with open(RESOURCE_DIR / "slang_formal.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            slang, formal = row["slang"].strip().lower(), row["formal"].strip().lower()
            if slang and formal and slang != formal and slang not in roots:
                mapping[slang] = formal
    mapping.update(SLANG_OVERRIDES)
    # apply once to a fixed point on the formal side, so "dh" -> "dah" -> "sudah"
    for key, value in list(mapping.items()):
        seen = {key}
        while value in mapping and value not in seen and " " not in value:
            seen.add(value)
            value = mapping[value]
        mapping[key] = value
    return {k: v for k, v in mapping.items() if k != v}


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    """Tala's stopword list minus negations and truth words, which carry stance in hoax screening."""
    keep = {"tidak", "tak", "bukan", "belum", "jangan", "benar", "tidaklah", "bukannya", "benarkah"}
    words = (RESOURCE_DIR / "stopwords_id.txt").read_text("utf-8").split()
    return frozenset(w for w in words if w not in keep)


# Words that carry stance (reporting, denying, spreading) rather than topic; kept visible when topic words
# are masked for the stance features.
STANCE_WORDS = frozenset(
    [
        "hoaks",
        "hoax",
        "fakta",
        "faktanya",
        "benar",
        "salah",
        "palsu",
        "bohong",
        "keliru",
        "klarifikasi",
        "bantah",
        "membantah",
        "dibantah",
        "menyesatkan",
        "disinformasi",
        "konfirmasi",
        "dikonfirmasi",
        "resmi",
        "beredar",
        "viral",
        "sebarkan",
        "viralkan",
        "bagikan",
        "teruskan",
        "share",
        "info",
        "informasi",
        "pesan",
        "berita",
        "katanya",
        "ujarnya",
        "kata",
        "ujar",
        "menurut",
        "mengatakan",
        "menjelaskan",
        "menegaskan",
        "sumber",
        "foto",
        "video",
        "narasi",
        "faktanya",
        "isu",
        "kabar",
    ]
)


@lru_cache(maxsize=1)
def load_function_words() -> frozenset[str]:
    """Tala's full stopword list (negations included) plus stance words: what stays unmasked in stance n-grams."""
    words = (RESOURCE_DIR / "stopwords_id.txt").read_text("utf-8").split()
    return frozenset(words) | STANCE_WORDS
