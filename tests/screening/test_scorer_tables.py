"""The scorer's TF-IDF tables on their own (no trained model): shared vocabularies, any term order, chunks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from screening.doc import STREAMS, default_analyser, stream_of
from screening.features import tfidf_vectorizer
from screening.scorer import LinearText, TfidfTable, _CharWordIds, share_terms

TEXTS = [
    "warga desa sukamaju gotong royong membersihkan saluran air",
    "sebarkan info ini ke semua grup sekarang juga",
    "vaksin aman untuk anak kata dinas kesehatan",
    "info dari grup sebelah katanya vaksin berbahaya",
    "air bersih untuk warga desa",
]
QUERIES = ["", "a", "info vaksin grup", "desa desa desa air", "kata yang tidak ada", *TEXTS]


def _fitted(stream: str, texts: list[str]) -> TfidfVectorizer:
    ngrams = (2, 5) if stream == "char" else (1, 2)
    return tfidf_vectorizer(stream, ngram_range=ngrams, min_df=1, max_features=None).fit(texts)


def _reordered(table: TfidfTable, seed: int) -> TfidfTable:
    """The same table with its terms in another order (its columns moved with them)."""
    order = np.random.default_rng(seed).permutation(len(table))
    return TfidfTable([table.terms[i] for i in order], table.idf[order], table.ngram_range, table.char)


def _as_dict(table: TfidfTable, text: str) -> dict[str, float]:
    columns, values = table.row(text)
    return dict(zip([table.terms[c] for c in columns.tolist()], values.tolist(), strict=True))


@pytest.mark.parametrize("stream", ["word", "char"])
def test_a_shared_table_gives_its_rows_alone_in_any_term_order(stream: str) -> None:
    """Sharing a vocabulary with another table (the gate's) changes no value of a row, nor its order, even when the
    table's terms are not sorted (the index's order is then not the table's)."""
    mine = _reordered(TfidfTable.from_vectorizer(_fitted(stream, TEXTS[:3])), seed=1)
    other = TfidfTable.from_vectorizer(_fitted(stream, TEXTS[2:]))
    alone = {q: mine.row(q) for q in QUERIES}
    share_terms(mine, other)
    assert not mine.columns_ascend and other.columns_ascend
    for query in QUERIES:
        columns, values = mine.row(query)
        assert np.array_equal(columns, alone[query][0]), query
        assert np.array_equal(values, alone[query][1]), query  # bit for bit


@pytest.mark.parametrize("stream", ["word", "char"])
def test_table_rows_equal_scikit_learn(stream: str) -> None:
    vectorizer = _fitted(stream, TEXTS)
    table = TfidfTable.from_vectorizer(vectorizer)
    expected = vectorizer.transform(QUERIES).toarray()
    for query, want in zip(QUERIES, expected, strict=True):
        got = np.zeros(len(table))
        columns, values = table.row(query)
        got[columns] = values
        assert np.abs(got - want).max() < 1e-12, query
        assert sorted(_as_dict(table, query)) == [table.terms[c] for c in np.flatnonzero(want)]


def _linear(texts: list[str], seed: int) -> LinearText:
    docs = [default_analyser().analyse_text(t) for t in texts]
    tables = {s: TfidfTable.from_vectorizer(_fitted(s, [stream_of(d, s) for d in docs])) for s in STREAMS}
    coef = np.random.default_rng(seed).normal(size=sum(len(t) for t in tables.values()))
    return LinearText(tables, coef, 0.25)


def test_weights_side_by_side_change_no_score() -> None:
    """The text classifier's and the gate's weights in one array (read once for both) give the scores each gives
    with its own, bit for bit, in a chunk and for a text alone."""
    text, gate = _linear(TEXTS[:3], seed=1), _linear(TEXTS[2:], seed=2)
    for stream in STREAMS:
        share_terms(text.tables[stream], gate.tables[stream])
    text.prepare()
    gate.prepare()
    docs = [default_analyser().analyse_text(q) for q in QUERIES]
    alone = [(text.scores(chunk, {})[0], gate.scores(chunk, {})[0]) for chunk in (docs, docs[3:4])]
    text.share_weights(gate)
    paired = []
    for chunk in (docs, docs[3:4]):
        indexed: dict = {}  # one chunk's counts and weight rows, as a genre's scoring shares them
        paired.append((text.scores(chunk, indexed)[0], gate.scores(chunk, indexed)[0]))
    assert paired == alone
    assert all(text._weights[s][0] is gate._weights[s][0] for s in STREAMS)


def test_char_rows_stay_the_same_when_the_word_cache_empties(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table whose cache of words' character n-grams is emptied again and again (it holds two words) gives every
    row as a table that keeps them all, and holds no more words than it may and one text's new words."""
    table = TfidfTable.from_vectorizer(_fitted("char", TEXTS))
    kept = {q: table.row(q) for q in QUERIES}
    monkeypatch.setattr(_CharWordIds, "MAX_WORDS", 2)
    small = TfidfTable.from_vectorizer(_fitted("char", TEXTS))
    for query in [*QUERIES, *reversed(QUERIES)]:
        columns, values = small.row(query)
        assert np.array_equal(columns, kept[query][0]) and np.array_equal(values, kept[query][1]), query
        assert len(small.index._word_ids) <= 2 + len(set(query.split()))


@pytest.mark.parametrize("stream", ["word", "char"])
def test_a_table_holding_every_shared_term_gives_its_rows_alone(stream: str) -> None:
    """As the gate's vocabulary holds the text classifier's: the larger table has every n-gram of the shared index
    (nothing to drop), the smaller not, and each gives the rows it gives alone, bit for bit."""
    small = TfidfTable.from_vectorizer(_fitted(stream, TEXTS[:2]))
    large = TfidfTable.from_vectorizer(_fitted(stream, TEXTS))
    alone = {(id(t), q): t.row(q) for t in (small, large) for q in QUERIES}
    share_terms(small, large)
    assert large.has_every_term and not small.has_every_term
    for table in (small, large):
        for query in QUERIES:
            columns, values = table.row(query)
            assert np.array_equal(columns, alone[id(table), query][0]), query
            assert values.tobytes() == alone[id(table), query][1].tobytes(), query


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 3), (4, 6), (2, 14)])
def test_char_rows_equal_scikit_learn_for_any_ngram_range(ngram_range: tuple[int, int]) -> None:
    """New words' character n-grams found as numbers, a word shorter than the shortest n-gram counted whole, letters
    no term has; and, when the numbers would not fit in 64 bits (2-14-grams), as strings."""
    vectorizer = tfidf_vectorizer("char", ngram_range=ngram_range, min_df=1, max_features=None).fit(TEXTS)
    table = TfidfTable.from_vectorizer(vectorizer)
    queries = [*QUERIES, "ζeta kata", "a b c desa", "vaksinvaksinvaksin"]
    expected = vectorizer.transform(queries).toarray()
    for chunk in (queries, queries[::-1]):  # new words in a chunk, then known ones
        rows = table.rows(table.index.counts(chunk))
        for r, query in enumerate(chunk):
            got = np.zeros(len(table))
            columns, values = rows.row(r)
            got[columns] = values
            assert np.abs(got - expected[queries.index(query)]).max() < 1e-12, query
    assert (table.index._word_ids._id_of is None) == (ngram_range != (2, 14))


def test_char_rows_counted_in_threads_equal_those_counted_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads counting chunks with one table (as a service's do), its cache emptied again and again, each get the
    rows their chunk gets alone."""
    table = TfidfTable.from_vectorizer(_fitted("char", TEXTS))
    chunks = [[f"{q} kata{i} {i}x{j}" for j, q in enumerate(QUERIES)] for i in range(40)]
    alone = [table.rows(table.index.counts(c)) for c in chunks]
    monkeypatch.setattr(_CharWordIds, "MAX_WORDS", 5)
    fresh = TfidfTable.from_vectorizer(_fitted("char", TEXTS))
    with ThreadPoolExecutor(4) as pool:
        counted = list(pool.map(lambda chunk: fresh.rows(fresh.index.counts(chunk)), chunks))
    for got, want in zip(counted, alone, strict=True):
        assert np.array_equal(got.columns, want.columns) and got.values.tobytes() == want.values.tobytes()
