"""Known-hoax index: finds reworded copies of debunked claims, ignores unrelated text, survives pickling."""

from __future__ import annotations

import json
import math
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from id_texts import KIM_TEXT

from screening.data import LabelledText, read_labelled
from screening.errors import InvalidInputError
from screening.known_hoaxes import KnownHoax, KnownHoaxIndex, _QueryTerms, hoax_terms
from screening.result import SimilarHoax
from screening.text import normalise

TRAINING_CSV = Path(__file__).resolve().parents[2] / "training_data" / "mafindo_hoax.csv"


def find(index: KnownHoaxIndex, text: str, k: int = 3, min_similarity: float | None = None) -> list[SimilarHoax]:
    if min_similarity is None:
        return index.search(normalise(text), k=k)
    return index.search(normalise(text), k=k, min_similarity=min_similarity)


HOAXES = [
    KnownHoax(
        "h-helikopter",
        "Penyemprotan disinfektan dari helikopter malam ini",
        "Mulai malam ini jam 12 akan ada penyemprotan disinfektan dari helikopter di seluruh kota. "
        "Jangan keluar rumah dan tutup semua jendela. Sebarkan ke keluarga.",
        "https://turnbackhoax.id/helikopter",
    ),
    KnownHoax(
        "h-sirsak",
        "Daun sirsak menyembuhkan kanker",
        "Rebusan daun sirsak 10 lembar diminum tiap pagi terbukti membunuh sel kanker 10.000 kali lebih kuat "
        "dari kemoterapi. Dokter tidak mau anda tahu.",
        None,
    ),
    KnownHoax(
        "h-undian",
        "Undian berhadiah mobil dari bank",
        "Selamat nomor anda memenangkan undian berhadiah mobil dari bank. Hubungi nomor panitia dan transfer "
        "biaya administrasi untuk pengiriman hadiah.",
        None,
    ),
    KnownHoax(
        "h-telur",
        "Telur palsu dari plastik beredar di pasar",
        "Hati-hati ibu-ibu, telur palsu dari plastik sudah beredar di pasar tradisional. Cirinya kulit mengkilap "
        "dan kuning telur tidak pecah walau dilempar.",
        None,
    ),
]


@pytest.fixture()
def index() -> KnownHoaxIndex:
    return KnownHoaxIndex(HOAXES)


def test_reworded_copy_is_found_first(index: KnownHoaxIndex) -> None:
    query = (
        "Info penting!! malam ini jam 12 ada penyemprotan disinfektan pakai helikopter di seluruh kota, "
        "jgn keluar rumah, tutup jendela. Sebarkan!"
    )
    results = find(index, query, k=3)
    assert results[0].hoax_id == "h-helikopter"
    assert results[0].similarity >= 0.5
    assert results[0].debunk_url == "https://turnbackhoax.id/helikopter"
    assert results[0].title == HOAXES[0].title
    assert all(r.hoax_id != "h-sirsak" for r in results)


def test_unrelated_village_news_matches_nothing(index: KnownHoaxIndex) -> None:
    assert find(index, KIM_TEXT) == []


def test_k_ordering_and_threshold(index: KnownHoaxIndex) -> None:
    query = "telur palsu dari plastik beredar dan daun sirsak membunuh sel kanker"
    results = find(index, query, k=2, min_similarity=0.0)
    assert len(results) == 2
    assert results[0].similarity >= results[1].similarity
    assert {r.hoax_id for r in results} == {"h-telur", "h-sirsak"}
    assert find(index, query, k=0) == []
    assert find(index, query, k=3, min_similarity=0.99) == []
    assert all(0.0 <= r.similarity <= 1.0 for r in find(index, HOAXES[1].text, k=4, min_similarity=0.0))
    assert find(index, HOAXES[1].text, k=1)[0].similarity == pytest.approx(1.0, abs=1e-3)


def test_add_makes_entry_searchable_and_rejects_duplicate_ids(index: KnownHoaxIndex) -> None:
    index.add(
        KnownHoax(
            "editor-1",
            "Air kelapa campur garam sembuhkan covid",
            "Minum air kelapa muda dicampur garam dan jeruk nipis menyembuhkan covid dalam tiga hari.",
            "https://cekfakta.example/kelapa",
        )
    )
    assert len(index) == len(HOAXES) + 1
    found = find(index, "air kelapa muda dicampur garam dan jeruk nipis bisa menyembuhkan covid dalam 3 hari")
    assert found[0].hoax_id == "editor-1"
    assert find(index, KIM_TEXT) == []
    with pytest.raises(InvalidInputError):
        index.add(KnownHoax("editor-1", "lagi", "teks lain"))


