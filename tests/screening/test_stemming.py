"""The bounded stemmer: Sastrawi's stems, a cache that never grows past its size, and pickling."""

from __future__ import annotations

import pickle

from screening.stemming import BoundedStemmer


def test_stems_indonesian_affixes() -> None:
    stemmer = BoundedStemmer()
    assert stemmer.stem_tokens(["menyebarkan", "kesehatan", "dikatakan", "urltoken", "2020"]) == [
        "sebar",
        "sehat",
        "kata",
        "urltoken",
        "2020",
    ]


def test_cache_is_bounded() -> None:
    stemmer = BoundedStemmer(cache_size=100)
    stemmer.stem_tokens([f"kata{i}x" for i in range(1000)] + ["menyebarkan"] * 10)
    info = stemmer.cache_info()
    assert info.currsize <= 100
    assert info.hits >= 9


def test_pickles_without_its_cache() -> None:
    stemmer = BoundedStemmer(cache_size=10)
    stemmer.stem("pemberitaan")
    copy = pickle.loads(pickle.dumps(stemmer))
    assert copy.cache_info().currsize == 0
    assert copy.stem("menyebarkan") == "sebar"
