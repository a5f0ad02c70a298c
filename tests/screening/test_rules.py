"""Rule engine: bundled rules fire on the right spans, malformed files fail loudly, any input is safe."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from id_texts import (
    CHAIN_TEXT,
    DEBUNK_TEXT,
    HEALTH_TEXT,
    IMPERSONATION_TEXT,
    IMPERSONATION_WITH_LINK,
    KIM_TEXT,
    SCAM_TEXT,
    SLANG_CHAIN,
)

from screening.errors import RulesError
from screening.result import RuleMatch
from screening.rules import RuleEngine
from screening.text import normalise


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine.from_file()


def fired(engine: RuleEngine, text: str) -> dict[str, RuleMatch]:
    return {m.rule_id: m for m in engine.match(normalise(text))}


def span_texts(match: RuleMatch) -> list[str]:
    return [s.text for s in match.spans]


def assert_spans_index_original(matches: list[RuleMatch], original: str) -> None:
    for m in matches:
        assert m.spans, m.rule_id
        for span in m.spans:
            assert 0 <= span.start < span.end <= len(original)
            assert original[span.start : span.end] == span.text


def test_bundled_rules_load_with_version(engine: RuleEngine) -> None:
    assert engine.version
    assert len(engine.rules) >= 20
    assert len({r.id for r in engine.rules}) == len(engine.rules)
    names = engine.feature_names()
    assert names == sorted(set(names), key=names.index)  # stable, no duplicates
    assert {"rules_spread", "rules_scam", "rules_debunk", "rules_attribution"} <= set(names)
    assert len(engine.features([])) == len(names)


def test_chain_message_fires_spread_source_and_shouting(engine: RuleEngine) -> None:
    hits = fired(engine, CHAIN_TEXT)
    assert "Kirim ke 10 grup" in span_texts(hits["spread_chain_count"])
    assert "SEBARKAN" in span_texts(hits["spread_call"])
    assert "jgn berhenti di kamu" in span_texts(hits["spread_call"])  # slang "jgn" matched via normalisation
    assert "Info dari grup sebelah" in span_texts(hits["unverified_source"])
    assert "A1 dari org dalam" in span_texts(hits["unverified_source"])
    assert "Ini bukan hoax" in span_texts(hits["unverified_truth_claim"])
    assert "!!!" in span_texts(hits["shouting_exclamations"])
    assert "emoji_heavy" in hits
    # "bukan hoax" claims truth; it is not a debunking cue
    assert "debunk_hoax_word" not in hits
    assert_spans_index_original(list(hits.values()), CHAIN_TEXT)


def test_nested_phrase_hits_are_reported_once(engine: RuleEngine) -> None:
    spans = span_texts(fired(engine, CHAIN_TEXT)["unverified_source"])
    assert "grup sebelah" not in spans and "dari grup sebelah" not in spans


def test_slang_variants_match_editor_phrases(engine: RuleEngine) -> None:
    hits = fired(engine, SLANG_CHAIN)
    assert "Info dr grup sebelah" in span_texts(hits["unverified_source"])
    assert "Copas dr grup" in span_texts(hits["unverified_source"])
    assert "Share ke semua" in span_texts(hits["spread_call"])


def test_overlapping_phrases_merge_into_one_span(engine: RuleEngine) -> None:
    hits = fired(engine, "Tolong sebar kan info ini. Jika anda muslim ketik Aamiin")
    assert span_texts(hits["spread_call"]) == ["Tolong sebar kan"]
    assert span_texts(hits["spread_religious_pressure"]) == ["Jika anda muslim", "ketik Aamiin"]


def test_scam_offer(engine: RuleEngine) -> None:
    hits = fired(engine, SCAM_TEXT)
    assert span_texts(hits["scam_credentials"]) == ["kirim kode OTP"]
    assert {"pemenang undian", "klaim hadiah", "Biaya admin"} <= set(span_texts(hits["scam_money"]))
    assert span_texts(hits["link_shortened"]) == ["bit.ly/klaim-hadiah-shopee"]
    assert "scam_transfer_fee" in hits


def test_health_myth(engine: RuleEngine) -> None:
    hits = fired(engine, HEALTH_TEXT)
    # overlapping hits ("100% ampuh", "ampuh menyembuhkan", "menyembuhkan kanker") are merged into one span
    assert {"100% ampuh menyembuhkan kanker", "sembuh total", "tanpa operasi"} <= set(
        span_texts(hits["health_miracle_claim"])
    )
    assert any(
        s.startswith("Obat herbal") and s.endswith("sembuh total") for s in span_texts(hits["health_cure_regex"])
    )
    assert "Bagikan sebanyak-banyaknya" in span_texts(hits["spread_call"])


def test_impersonation_only_without_official_link(engine: RuleEngine) -> None:
    assert span_texts(fired(engine, IMPERSONATION_TEXT)["authority_impersonation"]) == ["Pesan dari Kapolri"]
    assert "authority_impersonation" not in fired(engine, IMPERSONATION_WITH_LINK)


def test_debunking_article_fires_negative_cues(engine: RuleEngine) -> None:
    matches = engine.match(normalise(DEBUNK_TEXT))
    hits = {m.rule_id: m for m in matches}
    assert {"membantah", "tidak benar", "cek fakta", "disinformasi"} <= set(span_texts(hits["debunk_cue"]))
    assert "hoaks" in span_texts(hits["debunk_hoax_word"])
    assert "ujarnya" in span_texts(hits["attribution_said"])
    assert "Menurut Irvan" in span_texts(hits["attribution_named"])
    assert all(m.weight < 0 for m in matches if m.category in ("debunk", "attribution"))
    assert not {"spread", "scam", "health_claim", "suspicious_link"} & {m.category for m in matches}
    assert_spans_index_original(matches, DEBUNK_TEXT)


def test_clean_village_news_has_no_risk_cues(engine: RuleEngine) -> None:
    matches = engine.match(normalise(KIM_TEXT))
    assert sum(m.weight for m in matches if m.weight > 0) <= 0.5
    assert "attribution_named" in {m.rule_id for m in matches}


def test_phrases_match_whole_tokens_only(engine: RuleEngine) -> None:
    hits = fired(engine, "Pengawasan dilakukan bersama. Penyebarluasan informasi dilakukan dengan baik.")
    assert "urgency_fear" not in hits  # "awas" is inside "Pengawasan"
    assert "spread_call" not in hits


def test_shouting_measures(engine: RuleEngine) -> None:
    loud = "AWAS BAHAYA BESAR DI JALAN RAYA MALAM INI JANGAN KELUAR RUMAH"
    hits = fired(engine, loud)
    assert "BAHAYA" in span_texts(hits["shouting_caps"])
    assert "shouting_caps" not in fired(engine, "Awas Bahaya di Jalan Raya, kata Kapolsek.")
    assert "shouting_caps" not in fired(engine, "DKI")  # too few letters to judge


def test_features_count_spans_per_category(engine: RuleEngine) -> None:
    names = engine.feature_names()
    chain = dict(zip(names, engine.features(engine.match(normalise(CHAIN_TEXT))), strict=True))
    debunk = dict(zip(names, engine.features(engine.match(normalise(DEBUNK_TEXT))), strict=True))
    assert chain["rules_spread"] > 0 and chain["rules_debunk"] == 0
    assert debunk["rules_debunk"] > 0 and debunk["rules_spread"] == 0
    assert all(0 <= v <= 2.4 for v in chain.values())  # log1p of a capped count


def test_engine_pickles_with_its_matches(engine: RuleEngine) -> None:
    clone = pickle.loads(pickle.dumps(engine))
    assert clone.version == engine.version
    assert clone.match(normalise(SCAM_TEXT)) == engine.match(normalise(SCAM_TEXT))


# -- malformed rule files -------------------------------------------------------------------------------------


def write_rules(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD_RULE = """
  - id: spread_call
    category: spread
    weight: 1
    message: Ajakan menyebarkan.
    phrases: [sebarkan]