def test_empty_index_and_empty_query() -> None:
    empty = KnownHoaxIndex()
    assert find(empty, "apa saja") == []
    empty.add(HOAXES[0])
    assert find(empty, HOAXES[0].text)[0].hoax_id == HOAXES[0].hoax_id
    assert find(KnownHoaxIndex(HOAXES), "") == []
    assert find(KnownHoaxIndex(HOAXES), "!!! 😱 ...") == []


def test_from_training_data_keeps_hoax_rows_once() -> None:
    rows = [
        LabelledText(HOAXES[0].text, "hoax", HOAXES[0].title, verdict_source="MAFINDO"),
        LabelledText(HOAXES[0].text.upper(), "hoax", "duplikat", verdict_source="MAFINDO"),
        LabelledText(KIM_TEXT, "valid", "berita desa"),
        LabelledText(HOAXES[3].text, "hoax", "", "https://example.org/telur", verdict_source="Pratiwi dkk. 2017"),
    ]
    index = KnownHoaxIndex.from_training_data(rows)
    assert len(index) == 2
    assert all(e.hoax_id.startswith("hoax-") for e in index.entries_)
    telur = find(index, HOAXES[3].text)[0]
    # where a hoax was published is its source, never its clarification
    assert telur.hoax_url == "https://example.org/telur" and telur.debunk_url is None
    assert telur.verdict_source == "Pratiwi dkk. 2017"
    assert telur.title  # falls back to the start of the text
    # ids derive from the text, so they do not change with row order
    assert {e.hoax_id for e in KnownHoaxIndex.from_training_data(rows[::-1]).entries_} == {
        e.hoax_id for e in index.entries_
    }


def test_arrays_round_trip(index: KnownHoaxIndex) -> None:
    query = HOAXES[2].text.replace("mobil", "motor")
    before = find(index, query)
    index.add(KnownHoax("editor-2", "Sinyal 5G menyebarkan virus", "Menara sinyal 5G menyebarkan virus corona."))
    arrays, description = index.to_arrays()
    assert all(not a.dtype.hasobject for a in arrays.values())
    loaded = KnownHoaxIndex.from_arrays(arrays, json.loads(json.dumps(description)))
    assert find(loaded, query) == before
    assert find(loaded, "menara sinyal 5g menyebarkan virus corona")[0].hoax_id == "editor-2"


