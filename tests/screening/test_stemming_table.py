"""The precomputed stems are Sastrawi's: a sample of the table agrees with PySastrawi itself."""

from __future__ import annotations

import pickle
import random

from screening.resources import load_stem_table
from screening.stemming import BoundedStemmer, sastrawi_stemmer


def test_the_table_agrees_with_sastrawi_on_a_sample() -> None:
    table = load_stem_table()
    assert len(table) > 20_000
    sastrawi, computed = sastrawi_stemmer(), BoundedStemmer(use_table=False)
    sample = random.Random(5).sample(sorted(table), 400)
    expected = {w: sastrawi.stem(w) for w in sample}
    assert {w: table[w] for w in sample} == expected
    assert {w: computed.stem(w) for w in sample} == expected


def test_words_outside_the_table_are_still_stemmed_and_the_choice_survives_pickling() -> None:
    stemmer = BoundedStemmer()
    assert "dipersoalkannya" not in load_stem_table()
    assert stemmer.stem("dipersoalkannya") == "soal"
    assert stemmer.stem("yg") == "yg" and stemmer.stem("2024") == "2024"  # short words and numbers as they are
    copy = pickle.loads(pickle.dumps(BoundedStemmer(use_table=False)))
    assert copy.use_table is False
