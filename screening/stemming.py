"""Indonesian stemming: Sastrawi's algorithm (`screening.ecs`) behind a table of frequent words and a bounded cache.

The stems are exactly PySastrawi's, with its root words; `screening.ecs` computes them as straight code, tens of
times faster than PySastrawi itself (`bench/bench_stemming.py`). Sastrawi's own `CachedStemmer` keeps every word
it has ever seen; on social-media vocabulary that grows without bound, so the stemmer here keeps a cache of
fixed size, emptied when full. The stems of frequent written words are precomputed (`resources/stems_id.tsv`,
`scripts/build_stems.py`) and looked up before stemming.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer

from screening.ecs import EcsStemmer
from screening.resources import load_root_words, load_stem_table

DEFAULT_CACHE_SIZE = 50_000


class _CacheInfo(NamedTuple):
    """What `functools.lru_cache` reports, for the stemmer's own cache."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


def sastrawi_stemmer() -> Stemmer:
    """PySastrawi's own stemmer over the same root words: the reference `screening.ecs` is checked against."""
    return Stemmer(ArrayDictionary(sorted(load_root_words())))


def needs_stemming(word: str) -> bool:
    """Sastrawi strips non-letters itself; placeholders, numbers and short words need no stemming."""
    return len(word) >= 4 and word.isalpha()


class BoundedStemmer:
    """Stems single lower-case words; keeps at most `cache_size` results. Picklable (the cache is not kept).
    `use_table=False` stems every word (what builds and checks the table)."""

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE, *, use_table: bool = True) -> None:
        self.cache_size = cache_size
        self.use_table = use_table
        self._build()

    def _build(self) -> None:
        self._stemmer = EcsStemmer(load_root_words())
        self._table = load_stem_table() if self.use_table else {}
        # word -> stem; a plain dict, emptied when full rather than kept in least-recent order: a document's words
        # are then looked up in C with no per-word bookkeeping (most words of a batch are known)
        self._known: dict[str, str] = {}
        self._hits = self._misses = 0

    def _stem_new(self, word: str) -> str:
        if not needs_stemming(word):
            return word
        known = self._table.get(word)
        if known is not None:
            return known
        return self._stemmer.stem(word) or word

    def stem(self, word: str) -> str:
        stem = self._known.get(word)
        if stem is not None:
            self._hits += 1
            return stem
        self._misses += 1
        stem = self._stem_new(word)
        if len(self._known) >= self.cache_size:  # social-media vocabulary has no end: start again rather than grow
            self._known.clear()
        self._known[word] = stem
        return stem

    def stem_tokens(self, tokens: list[str]) -> list[str]:
        known = self._known
        try:
            stems = list(map(known.__getitem__, tokens))
        except KeyError:  # a word not seen yet: only the new words pay for a call (which counts them as misses)
            misses = self._misses
            stems = [known.get(token) or self.stem(token) for token in tokens]
            self._hits += len(tokens) - (self._misses - misses)
            return stems
        self._hits += len(stems)
        return stems

    def clear_cache(self) -> None:
        self._known.clear()
        self._hits = self._misses = 0

    def cache_info(self) -> _CacheInfo:
        return _CacheInfo(self._hits, self._misses, self.cache_size, len(self._known))

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_size": self.cache_size, "use_table": self.use_table}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cache_size = state["cache_size"]
        self.use_table = state.get("use_table", True)
        self._build()