def test_training_data_finds_perturbed_claims() -> None:
    rows = read_labelled(TRAINING_CSV)
    index = KnownHoaxIndex.from_training_data(rows)  # its build time is measured in bench/bench_known_hoaxes.py
    assert len(index) > 3000
    rng = random.Random(7)
    hoaxes = [r for r in rows if r.label == "hoax" and len(r.text.split()) >= 15]
    hits = 0
    sample = rng.sample(hoaxes, 40)
    for row in sample:
        words = [w for w in row.text.split() if rng.random() > 0.15]
        found = find(index, " ".join(words), k=1)
        hits += bool(found) and found[0].title == (row.title or row.text[:80])
    assert hits >= 36


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_search_never_raises(text: str) -> None:
    results = find(KnownHoaxIndex(HOAXES), text, k=2, min_similarity=0.0)
    assert len(results) <= 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["sirsak", "kanker", "telur", "plastik", "helikopter", "undian", "mobil", "desa"]), max_size=12
    )
)
def test_similarities_equal_the_sparse_product(words: list[str]) -> None:
    """Summing the postings of the query's terms gives the cosine the sparse matrix product gives."""
    index = KnownHoaxIndex(HOAXES)
    queries = index._queries([normalise(" ".join(words))])
    cols, values = queries.row(0)
    expected = index._doc_matrix()[:, cols] @ values if cols.size else np.zeros(len(HOAXES))
    assert np.allclose(index._similarities(queries, range(1))[0], np.asarray(expected).ravel(), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abc sirkanteloup,.", max_size=60), max_size=6))
def test_query_rows_are_the_terms_weighted_in_their_order(texts: list[str]) -> None:
    """A chunk's query rows are each text's known terms in `hoax_terms` order, weighted as TF-IDF, the norm
    counting the unknown terms too."""
    index = KnownHoaxIndex(HOAXES)
    docs = [normalise(t) for t in texts]
    queries = index._queries(docs)
    unseen_idf = math.log((1 + len(HOAXES)) / 2) + 1
    for r, doc in enumerate(docs):
        terms = hoax_terms(doc)
        known = [(index.vocabulary_[t], 1 + math.log(c)) for t, c in terms.items() if t in index.vocabulary_]
        weights = [w * float(index.idf_[col]) for col, w in known]
        norm = math.sqrt(
            sum(w * w for w in weights)
            + sum(((1 + math.log(c)) * unseen_idf) ** 2 for t, c in terms.items() if t not in index.vocabulary_)
        )
        cols, values = queries.row(r)
        assert cols.tolist() == ([col for col, _ in known] if norm and known else [])
        assert np.allclose(values, [w / norm for w in weights] if norm and known else [], rtol=1e-5)


def test_searching_a_chunk_finds_what_each_search_finds() -> None:
    index = KnownHoaxIndex(HOAXES)
    texts = [h.text for h in HOAXES] + ["", "kabar desa hari ini", HOAXES[0].text + " " + HOAXES[1].text]
    docs = [normalise(t) for t in texts]
    assert index.search_many(docs, k=2, min_similarity=0.0) == [index.search(d, k=2, min_similarity=0.0) for d in docs]


def plain_query_row(index: KnownHoaxIndex, text: str) -> tuple[list[int], np.ndarray]:
    """A text's query row computed term by term: float32 TF-IDF of the known terms in `hoax_terms` order, the
    unknown terms' squares added one after another to the norm."""
    unseen_idf = math.log((1 + len(index)) / 2) + 1
    columns: list[int] = []
    tf: list[float] = []
    unseen = 0.0
    for term, count in hoax_terms(normalise(text)).items():
        if term in index.vocabulary_:
            columns.append(index.vocabulary_[term])
            tf.append(1.0 + math.log(count))
        else:
            unseen += ((1.0 + math.log(count)) * unseen_idf) ** 2
    values = np.asarray(tf, dtype=np.float32) * index.idf_[np.asarray(columns, dtype=np.int64)]
    norm = math.sqrt(float(values @ values) + unseen)
    if norm == 0.0 or not columns:
        return [], np.zeros(0, dtype=np.float32)
    return columns, values / np.float32(norm)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["sirsak", "kanker", "telur", "plastik", "desa", "warga", "http://x.id", "@a", ",", "di"]),
            max_size=150,  # a word may come more often than the counts whose weights are tabled
        ).map(" ".join),
        min_size=1,
        max_size=5,
    )
)
@example([" ".join(["sirsak kanker"] * 70 + ["desa warga"] * 66), "telur"])
def test_query_rows_are_exactly_those_of_each_text_term_by_term(texts: list[str]) -> None:
    index = KnownHoaxIndex(HOAXES)
    queries = index._queries([normalise(t) for t in texts])
    for r, text in enumerate(texts):
        columns, values = plain_query_row(index, text)
        got_columns, got_values = queries.row(r)
        assert got_columns.tolist() == columns
        assert got_values.dtype == np.float32 and got_values.tobytes() == values.tobytes()


def test_query_rows_stay_exact_when_the_numbering_grows_and_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """More new tokens in one chunk than the token arrays first hold, then a numbering started again between chunks
    (a tiny `MAX_WORDS`): every row is still that of its text alone, term by term."""
    index = KnownHoaxIndex(HOAXES)
    texts = [h.text for h in HOAXES] + [" ".join(f"kata{i} sirsak kanker" for i in range(1500)), "telur plastik"]
    for max_words in (_QueryTerms.MAX_WORDS, 5):
        monkeypatch.setattr(_QueryTerms, "MAX_WORDS", max_words)
        for chunk in (texts, texts[::-1], texts[:2]):
            queries = index._queries([normalise(t) for t in chunk])
            for r, text in enumerate(chunk):
                columns, values = plain_query_row(index, text)
                got_columns, got_values = queries.row(r)
                assert got_columns.tolist() == columns and got_values.tobytes() == values.tobytes()


def test_searches_in_threads_find_what_each_finds_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads searching one index (as a service's do), its numbering started again and again, each get the rows
    their chunk gets alone."""
    chunks = [[f"{h.text} kata{i} {i}x{j}" for j, h in enumerate(HOAXES)] for i in range(40)]
    alone = KnownHoaxIndex(HOAXES)
    want = [alone._queries([normalise(t) for t in chunk]) for chunk in chunks]
    monkeypatch.setattr(_QueryTerms, "MAX_WORDS", 5)
    shared = KnownHoaxIndex(HOAXES)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often, inside a search as much as between them
    try:
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(lambda chunk: shared._queries([normalise(t) for t in chunk]), chunks))
    finally:
        sys.setswitchinterval(interval)
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g.columns, w.columns) and g.values.tobytes() == w.values.tobytes()