"""


@pytest.mark.parametrize(
    ("rule", "rule_id", "field"),
    [
        ("  - id: no_weight\n    category: spread\n    message: x\n    phrases: [a]\n", "no_weight", "weight"),
        (
            "  - id: bad_weight\n    category: spread\n    weight: banyak\n    message: x\n    phrases: [a]\n",
            "bad_weight",
            "weight",
        ),
        (
            "  - id: bad_regex\n    category: link\n    weight: 1\n    message: x\n    regex: '(bit\\.ly'\n",
            "bad_regex",
            "regex",
        ),
        (
            "  - id: two\n    category: c\n    weight: 1\n    message: x\n    phrases: [a]\n    regex: b\n",
            "two",
            "phrases/regex/measure",
        ),
        ("  - id: none\n    category: c\n    weight: 1\n    message: x\n", "none", "phrases/regex/measure"),
        (
            "  - id: meas\n    category: c\n    weight: 1\n    message: x\n    measure: loudness\n    threshold: 1\n",
            "meas",
            "measure",
        ),
        ("  - id: thr\n    category: c\n    weight: 1\n    message: x\n    measure: caps_share\n", "thr", "threshold"),
        (
            "  - id: empty_phrase\n    category: c\n    weight: 1\n    message: x\n    phrases: ['  ']\n",
            "empty_phrase",
            "phrases",
        ),
        ("  - id: no_message\n    category: c\n    weight: 1\n    phrases: [a]\n", "no_message", "message"),
        ("  - id: typo\n    category: c\n    weight: 1\n    message: x\n    phrase: [a]\n", "typo", "phrase"),
        ("  - id: where\n    category: c\n    weight: 1\n    message: x\n    regex: a\n    on: both\n", "where", "on"),
        (GOOD_RULE, "spread_call", "id"),  # duplicate of the first rule
    ],
)
def test_malformed_rule_names_rule_and_field(tmp_path: Path, rule: str, rule_id: str, field: str) -> None:
    path = write_rules(tmp_path, f'version: "t1"\nrules:{GOOD_RULE}{rule}')
    with pytest.raises(RulesError) as excinfo:
        RuleEngine.from_file(path)
    assert f"rule {rule_id!r}" in str(excinfo.value)
    assert f"field {field!r}" in str(excinfo.value)


@pytest.mark.parametrize(
    "body",
    ["rules: []\n", 'version: "1"\nrules: []\n', 'version: "1"\nrules: [\n', "- just a list\n", ""],
)
def test_malformed_file_raises_rules_error(tmp_path: Path, body: str) -> None:
    with pytest.raises(RulesError):
        RuleEngine.from_file(write_rules(tmp_path, body))


def test_missing_file_raises_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError):
        RuleEngine.from_file(tmp_path / "absent.yaml")


def test_custom_rules_file_on_original_and_unless(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path,
        'version: "t2"\nrules:'
        + GOOD_RULE
        + "  - id: caps_link\n    category: link\n    weight: 1\n    message: x\n"
        + "    regex: 'BIT\\.LY/\\S+'\n    on: original\n    ignore_case: false\n"
        + "  - id: lapor\n    category: c\n    weight: 1\n    message: x\n    phrases: [lapor]\n"
        + "    unless:\n      phrases: [lapor polisi]\n",
    )
    engine = RuleEngine.from_file(path)
    assert engine.version == "t2"
    assert {m.rule_id for m in engine.match(normalise("Sebarkan BIT.LY/abc dan lapor"))} == {
        "spread_call",
        "caps_link",
        "lapor",
    }
    assert {m.rule_id for m in engine.match(normalise("bit.ly/abc, lapor polisi"))} == set()


# -- any input ------------------------------------------------------------------------------------------------

EDGE_CASES = [
    "",
    " ",
    "\n\n\t",
    "😱😱😱🔥🔥",
    "\u200b\u200c\u200d\ufeff",
    "seb\u200barkan ke 10 grup",
    "Себарkan ابحث 漢字 sebarkan किरिम !!!",
    "!" * 500,
    "A" * 1000,
    "\ud800 surrogate",
    "ŞEBARKAN ǅ Ǆ ß ẞ İstanbul ﬁ",
    (CHAIN_TEXT + "\n") * 300,  # about 100 KB
]


@pytest.mark.parametrize("text", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_edge_cases_never_raise_and_spans_index_original(engine: RuleEngine, text: str) -> None:
    matches = engine.match(normalise(text))
    assert_spans_index_original(matches, text)
    assert len(engine.features(matches)) == len(engine.feature_names())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_unicode_never_raises(engine: RuleEngine, text: str) -> None:
    assert_spans_index_original(engine.match(normalise(text)), text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([*CHAIN_TEXT.split(), *SCAM_TEXT.split(), "\u200b", "😱", "!!!", "\n"]), max_size=60))
def test_shuffled_cue_words_spans_index_original(engine: RuleEngine, words: list[str]) -> None:
    text = " ".join(words)
    assert_spans_index_original(engine.match(normalise(text)), text)
