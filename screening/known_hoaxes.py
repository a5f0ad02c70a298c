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
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from screening.data import LabelledText
from screening.errors import InvalidInputError, ModelArtifactError
from screening.resources import load_stopwords
from screening.result import SimilarHoax
from screening.text import PLACEHOLDERS, NormalisedText, normalise

DEFAULT_MIN_SIMILARITY = 0.35


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


def hoax_terms(doc: NormalisedText) -> Counter[str]:
    """Term counts of a normalised text: content words (no stopwords) and adjacent word pairs."""
    words = [t for t in doc.text.split() if t.isalnum() and t not in PLACEHOLDERS]
    stopwords = load_stopwords()
    terms: Counter[str] = Counter(w for w in words if len(w) > 1 and w not in stopwords)
    terms.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return terms


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

    def _weights(self, terms: Counter[str], *, grow: bool) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of one L2-normalised TF-IDF row; with ``grow`` unseen terms join the vocabulary."""
        unseen_idf = math.log((1 + max(self._n_fitted, 1)) / 2) + 1
        cols: list[int] = []
        vals: list[float] = []
        norm_extra = 0.0
        new_idf: list[float] = []
        for term, count in terms.items():
            weight = 1.0 + math.log(count)
            col = self.vocabulary_.get(term)
            if col is None:
                if not grow:
                    norm_extra += (weight * unseen_idf) ** 2  # counts against similarity, matches nothing
                    continue
                col = len(self.vocabulary_)
                self.vocabulary_[term] = col
                new_idf.append(unseen_idf)
            cols.append(col)
            vals.append(weight)
        if new_idf:
            self.idf_ = np.concatenate([self.idf_, np.asarray(new_idf, dtype=np.float32)])
        columns = np.asarray(cols, dtype=np.int64)
        values = np.asarray(vals, dtype=np.float32) * self.idf_[columns] if cols else np.zeros(0, dtype=np.float32)
        norm = math.sqrt(float(values @ values) + norm_extra)
        if norm == 0.0:
            return columns[:0], values[:0]
        return columns, values / np.float32(norm)

    def _vector(self, terms: Counter[str], *, grow: bool) -> sp.csr_matrix:
        """`_weights` as a one-row sparse matrix as wide as the vocabulary."""
        cols, values = self._weights(terms, grow=grow)
        return sp.csr_matrix(
            (values, cols.astype(np.int32), np.array([0, len(cols)], dtype=np.int32)),
            shape=(1, len(self.vocabulary_)),
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
        self._rows.append(self._vector(hoax_terms(normalise(entry.text or entry.title)), grow=True))
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
        if k <= 0 or not self.entries_ or not doc.text:
            return []
        cols, values = self._weights(hoax_terms(doc), grow=False)
        if cols.size == 0:
            return []
        scores = self._similarities(cols, values)
        candidates = np.flatnonzero(scores >= min_similarity)
        if candidates.size == 0:
            return []
        if candidates.size > k:
            top = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[top]
        order = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), i))
        return [self._similar(self.entries_[i], float(scores[i])) for i in order]

    def _similarities(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Cosine of the query row (cols, values) with every entry: the postings of the query's terms, summed per
        entry (numpy on the index's arrays; slicing the sparse matrix costs more than the sums for a short text)."""
        matrix = self._doc_matrix()
        starts = matrix.indptr[cols]
        lengths = matrix.indptr[cols + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(len(self.entries_))
        # position of every posting of the query's terms in the index's arrays
        firsts = np.cumsum(lengths) - lengths
        positions = np.arange(total) + np.repeat(starts - firsts, lengths)
        weights = matrix.data[positions] * np.repeat(values, lengths)
        return np.bincount(matrix.indices[positions], weights=weights, minlength=len(self.entries_))

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
