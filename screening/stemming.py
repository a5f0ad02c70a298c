"""Indonesian stemming with Sastrawi behind a bounded cache.

Sastrawi's own `CachedStemmer` keeps every word it has ever seen; on social-media vocabulary that grows
without bound, so the stemmer here wraps the uncached `Stemmer` in an LRU cache of fixed size.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer

from screening.resources import load_root_words

DEFAULT_CACHE_SIZE = 50_000


class BoundedStemmer:
    """Stems single lower-case words; keeps at most `cache_size` results. Picklable (the cache is not kept)."""

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self.cache_size = cache_size
        self._build()

    def _build(self) -> None:
        stemmer = Stemmer(ArrayDictionary(sorted(load_root_words())))
        self._stem_word = lru_cache(maxsize=self.cache_size)(self._make_stem(stemmer))

    @staticmethod
    def _make_stem(stemmer: Stemmer) -> Any:
        def stem(word: str) -> str:
            # Sastrawi strips non-letters itself; placeholders and numbers need no stemming.
            if len(word) < 4 or not word.isalpha():
                return word
            return str(stemmer.stem(word)) or word

        return stem

    def stem(self, word: str) -> str:
        return str(self._stem_word(word))

    def stem_tokens(self, tokens: list[str]) -> list[str]:
        stem = self._stem_word
        return [stem(t) for t in tokens]

    def clear_cache(self) -> None:
        self._stem_word.cache_clear()

    def cache_info(self) -> Any:
        return self._stem_word.cache_info()

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_size": self.cache_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cache_size = state["cache_size"]
        self._build()
