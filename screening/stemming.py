"""Indonesian stemming: Sastrawi's algorithm (`screening.ecs`) behind a table of frequent words and a bounded cache.

The stems are exactly PySastrawi's, with its root words; `screening.ecs` computes them as straight code, tens of
times faster than PySastrawi itself (`bench/bench_stemming.py`). Sastrawi's own `CachedStemmer` keeps every word
it has ever seen; on social-media vocabulary that grows without bound, so the stemmer here keeps an LRU cache of
fixed size. The stems of frequent written words are precomputed (`resources/stems_id.tsv`,
`scripts/build_stems.py`) and looked up before stemming.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer

from screening.ecs import EcsStemmer
from screening.resources import load_root_words, load_stem_table

DEFAULT_CACHE_SIZE = 50_000


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
        stemmer = EcsStemmer(load_root_words())
        table = load_stem_table() if self.use_table else {}
        self._stem_word = lru_cache(maxsize=self.cache_size)(self._make_stem(stemmer, table))

    @staticmethod
    def _make_stem(stemmer: EcsStemmer, table: dict[str, str]) -> Any:
        def stem(word: str) -> str:
            if not needs_stemming(word):
                return word
            known = table.get(word)
            if known is not None:
                return known
            return stemmer.stem(word) or word

        return stem

    def stem(self, word: str) -> str:
        return str(self._stem_word(word))

    def stem_tokens(self, tokens: list[str]) -> list[str]:
        return list(map(self._stem_word, tokens))  # a cached word is looked up without a Python frame

    def clear_cache(self) -> None:
        self._stem_word.cache_clear()

    def cache_info(self) -> Any:
        return self._stem_word.cache_info()

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_size": self.cache_size, "use_table": self.use_table}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cache_size = state["cache_size"]
        self.use_table = state.get("use_table", True)
        self._build()
