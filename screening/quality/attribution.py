"""Attribution (who said it) and byline (who wrote and edited it), in the forms Indonesian newsrooms and KIM
portals use.

Attribution: direct quotes, reporting verbs ("kata", "ujar", "ungkap", "jelas", "tutur" ... and their -nya
forms, "mengatakan", "menjelaskan"), named sources ("kata Kepala Desa Sukamaju, Budi", "menurut Budi"), a
"Sumber: ..." line and links to official sites (go.id, desa.id, ...).

Byline: "Penulis/Pewarta/Reporter/Kontributor/Oleh: ..." and "Editor/Redaktur/Penyunting: ..." lines, the
same inside parentheses ("(Penulis: Ahmad Fauzi / KIM Sukamaju)"), "(nama/KIM ...)", and the reporter/editor
codes that close an item ("(met/rer)", "[cob]").
"""

from __future__ import annotations

import re

from screening.patterns import Pattern, Searchable
from screening.quality.common import MAX_FINDINGS_PER_KIND, QUOTATION_MARKS, Body, finding
from screening.result import QualityFinding

_I = re.IGNORECASE
_QUOTE_RE = re.compile(r"[\"“”„«»]([^\"“”„«»\n]{8,600})[\"“”„«»]")
_SAID_VERBS = r"kata|ujar|tutur|ungkap|jelas|terang|tegas|imbuh|tambah|ucap|sebut|papar|lanjut|pungkas|tukas|seru|aku"
_SAID_RE = Pattern(
    rf"\b(?:(?:{_SAID_VERBS})(?:nya)?|katanya|menurut(?:nya)?|mengatakan|menjelaskan|menyampaikan|menegaskan"
    r"|mengungkapkan|menuturkan|menerangkan|menambahkan|menyebutkan|memaparkan|mengaku|berpesan|mengimbau"
    r"|disampaikan|dikatakan|dijelaskan|diungkapkan|ditegaskan)\b",
    _I,
)
# a reporting verb or "menurut" followed by a capitalised name or role: "kata Kepala Desa Sukamaju, Budi"
_NAMED_SOURCE_RE = Pattern(rf"\b(?:[Mm]enurut|(?:{_SAID_VERBS}))\s+(?:[A-Z][\w'.-]+)")
_NAME_SAID_RE = Pattern(
    r"\b[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,3}\s+(?:mengatakan|menjelaskan|menyampaikan|menegaskan"
    r"|mengungkapkan|menuturkan|menerangkan|menambahkan|memaparkan)\b"
)
_SOURCE_LINE_RE = Pattern(r"^[ \t(]*(?:sumber|source)\s*[:：]\s*\S.*$", _I | re.MULTILINE)
_OFFICIAL_LINK_RE = Pattern(r"\.(?:go|desa|ac|sch|mil|polri)\.id\b|\bkominfo\b|\bkemkes\b", _I)

_AUTHOR_WORDS = r"penulis|pewarta|reporter|wartawan|kontributor|oleh|teks|naskah|liputan|foto dan teks"
_EDITOR_WORDS = r"editor|redaktur|penyunting|penyelaras|publikasi|editing"
_AUTHOR_RE = Pattern(
    rf"^[ \t]*(?:{_AUTHOR_WORDS})[ \t]*[:：][ \t]*\w.*$"  # with the colon: "Oleh karena itu" opens no byline
    r"|^[ \t]*ditulis oleh[ \t]+[A-Z].*$"
    rf"|\([ \t]*(?:{_AUTHOR_WORDS})[ \t]*[:：][^()\n]{{2,80}}\)"
    r"|\((?:[^()\n/]{2,40})/(?:kim|diskominfo|kominfo|humas|pemdes|desa)[^()\n]{0,40}\)",
    _I | re.MULTILINE,
)
_EDITOR_RE = Pattern(
    rf"^[ \t]*(?:{_EDITOR_WORDS})[ \t]*[:：][ \t]*\S.*$|[(/][ \t]*(?:{_EDITOR_WORDS})[ \t]*[:：][^()\n]{{2,60}}\)",
    _I | re.MULTILINE,
)
# the keyword patterns of attribution and byline (`screening.quality` scans a short body for all checks' at once)
PATTERNS = (_SAID_RE, _NAMED_SOURCE_RE, _NAME_SAID_RE, _SOURCE_LINE_RE, _AUTHOR_RE, _EDITOR_RE)
# what names a quote's speaker, looked for within 100 characters of the quote
_SPEAKER_PATTERNS = (_SAID_RE, _NAMED_SOURCE_RE, _NAME_SAID_RE)
# "(met/rer)", "[cob]", "(foti/shd)" closing an item: the reporter's and the editor's codes
_CODE_RE = re.compile(r"[(\[]([a-z]{2,12})(?:\s*/\s*([a-z]{2,12}))?[)\]]\s*$")


