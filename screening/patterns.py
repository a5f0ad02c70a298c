"""Regular expressions that keep Python's meaning and search in linear time.

Python's `re` tries every alternative of a long keyword pattern ("senin|selasa|...|dini hari") at every position
of a text: about a millisecond for a 300-word article, for each of the quality checks. RE2 scans a text once,
whatever the pattern, but knows no look-arounds and reads `\\b`, `\\w`, `\\d` in ASCII. `Pattern` uses both:

1. RE2 searches a *relaxed* form of the pattern: look-arounds dropped and `\\s` spelt out as Python's Unicode
   whitespace, so every place where the Python pattern matches is also a place where the relaxed one starts
   a match (it may also start where Python's does not);
2. Python's `re` then searches from there, and gives the one answer: the same match as a plain `re` search.

The relaxed form only widens the search when the text's word characters are all ASCII (the usual case in
Indonesian news; curly quotes and dashes are not word characters): with a letter such as "é", RE2's ASCII
`\\b`/`\\w` could miss a place Python matches, so such a text is searched by `re` alone.

A text searched by several patterns is prepared once (`Searchable`): making its UTF-8 form and checking it for
such letters cost more than an RE2 scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import re2

from screening.native import native_calls

# Python's `\s` for str, as one RE2 class body
_WHITESPACE = r"\t-\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_LOOKAROUND_OPENERS = ("(?=", "(?!", "(?<=", "(?<!")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 64 << 20


def _relaxed(pattern: str) -> str:
    """`pattern` with look-arounds removed and `\\s` as Python reads it: matches wherever the pattern does."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        if not in_class and pattern.startswith(_LOOKAROUND_OPENERS, i):
            i = _group_end(pattern, i)
            continue
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            if escape == r"\s":
                out.append(_WHITESPACE if in_class else f"[{_WHITESPACE}]")
            elif escape == r"\S":
                if in_class:
                    raise ValueError(r"\S inside a character class has no RE2 form here")
                out.append(f"[^{_WHITESPACE}]")
            else:
                out.append(escape)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            i += 1
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i : i + 1] == "]":  # a leading "]" is a literal
                out.append(r"\]")
                i += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def _group_end(pattern: str, start: int) -> int:
    """Index just after the group opened at `start` (escapes and character classes skipped)."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced group at {start} in {pattern!r}")


def _re2_flags(flags: int) -> str:
    letters = "".join(f for flag, f in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s")) if flags & flag)
    return f"(?{letters})" if letters else ""


_ASCII_BYTES = bytes(range(128))


def _has_non_ascii_word(data: bytes) -> bool:
    """Whether the UTF-8 `data` has a word character outside ASCII (its other characters kept, in C)."""
    return any(ch.isalnum() or ch == "_" for ch in data.translate(None, _ASCII_BYTES).decode("utf-8"))


class Pattern:
    """A compiled Python regular expression whose `search` and `finditer` give exactly `re`'s results, fast."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        unsupported = flags & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL)
        if unsupported:
            raise ValueError(f"flags {unsupported} are not supported")
        self.python = re.compile(pattern, flags)
        self.pattern = pattern
        self.relaxed = (_re2_flags(flags) + _relaxed(pattern)).encode()  # what RE2 searches for
        # searched on UTF-8 bytes: the binding's own str path maps every offset, which costs more than the scan
        self._re2: Any = re2.compile(self.relaxed, _RE2_OPTIONS)

    def search(self, text: str | Searchable, pos: int = 0) -> re.Match[str] | None:
        """`re.search(pattern, text, pos)`: with `pos`, the text before it is still seen (by `\\b`, look-behinds)."""
        prepared = text if isinstance(text, Searchable) else Searchable(text)
        if not prepared.may_match(self):
            return None
        if prepared.encoded is None:
            return self.python.search(prepared.text, pos)
        return self._search(prepared.encoded, pos)

    def finditer(self, text: str | Searchable) -> Iterator[re.Match[str]]:
        prepared = text if isinstance(text, Searchable) else Searchable(text)
        if not prepared.may_match(self):
            return
        encoded = prepared.encoded
        if encoded is None:
            yield from self.python.finditer(prepared.text)
            return
        pos = 0
        while pos <= len(encoded.text):
            found = self._search(encoded, pos)
            if found is None:
                return
            yield found
            pos = found.end() if found.end() > found.start() else found.end() + 1

    def _search(self, encoded: _Encoded, pos: int) -> re.Match[str] | None:
        text, data = encoded.text, encoded.data
        while pos <= len(text):
            with native_calls:
                candidate = self._re2.search(data, encoded.byte_offset(pos))
            if candidate is None:
                return None
            start = encoded.char_offset(candidate.start())
            # Python's own match where the relaxed form starts one; a start only the relaxed form has is passed
            found = self.python.match(text, start)
            if found is not None:
                return found
            pos = start + 1
        return None


class PatternSet:
    """Patterns looked for together: one RE2 scan of a text tells which of them can match it at all, so that only
    those are searched (most of the quality checks' keywords are not in a short post). Given to a `Searchable`,
    it makes `Pattern.search` answer None at once for a pattern that cannot match."""

    def __init__(self, *patterns: Pattern) -> None:
        self.patterns = patterns
        self.members = frozenset(patterns)
        self._set: Any = re2.Set.SearchSet(_RE2_OPTIONS)
        for pattern in patterns:
            self._set.Add(pattern.relaxed)
        self._set.Compile()

    def matching(self, text: Searchable) -> frozenset[Pattern]:
        """The patterns that may match `text` (each of the others finds nothing there): where the relaxed form
        of a pattern matches nowhere, neither does the pattern. All of them when RE2 cannot read the text. Long
        texts are scanned too: an article lacks about five of the quality checks' twelve keyword patterns, and
        each would otherwise be searched through the whole text."""
        if text.encoded is None:
            return self.members
        with native_calls:
            found = self._set.Match(text.encoded.data) or ()
        return frozenset(self.patterns[i] for i in found)


class Searchable:
    """A text prepared once for any number of `Pattern` searches; with a `PatternSet`, the patterns of the set
    that cannot match it are known after one scan, made at the first search."""

    __slots__ = ("_possible", "_set", "encoded", "text")

    def __init__(self, text: str, patterns: PatternSet | None = None) -> None:
        self.text = text
        self.encoded = _Encoded.of(text)
        self._set = patterns
        self._possible: frozenset[Pattern] | None = None

    def may_match(self, pattern: Pattern) -> bool:
        """False only when `pattern` cannot match the text (its set scanned the text and found no place)."""
        if self._set is None:
            return True
        if self._possible is None:
            self._possible = self._set.matching(self)
        return pattern in self._possible or pattern not in self._set.members


class _Encoded:
    """A text as RE2 reads it (UTF-8), with offsets mapped back to characters."""

    __slots__ = ("data", "text", "_ascii")

    def __init__(self, text: str, data: bytes) -> None:
        self.text, self.data, self._ascii = text, data, len(data) == len(text)

    @classmethod
    def of(cls, text: str) -> _Encoded | None:
        """None when RE2 cannot stand in for `re` here: a non-ASCII word character (RE2's ASCII classes could
        miss a match) or a lone surrogate (no UTF-8 form)."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        if len(data) != len(text) and _has_non_ascii_word(data):
            return None
        return cls(text, data)

    def byte_offset(self, char: int) -> int:
        return char if self._ascii else len(self.text[:char].encode("utf-8"))

    def char_offset(self, byte: int) -> int:
        return byte if self._ascii else len(self.data[:byte].decode("utf-8"))
