"""Normalisation of Indonesian text as people write it, with an offset map back to the original.

`normalise(text)` returns a `NormalisedText`: a canonical, lower-case, space-separated form (slang
expanded, elongations squashed, URLs/mentions/emoji replaced by placeholder tokens, Unicode repaired)
plus, for every token, the character span it came from in the original string. Anything found later
in the normalised text (a rule match, a misspelling) is mapped back with `original_span`.

The work is per piece of text between spaces, not per character, and a piece seen before (most words of a
text) is looked up rather than tokenised again.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from screening.resources import load_root_words, load_slang_map

URL_TOKEN = "urltoken"
MENTION_TOKEN = "mentiontoken"
EMOJI_TOKEN = "emojitoken"
PLACEHOLDERS = frozenset({URL_TOKEN, MENTION_TOKEN, EMOJI_TOKEN})
# A share of capitals is read from at most this many characters: enough for a share, bounded on huge input.
CAPITALS_SAMPLE_CHARS = 20_000

# Format characters (zero-width space/joiners, soft hyphen, BOM) may sit inside words; they are
# dropped from the token but keep the word whole.
_FORMAT_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TOKEN_RE = re.compile(
    # a URL does not end with the punctuation of the sentence around it
    r"(?P<url>(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]]"
    # a bare domain ("bit.ly/x", "bpjs-kesehatan.go.id"); it starts only where a run of domain characters starts,
    # so that a long run ("a-a-a-...") is tried once, not at every position (which took seconds)
    # (the look-ahead is what the rest needs, a run followed by a dot: tried in one pass, it spares every other
    # word the backtracking)
    r"|(?<![\w.-])(?=[a-z0-9-]*+\.)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|id|ly|net|org|info|me|io|link|xyz|site)\b"
    r"(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?)"
    r"|(?P<mention>@\w{1,30})"
    r"|(?P<hashtag>#(?:[^\W_]|[" + _FORMAT_CHARS + r"])+)"
    r"|(?P<word>(?:\w|[" + _FORMAT_CHARS + r"])+)"
    r"|(?P<other>\S)",
    re.IGNORECASE,
)
# Every character `str.split()` and the pattern's `\s` take for a space (all below U+3001), as a plain space:
# `str.translate` is fast on ASCII text only, where `_SPACE_RE` is slower.
_TO_SPACE = {code: " " for code in range(0x3001) if chr(code).isspace()}


def ascii_table(char_map: Callable[[str], str]) -> bytes:
    """A table for `translate_ascii`: each ASCII character to the one ASCII character `char_map` gives for it."""
    return bytes(ord(char_map(chr(code))) for code in range(128)) + bytes(range(128, 256))


def translate_ascii(text: str, table: bytes) -> str:
    """ASCII `text` translated by an `ascii_table`, through its bytes: `str.translate` looks every distinct character
    up in a mapping, `bytes.translate` reads a table (about a third of the time on a post)."""
    return text.encode("ascii").translate(table).decode("ascii")


# The same for ASCII text
_ASCII_TO_SPACE = ascii_table(lambda char: " " if ord(char) in _TO_SPACE else char)
_SPACE_RE = re.compile(r"\s")
# Longer pieces are tokenised afresh: the cache holds many pieces, and must not hold many huge ones.
_CACHED_PIECE_CHARS = 100
_new_token = tuple.__new__  # a Token from a ready tuple, without NamedTuple's Python-level constructor
_plus_one = (1).__add__
_TEXT = itemgetter(0)  # a token's text
_COUNTED_SPANS = 4  # at most this many spans of a text are mapped back by counting spaces (`original_spans`)
_ELONGATION_RE = re.compile(r"([a-z])\1{2,}")
_FORMAT_STRIP = str.maketrans("", "", _FORMAT_CHARS)
_SKIPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Mn", "Zl", "Zp"})
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00c5\u00e2\u00f0][\u0080-\u00bf\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]")


class Token(NamedTuple):
    """One token of the normalised text and where it came from in the original (a tuple: cheap to make)."""

    text: str
    start: int  # original start offset
    end: int  # original end offset (exclusive)


@dataclass(frozen=True)
class NormalisedText:
    """The canonical form of a text and the map from its characters back to the original."""

    original: str
    tokens: tuple[Token, ...]
    text: str
    n_words: int  # words as written (`word_count`)

    @cached_property
    def letter_cases(self) -> tuple[int, int]:
        """(capital letters, cased letters) of the original (`cased_letters`): read by the style measures and by
        the capitals rule, counted once."""
        return cased_letters(self.original)

    @cached_property
    def norm_starts(self) -> tuple[int, ...]:
        """Token i occupies text[norm_starts[i]:norm_starts[i] + len(tokens[i].text)]."""
        starts = [0, *accumulate(map(_plus_one, map(len, self.words())))]
        starts.pop()
        return tuple(starts)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span [start, end) of `text` to the smallest original span covering its tokens."""
        if not self.tokens or end <= start:
            return (0, 0)
        first = max(bisect_right(self.norm_starts, start) - 1, 0)
        last = max(bisect_left(self.norm_starts, end) - 1, first)
        return (self.tokens[first].start, self.tokens[last].end)

    def original_spans(self, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """`original_span` of each span. A few are mapped by counting the spaces before them, in C (token i starts
        right after the i-th space when no token holds one of its own, as NFKC gives a few symbols): that scans the
        text up to each span twice, where the offsets of all tokens cost about eight scans of the whole text."""
        if len(spans) > _COUNTED_SPANS or not self.tokens or self.text.count(" ") != len(self.tokens) - 1:
            return [self.original_span(start, end) for start, end in spans]
        mapped = []
        for start, end in spans:
            if end <= start:
                mapped.append((0, 0))
                continue
            first = self.text.count(" ", 0, start)
            last = max(self.text.count(" ", 0, end - 1), first)
            mapped.append((self.tokens[first].start, self.tokens[last].end))
        return mapped

    def words(self) -> list[str]:
        return list(map(_TEXT, self.tokens))


def _is_emoji(char: str) -> bool:
    cat = unicodedata.category(char)
    return cat == "So" or (cat == "Sk" and ord(char) >= 0x1F3FB) or 0x1F000 <= ord(char) <= 0x1FAFF


@lru_cache(maxsize=1)
def _word_map() -> tuple[dict[str, str], frozenset[str]]:
    return load_slang_map(), load_root_words()


@lru_cache(maxsize=65536)
def canonical_word(word: str) -> str:
    """Canonical form of one lower-cased word: elongation squashed, then slang expanded."""
    slang, roots = _word_map()
    if word in slang:
        return slang[word]
    if _ELONGATION_RE.search(word):
        # "bangeeet" -> "banget"; keep a double letter when that makes a dictionary word ("maaaf" -> "maaf").
        single = _ELONGATION_RE.sub(r"\1", word)
        double = _ELONGATION_RE.sub(r"\1\1", word)
        word = double if double in roots and single not in roots else single
        return slang.get(word, word)
    return word


@lru_cache(maxsize=65536)
def _word_parts(raw: str) -> tuple[str, ...]:
    """The canonical token(s) of a word as written: format characters dropped, NFKC, lower case, slang expanded
    ("salfok" -> "salah", "fokus"); empty when nothing is left."""
    word = raw
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word.translate(_FORMAT_STRIP))
        if not word:
            return ()
    word = word.lower()
    canon = canonical_word(word) if len(word) < 40 else word
    return tuple(canon.split())


