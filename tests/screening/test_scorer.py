"""The compiled scorer: the same numbers as the fitted estimators, stored as arrays, explanations that make sense."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from id_texts import CHAIN_TEXT, DEBUNK_TEXT, KIM_TEXT, SLANG_CHAIN

from screening.doc import Analyser
from screening.errors import ModelArtifactError
from screening.registry import TrainedModel
from screening.resources import load_stopwords
from screening.scorer import (
    CodeTable,
    CompiledModel,
    SparseRows,
    TfidfTable,
    check_parity,
    compile_model,
    score_matrix,
)
from screening.text import PLACEHOLDERS

ODD_TEXTS = [
    "",
    "a",
    "ab cd",
    "😀" * 30,
    "\u200b\u200bhoaks\u200b",
    "ａｂｃ 漢字 العربية ไทย",
    "kabar " * 3000,
    "SEBARKAN!!! bit.ly/x " * 20,
    "Desa Sukamaju, Kecamatan Cibeber, Kabupaten Cianjur",
]

if TYPE_CHECKING:  # the rootdir conftest (the service tests have their own conftest module)
    from conftest import SmallModel


@pytest.fixture(scope="module")
def compiled(small_model: SmallModel) -> CompiledModel:
    return compile_model(small_model.model)


def test_compiled_scorer_equals_the_estimators(small_model: SmallModel, compiled: CompiledModel) -> None:
    analyser = Analyser(small_model.model.rules_)
    docs = small_model.held_out + [analyser.analyse_text(t) for t in ODD_TEXTS]
    assert check_parity(small_model.model, compiled, docs) <= 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_compiled_scorer_equals_the_estimators_on_any_text(
    small_model: SmallModel, compiled: CompiledModel, text: str
) -> None:
    doc = Analyser(small_model.model.rules_).analyse_text(text)
    assert check_parity(small_model.model, compiled, [doc]) <= 1e-9


def test_char_ngrams_match_scikit_learn_for_short_and_long_words(small_model: SmallModel) -> None:
    vectorizer = small_model.model.genre_models_["post"].lexical.vectorizers_["char"]
    table = TfidfTable.from_vectorizer(vectorizer)
    for text in ("a", "ab", "abc", "abcd", "abcde", "sebarkan info ini", "x y z", "ｂｉｇ"):
        expected = vectorizer.transform([text])
        cols, values = table.row(text)
        got = np.zeros(expected.shape[1])
        got[cols] = values
        assert np.abs(got - expected.toarray().ravel()).max() < 1e-12, text


def test_arrays_round_trip_gives_identical_scores(small_model: SmallModel, compiled: CompiledModel) -> None:
    arrays, description = compiled.to_arrays()
    assert all(not a.dtype.hasobject for a in arrays.values())  # plain data: no pickles
    copy = CompiledModel.from_arrays(arrays, description)
    assert np.array_equal(score_matrix(copy, small_model.held_out), score_matrix(compiled, small_model.held_out))


def test_arrays_that_describe_no_model_are_refused(small_model: SmallModel) -> None:
    arrays, description = compile_model(small_model.model).to_arrays()
    arrays.pop("post.text.word.idf")
    with pytest.raises(ModelArtifactError, match="tidak menggambarkan model"):
        CompiledModel.from_arrays(arrays, description)


def test_a_changed_scorer_fails_the_parity_check(small_model: SmallModel) -> None:
    compiled = compile_model(small_model.model)
    compiled.genres["post"].combiner_intercept += 0.01
    with pytest.raises(ModelArtifactError, match="berbeda dari estimator yang dilatih"):
        check_parity(small_model.model, compiled, small_model.held_out)


def test_batch_scoring_equals_one_by_one(trained: TrainedModel) -> None:
    analyser = Analyser(trained.model.rules)
    docs = [analyser.analyse_text(t) for t in (CHAIN_TEXT, KIM_TEXT, DEBUNK_TEXT, SLANG_CHAIN, "ok")]
    together = score_matrix(trained.model, docs)
    alone = np.vstack([score_matrix(trained.model, [d]) for d in docs])
    assert np.array_equal(together, alone)


def _terms(trained: TrainedModel, text: str, title: str = "") -> dict[str, float]:
    doc = Analyser(trained.model.rules).analyse_text(text, title)
    return {t.term: t.contribution for t in trained.model.explain(doc, trained.model.score_one(doc), top_k=50)}


def test_no_stopword_placeholder_or_place_name_is_shown_as_evidence(trained: TrainedModel) -> None:
    stopwords = load_stopwords()
    for text in (CHAIN_TEXT, KIM_TEXT, DEBUNK_TEXT, SLANG_CHAIN):
        for term in _terms(trained, text):
            if term.startswith(("rule:", "gate:")):
                continue
            words = term.split()
            assert not all(w in stopwords for w in words), term
            assert not any(w in PLACEHOLDERS for w in words), term
            assert not any(w in ("sukamaju", "cibeber", "cianjur") for w in words), term


def test_no_shown_term_contradicts_its_rule(trained: TrainedModel) -> None:
    """On a chain message, calls to spread only ever push toward hoax (as a rule, never as a 'genuine' word)."""
    terms = _terms(trained, CHAIN_TEXT + " " + SLANG_CHAIN)
    assert terms.get("rule:spread_call", 0) >= 0 and terms.get("rule:spread_chain_count", 0) > 0
    assert all(value >= 0 for term, value in terms.items() if term.split()[0] in ("sebar", "share", "bagi", "viral"))
    rules = {f"rule:{r.id}": r.weight for r in trained.model.rules.rules}
    for term, value in terms.items():
        if term in rules:
            assert np.sign(value) in (0, np.sign(rules[term])), term


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=50), max_size=60), min_size=1, max_size=5))
def test_counted_rows_equal_numpy_unique_per_row(rows: list[list[int]]) -> None:
    ids = np.asarray([i for row in rows for i in sorted(row)], dtype=np.int32)
    row_of = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    counted = SparseRows.counted(row_of, ids, len(rows))
    assert len(counted) == len(rows)
    for r, row in enumerate(rows):
        cols, counts = counted.row(r)
        want_cols, want_counts = np.unique(np.asarray(row, dtype=np.int32), return_counts=True)
        assert np.array_equal(cols, want_cols) and np.array_equal(counts, want_counts)


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.integers(min_value=0, max_value=2**62), max_size=40),
    st.lists(st.integers(min_value=-1, max_value=2**62), max_size=60),
)
def test_code_table_finds_what_a_dict_finds(codes: set[int], queries: list[int]) -> None:
    """Codes whose slots collide (a table this small has many) are found too; -1, an n-gram across texts, never."""
    values = {code: i for i, code in enumerate(codes)}
    table = CodeTable(np.asarray(list(values), dtype=np.int64), np.arange(len(values), dtype=np.int32))
    asked = queries + list(codes)[::2]
    positions, found = table.find(np.asarray(asked, dtype=np.int64))
    want = [(p, values[q]) for p, q in enumerate(asked) if q in values]
    assert list(zip(positions.tolist(), found.tolist(), strict=True)) == want


def test_chunks_score_as_texts_alone(small_model: SmallModel, compiled: CompiledModel) -> None:
    """Scoring a chunk (mixed genres, empty and repeated texts) gives each text exactly its score alone."""
    analyser = Analyser(small_model.model.rules_)
    docs = small_model.held_out + [analyser.analyse_text(t) for t in ODD_TEXTS] + small_model.held_out[:3]
    together = compiled.score(docs)
    for doc, scores in zip(docs, together, strict=True):
        alone = compiled.score_one(doc)
        assert scores == alone
        assert np.array_equal(scores.word_row[0], alone.word_row[0])
        assert np.array_equal(scores.word_row[1], alone.word_row[1])
        assert scores.cues is not None and alone.cues is not None and np.array_equal(scores.cues, alone.cues)
