"""Language: spelling against Indonesian word lists with suggested corrections.

What is reported, each with its span in the original text and the list or rule behind it (``source``):

- ``lexicon``: a lower-case word no list knows (``lexicon.py``), with the likely intended words;
- ``kbbi``: a common non-standard form ("kerjasama" -> "kerja sama", "menghimbau" -> "mengimbau");
- ``slang``: an informal spelling ("yg" -> "yang"); not inside a direct quote, which keeps the speaker's words;
- ``doubled_word``: the same word twice ("mewakili mewakili");
- ``di_prefix``: the passive prefix written apart ("di tandai" -> "ditandai");
- ``di_preposition``: the preposition di/ke written together ("diberbagai" -> "di berbagai").

Capitalised words (names, the start of a sentence) and acronyms are not spell-checked: no list of names is
complete enough to judge them. Links, e-mail addresses and mentions are skipped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, count, islice
from operator import eq

from screening.quality.common import (
    MAX_CHECKED_WORDS,
    MAX_FINDINGS_PER_KIND,
    PLACEHOLDERS,
    QUOTATION_MARKS,
    Body,
    finding,
)
from screening.quality.lexicon import Lexicon, load_lexicon
from screening.resources import load_slang_map
from screening.result import QualityFinding
from screening.text import NormalisedText

# soft hyphens and zero-width characters inside a word ("de\u00admokrasi") are part of it. A word starts with a
# letter not after a word character, "@" or "#" (the letter first: `re` then tries only where a letter stands)
_WORD_RE = re.compile(
    r"[A-Za-z\u00ad\u200b](?<![\w@#\u00ad\u200b][A-Za-z\u00ad\u200b])[A-Za-z\u00ad\u200b]*"
    r"(?:-[A-Za-z\u00ad\u200b]+)*(?![\w@\u00ad\u200b])"
)
_INVISIBLE = str.maketrans("", "", "\u00ad\u200b")
_GROUP = re.Match.group
_START = re.Match.start
# reporter and editor codes that close a news item: "(met/rer)", "[cob]", "(foti/shd)"
_CODE_RE = re.compile(r"[(\[][a-z]{1,12}(?:\s*/\s*[a-z]{1,12}){0,3}[)\]]")
_SEGMENT_RE = re.compile(r"[\"“”„«»][^\"“”„«»\n]{1,600}[\"“”„«»]|[^.!?\n]+")
# a stretch with this share of unknown words is another language (a Qur'an verse, a Latin name), not misspelt
_FOREIGN_SHARE = 0.4
_QUOTE_RE = re.compile(r"[\"“”„«»]([^\"“”„«»\n]{1,600})[\"“”„«»]")
_TITLE_ABBREVIATIONS = frozenset({"dr", "drg", "ir", "h", "hj", "kh", "prof", "st", "sh", "se"})
_MIN_CHECKED = 3  # shorter lower-case words are mostly abbreviations and units
_MAX_CHECKED = 30  # "mempertanggungjawabkan" is 22 letters


@dataclass(frozen=True, slots=True)
class SpellingIssue:
    """One spelling problem: where it is, what it is, which list or rule found it, and what to write instead."""

    start: int
    end: int
    text: str
    source: str  # lexicon | kbbi | slang | doubled_word | di_prefix | di_preposition
    suggestions: tuple[str, ...]


def _skipped_spans(body: Body, doc: NormalisedText) -> list[tuple[int, int]]:
    text = body.text
    spans = [(t.start, t.end) for t in doc.tokens if t.text in PLACEHOLDERS] if "token" in doc.text else []
    spans.extend(body.links)
    spans.extend(_codes(text))
    return sorted(spans)


def _codes(text: str) -> list[tuple[int, int]]:
    """Spans of `_CODE_RE.finditer(text)`, tried only where a bracket opens (finding those is `str.find`'s work)."""
    opens: list[int] = []
    for bracket in "([":
        at = text.find(bracket)
        while at >= 0:
            opens.append(at)
            at = text.find(bracket, at + 1)
    spans: list[tuple[int, int]] = []
    end = 0
    for at in sorted(opens):
        m = _CODE_RE.match(text, at) if at >= end else None
        if m is not None:
            spans.append(m.span())
            end = m.end()
    return spans


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _skipped_words(spans: Sequence[tuple[int, int]], matches: Sequence[re.Match[str]]) -> list[int]:
    """Indices of the word matches that start inside one of `spans` (links, placeholders, reporter codes)."""
    skipped: set[int] = set()
    for s, e in spans:
        skipped.update(range(bisect_left(matches, s, key=_START), bisect_left(matches, e, key=_START)))
    return sorted(skipped)


def _after(words: list[str], word: str) -> list[int]:
    """Positions of the words that follow `word` (`list.index` finds it in C)."""
    out: list[int] = []
    at = -1
    try:
        while True:
            at = words.index(word, at + 1)
            if at + 1 < len(words):
                out.append(at + 1)
    except ValueError:
        return out


def check_spelling(
    body: Body | str,
    doc: NormalisedText,
    *,
    lexicon: Lexicon | None = None,
    suggested: int | None = None,
) -> tuple[list[SpellingIssue], int]:
    """Every spelling issue in the body (not capped) and the number of words looked at; the likely intended words
    of the first `suggested` unknown words (of all when None).

    Words are looked at in order, each against the one before it (doubled words, "di" written apart). Only the
    words where something can be found are visited one by one: a word no list knows as written, the second of two
    equal words, a word after "di" that "di" joins to a listed word. The others are only counted, in C.
    """
    if isinstance(body, str):
        body = Body(body)
    text = body.text
    lex = lexicon or load_lexicon()
    matches = list(_WORD_RE.finditer(text))
    raws = list(map(_GROUP, matches))
    skipped = _skipped_words(_skipped_spans(body, doc), matches)
    limit = len(matches)
    if limit - len(skipped) > MAX_CHECKED_WORDS:  # the words after the first MAX_CHECKED_WORDS are not looked at
        limit = MAX_CHECKED_WORDS
        for i in skipped:
            if i >= limit:
                break
            limit += 1
    words = limit - bisect_left(skipped, limit)
    empty = False
    if "\u00ad" in text or "\u200b" in text:
        raws = [raw.translate(_INVISIBLE) for raw in raws]
        empty = "" in raws
    # the words in order as the check reads them: skipped ones and ones of invisible characters alone left out
    # (an empty word is counted but is nobody's neighbour; after a skipped one a word has no neighbour)
    order: Sequence[int] = range(limit)
    alone: set[int] = set()  # positions in `order` whose word has no neighbour before it
    seen = raws if limit == len(raws) else raws[:limit]
    if skipped or empty:
        excluded = set(skipped)
        order = [i for i in range(limit) if i not in excluded and raws[i]]
        alone = {bisect_right(order, i) for i in skipped}
        seen = [raws[i] for i in order]
    lowers = list(map(str.lower, seen))
    plain = lex.plain
    unlisted = {raw for raw in set(seen).difference(plain) if raw.islower()}
    visit = set(compress(count(), map(unlisted.__contains__, seen))) if unlisted else set()
    visit.update(compress(count(1), map(eq, lowers, islice(lowers, 1, None))))  # equal to the word before
    visit.update(k for k in _after(lowers, "di") if seen[k] in lex.di_joinable)

    slang = load_slang_map()
    quotes: list[tuple[int, int]] | None = None
    issues: list[SpellingIssue] = []
    for k in sorted(visit):
        start, end = matches[order[k]].span()
        raw, lower = seen[k], lowers[k]
        if k > 0 and k not in alone:
            p_start, p_end = matches[order[k - 1]].span()
            if lower == lowers[k - 1] and len(lower) > 1:
                gap = text[p_end:start]
                if gap and gap.strip(" \t") == "" and not _legitimately_doubled(text[p_start:p_end], raw):
                    if issues and issues[-1].start == p_start and issues[-1].source == "lexicon":
                        issues.pop()  # "gorong gorong" is one finding, not an unknown word and a doubled one
                    issues.append(SpellingIssue(p_start, end, text[p_start:end], "doubled_word", (raw,)))
                    alone.add(k + 1)  # a word found doubled or joined is nobody's neighbour
                    continue
            if lowers[k - 1] == "di" and raw.islower() and text[p_end:start] in (" ", "  "):
                joined = "di" + lower
                apart, together = lex.di_apart.get(lower, 0), lex.di_joined.get(lower, 0)
                if joined in lex.standard and lower not in lex.corrections and 3 * apart <= together:
                    issues.append(SpellingIssue(p_start, end, text[p_start:end], "di_prefix", (joined,)))
                    alone.add(k + 1)  # a word found doubled or joined is nobody's neighbour
                    continue
        if lower in plain or not raw.islower():
            continue  # a listed word; or a name, an acronym, the first word of a sentence
        parts = _parts(start, raw, lex)
        for part_start, part in parts:
            issue = _check_word(text, part_start, part, lex=lex, slang=slang)
            if issue is None:
                continue
            if issue.source == "slang":
                if quotes is None:
                    quotes = [m.span(1) for m in _QUOTE_RE.finditer(text)] if '"' in text or "“" in text else []
                if len(parts) > 1 or _inside(part_start, quotes) or _in_name(text, issue):
                    continue  # "hat-trick", a speaker's own words, "Frank de Boer"
            issues.append(issue)
    return _with_suggestions(_once_per_word(text, _without_foreign(text, issues)), lex, suggested), words


def _with_suggestions(issues: list[SpellingIssue], lex: Lexicon, suggested: int | None) -> list[SpellingIssue]:
    """The issues with the likely intended words of the first `suggested` unknown words (all when None) filled in:
    asked only of the words that survive the filters and are shown, as suggesting is the costly part of the check.
    A word longer than any Indonesian one gets none (a run of letters, not a slip; see `_check_word`)."""
    out: list[SpellingIssue] = []
    unknown = 0
    for issue in issues:
        if issue.source == "lexicon":
            unknown += 1
            if len(issue.text) <= _MAX_CHECKED and (suggested is None or unknown <= suggested):
                issue = SpellingIssue(issue.start, issue.end, issue.text, "lexicon", tuple(lex.suggest(issue.text)))
        out.append(issue)
    return out


def _once_per_word(text: str, issues: list[SpellingIssue]) -> list[SpellingIssue]:
    """An unknown word is reported once, and not at all when the text also writes it capitalised (a name)."""
    seen: set[str] = set()
    out: list[SpellingIssue] = []
    for issue in issues:
        if issue.source == "lexicon":
            if issue.text in seen:
                continue
            seen.add(issue.text)
            if issue.text.capitalize() in text or issue.text.upper() in text:
                continue
        out.append(issue)
    return out


def _in_name(text: str, issue: SpellingIssue) -> bool:
    before = text[max(issue.start - 30, 0) : issue.start].split()
    after = text[issue.end : issue.end + 30].split()
    return bool(before and after and before[-1][:1].isupper() and after[0][:1].isupper())


def _legitimately_doubled(first: str, second: str) -> bool:
    """Names ("Gun Gun", "Tojo Una Una") and two titles ("Dr dr") may repeat; ordinary words may not."""
    return (first[:1].isupper() and second[:1].isupper()) or first.lower() in _TITLE_ABBREVIATIONS


def _without_foreign(text: str, issues: list[SpellingIssue]) -> list[SpellingIssue]:
    """Drop unknown-word issues in quotes or sentences that are mostly unknown words (another language)."""
    starts = sorted(i.start for i in issues if i.source == "lexicon")
    if len(starts) < 2:
        return issues
    foreign: list[tuple[int, int]] = []
    first = 0
    while first < len(starts) - 1:
        # no stretch holds a line break: only a line with two of them is read, as the whole text's scan reads it
        line_start = text.rfind("\n", 0, starts[first]) + 1
        line_end = text.find("\n", starts[first])
        line_end = len(text) if line_end < 0 else line_end
        after = bisect_left(starts, line_end)
        if after - first >= 2 and _may_share_a_stretch(text, starts[first:after], line_start, line_end):
            for m in _SEGMENT_RE.finditer(text, line_start, line_end):
                inside = bisect_left(starts, m.end()) - bisect_left(starts, m.start())
                if inside >= 2 and inside >= _FOREIGN_SHARE * max(len(_WORD_RE.findall(m.group())), 1):
                    foreign.append(m.span())
        first = after
    if not foreign:
        return issues
    return [i for i in issues if i.source != "lexicon" or not _inside(i.start, foreign)]


def _may_share_a_stretch(text: str, starts: Sequence[int], line_start: int, line_end: int) -> bool:
    """Whether two of the words at `starts` (on the line [line_start, line_end)) may lie in one stretch that
    `_SEGMENT_RE` finds. Without a quotation mark on the line its stretches end at every ".", "!" and "?": words
    with one of them between each two lie in different stretches, and the line need not be scanned."""
    if any(text.find(mark, line_start, line_end) >= 0 for mark in QUOTATION_MARKS):
        return True
    pairs = zip(starts, starts[1:], strict=False)
    return any(all(text.find(end, before, after) < 0 for end in ".!?") for before, after in pairs)


def _parts(start: int, raw: str, lex: Lexicon) -> list[tuple[int, str]]:
    """A word, or the parts of a hyphenated one that need checking ("anak-anak" is fine when "anak" is)."""
    if "-" not in raw:
        return [(start, raw)]
    pieces = raw.split("-")
    if lex.known(raw) or all(p == pieces[0] for p in pieces):
        return [(start, pieces[0])]
    out: list[tuple[int, str]] = []
    pos = start
    for piece in pieces:
        out.append((pos, piece))
        pos += len(piece) + 1
    return out


def _check_word(
    text: str,
    start: int,
    word: str,
    *,
    lex: Lexicon,
    slang: dict[str, str],
) -> SpellingIssue | None:
    end = start + len(word)
    correction = lex.corrections.get(word)
    if correction is not None:
        return SpellingIssue(start, end, word, "kbbi", (correction,))
    formal = slang.get(word)
    # a lexicon form professional news itself writes outside quotes ("info") is left alone
    if formal is not None and formal != word and word not in lex.rank and not _not_slang(text, start, end, word, lex):
        return SpellingIssue(start, end, word, "slang", (formal,))
    if len(word) < _MIN_CHECKED:
        return None
    if len(word) > _MAX_CHECKED:
        # longer than any Indonesian word: a run of letters, not a slip; suggestions would cost O(length^2)
        return SpellingIssue(start, end, word, "lexicon", ())
    listed = word in lex.rank or word in lex.standard or word in lex.extra or word in lex.foreign
    head, rest = word[:2], word[2:]
    if listed:
        # listed, but professional news writes it apart ("dilantai" for "di lantai")
        apart, together = lex.di_apart.get(rest, 0), lex.di_joined.get(rest, 0)
        if head == "di" and apart >= 5 and together * 5 < apart:
            return SpellingIssue(start, end, word, "di_preposition", (f"di {rest}",))
        return None
    if lex.root_of(word) is not None:
        return None
    if head in ("di", "ke") and len(rest) >= 3 and _listed_or_inflected(rest, lex):
        # "dirumah", "kerumah"; a bare di- on a word the news never writes after the preposition is more likely
        # a passive verb the lists lack ("dikirab")
        if head == "ke" or lex.di_apart.get(_uninflected(rest, lex), 0) >= 1:
            return SpellingIssue(start, end, word, "di_preposition", (f"{head} {rest}",))
        return None
    if text[end : end + 1] == "-" or text[start - 1 : start] == "-":
        return None  # a fragment of a compound split at its hyphen ("pre- wedding")
    if text[end : end + 1] == "." and len(word) <= 4:
        return None  # an abbreviation ("drg.", "hlm.")
    if word.endswith("in") and len(word) > 5:
        base = word[:-2]
        if lex.known(base + "kan") or lex.known(base + "i"):
            # the colloquial -in of Jakarta speech ("dipesenin"): informal, not misspelt
            return SpellingIssue(start, end, word, "slang", (base + ("kan" if lex.known(base + "kan") else "i"),))
    return SpellingIssue(start, end, word, "lexicon", ())  # its suggestions come later (`_with_suggestions`)


def _uninflected(word: str, lex: Lexicon) -> str:
    for ending in ("nya", "ku", "mu", "lah", "kah", "pun"):
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3 and (base in lex.rank or base in lex.standard):
            return base
    return word


def _listed_or_inflected(word: str, lex: Lexicon) -> bool:
    """`word` is listed, or a listed word with -nya/-ku/-mu/-lah/-kah/-pun ("rumahnya")."""
    if word in lex.rank or word in lex.standard or word in lex.extra:
        return True
    for ending in ("nya", "ku", "mu", "lah", "kah", "pun"):
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3 and (base in lex.rank or base in lex.standard):
            return True
    return False


def _not_slang(text: str, start: int, end: int, word: str, lex: Lexicon) -> bool:
    """Lexicon keys that are standard words ("tak"), abbreviations with a full stop or titles ("dr."), units."""
    if word in lex.standard or text[end : end + 1] == "." or word in _TITLE_ABBREVIATIONS or len(word) < 2:
        return True
    before = text[max(start - 12, 0) : start].rstrip()
    return bool(before) and before[-1].isdigit()


_MESSAGES = {
    "lexicon": 'Kata "{w}" tidak ada di kamus (Sastrawi, hunspell-id) maupun daftar kata umum (wordfreq, berita).',
    "kbbi": 'Bentuk tidak baku menurut KBBI: "{w}".',
    "slang": 'Kata tidak baku: "{w}".',
    "doubled_word": 'Kata ganda: "{w}".',
    "di_prefix": 'Awalan di- ditulis terpisah: "{w}".',
    "di_preposition": 'Kata depan ditulis serangkai: "{w}".',
}


def _suggestion(issue: SpellingIssue) -> str:
    first = issue.suggestions[0] if issue.suggestions else ""
    if issue.source == "lexicon":
        if not first:
            return "Periksa ejaannya dengan KBBI; nama diri ditulis dengan huruf kapital."
        others = ", ".join(f'"{s}"' for s in issue.suggestions[1:])
        return f'Mungkin maksudnya "{first}"' + (f" (atau {others})." if others else ".")
    if issue.source == "doubled_word":
        return f'Hapus salah satu kata ("{first}"), atau pakai tanda hubung untuk kata ulang (anak-anak).'
    if issue.source == "di_prefix":
        return f'Awalan di- pada kata kerja pasif ditulis serangkai: "{first}".'
    if issue.source == "di_preposition":
        return f'Kata depan di/ke sebelum tempat atau waktu ditulis terpisah: "{first}".'
    return f'Gunakan bentuk baku "{first}".'


def assess_language(body: Body, doc: NormalisedText, *, suggest: bool = True) -> tuple[int, list[QualityFinding]]:
    """Language sub-score and findings (at most `MAX_FINDINGS_PER_KIND` of each source); with `suggest=False`,
    unknown words' findings name no likely intended word (the score is the same)."""
    text = body.text
    issues, words = check_spelling(body, doc, suggested=MAX_FINDINGS_PER_KIND if suggest else 0)
    findings: list[QualityFinding] = []
    shown: dict[str, int] = {}
    for issue in issues:
        shown[issue.source] = shown.get(issue.source, 0) + 1
        if shown[issue.source] > MAX_FINDINGS_PER_KIND:
            continue
        findings.append(
            finding(
                "language",
                _MESSAGES[issue.source].format(w=issue.text),
                _suggestion(issue),
                (issue.start, issue.end),
                text,
                origin=issue.source,
                replacement=issue.suggestions[0] if issue.suggestions else None,
            )
        )
    if words == 0:
        return 100, findings
    errors = sum(shown.get(s, 0) for s in ("lexicon", "doubled_word", "di_prefix", "di_preposition"))
    rate = errors / words
    informal_rate = shown.get("slang", 0) / words
    nonstandard_rate = shown.get("kbbi", 0) / words
    # about one error in 30 words (a careless KIM draft) costs half the score
    score = 100 - 1500 * rate - 800 * informal_rate - 700 * nonstandard_rate
    return max(round(score), 0), findings