def _scan(text: str) -> list[Token]:
    """The canonical tokens of `text`, with spans relative to it."""
    if text.isalnum():  # one word (all of it `\w`, no dot, "@" or "#"): what the pattern finds, without running it
        return [Token(part, 0, len(text)) for part in _word_parts(text)]
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "word" or kind == "hashtag":
            raw = match.group()
            # a multi-word expansion keeps the source span on every part
            for part in _word_parts(raw[1:] if kind == "hashtag" else raw):
                append(Token(part, start, end))
        elif kind == "url":
            append(Token(URL_TOKEN, start, end))
        elif kind == "mention":
            append(Token(MENTION_TOKEN, start, end))
        else:  # other: one character
            raw = match.group()
            if raw in _FORMAT_CHARS or unicodedata.category(raw) in _SKIPPED_CATEGORIES:
                continue
            if _is_emoji(raw):
                if tokens and tokens[-1].text == EMOJI_TOKEN and tokens[-1].end >= start:
                    tokens[-1] = Token(EMOJI_TOKEN, tokens[-1].start, max(end, tokens[-1].end))
                else:
                    append(Token(EMOJI_TOKEN, start, end))
                continue
            if not raw.isascii():
                raw = unicodedata.normalize("NFKC", raw)
            append(Token(raw.lower(), start, end))
    return tokens


