"""The port of Sastrawi's stemmer (`screening.ecs`) gives PySastrawi's stem for every input.

A sample of what `scripts/check_stemmer.py` compares in full: generated affixed and reduplicated words, the exact
shapes at which the prefix rules start or stop applying, random strings, and words of the bundled lists; the
whole stemmer and its prefix and suffix removal alone.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from screening.ecs import EcsStemmer, normalize_text
from screening.resources import load_root_words
from screening.stemming import BoundedStemmer, sastrawi_stemmer

REPO = Path(__file__).resolve().parents[2]

# Inputs where Sastrawi's own behaviour is unusual: reduplication and clitics after it, the rule groups whose
# choice depends on the root words (meng-/peng-: -V, -kV, -e-, -ngV), the fixed exceptions, the short-word
# step that stops only the visitor loops, suffixes put back (-kan as -k), and text normalisation (letters outside
# ASCII that fold to a-z are kept, others split the word).
TRICKY = (
    "buku-buku", "berbalas-balasan", "meniru-nirukan", "malaikat-malaikat-nya", "kesemuanya-lah", "buku-buku-buku",
    "abal-abal", "sebaik-baiknya", "-nya", "--lah", "ku-ku", "a-b", "di-", "-", "",
    "pengantar", "pengeboman", "pengekspor", "pengawas", "mengeluarkan", "mengkritik", "menganga", "mengerti",
    "mempengaruhi", "memproteksi", "mempunyai", "mentaati", "mensyukuri", "penstabilan", "pentranskripsi",
    "belajar", "pelajar", "pelajaran", "ketahui", "kauambil", "kuambil", "bertebaran", "berterbangan",
    "terpercaya", "tertangkap", "terlambati", "peradius", "perem", "dipersoalkannya", "mematikan", "menanyakan",
    "dia", "kah", "pun", "dikah", "sekupun", "kan", "dikan", "masakan", "ikan", "makan",
    "Cafébaru", "ſapu", "ſapu-ſapu", "İbu", "KABAR", "Menyebarkan!", "a  b", "memper2kan", "berı", "nasionalisasi",
)  # fmt: skip


def _check_stemmer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_stemmer", REPO / "scripts" / "check_stemmer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_stemmer", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def check() -> ModuleType:
    return _check_stemmer()


@pytest.fixture(scope="module")
def stemmers() -> tuple[EcsStemmer, object]:
    return EcsStemmer(load_root_words()), sastrawi_stemmer()


def test_tricky_inputs_stem_as_sastrawi_stems_them(check: ModuleType, stemmers: tuple) -> None:
    ours, sastrawi = stemmers
    assert check.differences(TRICKY, ours.stem, sastrawi.stem) == []
    assert check.step_differences(TRICKY, ours, sastrawi) == []
    assert ours.stem("berbalas-balasan") == "balas" and ours.stem("pengantar") == "antar"


def test_a_sample_of_every_kind_of_input_stems_as_sastrawi_stems_it(check: ModuleType, stemmers: tuple) -> None:
    ours, sastrawi = stemmers
    roots = load_root_words()
    rng = random.Random(2024)
    lists = [w for words in check.bundled_words().values() for w in rng.sample(words, min(150, len(words)))]
    generated = check.generated_words(roots, 1500, seed=11)
    shapes = check.rule_shapes(roots, classes=3, with_roots=False) + rng.sample(check.rule_shapes(roots), 1000)
    rules = check.rule_strings(roots, 600, seed=13)
    strings = check.random_strings(600, seed=12)
    assert check.differences(lists + generated + shapes + rules + strings, ours.stem, sastrawi.stem) == []
    assert check.step_differences(generated[:500] + shapes + rules, ours, sastrawi) == []


def test_the_comparison_finds_a_wrong_rule(check: ModuleType, stemmers: tuple) -> None:
    """A stemmer that misses one rule (peng-V taken as pe-ngV) differs from Sastrawi on the sample above."""
    ours, sastrawi = stemmers
    roots = load_root_words()

    class Broken(EcsStemmer):
        def _disambiguate(self, w: str) -> str | None:
            return w[2:] if w.startswith("peng") else super()._disambiguate(w)

    shapes = random.Random(2024).sample(check.rule_shapes(roots), 1500)
    assert check.differences(shapes, ours.stem, sastrawi.stem) == []
    assert check.differences(shapes, Broken(roots).stem, sastrawi.stem) != []


def test_text_is_normalised_as_sastrawi_normalises_it() -> None:
    assert normalize_text("Menyebarkan, BERITA-berita!  ſapu İbu") == "menyebarkan berita-berita ſapu i bu"
    assert normalize_text("kata-kata") == "kata-kata"


def test_the_bounded_stemmer_uses_the_port(stemmers: tuple) -> None:
    _, sastrawi = stemmers
    words = ["dipersoalkannya", "memperjuangkannya", "kebersamaannya", "pengeboman", "berterbangan", "ſapuan"]
    stemmer = BoundedStemmer(use_table=False)
    assert [stemmer.stem(w) for w in words] == [sastrawi.stem(w) for w in words]
    assert stemmer.stem("sebaik-baiknya") == "sebaik-baiknya"  # words with a hyphen are left as they are
