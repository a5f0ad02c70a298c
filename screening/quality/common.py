"""What every quality check shares: the body as the checks read it, the finding constructor, word counts and
limits."""

from __future__ import annotations

import re
from typing import Any, Literal

import re2

from screening.native import native_calls
from screening.patterns import PatternSet, Searchable
from screening.result import QualityFinding, Span
from screening.text import PLACEHOLDERS, word_count

__all__ = ["PLACEHOLDERS", "Body", "finding", "word_count"]
# Spelling is checked on at most this many words: enough for any article, bounded on pathological input.
MAX_CHECKED_WORDS = 5000
MAX_FINDINGS_PER_KIND = 8
# what opens and closes a direct quote (the checks' quote patterns look for nothing else)
QUOTATION_MARKS = '"“”„«»'


def finding(
    check: str,
    message: str,
    suggestion: str,
    span: tuple[int, int] | Span | None,
    source: str,
    *,
    origin: str = "",
    replacement: str | None = None,
) -> QualityFinding:
    """A finding; headline spans index the title (``Span.field == "title"``), all others the body text.

    `source` is the string the span indexes (a `Span` made already is taken as it is); `origin` names the list
    or rule that produced the finding.
    """
    if span is None or isinstance(span, Span):
        return QualityFinding(check, message, suggestion, span, origin, replacement)
    field: Literal["text", "title"] = "title" if check == "headline" else "text"
    return QualityFinding(
        check, message, suggestion, Span(span[0], span[1], source[span[0] : span[1]], field), origin, replacement
    )


# Links as people write them, with or without a scheme ("bpjs-kesehatan.go.id", "www.kemkes.go.id/..."), and
# e-mail addresses: the normaliser only knows single-level domains, and a link is a source, not a word. RE2
# (linear time): with a backtracking engine a run of "a.a.a." takes quadratic time looking for a domain ending.
LINK_RE: Any = re2.compile(
    r"(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]]"
    r"|[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:id|com|net|org|co|info|io|me|ly|xyz|site|gov|edu|ac|sch|go|desa|web|my|tv|news|biz|online|app)\b"
    r"(?:/[^\s<>\"')\]]*[^\s<>\"'.,;:!?)\]])?"
)

# nearly no prose has "://", "www.", "@" or a letter or digit, a full stop and a letter without a space: only then
# is LINK_RE run (every link it finds has one of them). The full stop leads the pattern so that `re` looks for
# full stops alone, not for a match at every position.
_DOT_HINT_RE = re.compile(r"\.(?<=[a-z0-9]\.)[a-z]")


def find_links(text: str) -> list[tuple[int, int]]:
    """Spans of the links and e-mail addresses in `text` (`LINK_RE`), cheaply when there are none."""
    if not ("://" in text or "www." in text or "@" in text or _DOT_HINT_RE.search(text)):
        return []
    with native_calls:
        return [m.span() for m in LINK_RE.finditer(text)]


# the first sentence, or the first line when it has no full stop: from the first non-space to the first "." "!" "?"
# before a space or the end, a line break or the end of the text (runs of other characters taken whole, possessively:
# the lazy form `\S[^\n]*?(?:[.!?](?=\s|$)|\n|$)` tries its three endings at every character)
_LEAD_RE = re.compile(r"\S(?:[^\n.!?]++|[.!?](?!\s|\Z))*+(?:[.!?]|\n|\Z)")


class Body:
    """The body of a submission as the quality checks read it: what several checks need is found once."""

    __slots__ = ("lead", "links", "searchable", "text")

    def __init__(self, text: str, keywords: PatternSet | None = None) -> None:
        self.text = text
        # for `screening.patterns.Pattern`: prepared once for every check; `keywords`, the checks' patterns, tell
        # in one scan of a short text which of them are worth a search
        self.searchable = Searchable(text, keywords)
        self.links = find_links(text)
        m = _LEAD_RE.search(text)
        # the first sentence (or line): where a missing element or source is reported
        self.lead = Span(m.start(), m.end(), m.group()) if m else None
