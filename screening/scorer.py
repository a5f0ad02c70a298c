"""The fast scorer: a fitted `HoaxModel` compiled into plain arrays, the only form that serves and is stored.

Scoring one text through scikit-learn's own `transform` and `predict_proba` costs more in per-call validation
than in arithmetic, so serving uses the same numbers computed directly: TF-IDF from a vocabulary and an IDF
array (sublinear tf, L2 norm, character n-grams within words, exactly as `screening.features` fits them),
dot products with the coefficients, the logistic function. `compile_model` builds it from the estimators and
`check_parity` proves it equal to them; the registry stores a `CompiledModel` as arrays and JSON only
(`to_arrays` / `from_arrays`), so loading a model runs no code.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, count, repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from screening.doc import GENRES, STREAMS, STYLE_FEATURES, Doc, Genre, stream_of
from screening.errors import ModelArtifactError
from screening.resources import load_stopwords
from screening.result import TermContribution
from screening.rules import RuleEngine
from screening.text import PLACEHOLDERS

if TYPE_CHECKING:  # the estimators are compiled here, never imported to serve (serving runs without scikit-learn)
    from screening.model import HoaxModel

# Bumped whenever the fitted structure changes; the registry refuses artifacts of another format.
MODEL_FORMAT = 5
GATE_TERM = "gate:ordinary_news"  # the explanation term of the ordinary-news gate
GATE_NEUTRAL = 0.5  # at or above this P(hoax-watch text), the claims risk is kept whole


def gate_discount(gate: np.ndarray | float) -> np.ndarray:
    """The factor the ordinary-news gate applies to the claims risk: min(1, gate / GATE_NEUTRAL)."""
    return np.minimum(1.0, np.asarray(gate, dtype=float) / GATE_NEUTRAL)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(x, -500.0), 500.0)))


_NO_IDS = np.zeros(0, dtype=np.int32)
_NO_FLOATS = np.zeros(0, dtype=np.float64)


@dataclass(slots=True)
class SparseRows:
    """One sparse row per document of a chunk: the stored values with their rows (increasing) and their columns
    (within a row in the order its sums run: increasing for TF-IDF); `indptr` says where each row starts, as in
    a CSR matrix."""

    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray
    indptr: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, n_rows: int) -> SparseRows:
        if n_rows == 1:
            return cls(rows, columns, values, np.array((0, rows.size)))
        return cls(rows, columns, values, rows.searchsorted(np.arange(n_rows + 1)))

    @classmethod
    def counted(cls, rows: np.ndarray, ids: np.ndarray, n_rows: int) -> SparseRows:
        """Each distinct (row, id) of `rows` and `ids` (ordered by row, then id) with how often it occurs."""
        if not ids.size:
            return cls.of(rows, ids, np.zeros(0, dtype=np.int64), n_rows)
        first = np.empty(ids.size, dtype=bool)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        if n_rows > 1:
            first[1:] |= rows[1:] != rows[:-1]
        starts = first.nonzero()[0]
        counts = np.empty(starts.size, dtype=np.int64)
        counts[:-1] = starts[1:] - starts[:-1]
        counts[-1] = ids.size - starts[-1]
        return cls.of(rows[starts], ids[starts], counts, n_rows)

    def __len__(self) -> int:
        return self.indptr.size - 1

    def slices(self) -> list[slice]:
        """Where each row's values are, as slices of `columns` and `values`."""
        bounds = self.indptr.tolist()
        return list(map(slice, bounds[:-1], bounds[1:]))

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self.indptr[r]), int(self.indptr[r + 1])
        return self.columns[start:end], self.values[start:end]


_NO_CODE = np.iinfo(np.int64).min  # what an empty slot of a `CodeTable` holds: no code is this
_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of code * this are its slot


