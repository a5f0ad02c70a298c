"""Screening end to end with the real default model: behaviour on realistic texts, and properties."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from id_texts import (
    BPJS_CHAIN,
    CHAIN_TEXT,
    CLARIFICATION_TEXT,
    DEBUNK_TEXT,
    DEBUNK_TITLE,
    FLOOD_WARNING,
    HEALTH_TEXT,
    KIM_TEXT,
    KIM_TITLE,
    POSYANDU_TEXT,
    ROAD_TEXT,
    SCAM_TEXT,
    SHOUTING_ARTICLE,
    SHOUTING_ARTICLE_TITLE,
    VACCINE_HOAX,
)

from screening.errors import InvalidInputError
from screening.policy import DecisionPolicy
from screening.registry import TrainedModel
from screening.result import ScreenResult, Thresholds
from screening.scorer import GATE_TERM
from screening.screen import Screener
from screening.submission import MAX_TEXT_CHARS, Submission


@pytest.mark.parametrize(("title", "text"), [(KIM_TITLE, KIM_TEXT), ("", POSYANDU_TEXT), ("", ROAD_TEXT)])
def test_village_reports_are_published(screener: Screener, title: str, text: str) -> None:
    result = screener.screen(title=title, text=text)
    assert result.decision == "publish", result.hoax_risk
    assert result.genre == "article"
    # the terms shown say why: ordinary reporting, with attributed sources
    assert any(t.term == GATE_TERM and t.contribution < 0 for t in result.terms)


@pytest.mark.parametrize("text", [CHAIN_TEXT, BPJS_CHAIN, VACCINE_HOAX, SCAM_TEXT, HEALTH_TEXT])
def test_hoaxes_chains_and_scams_are_flagged(screener: Screener, text: str) -> None:
    result = screener.screen(text=text)
    assert result.decision in ("review", "reject"), result.hoax_risk
    assert result.rules


def test_a_shouting_spread_calling_article_is_flagged(screener: Screener) -> None:
    result = screener.screen(title=SHOUTING_ARTICLE_TITLE, text=SHOUTING_ARTICLE)
    assert result.decision in ("review", "reject"), result.hoax_risk
    assert {"spread", "unverified_source", "shouting"} <= {m.category for m in result.rules}
    assert any(s.field == "title" for m in result.rules for s in m.spans)  # the headline's findings count too


@pytest.mark.parametrize(
    ("title", "text"), [(DEBUNK_TITLE, DEBUNK_TEXT), ("", CLARIFICATION_TEXT), ("", FLOOD_WARNING)]
)
def test_clarifications_and_official_warnings_are_not_hoaxes(screener: Screener, title: str, text: str) -> None:
    result = screener.screen(title=title, text=text)
    assert result.decision == "publish", result.hoax_risk
    assert "urgency_fear" not in {m.rule_id for m in result.rules}
    assert "unverified_source" not in {m.category for m in result.rules}


def test_a_verbatim_copy_of_a_known_hoax_is_rejected_and_named(screener: Screener, trained: TrainedModel) -> None:
    assert trained.known_hoaxes is not None
    known = trained.known_hoaxes.entries_[7]
    result = screener.screen(text=known.text)
    assert result.decision == "reject"
    assert result.similar_hoaxes[0].hoax_id == known.hoax_id
    assert result.notices[0].code == "known_hoax_repeat" and known.title[:20] in result.notices[0].message


def test_debunk_links_are_never_the_hoax_itself(trained: TrainedModel) -> None:
    assert trained.known_hoaxes is not None
    for entry in trained.known_hoaxes.entries_:
        assert entry.debunk_url is None or entry.debunk_url != entry.hoax_url
        assert entry.verdict_source


def test_text_in_another_language_goes_to_review_with_a_notice(screener: Screener) -> None:
    english = (
        "Residents of the village gathered on Monday morning to clean the irrigation canal before the planting "
        "season, the village head said, adding that the work would continue next week."
    )
    result = screener.screen(text=english)
    assert result.language == "en" and result.decision != "publish"
    assert result.notices[-1].code == "other_language"
    assert "language" not in result.quality.subscores


def test_result_carries_explanations_and_versions(screener: Screener) -> None:
    result = screener.screen(text=CHAIN_TEXT)
    assert result.model_version and result.ruleset_version
    assert result.terms
    assert any(t.contribution > 0 for t in result.terms)
    for match in result.rules:
        for span in match.spans:
            assert CHAIN_TEXT[span.start : span.end] == span.text


def test_a_request_may_tighten_but_not_loosen_thresholds(screener: Screener) -> None:
    debunk = screener.screen(title=DEBUNK_TITLE, text=DEBUNK_TEXT)
    strict = screener.screen(title=DEBUNK_TITLE, text=DEBUNK_TEXT, thresholds=Thresholds(review=0.0, reject=1.0))
    loose = screener.screen(text=CHAIN_TEXT, thresholds=Thresholds(review=1.0, reject=1.0))
    assert strict.decision == "review" and debunk.decision == "publish"
    assert loose.thresholds.review == screener.default_thresholds.review


def test_invalid_input_is_refused_clearly(screener: Screener) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        screener.screen(text="   ")
    with pytest.raises(InvalidInputError, match="longer"):
        screener.screen(text="a" * (MAX_TEXT_CHARS + 1))


def test_batch_equals_one_by_one(screener: Screener) -> None:
    items = [("", CHAIN_TEXT), (KIM_TITLE, KIM_TEXT), ("", HEALTH_TEXT), (DEBUNK_TITLE, DEBUNK_TEXT), ("", "ok")]
    together = screener.screen_many([Submission(text=x, title=t) for t, x in items])
    alone = [screener.screen(title=t, text=x) for t, x in items]
    for a, b in zip(together, alone, strict=True):
        assert isinstance(a, ScreenResult)
        assert (a.hoax_risk, a.classifier_risk, a.decision, a.rules) == (
            b.hoax_risk,
            b.classifier_risk,
            b.decision,
            b.rules,
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1), title=st.text(max_size=50))
def test_scoring_never_raises_stays_in_range_and_spans_index_the_original(
    screener: Screener, text: str, title: str
) -> None:
    if not text.strip():
        return
    result = screener.screen(text=text, title=title)
    assert 0.0 <= result.hoax_risk <= 1.0
    assert 0.0 <= result.classifier_risk <= 1.0
    assert 0 <= result.quality.score <= 100
    for match in result.rules:
        for span in match.spans:
            source = title if span.field == "title" else text
            assert source[span.start : span.end] == span.text


@pytest.mark.parametrize(
    "text",
    ["😀" * 50, "\u200b\u200bhoaks\u200b", "ａｂｃ 漢字 العربية", "kata " * (MAX_TEXT_CHARS // 5), "!!!???", "1 2"],
)
def test_edge_case_texts(screener: Screener, text: str) -> None:
    result = screener.screen(text=text)
    assert 0.0 <= result.hoax_risk <= 1.0


def test_the_deployment_base_rate_moves_the_risk_by_bayes_rule(trained: TrainedModel) -> None:
    plain = Screener.from_trained(trained, policy=DecisionPolicy(base_rates={"post": None, "article": None}))
    shifted = Screener.from_trained(trained, policy=DecisionPolicy(base_rates={"article": 0.2, "post": 0.5}))
    for text in (KIM_TEXT, CHAIN_TEXT):
        a, b = plain.screen(text=text), shifted.screen(text=text)
        trained_rate = trained.model.base_rate_for(a.genre)
        assert a.base_rate == round(trained_rate, 4) and b.base_rate == {"article": 0.2, "post": 0.5}[a.genre]
        log_odds_shift = math.log(b.hoax_risk / (1 - b.hoax_risk)) - math.log(a.hoax_risk / (1 - a.hoax_risk))
        expected = math.log(b.base_rate / (1 - b.base_rate)) - math.log(trained_rate / (1 - trained_rate))
        # risks are rounded to 4 decimals: allow for that on the log-odds scale
        rounding = sum(5e-5 / (p * (1 - p)) for p in (a.hoax_risk, b.hoax_risk))
        assert abs(log_odds_shift - expected) <= rounding + 1e-6


# Texts at the length limit that made a backtracking regex or a quadratic word check run for seconds: a run of
# one letter (spelling suggestions, 75 s before), "a.a.a." (link search, 11 s), and other token floods.
WORST_TEXTS = {
    "one letter": "a" * MAX_TEXT_CHARS,
    "dotted letters": "a." * (MAX_TEXT_CHARS // 2),
    "hyphenated letters": "a-" * (MAX_TEXT_CHARS // 2),
    "slashes": "a/" * (MAX_TEXT_CHARS // 2),
    "hashtags": "#a" * (MAX_TEXT_CHARS // 2),
    "domains": "x.go.id " * (MAX_TEXT_CHARS // 8),
    "digits": "08" * (MAX_TEXT_CHARS // 2),
    "shouting": "SEBARKAN!!! " * (MAX_TEXT_CHARS // 12),
}


@pytest.mark.parametrize("text", WORST_TEXTS.values(), ids=WORST_TEXTS.keys())
def test_no_text_within_the_limits_holds_the_screener(screener: Screener, text: str) -> None:
    """Every step is linear in the text: the worst texts take under a second (ordinary ones ~15 ms; the figures
    are in bench/bench_worst_texts.py). A generous bound on CPU time, so a loaded machine cannot fail it."""
    started = time.process_time()
    result = screener.screen(text=text, title="HEBOH!!! " * 50)
    assert time.process_time() - started < 3.0
    assert 0.0 <= result.hoax_risk <= 1.0


def test_screening_loads_and_runs_without_the_training_libraries(trained_models_dir: Path) -> None:
    """Serving reads the compiled arrays only: a process that loads a model and screens never imports scikit-learn
    (about a second of every start-up, and of every batch worker a spawning platform starts)."""
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from screening import ModelRegistry, Screener\n"
        f"screener = Screener.from_registry(ModelRegistry(Path({str(trained_models_dir)!r})))\n"
        "screener.screen(title='Kerja bakti', text='Warga desa membersihkan saluran air, kata kepala desa. ' * 30)\n"
        "screener.screen(text='Sebarkan! Vaksin ini berbahaya, kata teman saya')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True)
    loaded = done.stdout.strip()
    assert "sklearn" not in loaded and "scipy.optimize" not in loaded, loaded


def test_without_spelling_suggestions_only_the_unknown_words_likely_intended_words_are_left_out(
    screener: Screener,
) -> None:
    text = (
        "Warga Desa Sukamaju mengikuti kerja bakti membersihkan saluran air pada Minggu pagi. Kepala desa "
        "mengatakan informasi jadwal kegiatan sudah tersebr ke semua dusun melalui pengumuman di masjid."
    )
    submissions = [Submission(title="Kerja Bakti Warga Sukamaju", text=text)]
    full = screener.screen_many(submissions)[0]
    bare = screener.screen_many(submissions, explain=False, suggest_spelling=False)[0]
    assert isinstance(full, ScreenResult) and isinstance(bare, ScreenResult)
    slip = [f for f in full.quality.findings if f.span is not None and f.span.text == "tersebr"]
    assert slip and slip[0].replacement == "tersebar"  # the editor's result names the intended word
    # the batch's result: the same scores, decision and findings, the unknown word's without a guess
    assert (bare.hoax_risk, bare.decision, bare.quality.score) == (full.hoax_risk, full.decision, full.quality.score)
    assert bare.quality.subscores == full.quality.subscores
    assert [(f.check, f.span) for f in bare.quality.findings] == [(f.check, f.span) for f in full.quality.findings]
    assert all(f.replacement is None for f in bare.quality.findings if f.source == "lexicon")