# A piece's tokens as (text, start, end), spans relative to the piece, and its words as written (`word_count`).
# Plain tuples: the garbage collector stops tracking those it finds holding only strings and numbers (never a
# NamedTuple), so a full cache adds nothing to its collections.
_Piece = tuple[tuple[tuple[str, int, int], ...], int]


def _piece(tokens: tuple[Token, ...]) -> _Piece:
    """A piece's tokens and its words as written: tokens with a letter or digit, links, mentions and emoji
    excluded, each span once (a slang word expanded into several is still one word as written)."""
    words = len({(t.start, t.end) for t in tokens if t.text not in PLACEHOLDERS and has_alnum(t.text)})
    return tuple((t.text, t.start, t.end) for t in tokens), words


# piece -> `_Piece`, for pieces up to _CACHED_PIECE_CHARS: a plain dict, emptied when full rather than kept in
# least-recent order, so that a text whose pieces are all known is looked up in C with no per-piece bookkeeping
_KNOWN_PIECES: dict[str, _Piece] = {}
_MAX_KNOWN_PIECES = 65536


# Marks that end a sentence or a clause, each a token of its own: a word followed by some of them ("benar.",
# "kok..?") is tokenised without the pattern (see `_word_piece`).
_CLOSING_MARKS = ".,!?;:"


def _word_piece(piece: str) -> _Piece | None:
    """`_piece(tuple(_scan(piece)))` of a piece that is one word (`str.isalnum`: word characters to the pattern)
    followed by none or some `_CLOSING_MARKS`, made without the pattern or NamedTuples (most new pieces are such);
    None for any other piece. The pattern finds the same there: a link, mention or hashtag needs more than such a
    piece has, and a bare domain a letter after its dot."""
    word = piece.rstrip(_CLOSING_MARKS)
    if not word.isalnum():
        return None
    parts = _word_parts(word)
    end = len(word)
    tokens = tuple([(part, 0, end) for part in parts])
    if end < len(piece):
        tokens += tuple([(mark, start, start + 1) for start, mark in enumerate(piece[end:], end)])
    # every part spans the whole word: one word as written if any of them counts
    return tokens, int(any(part not in PLACEHOLDERS and has_alnum(part) for part in parts))


def _piece_tokens(piece: str) -> _Piece:
    """The tokens of one piece (a run of non-space characters), spans relative to it. No token crosses a space,
    and the token pattern looks past a token only for word characters, dots and hyphens, so a text's tokens
    are those of its pieces; a piece is mostly a word as written, which recurs often enough to remember."""
    found = _KNOWN_PIECES.get(piece)
    if found is None:
        found = _word_piece(piece) or _piece(tuple(_scan(piece)))
        if len(_KNOWN_PIECES) >= _MAX_KNOWN_PIECES:  # social-media vocabulary has no end: start again
            _KNOWN_PIECES.clear()
        _KNOWN_PIECES[piece] = found
    return found


def _tokens_of(piece: str) -> _Piece:
    return _piece_tokens(piece) if len(piece) <= _CACHED_PIECE_CHARS else _piece(tuple(_scan(piece)))


