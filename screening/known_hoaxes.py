"""Near-duplicate search against known, already debunked hoaxes.

Claims circulate again and again with small edits (a word dropped, a town swapped, slang spelled another
way), so a submission is compared with every known hoax by cosine similarity of TF-IDF vectors over
normalised words and word pairs (pairs keep word order, which separates a reworded claim from a text
that merely shares its topic). The vectors sit in a sparse term-by-document index: a query only touches
the postings of its own terms, which keeps a lookup in milliseconds at 100,000 entries (see
``bench/bench_known_hoaxes.py``). The index is a plain picklable object, so it can be stored beside a model.

IDF weights are fixed when the index is built; entries added later with `add` reuse them (a term never
seen before gets the weight of a term seen once). Rebuild with `KnownHoaxIndex(entries)` after large additions.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import repeat
from typing import Any

import numpy as np
import scipy.sparse as sp

from screening.data import LabelledText
from screening.errors import InvalidInputError, ModelArtifactError
from screening.resources import load_stopwords
from screening.result import SimilarHoax
from screening.scorer import CodeTable, SparseRows
from screening.text import PLACEHOLDERS, NormalisedText, normalise

DEFAULT_MIN_SIMILARITY = 0.35
SIMILARITY_BLOCK = 1 << 22  # queries x entries summed at once by `search_many` (32 MB of float64)


@dataclass(frozen=True, slots=True)
class KnownHoax:
    """A hoax whose verdict is known: its id, a title, the circulated text, where it was clarified (never the
    hoax's own page), where the hoax itself was published, and who judged it."""

    hoax_id: str
    title: str
    text: str
    debunk_url: str | None = None
    hoax_url: str | None = None
    verdict_source: str = ""


def _words(doc: NormalisedText) -> list[str]:
    """The words of a normalised text that terms are made of (no punctuation, no placeholders)."""
    return [t for t in doc.text.split() if t.isalnum() and t not in PLACEHOLDERS]


def _is_content_word(word: str, stopwords: frozenset[str]) -> bool:
    return len(word) > 1 and word not in stopwords


def hoax_terms(doc: NormalisedText) -> Counter[str]:
    """Term counts of a normalised text: content words (no stopwords) and adjacent word pairs, in this order (the
    order of first occurrence: `KnownHoaxIndex.search_many` keeps it, since it orders the sums of a query)."""
    words = _words(doc)
    stopwords = load_stopwords()
    terms: Counter[str] = Counter(w for w in words if _is_content_word(w, stopwords))
    terms.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return terms


def _grown(values: np.ndarray, size: int) -> np.ndarray:
    """`values` followed by zeros up to `size`."""
    return np.concatenate([values, np.zeros(size - values.size, dtype=values.dtype)])


class _Numbers(dict[str, int]):
    """token -> its number, in order of first use: a plain dict whose misses alone call Python (`__missing__`), so
    the known tokens of a chunk are numbered in C; the new ones wait in `new` to be described."""

    def __init__(self) -> None:
        super().__init__()
        self.new: list[str] = []

    def __missing__(self, token: str) -> int:
        number = self[token] = len(self)
        self.new.append(token)
        return number


class _QueryTerms:
    """What the tokens of queries are in one vocabulary, each token looked up once for all queries: its number (in
    order of first use), whether it is a word terms are made of and a content word, its column as a term and its id
    among the words of the vocabulary's pairs. The pairs are numbers too (first word's id * pair words + second's),
    kept with their columns, so a query's pairs are found at once (`CodeTable`) instead of one joined string each.
    It also holds the weights of term counts: sublinear TF, and the square of an unseen term's TF-IDF."""

    MAX_WORDS = 1_000_000  # social-media vocabulary has no end: numbering starts again rather than grow
    COUNTS = 64  # term counts whose weights are tabled (a count above looks its weight up alone)

    def __init__(self, vocabulary: dict[str, int], unseen_idf: float) -> None:
        self.vocabulary = vocabulary
        self.pair_word_ids: dict[str, int] = {}
        pairs = [(term.split(" "), column) for term, column in vocabulary.items() if " " in term]
        for (first, second), _ in pairs:
            self.pair_word_ids.setdefault(first, len(self.pair_word_ids))
            self.pair_word_ids.setdefault(second, len(self.pair_word_ids))
        n = len(self.pair_word_ids)
        ids = self.pair_word_ids
        codes = np.fromiter((ids[a] * n + ids[b] for (a, b), _ in pairs), dtype=np.int64, count=len(pairs))
        self.pair_columns = CodeTable(codes, np.fromiter((c for _, c in pairs), dtype=np.int64, count=len(pairs)))
        self.numbers = _Numbers()
        self.is_word = np.zeros(1024, dtype=bool)
        self.content = np.zeros(1024, dtype=bool)
        self.columns = np.zeros(1024, dtype=np.int64)
        self.pair_words = np.zeros(1024, dtype=np.int64)
        self.unseen_idf = unseen_idf
        self.tf, self.unseen_squares = self._count_weights(range(self.COUNTS))

    def number(self, tokens: list[str]) -> np.ndarray:
        """The numbers of `tokens`, new tokens numbered."""
        numbers = np.fromiter(map(self.numbers.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        if self.numbers.new:
            self._describe(self.numbers.new)
            self.numbers.new.clear()
        return numbers

    def restart_if_full(self) -> None:
        """Start the numbering again once it holds `MAX_WORDS` tokens (between chunks: numbers stay valid within)."""
        if len(self.numbers) >= self.MAX_WORDS:
            self.numbers.clear()

    def _describe(self, new: list[str]) -> None:
        """Fill in what the tokens just numbered (the last `len(new)` numbers) are."""
        if len(self.numbers) > self.content.size:
            size = 1 << (len(self.numbers) - 1).bit_length()  # doubled as often as it takes
            self.is_word, self.content = _grown(self.is_word, size), _grown(self.content, size)
            self.columns, self.pair_words = _grown(self.columns, size), _grown(self.pair_words, size)
        at = slice(len(self.numbers) - len(new), len(self.numbers))
        stopwords = load_stopwords()
        self.is_word[at] = [token.isalnum() and token not in PLACEHOLDERS for token in new]  # as `_words` keeps it
        self.content[at] = [_is_content_word(token, stopwords) for token in new]
        self.columns[at] = list(map(self.vocabulary.get, new, repeat(-1)))
        self.pair_words[at] = list(map(self.pair_word_ids.get, new, repeat(-1)))

    def pair_columns_of(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The column of each pair of word numbers (-1: a word or the pair is not in the vocabulary)."""
        first, second = self.pair_words[first], self.pair_words[second]
        columns = np.full(first.shape, -1, dtype=np.int64)
        both = ((first >= 0) & (second >= 0)).nonzero()[0]  # only pairs of two pair words can be in it
        positions, found = self.pair_columns.find(first[both] * len(self.pair_word_ids) + second[both])
        columns[both[positions]] = found
        return columns

    def _count_weights(self, counts: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """(sublinear TF, the square of an unseen term's TF-IDF) of each count, as Python floats compute them (a
        count of 0 weighs nothing)."""
        tf = [1.0 + math.log(c) if c else 0.0 for c in counts]
        return np.asarray(tf), np.asarray([(w * self.unseen_idf) ** 2 for w in tf])

    def weights(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`_count_weights` of term counts (an array of them)."""
        if not counts.size or counts.max() < self.COUNTS:
            return self.tf[counts], self.unseen_squares[counts]
        distinct, each = np.unique(counts, return_inverse=True)
        tf, unseen_squares = self._count_weights(distinct.tolist())
        return tf[each], unseen_squares[each]


class KnownHoaxIndex:
    """Known hoaxes with a sparse TF-IDF index; `search` returns the most similar ones as `SimilarHoax`."""

    def __init__(self, entries: Iterable[KnownHoax] = ()) -> None:
        self.entries_: list[KnownHoax] = []
        self._ids: dict[str, int] = {}
        self.vocabulary_: dict[str, int] = {}
        self.idf_: np.ndarray = np.zeros(0, dtype=np.float32)
        self._n_fitted = 0
        self._rows: list[sp.csr_matrix] = []
        self._matrix: sp.csc_matrix | None = None
        self._terms: _QueryTerms | None = None  # of the current vocabulary, made when a search first needs them
        # held while a search numbers its tokens and reads what they are: a service searches in several threads,
        # and a token one thread numbers is described by that thread afterwards
        self._terms_lock = threading.Lock()
        self._build(list(entries))

    # -- building ---------------------------------------------------------------------------------------------

    @classmethod
    def from_training_data(cls, rows: Iterable[LabelledText], *, id_prefix: str = "hoax") -> KnownHoaxIndex:
        """Index the hoax rows of labelled data.

        A row's `source_url` is where its text was published, so for a hoax it is the hoax's own page: it becomes
        `hoax_url`, never `debunk_url`. Ids are derived from the normalised text, so they stay stable when a file
        is re-ordered, and rows whose normalised text repeats are indexed once.
        """
        entries: list[KnownHoax] = []
        seen: set[str] = set()
        for row in rows:
            if row.label != "hoax":
                continue
            text, title = row.text.strip(), row.title.strip()
            if not text and not title:
                continue
            digest = hashlib.sha1(normalise(text or title).text.encode("utf-8")).hexdigest()[:12]
            if digest in seen:
                continue
            seen.add(digest)
            entries.append(
                KnownHoax(
                    f"{id_prefix}-{digest}",
                    title or text[:80],
                    text or title,
                    debunk_url=None,
                    hoax_url=row.source_url or None,
                    verdict_source=row.verdict_source,
                )
            )
        return cls(entries)

    def _vector(self, terms: Counter[str]) -> sp.csr_matrix:
        """The L2-normalised TF-IDF row of a new entry as wide as the vocabulary, its unseen terms added to it."""
        unseen_idf = self._unseen_idf()
        cols: list[int] = []
        vals: list[float] = []
        new_idf: list[float] = []
        for term, count in terms.items():
            col = self.vocabulary_.get(term)
            if col is None:
                col = len(self.vocabulary_)
                self.vocabulary_[term] = col
                new_idf.append(unseen_idf)
            cols.append(col)
            vals.append(1.0 + math.log(count))
        if new_idf:
            self.idf_ = np.concatenate([self.idf_, np.asarray(new_idf, dtype=np.float32)])
            self._terms = None
        columns = np.asarray(cols, dtype=np.int32)
        values = np.asarray(vals, dtype=np.float32) * self.idf_[columns] if cols else np.zeros(0, dtype=np.float32)
        norm = math.sqrt(float(values @ values))
        if norm == 0.0:
            columns, values = columns[:0], values[:0]
        else:
            values = values / np.float32(norm)
        return sp.csr_matrix(
            (values, columns, np.array([0, len(columns)], dtype=np.int32)), shape=(1, len(self.vocabulary_))
        )

    def _build(self, entries: list[KnownHoax]) -> None:
        """Fit vocabulary and IDF on `entries` and index them all at once (vectorised)."""
        for entry in entries:
            self._check_new(entry)
        term_counts = [hoax_terms(normalise(e.text or e.title)) for e in entries]
        df: Counter[str] = Counter()
        for counts in term_counts:
            df.update(counts.keys())
        self.vocabulary_ = {term: i for i, term in enumerate(sorted(df))}
        n = len(entries)
        self._n_fitted = n
        dfs = np.fromiter((df[t] for t in sorted(df)), dtype=np.float64, count=len(df))
        self.idf_ = (np.log((1 + n) / (1 + dfs)) + 1).astype(np.float32)
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for counts in term_counts:
            indices.extend(self.vocabulary_[t] for t in counts)
            data.extend(1.0 + math.log(c) for c in counts.values())
            indptr.append(len(indices))
        matrix = sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(n, len(self.vocabulary_)),
        )
        matrix = sp.csr_matrix(matrix.multiply(self.idf_[np.newaxis, :]), dtype=np.float32)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix = sp.csr_matrix(sp.diags((1 / norms).astype(np.float32)) @ matrix, dtype=np.float32)
        self.entries_ = []
        self._ids = {}
        for entry in entries:
            self._ids[entry.hoax_id] = len(self.entries_)
            self.entries_.append(entry)
        self._rows = [matrix] if n else []
        self._matrix = None
        self._terms = None

    def _check_new(self, entry: KnownHoax) -> None:
        if not isinstance(entry, KnownHoax):
            raise InvalidInputError(f"expected a KnownHoax, got {type(entry).__name__}")
        if not entry.hoax_id:
            raise InvalidInputError("a known hoax needs a non-empty hoax_id")
        if entry.hoax_id in self._ids:
            raise InvalidInputError(f"known hoax id {entry.hoax_id!r} is already in the index")

    def add(self, entry: KnownHoax) -> None:
        """Add one entry (e.g. a hoax an editor has just debunked); raises on a duplicate id."""
        self._check_new(entry)
        self._rows.append(self._vector(hoax_terms(normalise(entry.text or entry.title))))
        self._ids[entry.hoax_id] = len(self.entries_)
        self.entries_.append(entry)
        self._matrix = None

    def __len__(self) -> int:
        return len(self.entries_)

    def _doc_matrix(self) -> sp.csc_matrix:
        if self._matrix is None:
            width = len(self.vocabulary_)
            rows = []
            for block in self._rows:
                if block.shape[1] != width:
                    block = block.copy()
                    block.resize((block.shape[0], width))
                rows.append(block)
            # one block again, so later additions stack onto a single matrix
            stacked = sp.vstack(rows, format="csr") if rows else sp.csr_matrix((0, width), dtype=np.float32)
            self._rows = [sp.csr_matrix(stacked)]
            self._matrix = stacked.tocsc()
        return self._matrix

    # -- searching --------------------------------------------------------------------------------------------

    def search(
        self, doc: NormalisedText, k: int = 3, min_similarity: float = DEFAULT_MIN_SIMILARITY
    ) -> list[SimilarHoax]:
        """The up to `k` known hoaxes most similar to the normalised text `doc` (cosine >= `min_similarity`)."""
        return self.search_many([doc], k=k, min_similarity=min_similarity)[0]

    def search_many(
        self, docs: Sequence[NormalisedText], k: int = 3, min_similarity: float = DEFAULT_MIN_SIMILARITY
    ) -> list[list[SimilarHoax]]:
        """`search` for each of a chunk of texts: their terms looked up together, their similarities summed
        together, each exactly as for the text alone."""
        found: list[list[SimilarHoax]] = [[] for _ in docs]
        if k <= 0 or not self.entries_ or not docs:
            return found
        queries = self._queries(docs)
        n = len(self.entries_)
        # a bounded block of queries at a time: its similarities are a dense queries x entries array
        block = max(1, SIMILARITY_BLOCK // n)
        has_terms = (queries.indptr[1:] > queries.indptr[:-1]).tolist()
        for first in range(0, len(docs), block):
            rows = range(first, min(first + block, len(docs)))
            scores = self._similarities(queries, rows)
            # the entries at or above the threshold, for the whole block at once: most texts have none or a few
            hits = np.flatnonzero(scores >= min_similarity)
            bounds = [0, hits.size] if len(rows) == 1 else (hits // n).searchsorted(np.arange(len(rows) + 1)).tolist()
            for r, q in enumerate(rows):
                if bounds[r + 1] > bounds[r] and has_terms[q]:
                    found[q] = self._top(scores[r], hits[bounds[r] : bounds[r + 1]] - r * n, k)
        return found

    def _queries(self, docs: Sequence[NormalisedText]) -> SparseRows:
        """The L2-normalised TF-IDF rows of a chunk of texts, each row's columns in the order of its terms
        (`hoax_terms`), as the sums over them must run; a term the index lacks counts against the norm only."""
        with self._terms_lock:
            return self._queries_locked(docs)

    def _queries_locked(self, docs: Sequence[NormalisedText]) -> SparseRows:
        if self._terms is None:
            self._terms = _QueryTerms(self.vocabulary_, self._unseen_idf())
        terms = self._terms
        terms.restart_if_full()
        sizes: list[int] = []
        tokens: list[str] = []
        for doc in docs:
            split = doc.text.split()
            sizes.append(len(split))
            tokens += split
        numbers = terms.number(tokens)
        n_words = len(terms.numbers)
        is_word = terms.is_word[numbers]  # the words of `_words`, numbered with the other tokens
        numbers = numbers[is_word]

        # every term occurrence as (text, code) with its column: a content word's code is its number, a pair's
        # follows them all; ordered by text, then words before pairs, then position, as `hoax_terms` counts them
        is_content = terms.content[numbers]
        words = numbers[is_content]
        if len(docs) == 1:  # every two adjacent words are a pair, in order already
            first, second = numbers[:-1], numbers[1:]
        else:
            text_of = np.arange(len(docs), dtype=np.int64).repeat(sizes)[is_word]
            pair_starts = (text_of[1:] == text_of[:-1]).nonzero()[0]
            first, second = numbers[pair_starts], numbers[pair_starts + 1]
        codes = np.concatenate([words, n_words + first * n_words + second])
        columns = np.concatenate([terms.columns[words], terms.pair_columns_of(first, second)])
        keys = codes
        if len(docs) > 1:
            texts = np.concatenate([text_of[is_content], text_of[pair_starts]])
            in_order = np.argsort(texts, kind="stable")
            texts, columns = texts[in_order], columns[in_order]
            keys = texts * (n_words + n_words * n_words) + codes[in_order]
        # the distinct keys with their counts, in order of first appearance (a stable sort keeps the first first)
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        new = np.empty(keys.size, dtype=bool)
        new[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
        starts = new.nonzero()[0]
        # each distinct key's count put at its first occurrence: read in order, they are in order of appearance
        count_at = np.zeros(keys.size, dtype=np.int64)
        count_at[order[starts]] = np.concatenate((starts[1:], [keys.size])) - starts
        firsts = count_at.nonzero()[0]
        rows = texts[firsts] if len(docs) > 1 else np.zeros(firsts.size, dtype=np.int64)
        return self._weighted(terms, rows, columns[firsts], count_at[firsts], len(docs))

    def _unseen_idf(self) -> float:
        """The IDF of a term the index has not seen: that of a term seen once when the index was fitted."""
        return math.log((1 + max(self._n_fitted, 1)) / 2) + 1

    def _weighted(
        self, terms: _QueryTerms, rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, n_rows: int
    ) -> SparseRows:
        """Sublinear TF-IDF of the counted terms, each row L2-normalised with its unseen terms in the norm."""
        tf, unseen_squares = terms.weights(counts)
        seen = columns >= 0
        values = tf[seen].astype(np.float32) * self.idf_[columns[seen]]
        unseen_squares = unseen_squares[~seen]
        bounds = rows.searchsorted(np.arange(n_rows + 1))
        value_bounds = np.concatenate(([0], seen.cumsum()))[bounds].tolist()
        unseen_bounds = (bounds - value_bounds).tolist()
        norms: list[float] = []
        empty: list[int] = []
        for r in range(n_rows):
            row = values[value_bounds[r] : value_bounds[r + 1]]
            unseen = 0.0
            if unseen_bounds[r + 1] > unseen_bounds[r]:
                # the unseen terms' squares summed one after another in the order of the terms, as for a text alone
                unseen = float(unseen_squares[unseen_bounds[r] : unseen_bounds[r + 1]].cumsum()[-1])
            norm = math.sqrt(float(row @ row) + unseen)
            if norm == 0.0 or not row.size:
                empty.append(r)
                norm = 1.0
            norms.append(norm)
        kept_rows = rows[seen]
        values = values / np.asarray(norms, dtype=np.float32)[kept_rows]
        columns = columns[seen]
        if empty:
            kept = ~np.isin(kept_rows, empty)
            kept_rows, columns, values = kept_rows[kept], columns[kept], values[kept]
        return SparseRows.of(kept_rows, columns, values, n_rows)

    def _similarities(self, queries: SparseRows, block: range) -> np.ndarray:
        """Cosine of each query of the block with every entry: the postings of the query's terms, summed per entry
        in the order of the query's terms (numpy on the index's arrays; slicing the sparse matrix costs more)."""
        matrix = self._doc_matrix()
        n = len(self.entries_)
        start, end = int(queries.indptr[block.start]), int(queries.indptr[block.stop])
        cols = queries.columns[start:end]
        starts = matrix.indptr[cols]
        lengths = matrix.indptr[cols + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros((len(block), n))
        # position of every posting of the queries' terms in the index's arrays
        firsts = np.cumsum(lengths) - lengths
        positions = np.arange(total) + np.repeat(starts - firsts, lengths)
        weights = matrix.data[positions] * np.repeat(queries.values[start:end], lengths)
        bins = matrix.indices[positions]
        if len(block) > 1:  # each query's sums in its own row
            bins = bins + np.repeat((queries.rows[start:end] - block.start) * n, lengths)
        return np.bincount(bins, weights=weights, minlength=len(block) * n).reshape(len(block), n)

    def _top(self, scores: np.ndarray, candidates: np.ndarray, k: int) -> list[SimilarHoax]:
        """The up to `k` entries of highest `scores` among the `candidates` (increasing), best first, ties by entry."""
        if candidates.size > k:
            top = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[top]
        order = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), i))
        return [self._similar(self.entries_[i], float(scores[i])) for i in order]

    @staticmethod
    def _similar(entry: KnownHoax, score: float) -> SimilarHoax:
        return SimilarHoax(
            hoax_id=entry.hoax_id,
            title=entry.title,
            similarity=round(min(score, 1.0), 4),
            debunk_url=entry.debunk_url,
            hoax_url=entry.hoax_url,
            verdict_source=entry.verdict_source,
        )

    # -- persistence: arrays and JSON only ----------------------------------------------------------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(named arrays, JSON-able entries) that `from_arrays` turns back into this index."""
        matrix = sp.csr_matrix(self._doc_matrix())
        terms = [""] * len(self.vocabulary_)
        for term, column in self.vocabulary_.items():
            terms[column] = term
        arrays = {
            "terms": np.asarray(terms, dtype=np.str_),
            "idf": np.asarray(self.idf_, dtype=np.float32),
            "data": matrix.data.astype(np.float32),
            "indices": matrix.indices.astype(np.int64),
            "indptr": matrix.indptr.astype(np.int64),
        }
        return arrays, {"n_fitted": self._n_fitted, "entries": [asdict(e) for e in self.entries_]}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], description: dict[str, Any]) -> KnownHoaxIndex:
        try:
            index = cls()
            entries = [KnownHoax(**e) for e in description["entries"]]
            terms = [str(t) for t in arrays["terms"].tolist()]
            index.vocabulary_ = {t: i for i, t in enumerate(terms)}
            index.idf_ = np.asarray(arrays["idf"], dtype=np.float32)
            index._n_fitted = int(description["n_fitted"])
            matrix = sp.csr_matrix(
                (arrays["data"].astype(np.float32), arrays["indices"], arrays["indptr"]),
                shape=(len(entries), len(terms)),
            )
            for entry in entries:
                index._check_new(entry)
                index._ids[entry.hoax_id] = len(index.entries_)
                index.entries_.append(entry)
            index._rows = [matrix] if entries else []
            return index
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelArtifactError(
                f"larik hoaks dikenal tidak menggambarkan indeks: {type(exc).__name__}: {exc}"
            ) from exc
