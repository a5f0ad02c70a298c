"""Attribution (who said it: quotes and named sources) and byline (who wrote and edited it)."""

from __future__ import annotations

import re

from screening.quality.common import MAX_FINDINGS_PER_KIND, finding
from screening.result import QualityFinding

_I = re.IGNORECASE
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


def assess_attribution(text: str) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    quotes = list(_QUOTE_RE.finditer(text))
    said = _SAID_RE.search(text)
    named = _NAMED_SOURCE_RE.search(text)
    score = 40 * bool(quotes) + 30 * bool(said) + 30 * bool(named)
    if not quotes and not said and not named:
        findings.append(
            finding(
                "attribution",
                "Tidak ada narasumber atau kutipan.",
                'Kutip narasumber yang jelas, misalnya: "...", kata Kepala Desa Sukamaju, Budi Santoso.',
                None,
                text,
            )
        )
    elif not quotes:
        findings.append(
            finding(
                "attribution", "Belum ada kutipan langsung.", "Tambahkan kutipan langsung dari narasumber.", None, text
            )
        )
    for q in quotes[:MAX_FINDINGS_PER_KIND]:
        around = text[max(q.start() - 80, 0) : q.end() + 80]
        if not _SAID_RE.search(around) and not _NAMED_SOURCE_RE.search(around):
            findings.append(
                finding(
                    "attribution",
                    "Kutipan tanpa keterangan siapa yang mengatakannya.",
                    "Tulis siapa yang mengatakan kutipan ini, misalnya ..., ujar Camat X.",
                    q.span(),
                    text,
                )
            )
            score = max(score - 15, 0)
    return score, findings


def assess_byline(text: str, *, author: str = "") -> tuple[int, list[QualityFinding]]:
    has_author = bool(author.strip()) or bool(_AUTHOR_RE.search(text))
    editor = _EDITOR_RE.search(text)
    findings: list[QualityFinding] = []
    if not has_author:
        findings.append(
            finding(
                "byline",
                "Nama penulis tidak dicantumkan.",
                'Tambahkan baris "Penulis: ..." atau (nama/KIM ...).',
                None,
                text,
            )
        )
    if not editor:
        findings.append(
            finding("byline", "Nama editor tidak dicantumkan.", 'Tambahkan baris "Editor: ...".', None, text)
        )
    return 70 * has_author + 30 * bool(editor), findings