def _repaired_piece_tokens(piece: str) -> _Piece:
    """The tokens of a mis-decoded piece, repaired: every one points at the whole piece, and a run of emoji
    (spaces or dropped characters between them included) is one token."""
    import ftfy  # lazily: only mis-decoded input needs it

    tokens: list[Token] = []
    for token in _scan(ftfy.fix_text(piece)):
        if token.text != EMOJI_TOKEN or not tokens or tokens[-1].text != EMOJI_TOKEN:
            tokens.append(Token(token.text, 0, len(piece)))
    return _piece(tuple(tokens))


def normalise(text: str) -> NormalisedText:
    """Normalise `text` into lower-case canonical tokens, keeping each token's original span."""
    if not text:  # most posts have no title
        return _EMPTY
    pieces = text.split()
    piece_starts = [0, *accumulate(map(_plus_one, map(len, pieces)))]
    if piece_starts[-1] != len(text) + 1:  # not one space between each two pieces
        # split at every space: "" between two spaces, a piece without tokens
        pieces = translate_ascii(text, _ASCII_TO_SPACE).split(" ") if text.isascii() else _SPACE_RE.split(text)
        piece_starts = [0, *accumulate(map(_plus_one, map(len, pieces)))]
    if not text.isascii() and _MOJIBAKE_HINT.search(text):
        # repaired piece by piece, so each repaired token still points at its source piece
        found = [_repaired_piece_tokens(p) if _MOJIBAKE_HINT.search(p) else _tokens_of(p) for p in pieces]
    else:
        try:
            found = list(map(_KNOWN_PIECES.__getitem__, pieces))  # the usual case: every piece seen before
        except KeyError:  # only the new pieces pay for a call (a `_Piece` is a pair: never false)
            found = [_KNOWN_PIECES.get(piece) or _tokens_of(piece) for piece in pieces]
    tokens = tuple(
        [
            _new_token(Token, (word, base + start, base + end))
            for base, (piece_tokens, _) in zip(piece_starts, found, strict=False)
            for word, start, end in piece_tokens
        ]
    )
    return NormalisedText(
        original=text,
        tokens=tokens,
        text=" ".join(map(_TEXT, tokens)),
        n_words=sum(map(itemgetter(1), found)),  # a word as written lies in one piece
    )


_EMPTY = NormalisedText(original="", tokens=(), text="", n_words=0)  # immutable: one for every empty text


def word_count(doc: NormalisedText) -> int:
    """Words as written: tokens with a letter or digit, links, mentions and emoji excluded.

    A slang word expanded into several ("dll" -> "dan lain-lain") is still one word as written. Counted piece by
    piece as the text is normalised (see `_piece`).
    """
    return doc.n_words


_ALNUM_RE = re.compile(r"[^\W_]")  # a letter or digit: str.isalnum for one character


def has_alnum(text: str) -> bool:
    """Whether `text` has a letter or a digit (most words are nothing else, which `isalnum` answers in C)."""
    return text.isalnum() or _ALNUM_RE.search(text) is not None


_BEYOND_ASCII_RE = re.compile("[^\x00-\x7f]+")
_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))


def cased_letters(text: str) -> tuple[int, int]:
    """(capital letters, cased letters) among the first CAPITALS_SAMPLE_CHARS characters of `text`."""
    sample = text[:CAPITALS_SAMPLE_CHARS]
    # ASCII letters counted by deleting bytes, in C (in UTF-8 every other character is bytes above 127)
    raw = sample.encode("utf-8", "surrogatepass")
    upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
    lower = len(raw) - len(raw.translate(None, _ASCII_LOWER))
    if not sample.isascii():  # the characters beyond ASCII (often a few quotes and dashes) one by one
        beyond = "".join(_BEYOND_ASCII_RE.findall(sample))
        upper += sum(map(str.isupper, beyond))  # map over str methods runs in C: no per-character Python loop
        lower += sum(map(str.islower, beyond))
    return upper, upper + lower


def capitals_share(text: str) -> float:
    """Share of capital letters among the cased letters of `text` (0 when it has none)."""
    upper, cased = cased_letters(text)
    return upper / cased if cased else 0.0