def _last_line(text: str) -> tuple[int, int] | None:
    stripped = text.rstrip()
    if not stripped:
        return None
    start = stripped.rfind("\n") + 1
    while start < len(stripped) and stripped[start].isspace():
        start += 1
    return (start, len(stripped))


def _speaker_near(body: Body, start: int, end: int) -> bool:
    """Whether a reporting verb or a named source is within 100 characters of the quote at [start, end)."""
    lo, hi = max(start - 100, 0), end + 100
    for pattern in _SPEAKER_PATTERNS:
        # a match of the whole text inside the window is one of the window's own (each pattern starts with a letter
        # after a word boundary and ends with a letter before one, or with nothing asked of what follows: at the
        # window's edges that holds too): the usual answer, without copying the window
        m = pattern.search(body.searchable, lo)
        if m is not None and m.end() <= hi:
            return True
    # the window on its own can match where the whole text does not (at its edges); prepared once for the three
    around = Searchable(body.text[lo:hi])
    return any(pattern.search(around) for pattern in _SPEAKER_PATTERNS)


def assess_attribution(body: Body) -> tuple[int, list[QualityFinding]]:
    """Attribution sub-score and findings: quotes, reporting verbs, named sources, source lines, official links."""
    text, searchable = body.text, body.searchable
    findings: list[QualityFinding] = []
    # most texts have no quotation mark: finding that out costs less than a scan for quotes
    quotes = list(_QUOTE_RE.finditer(text)) if any(mark in text for mark in QUOTATION_MARKS) else []
    said = _SAID_RE.search(searchable)
    named = _NAMED_SOURCE_RE.search(searchable) or (_NAME_SAID_RE.search(searchable) if said else None)
    source_line = _SOURCE_LINE_RE.search(searchable)
    official = any(_OFFICIAL_LINK_RE.search(text[s:e]) for s, e in body.links)
    stated = bool(said) or bool(source_line)
    sourced = bool(named) or bool(source_line) or official
    score = 40 * bool(quotes) + 30 * stated + 30 * sourced
    if not quotes and not stated and not sourced:
        findings.append(
            finding(
                "attribution",
                "Tidak ada narasumber atau kutipan.",
                'Kutip narasumber yang jelas, misalnya: "...", kata Kepala Desa Sukamaju, Budi Santoso; '
                'atau tulis "Sumber: ..." bila berita diambil dari sumber resmi.',
                body.lead,
                text,
                origin="attribution",
            )
        )
    elif not quotes:
        findings.append(
            finding(
                "attribution",
                "Belum ada kutipan langsung.",
                "Tambahkan kutipan langsung dari narasumber.",
                body.lead,
                text,
                origin="attribution",
            )
        )
    for q in quotes[:MAX_FINDINGS_PER_KIND]:
        if not _speaker_near(body, q.start(), q.end()):
            findings.append(
                finding(
                    "attribution",
                    "Kutipan tanpa keterangan siapa yang mengatakannya.",
                    "Tulis siapa yang mengatakan kutipan ini, misalnya ..., ujar Camat X.",
                    q.span(),
                    text,
                    origin="quote",
                )
            )
            score = max(score - 15, 0)
    return score, findings


def assess_byline(body: Body, *, author: str = "") -> tuple[int, list[QualityFinding]]:
    """Byline sub-score: an author (70) and an editor (30). `author` from the submitting tool counts."""
    text = body.text
    stripped = text.rstrip()
    code = _CODE_RE.search(stripped) if stripped.endswith((")", "]")) else None  # a code closes the text
    has_author = bool(author.strip()) or code is not None or bool(_AUTHOR_RE.search(body.searchable))
    has_editor = (code is not None and code.group(2) is not None) or bool(_EDITOR_RE.search(body.searchable))
    findings: list[QualityFinding] = []
    where = _last_line(text)
    if not has_author:
        findings.append(
            finding(
                "byline",
                "Nama penulis tidak dicantumkan.",
                'Tambahkan baris "Penulis: ..." atau (nama/KIM ...) di akhir berita.',
                where,
                text,
                origin="byline",
            )
        )
    if not has_editor:
        findings.append(
            finding(
                "byline",
                "Nama editor tidak dicantumkan.",
                'Tambahkan baris "Editor: ...".',
                where,
                text,
                origin="byline",
            )
        )
    return 70 * has_author + 30 * has_editor, findings
