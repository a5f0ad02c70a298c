"""The decision policy: defined once, the same for library and service; base rates, known hoaxes, language."""

from __future__ import annotations

import math

import pytest

from screening.language import LanguageGuess
from screening.policy import DEFAULT_BASE_RATES, DEFAULT_THRESHOLDS, DecisionPolicy
from screening.result import SimilarHoax, Thresholds
from service.settings import Settings


def _similar(similarity: float) -> SimilarHoax:
    return SimilarHoax("mafindo-1", "Vaksin berisi microchip", similarity, None, None, "MAFINDO")


def test_library_and_service_default_to_one_policy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(models_dir=tmp_path, train_if_missing=False)
    assert settings.policy == DecisionPolicy()
    assert DecisionPolicy().thresholds == DEFAULT_THRESHOLDS
    assert dict(DecisionPolicy().base_rates) == DEFAULT_BASE_RATES


def test_base_rate_moves_the_risk_by_bayes_rule() -> None:
    policy = DecisionPolicy(base_rates={"post": 0.2, "article": None})
    risk = policy.deployment_risk(0.8, genre="post", trained_rate=0.8)
    assert math.log(risk / (1 - risk)) == pytest.approx(math.log(0.8 / 0.2) + math.log(0.25) - math.log(4.0))
    assert policy.deployment_risk(0.8, genre="article", trained_rate=0.5) == 0.8  # None keeps the training prior
    assert policy.base_rate("article", 0.53) == 0.53 and policy.base_rate("post", 0.82) == 0.2


@pytest.mark.parametrize("rates", [{"post": 1.0}, {"post": 0.0}, {"essay": 0.5}])
def test_nonsense_base_rates_are_refused(rates: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DecisionPolicy(base_rates=rates)


def test_a_near_verbatim_known_hoax_is_rejected_and_named() -> None:
    decision, notices = DecisionPolicy().decide(0.1, thresholds=DEFAULT_THRESHOLDS, similar=[_similar(0.95)])
    assert decision == "reject"
    assert notices[0].code == "known_hoax_repeat"
    assert "Vaksin berisi microchip" in notices[0].message and "MAFINDO" in notices[0].message


def test_a_weaker_known_hoax_match_goes_to_review_only() -> None:
    decision, notices = DecisionPolicy().decide(0.1, thresholds=DEFAULT_THRESHOLDS, similar=[_similar(0.85)])
    assert decision == "review" and notices[0].code == "known_hoax_similar"
    assert DecisionPolicy().decide(0.1, thresholds=DEFAULT_THRESHOLDS, similar=[_similar(0.5)]) == ("publish", ())


def test_another_language_goes_at_least_to_review() -> None:
    javanese = LanguageGuess("jv", 0.98, True)
    decision, notices = DecisionPolicy().decide(0.05, thresholds=DEFAULT_THRESHOLDS, language=javanese)
    assert decision == "review" and notices[0].code == "other_language" and "jv" in notices[0].message
    unsure = LanguageGuess("en", 0.6, False)
    assert DecisionPolicy().decide(0.05, thresholds=DEFAULT_THRESHOLDS, language=unsure)[0] == "publish"


def test_thresholds_decide_at_the_reported_value() -> None:
    limits = Thresholds(review=0.5, reject=0.85)
    assert DecisionPolicy().decide(0.85, thresholds=limits)[0] == "reject"
    assert DecisionPolicy().decide(0.8499, thresholds=limits)[0] == "review"
