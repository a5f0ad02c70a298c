"""Known-hoax index: finds reworded copies of debunked claims, ignores unrelated text, survives pickling."""

from __future__ import annotations

import csv
import pickle
import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from id_texts import KIM_TEXT

from screening.errors import InvalidInputError
from screening.known_hoaxes import KnownHoax, KnownHoaxIndex

TRAINING_CSV = Path(__file__).resolve().parents[2] / "training_data" / "mafindo_hoax.csv"

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
    results = index.search(query, k=3)
    assert results[0].hoax_id == "h-helikopter"
    assert results[0].similarity >= 0.5
    assert results[0].debunk_url == "https://turnbackhoax.id/helikopter"
    assert results[0].title == HOAXES[0].title
    assert all(r.hoax_id != "h-sirsak" for r in results)


def test_unrelated_village_news_matches_nothing(index: KnownHoaxIndex) -> None:
    assert index.search(KIM_TEXT) == []


def test_k_ordering_and_threshold(index: KnownHoaxIndex) -> None:
    query = "telur palsu dari plastik beredar dan daun sirsak membunuh sel kanker"
    results = index.search(query, k=2, min_similarity=0.0)
    assert len(results) == 2
    assert results[0].similarity >= results[1].similarity
    assert {r.hoax_id for r in results} == {"h-telur", "h-sirsak"}
    assert index.search(query, k=0) == []
    assert index.search(query, k=3, min_similarity=0.99) == []
    assert all(0.0 <= r.similarity <= 1.0 for r in index.search(HOAXES[1].text, k=4, min_similarity=0.0))
    assert index.search(HOAXES[1].text, k=1)[0].similarity == pytest.approx(1.0, abs=1e-3)


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
    found = index.search("air kelapa muda dicampur garam dan jeruk nipis bisa menyembuhkan covid dalam 3 hari")
    assert found[0].hoax_id == "editor-1"
    assert index.search(KIM_TEXT) == []
    with pytest.raises(InvalidInputError):
        index.add(KnownHoax("editor-1", "lagi", "teks lain"))


def test_empty_index_and_empty_query() -> None:
    empty = KnownHoaxIndex()
    assert empty.search("apa saja") == []
    empty.add(HOAXES[0])
    assert empty.search(HOAXES[0].text)[0].hoax_id == HOAXES[0].hoax_id
    assert KnownHoaxIndex(HOAXES).search("") == []
    assert KnownHoaxIndex(HOAXES).search("!!! 😱 ...") == []


def test_from_training_data_keeps_hoax_rows_once() -> None:
    rows = [
        {"text": HOAXES[0].text, "label": "hoax", "title": HOAXES[0].title, "source_url": ""},
        {"text": HOAXES[0].text.upper(), "label": "hoax", "title": "duplikat", "source_url": ""},
        {"text": KIM_TEXT, "label": "valid", "title": "berita desa", "source_url": ""},
        {"text": HOAXES[3].text, "label": "hoax", "title": "", "source_url": "https://example.org/telur"},
    ]
    index = KnownHoaxIndex.from_training_data(rows)
    assert len(index) == 2
    assert all(e.hoax_id.startswith("mafindo-") for e in index.entries_)
    telur = index.search(HOAXES[3].text)[0]
    assert telur.debunk_url == "https://example.org/telur"
    assert telur.title  # falls back to the start of the text
    # ids derive from the text, so they do not change with row order
    assert {e.hoax_id for e in KnownHoaxIndex.from_training_data(rows[::-1]).entries_} == {
        e.hoax_id for e in index.entries_
    }


def test_pickle_and_save_load_round_trip(index: KnownHoaxIndex, tmp_path: Path) -> None:
    query = HOAXES[2].text.replace("mobil", "motor")
    before = index.search(query)
    index.add(KnownHoax("editor-2", "Sinyal 5G menyebarkan virus", "Menara sinyal 5G menyebarkan virus corona."))
    clone = pickle.loads(pickle.dumps(index))
    assert clone.search(query) == before
    path = tmp_path / "known_hoaxes.pkl"
    index.save(path)
    loaded = KnownHoaxIndex.load(path)
    assert loaded.search(query) == before
    assert loaded.search("menara sinyal 5g menyebarkan virus corona")[0].hoax_id == "editor-2"


def test_training_data_builds_fast_and_finds_perturbed_claims() -> None:
    with open(TRAINING_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    start = time.perf_counter()
    index = KnownHoaxIndex.from_training_data(rows)
    assert time.perf_counter() - start < 5.0
    assert len(index) > 3000
    rng = random.Random(7)
    hoaxes = [r for r in rows if r["label"] == "hoax" and len(r["text"].split()) >= 15]
    hits = 0
    sample = rng.sample(hoaxes, 40)
    for row in sample:
        words = [w for w in row["text"].split() if rng.random() > 0.15]
        found = index.search(" ".join(words), k=1)
        hits += bool(found) and found[0].title == (row["title"] or row["text"][:80])
    assert hits >= 36


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_search_never_raises(text: str) -> None:
    results = KnownHoaxIndex(HOAXES).search(text, k=2, min_similarity=0.0)
    assert len(results) <= 2