class CodeTable:
    """Distinct codes (int64, never `_NO_CODE`) with a value each, found for an array of codes at once.

    A sorted search reads about log2(n) scattered places of a large array per code, each a cache miss when a text
    comes alone; so each code also has one slot of a hash table (at least twice as many slots as codes), and only
    a code whose slot holds another code is searched among the sorted codes."""

    def __init__(self, codes: np.ndarray, values: np.ndarray) -> None:
        codes = np.asarray(codes, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        self._sorted_values = values[order]
        # a last code no code has: what a search past the codes finds
        self._sorted_codes = np.append(codes[order], np.iinfo(np.int64).max)
        bits = max(1, (2 * codes.size - 1).bit_length())
        self._shift = np.uint64(64 - bits)
        slots = self._slots(codes)
        held = np.unique(slots, return_index=True)[1]  # one code per slot: the others are searched
        self._slot_codes = np.full(1 << bits, _NO_CODE, dtype=np.int64)
        self._slot_codes[slots[held]] = codes[held]
        self._slot_values = np.zeros(1 << bits, dtype=values.dtype)
        self._slot_values[slots[held]] = values[held]

    def _slots(self, codes: np.ndarray) -> np.ndarray:
        return ((codes.view(np.uint64) * _HASH_MULTIPLIER) >> self._shift).astype(np.intp)

    def find(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the positions in `codes` (int64) of those in the table, increasing; their values)."""
        slots = self._slots(codes)
        held = self._slot_codes[slots]
        found = held == codes
        unsure = ((held != _NO_CODE) & ~found).nonzero()[0]
        if not unsure.size:
            positions = found.nonzero()[0]
            return positions, self._slot_values[slots[positions]]
        searched = codes[unsure]
        at = self._sorted_codes.searchsorted(searched)
        in_table = self._sorted_codes[at] == searched
        found[unsure[in_table]] = True
        values = self._slot_values[slots]
        values[unsure[in_table]] = self._sorted_values[at[in_table]]
        positions = found.nonzero()[0]
        return positions, values[positions]


def _rows_of(sizes: Sequence[int]) -> np.ndarray:
    """The row of each item of rows holding `sizes` items, one row after another."""
    return np.arange(len(sizes), dtype=np.int64).repeat(sizes)


class TermIndex:
    """The n-grams of one stream as ids of a vocabulary: shared by the tables that read that stream (the text
    classifier and the ordinary-news gate), so each n-gram of a document is looked up once.

    Word n-grams are looked up as numbers, not joined strings: each word of a term has an id (from 1), an n-gram
    of n words is their ids read as the digits of a number in base (words + 1), plus (n - 1) * base ** longest
    so that lengths never meet, and a chunk's n-grams are found among the terms' numbers at once (`CodeTable`).
    A word no term has is digit 0, which no term's number has: its n-grams are no term, as they would not be as text.
    """

    def __init__(self, terms: Sequence[str], ngram_range: tuple[int, int], char: bool) -> None:
        self.size = len(terms)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.char = char
        if char:
            self._word_ids = _CharWordIds(terms, self.ngram_range)
            return
        # a term is its words joined by single spaces: all terms' words come from one split
        all_words = " ".join(terms).split(" ") if terms else []
        self._token_ids = dict(zip(dict.fromkeys(all_words), count(1)))
        self._base = len(self._token_ids) + 1
        longest = self.ngram_range[1]
        self._length_step = self._base**longest
        if longest * self._length_step >= 2**63:
            raise ModelArtifactError(f"{len(self._token_ids)} kata terlalu banyak untuk n-gram {longest} kata")
        lengths = np.fromiter(map(str.count, terms, repeat(" ")), dtype=np.int64, count=len(terms)) + 1
        digits = np.fromiter(map(self._token_ids.__getitem__, all_words), dtype=np.int64, count=len(all_words))
        firsts = np.cumsum(lengths) - lengths
        codes = np.zeros(len(terms), dtype=np.int64)
        for k in range(int(lengths.max(initial=0))):
            longer = lengths > k
            codes[longer] = codes[longer] * self._base + digits[firsts[longer] + k]
        codes += (lengths - 1) * self._length_step
        self._terms_of_codes = CodeTable(codes, np.arange(len(terms), dtype=np.int32))

    def counts(self, texts: Sequence[str]) -> SparseRows:
        """Per text: the ids of its n-grams that are in the vocabulary (increasing) and how often each occurs."""
        if self.char:
            return self._char_counts(texts)
        split = [text.split() for text in texts]
        sizes = list(map(len, split))
        total = sum(sizes)
        tokens = chain.from_iterable(split)
        tokens_array = np.fromiter(map(self._token_ids.get, tokens, repeat(0)), dtype=np.int64, count=total)
        single = len(texts) == 1
        # how many tokens of its own text follow each token: an n-gram starts where at least n - 1 do
        following = None if single else np.cumsum(sizes).repeat(sizes) - np.arange(1, total + 1)
        codes, starts = [], []
        lo, hi = self.ngram_range
        for n in range(lo, min(hi, total) + 1):
            width = total - n + 1
            code = tokens_array[:width].copy()
            for k in range(1, n):
                code *= self._base
                code += tokens_array[k : k + width]
            code += (n - 1) * self._length_step
            if following is not None:
                np.putmask(code, following[:width] < n - 1, -1)  # across texts: no n-gram
                starts.append(np.arange(width))
            codes.append(code)
        if not codes:
            return SparseRows.counted(_NO_IDS, _NO_IDS, len(texts))
        hit, ids = self._terms_of_codes.find(np.concatenate(codes))
        if single:
            ids.sort()
            return SparseRows.counted(np.zeros(ids.size, dtype=np.int64), ids, 1)
        rows = _rows_of(sizes)[np.concatenate(starts)[hit]]
        keys = rows * self.size + ids
        keys.sort()
        rows = keys // self.size
        return SparseRows.counted(rows, (keys - rows * self.size).astype(np.int32), len(texts))

    def _char_counts(self, texts: Sequence[str]) -> SparseRows:
        # each word's ids are bytes from the cache: a text's are joined in C into one piece of memory, which reads
        # far fewer places than joining an array per word, and no id is ever a Python object
        known = self._word_ids
        ids_of_word = known.__getitem__
        split = [text.split() for text in texts]
        joined: list[bytes] = []
        again: list[int] = []  # the texts with new words, joined again once their n-grams are found
        with known.lock:  # the words noted as new, and the emptying, are this chunk's alone
            if len(known) >= known.MAX_WORDS:
                known.clear()
            for words in split:
                noted = len(known.new)
                joined.append(b"".join(map(ids_of_word, words)))
                if len(known.new) > noted:
                    again.append(len(joined) - 1)
            if again:
                known.add_new()
                for r in again:
                    joined[r] = b"".join(map(ids_of_word, split[r]))
        sizes = [len(ids) // _ID_BYTES for ids in joined]
        ids = np.frombuffer(joined[0] if len(joined) == 1 else b"".join(joined), dtype=_ID_DTYPE) - 1
        bounds = [0, *accumulate(sizes)]
        for r in range(len(texts)):
            # text by text: sorting a text's few hundred ids costs less than sorting the whole chunk's at once
            ids[bounds[r] : bounds[r + 1]].sort()
        return SparseRows.counted(_rows_of(sizes), ids, len(texts))


_ID_TYPECODE = "i"  # the ids of a word's character n-grams, as `_CharWordIds` keeps them: C ints
_ID_DTYPE = np.dtype(_ID_TYPECODE)
_ID_BYTES = _ID_DTYPE.itemsize
_SLICED_CHARS = 64  # the n-gram slices of padded words up to this long are kept (longer ones are rare)


class _CharWordIds(dict[str, bytes]):
    """word -> the ids (plus one) of its character n-grams, as the bytes of an array of `_ID_DTYPE`: a plain dict,
    emptied when full, so a text's known words are looked up in C (words repeat far more than they vary).

    A miss is only noted (`__missing__`, under `lock`): the new words of a chunk are cut into n-grams and looked up
    together (`add_new`), each n-gram as a number, its characters' places in the terms' alphabet (from 1) read as the
    digits of a number in base (letters + 1), plus n * base ** longest (`CodeTable`, as `TermIndex` finds word
    n-grams). A character no term has is digit 0, which no term's number has. The ids are one more than the
    vocabulary's."""

    MAX_WORDS = 100_000  # social-media vocabulary has no end: start again rather than grow (between chunks)

    def __init__(self, terms: Sequence[str], ngram_range: tuple[int, int]) -> None:
        super().__init__()
        self.new: list[str] = []
        self.lock = threading.Lock()  # held while a chunk notes and adds its new words (a service scores in threads)
        self._ngram_range = ngram_range
        alphabet = _code_points("".join(set("".join(terms)) | {" "}))
        self._base = alphabet.size + 1
        # code point -> its digit, 0 beyond the alphabet's (a table read once per character, not a search)
        self._digit_of = np.zeros(int(alphabet.max()) + 2, dtype=np.int64)
        self._digit_of[np.sort(alphabet)] = np.arange(1, self._base)
        self._length_step = self._base ** ngram_range[1]
        self._id_of: Callable[[str], int | None] | None = None
        self._slices: dict[int, list[slice]] = {}
        if (ngram_range[1] + 1) * self._length_step >= 2**63:
            # too many letters for numbers: new words' n-grams are looked up as strings, word by word
            self._id_of = dict(zip(terms, count(1))).get
            return
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        self._ids_of_codes = CodeTable(self._codes(self._digits("".join(terms)), lengths), np.arange(len(terms)) + 1)

    def __missing__(self, word: str) -> bytes:
        self.new.append(word)
        return b""

    def add_new(self) -> None:
        """Find the n-grams of the words noted as new, and keep them."""
        words = list(dict.fromkeys(self.new))
        self.new.clear()
        if self._id_of is not None:
            for word in words:
                padded = f" {word} "  # character n-grams of " word ", as scikit-learn's char_wb analyzer makes them
                slices = self._slices.get(len(padded)) or self._slices_of(len(padded))
                self[word] = array(
                    _ID_TYPECODE, filter(None, map(self._id_of, map(padded.__getitem__, slices)))
                ).tobytes()
            return
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        digits = self._digits("".join([f" {word} " for word in words]))
        ends = np.cumsum(sizes)
        word_of = np.arange(len(words)).repeat(sizes)
        end_of, start_of = ends[word_of], (ends - sizes)[word_of]
        places = np.arange(digits.size)
        lo, hi = self._ngram_range
        codes, starts = [], []
        code, known = np.zeros(digits.size, dtype=np.int64), np.ones(digits.size, dtype=bool)
        for n in range(1, min(hi, digits.size) + 1):
            width = digits.size - n + 1
            code = code[:width] * self._base + digits[n - 1 :]
            known = known[:width] & (digits[n - 1 :] > 0)
            if n >= lo:
                whole = places[:width] + n <= end_of[:width]
            else:  # a word shorter than the shortest n-gram counts once, whole
                whole = (places[:width] == start_of[:width]) & (end_of[:width] - start_of[:width] == n)
            at = (known & whole).nonzero()[0]
            codes.append(code[at] + n * self._length_step)
            starts.append(at)
        found, ids = self._ids_of_codes.find(np.concatenate(codes))
        owners = word_of[np.concatenate(starts)[found]]
        order = np.argsort(owners, kind="stable")  # each word's n-grams together, by n, then start
        data = ids[order].astype(_ID_DTYPE).tobytes()
        bounds = (np.concatenate(([0], np.bincount(owners, minlength=len(words)).cumsum())) * _ID_BYTES).tolist()
        for word, first, last in zip(words, bounds[:-1], bounds[1:], strict=True):
            self[word] = data[first:last]

    def _digits(self, text: str) -> np.ndarray:
        """Each character's place in the alphabet, from 1; 0 for a character no term has."""
        points = _code_points(text)
        return self._digit_of[np.minimum(points, self._digit_of.size - 1, out=points)]

    def _codes(self, digits: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The number of each n-gram of `lengths` characters, the n-grams' digits one after another."""
        firsts = np.cumsum(lengths) - lengths
        codes = np.zeros(lengths.size, dtype=np.int64)
        for k in range(int(lengths.max(initial=0))):
            longer = lengths > k
            codes[longer] = codes[longer] * self._base + digits[firsts[longer] + k]
        return codes + lengths * self._length_step

    def _slices_of(self, size: int) -> list[slice]:
        """The n-grams of a padded word of `size` characters, by n, then start; a word no longer than an n counts
        once, whole, and no longer n is cut."""
        lo, hi = self._ngram_range
        slices = [slice(start, start + n) for n in range(lo, min(hi, size) + 1) for start in range(size - n + 1)]
        if size < lo:
            slices = [slice(0, size)]
        if size <= _SLICED_CHARS:
            self._slices[size] = slices
        return slices


def _code_points(text: str) -> np.ndarray:
    """The code point of each character of `text` (a lone surrogate as itself)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _sublinear(counts: SparseRows) -> SparseRows:
    """Counts as sublinear term frequencies, 1 + log(count): what every table of the index weighs by its IDF."""
    values = np.log(counts.values)
    values += 1.0
    return SparseRows(counts.rows, counts.columns, values, counts.indptr)


@dataclass(slots=True)
class _Indexed:
    """A chunk's sublinear term frequencies in one index, and the rows of weights read for its n-grams: the text
    classifier and the gate read theirs from one array (`LinearText.share_weights`), so the gate reads none again."""

    tf: SparseRows
    weights: np.ndarray | None = None  # the array `found` was read from
    found: np.ndarray | None = None  # its rows for `tf.columns`

    def rows_of(self, weights: np.ndarray) -> np.ndarray:
        if self.found is None or self.weights is not weights:
            self.weights = weights
            self.found = weights.take(self.tf.columns, axis=0)  # (indexing a 2-D array by an array is slower)
        return self.found


def _tfidf_rows(
    table: TfidfTable, tf: SparseRows, found: np.ndarray, at: int, *, columns_needed: bool
) -> tuple[SparseRows, np.ndarray]:
    """(the L2-normalised TF-IDF rows of a chunk, the coefficient of each stored value) from the index's sublinear
    term frequencies and the rows of weights of its n-grams (`found`), the table's IDF and coefficient in columns
    `at` and `at + 1` (`TfidfTable.weights_by_id`). The rows' columns are the table's when `columns_needed`,
    otherwise the index's ids (in the same order)."""
    # (the coefficients contiguous, as the selection below leaves them: BLAS sums strided vectors in another order)
    values, coef, rows, columns = tf.values * found[:, at], found[:, at + 1].copy(), tf.rows, tf.columns
    single = len(tf) == 1
    if not table.has_every_term:
        kept = values == values  # NaN IDF: not a term of this table
        values, coef, columns = values[kept], coef[kept], columns[kept]
        rows = rows[: values.size] if single else rows[kept]  # one text's rows are all 0: any as many will do
    if table.columns is not None and (columns_needed or not table.columns_ascend):
        columns = table.columns[columns]
        if not table.columns_ascend:
            # the index's order is not this table's: sort, as a plain count would be
            order = np.lexsort((columns, rows))
            rows, columns, values, coef = rows[order], columns[order], values[order], coef[order]
    counted = SparseRows.of(rows, columns, values, len(tf))
    # one dot per row, as for a text alone: a different summation order could move the last bit; an empty row's
    # norm is 0, and it is divided by 1
    norms = [math.sqrt(row.dot(row)) or 1.0 for row in map(values.__getitem__, counted.slices())]
    if single:
        values /= norms[0]
    else:
        values /= np.array(norms)[rows]
    return counted, coef


class TfidfTable:
    """A fitted TF-IDF vectorizer as data: term -> column, IDF per column, n-gram range, char or word n-grams."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray, ngram_range: tuple[int, int], char: bool) -> None:
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.char = char
        self._index: TermIndex | None = None  # built when first needed: `share_terms` may give one instead
        self.columns: np.ndarray | None = None  # index id -> this table's column (-1: not a term here); None: same
        self.columns_ascend = True  # whether `columns` keeps the index's order (then counts need no sorting)
        self.has_every_term = True  # whether every n-gram of the index is a term here (no NaN IDF to drop)

    @property
    def index(self) -> TermIndex:
        if self._index is None:
            self._index = TermIndex(self.terms, self.ngram_range, self.char)
        return self._index

    @classmethod
    def from_vectorizer(cls, vectorizer: Any) -> TfidfTable:
        terms = [""] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            terms[column] = term
        return cls(terms, vectorizer.idf_, vectorizer.ngram_range, vectorizer.analyzer == "char_wb")

    def __len__(self) -> int:
        return len(self.terms)

    def rows(self, indexed: SparseRows) -> SparseRows:
        """The L2-normalised sublinear TF-IDF rows of a chunk, from the index's counts of it."""
        tf = _sublinear(indexed)
        found = self.weights_by_id(np.zeros(len(self))).take(tf.columns, axis=0)
        return _tfidf_rows(self, tf, found, 0, columns_needed=True)[0]

    def weights_by_id(self, coef: np.ndarray) -> np.ndarray:
        """Per id of the index: [this table's IDF, `coef` of its column]; NaN where the n-gram is not a term here.
        One row per id, so that an n-gram's weights are one read of memory."""
        weights = np.full((self.index.size, 2), np.nan)
        own = np.arange(len(self)) if self.columns is None else self.columns
        present = (own >= 0).nonzero()[0]
        weights[present, 0] = self.idf[own[present]]
        weights[present, 1] = coef[own[present]]
        return weights

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the L2-normalised sublinear TF-IDF row of `text`."""
        return self.rows(self.index.counts([text])).row(0)


def share_terms(first: TfidfTable, second: TfidfTable) -> None:
    """Let two tables of one stream look n-grams up in one vocabulary: the union of theirs, in sorted order, which
    keeps each table's own order when its terms are sorted (as scikit-learn's are), so neither needs its counts
    sorted again."""
    if first.ngram_range != second.ngram_range or first.char != second.char:
        return
    union = list(dict.fromkeys(sorted(first.terms + second.terms)))  # two sorted runs: merged, not re-sorted
    union_ids = dict(zip(union, count()))
    index = TermIndex(union, first.ngram_range, first.char)
    for table in (first, second):
        table.columns = np.full(len(union), -1, dtype=np.int32)
        own = np.fromiter(map(union_ids.__getitem__, table.terms), dtype=np.int64, count=len(table))
        table.columns[own] = np.arange(len(table), dtype=np.int32)
        table.columns_ascend = bool(np.all(own[1:] > own[:-1]))
        table.has_every_term = len(table) == len(union)
        table._index = index


@dataclass
class LinearText:
    """TF-IDF of the three streams side by side, then a linear score: coef . x + intercept."""

    tables: dict[str, TfidfTable]
    coef: np.ndarray
    intercept: float

    def __post_init__(self) -> None:
        # per stream: `TfidfTable.weights_by_id` (`prepare`) and the column of its IDF (`share_weights` may put
        # another linear text's beside it)
        self._weights: dict[str, tuple[np.ndarray, int]] = {}

    def prepare(self) -> None:
        """Build each stream's weights by n-gram id now (at load; about 9 ms an article model), not for the first
        text: call it again after the tables' vocabulary changes (`share_terms`)."""
        offset = 0
        for stream in STREAMS:
            table = self.tables[stream]
            self._weights[stream] = (table.weights_by_id(self.coef[offset : offset + len(table)]), 0)
            offset += len(table)

    def scores(self, docs: Sequence[Doc], indexed: dict[int, _Indexed]) -> tuple[list[float], SparseRows]:
        """(per document of the chunk: coef . x + intercept, each stream's block added in turn; the word rows).
        `indexed` keeps each index's sublinear term frequencies of the chunk for the next linear text."""
        totals = [self.intercept] * len(docs)
        blocks: dict[str, SparseRows] = {}
        for stream in STREAMS:
            table = self.tables[stream]
            chunk = indexed.get(id(table.index))
            if chunk is None:
                counts = table.index.counts([stream_of(d, stream) for d in docs])
                chunk = indexed[id(table.index)] = _Indexed(_sublinear(counts))
            if stream not in self._weights:
                self.prepare()
            weights, at = self._weights[stream]
            found = chunk.rows_of(weights)
            block, coef = _tfidf_rows(table, chunk.tf, found, at, columns_needed=stream == "word")
            values = block.values
            # one dot per row, in the row's column order: the sum of a text alone
            totals = [
                total + float(values[row].dot(coef[row])) if row.stop > row.start else total
                for total, row in zip(totals, block.slices(), strict=True)
            ]
            blocks[stream] = block
        return totals, blocks["word"]

    def share_weights(self, other: LinearText) -> None:
        """Put this linear text's weights and `other`'s side by side, [IDF, coefficient] of each, for every stream
        whose n-grams both look up in one index (`share_terms`): an n-gram's four numbers are then read from memory
        once for both (for a text that comes alone, one cache miss instead of two)."""
        for stream in STREAMS:
            if self.tables[stream].index is not other.tables[stream].index:
                continue
            (own, _), (theirs, _) = self._weights[stream], other._weights[stream]
            both = np.concatenate([own, theirs], axis=1)
            self._weights[stream], other._weights[stream] = (both, 0), (both, own.shape[1])


@dataclass
class GenreScorer:
    """Everything that scores one genre."""

    text: LinearText
    calibrator: tuple[float, float]  # classifier_risk = sigmoid(a * text score + b)
    style_mean: np.ndarray
    style_scale: np.ndarray
    combiner_coef: np.ndarray  # [text score, style..., rules...]
    combiner_intercept: float
    gate: LinearText | None
    gate_platt: tuple[float, float]  # gate = sigmoid(a * gate score + b)
    threshold: float
    text_threshold: float
    base_rate: float
    n_train: int
    n_news: int
    trained_on: str
    oof_metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.gate is not None:
            for stream in STREAMS:
                share_terms(self.text.tables[stream], self.gate.tables[stream])
            self.gate.prepare()
        self.text.prepare()
        if self.gate is not None:
            self.text.share_weights(self.gate)


@dataclass(frozen=True)
class Scores:
    """A document's scores at the training prior of the claims (`screening.policy` moves them to a deployment)."""

    genre: Genre
    trained_classifier_risk: float  # the text classifier alone, calibrated
    claims_risk: float  # text, style and rules: how hoax-like among hoax-watch texts
    gate: float  # probability that the text belongs to the hoax-watch world at all (1: no gate)
    trained_hoax_risk: float  # claims_risk x gate_discount(gate)
    # what explaining the scores needs, so that it computes nothing again
    word_row: tuple[np.ndarray, np.ndarray] = field(default=(_NO_IDS, _NO_FLOATS), repr=False, compare=False)
    cues: np.ndarray | None = field(default=None, repr=False, compare=False)


class CompiledModel:
    """A fitted model as arrays: scores and explains analysed documents."""

    def __init__(self, genres: dict[str, GenreScorer], rules: RuleEngine, params: dict[str, Any]) -> None:
        self.genres = genres
        self.rules = rules
        self.params = params
        self._stopwords = load_stopwords()
        self._readable_masks: dict[int, np.ndarray] = {}

    @property
    def ruleset_version(self) -> str:
        return self.rules.version

    def base_rate_for(self, genre: Genre) -> float:
        return self.genres[genre].base_rate

    def threshold_for(self, genre: Genre) -> float:
        return self.genres[genre].threshold

    # -- scoring ------------------------------------------------------------------------------------
    def score(self, docs: Sequence[Doc]) -> list[Scores]:
        """The scores of a chunk of documents: each stream's n-grams of the whole chunk are looked up at once, each
        genre's documents weighted together; the arithmetic of each document is that of `score_one`."""
        scores: list[Scores | None] = [None] * len(docs)
        members: dict[int, list[int]] = {}
        for i, doc in enumerate(docs):
            members.setdefault(id(self.genres[doc.genre]), []).append(i)
        for positions in members.values():
            chunk = [docs[i] for i in positions]
            for i, one in zip(positions, self._score_genre(self.genres[chunk[0].genre], chunk), strict=True):
                scores[i] = one
        return [s for s in scores if s is not None]

    def score_one(self, doc: Doc) -> Scores:
        return self.score([doc])[0]

    def _score_genre(self, gs: GenreScorer, docs: list[Doc]) -> list[Scores]:
        indexed: dict[int, _Indexed] = {}  # the gate reads the n-gram counts the text classifier's tables made
        text_scores, word_rows = gs.text.scores(docs, indexed)
        gates = [1.0] * len(docs)
        if gs.gate is not None:
            ga, gb = gs.gate_platt
            gates = [_sigmoid(ga * score + gb) for score in gs.gate.scores(docs, indexed)[0]]
        styles = (np.asarray([d.style for d in docs], dtype=np.float64) - gs.style_mean) / gs.style_scale
        rule_features = np.asarray([self.rules.features(d.rules) for d in docs], dtype=np.float64)
        cue_rows = np.concatenate([styles, rule_features], axis=1)
        a, b = gs.calibrator
        cue_coef = gs.combiner_coef[1:]
        text_coef = float(gs.combiner_coef[0])
        word_columns, word_values = word_rows.columns, word_rows.values
        out = []
        for doc, text_score, gate, cues, row in zip(
            docs, text_scores, gates, cue_rows, word_rows.slices(), strict=True
        ):
            z = gs.combiner_intercept + text_coef * text_score + float(cues.dot(cue_coef))  # a dot per text, as alone
            claims_risk = _sigmoid(z)
            out.append(
                Scores(
                    doc.genre,
                    _sigmoid(a * text_score + b),
                    claims_risk,
                    gate,
                    claims_risk * min(1.0, gate / GATE_NEUTRAL),  # `gate_discount` of one gate, without numpy
                    (word_columns[row], word_values[row]),
                    cues,
                )
            )
        return out

    # -- explanation --------------------------------------------------------------------------------
    def explain(self, doc: Doc, scores: Scores, *, top_k: int = 8) -> list[TermContribution]:
        """Word n-grams, rules and the ordinary-news gate that moved this text's risk most, in log-odds of the
        combiner (positive: towards hoax). Stopwords, placeholders and masked words are never evidence."""
        gs = self.genres[doc.genre]
        contributions: dict[str, float] = {}
        cols, values = scores.word_row  # readable terms
        words = gs.text.tables["word"].terms
        keep = self._readable(gs)[cols]
        cols, values = cols[keep], values[keep]
        if cols.size:
            shares = values * gs.text.coef[cols] * float(gs.combiner_coef[0])
            if cols.size > top_k:
                # only terms as large as the top_k-th can rank (ties kept, in column order, as the sort keeps them)
                sizes = np.abs(shares)
                large = sizes >= np.partition(sizes, cols.size - top_k)[cols.size - top_k]
                cols, shares = cols[large], shares[large]
            contributions.update(zip([words[j] for j in cols.tolist()], shares.tolist(), strict=True))
        if scores.cues is not None:
            n_style = len(STYLE_FEATURES)
            for name, value, coef in zip(
                self.rules.feature_names(), scores.cues[n_style:], gs.combiner_coef[1 + n_style :], strict=True
            ):
                if value:
                    contributions[name] = float(value * coef)
        discount = float(gate_discount(scores.gate))
        if discount < 1.0:
            contributions[GATE_TERM] = math.log(max(discount, 1e-12))
        ranked = sorted(contributions.items(), key=lambda kv: abs(kv[1]), reverse=True)[:top_k]
        return [TermContribution(term=k, contribution=round(v, 4)) for k, v in ranked if abs(v) > 1e-6]

    def _readable(self, gs: GenreScorer) -> np.ndarray:
        """Per column of the genre's word block: whether its term may be shown as evidence (computed once)."""
        mask = self._readable_masks.get(id(gs))
        if mask is None:
            mask = np.fromiter((self._shown(t) for t in gs.text.tables["word"].terms), dtype=bool)
            self._readable_masks[id(gs)] = mask
        return mask

    def _shown(self, term: str) -> bool:
        parts = term.split()
        if any(p in PLACEHOLDERS or not any(c.isalpha() for c in p) for p in parts):
            return False
        return not all(p in self._stopwords for p in parts)

    # -- persistence: arrays and JSON only ------------------------------------------------------------
    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(named arrays, JSON-able description) that `from_arrays` turns back into this model."""
        arrays: dict[str, np.ndarray] = {}
        genres: dict[str, Any] = {}
        for genre, gs in self.genres.items():
            key = genre
            meta: dict[str, Any] = {
                "calibrator": list(gs.calibrator),
                "combiner_intercept": gs.combiner_intercept,
                "gate_platt": list(gs.gate_platt),
                "threshold": gs.threshold,
                "text_threshold": gs.text_threshold,
                "base_rate": gs.base_rate,
                "n_train": gs.n_train,
                "n_news": gs.n_news,
                "trained_on": gs.trained_on,
                "oof_metrics": gs.oof_metrics,
                "text": _linear_to_arrays(gs.text, f"{key}.text", arrays),
                "gate": _linear_to_arrays(gs.gate, f"{key}.gate", arrays) if gs.gate is not None else None,
            }
            arrays[f"{key}.style_mean"] = gs.style_mean
            arrays[f"{key}.style_scale"] = gs.style_scale
            arrays[f"{key}.combiner_coef"] = gs.combiner_coef
            genres[genre] = meta
        return arrays, {"genres": genres, "params": self.params, "rules": self.rules.source}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], description: dict[str, Any]) -> CompiledModel:
        try:
            rules = RuleEngine.from_dict(description["rules"])
            genres: dict[str, GenreScorer] = {}
            for genre in GENRES:
                meta = description["genres"][genre]
                genres[genre] = GenreScorer(
                    text=_linear_from_arrays(meta["text"], arrays),
                    calibrator=(float(meta["calibrator"][0]), float(meta["calibrator"][1])),
                    style_mean=np.asarray(arrays[f"{genre}.style_mean"], dtype=np.float64),
                    style_scale=np.asarray(arrays[f"{genre}.style_scale"], dtype=np.float64),
                    combiner_coef=np.asarray(arrays[f"{genre}.combiner_coef"], dtype=np.float64),
                    combiner_intercept=float(meta["combiner_intercept"]),
                    gate=_linear_from_arrays(meta["gate"], arrays) if meta["gate"] is not None else None,
                    gate_platt=(float(meta["gate_platt"][0]), float(meta["gate_platt"][1])),
                    threshold=float(meta["threshold"]),
                    text_threshold=float(meta["text_threshold"]),
                    base_rate=float(meta["base_rate"]),
                    n_train=int(meta["n_train"]),
                    n_news=int(meta["n_news"]),
                    trained_on=str(meta["trained_on"]),
                    oof_metrics=dict(meta["oof_metrics"]),
                )
            return cls(genres, rules, dict(description["params"]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelArtifactError(f"larik model tidak menggambarkan model: {type(exc).__name__}: {exc}") from exc

    def describe(self) -> dict[str, Any]:
        return {
            genre: {
                "trained_on": gs.trained_on,
                "n_train": gs.n_train,
                "n_news": gs.n_news,
                "threshold": round(gs.threshold, 4),
                "base_rate": round(gs.base_rate, 4),
                "oof_metrics": gs.oof_metrics,
            }
            for genre, gs in self.genres.items()
        }


def _linear_to_arrays(linear: LinearText, key: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for stream, table in linear.tables.items():
        arrays[f"{key}.{stream}.terms"] = np.asarray(table.terms, dtype=np.str_)
        arrays[f"{key}.{stream}.idf"] = table.idf
        tables[stream] = {"ngram_range": list(table.ngram_range), "char": table.char}
    arrays[f"{key}.coef"] = linear.coef
    return {"key": key, "tables": tables, "intercept": linear.intercept}


def _linear_from_arrays(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> LinearText:
    key = meta["key"]
    tables = {
        stream: TfidfTable(
            [str(t) for t in arrays[f"{key}.{stream}.terms"].tolist()],
            arrays[f"{key}.{stream}.idf"],
            (int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
            bool(spec["char"]),
        )
        for stream, spec in meta["tables"].items()
    }
    if [s for s in tables] != list(STREAMS):
        raise ValueError(f"{key}: streams {list(tables)} are not {list(STREAMS)}")
    coef = np.asarray(arrays[f"{key}.coef"], dtype=np.float64)
    if len(coef) != sum(len(t) for t in tables.values()):
        raise ValueError(f"{key}: {len(coef)} coefficients for {sum(len(t) for t in tables.values())} features")
    return LinearText(tables, coef, float(meta["intercept"]))


# -- compiling and checking --------------------------------------------------------------------------------


def _linear(lexical: Any, classifier: Any) -> LinearText:
    tables = {s: TfidfTable.from_vectorizer(lexical.vectorizers_[s]) for s in STREAMS}
    return LinearText(tables, np.asarray(classifier.coef_, dtype=np.float64).ravel(), float(classifier.intercept_[0]))


def compile_model(model: HoaxModel) -> CompiledModel:
    """The arrays of a fitted model (genres served by one pooled model get the same scorer)."""
    compiled: dict[int, GenreScorer] = {}
    genres: dict[str, GenreScorer] = {}
    for genre in GENRES:
        gm = model.genre_models_[genre]
        if id(gm) not in compiled:
            compiled[id(gm)] = GenreScorer(
                text=_linear(gm.lexical, gm.text_classifier),
                calibrator=(float(gm.text_calibrator.coef_[0, 0]), float(gm.text_calibrator.intercept_[0])),
                style_mean=np.asarray(gm.cue_scaler.mean_, dtype=np.float64),
                style_scale=np.asarray(gm.cue_scaler.scale_, dtype=np.float64),
                combiner_coef=np.asarray(gm.combiner.coef_, dtype=np.float64).ravel(),
                combiner_intercept=float(gm.combiner.intercept_[0]),
                gate=_linear(gm.gate.lexical, gm.gate.classifier) if gm.gate is not None else None,
                gate_platt=(gm.gate.slope, gm.gate.intercept) if gm.gate is not None else (0.0, 0.0),
                threshold=gm.threshold,
                text_threshold=gm.text_threshold,
                base_rate=gm.base_rate,
                n_train=gm.n_train,
                n_news=gm.gate.n_news if gm.gate is not None else 0,
                trained_on=gm.trained_on,
                oof_metrics=gm.oof_metrics,
            )
        genres[genre] = compiled[id(gm)]
    return CompiledModel(genres, model.rules_, model.get_params())


def score_matrix(model: CompiledModel, docs: Sequence[Doc]) -> np.ndarray:
    """Per document: [classifier_risk, claims_risk, gate, hoax_risk], as `HoaxModel.reference_scores` gives."""
    return np.asarray(
        [[s.trained_classifier_risk, s.claims_risk, s.gate, s.trained_hoax_risk] for s in model.score(docs)],
        dtype=np.float64,
    ).reshape(len(docs), 4)


def check_parity(model: HoaxModel, compiled: CompiledModel, docs: Sequence[Doc], *, tolerance: float = 1e-9) -> float:
    """The largest difference between the compiled scorer and the estimators on `docs`; raises if over `tolerance`."""
    if not docs:
        return 0.0
    difference = float(np.max(np.abs(score_matrix(compiled, docs) - model.reference_scores(docs))))
    if not difference <= tolerance:
        raise ModelArtifactError(f"penskor terkompilasi berbeda dari estimator yang dilatih sebesar {difference:.3g}")
    return difference
