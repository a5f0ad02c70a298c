"""The decision policy, defined once: how a model's risk becomes the decision a deployment gives.

The library (`Screener`), batch screening and the service all use a `DecisionPolicy`; its defaults below are
the deployment defaults (`SARING_*` settings only override them), so the same text, model and settings give the
same result everywhere.

1. **Base rate.** The model is calibrated on its hoax-watch training data, where hoaxes are common (about 82 %
   of the short claims, half of the articles). `base_rates` is the share of hoaxes the deployment expects per
   genre; the risk is moved to it by Bayes' rule (odds scaled by the ratio of prior odds). `None` for a genre
   keeps the training prior.
2. **Thresholds.** `hoax_risk` at or above `thresholds.reject` -> reject, at or above `thresholds.review` ->
   review, else publish; a request may only tighten them.
3. **Known hoaxes.** A near-verbatim copy of a known hoax (similarity >= `known_hoax_reject_similarity`) is
   rejected, saying which hoax it repeats; a weaker match (>= `known_hoax_review_similarity`) goes at least to
   review, because the classifier may never have seen that claim.
4. **Language.** A text reliably in another language than Indonesian goes at least to review: the model was
   not trained on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from screening.doc import GENRES, Genre
from screening.language import LanguageGuess
from screening.result import Decision, Notice, SimilarHoax, Thresholds

DEFAULT_THRESHOLDS = Thresholds(review=0.45, reject=0.85)
# Expected share of hoaxes among submissions, per genre; measured consequences are in the README's decision
# table (reports/cv_report.md).
DEFAULT_BASE_RATES: dict[str, float] = {"post": 0.5, "article": 0.5}
KNOWN_HOAX_REJECT_SIMILARITY = 0.9
KNOWN_HOAX_REVIEW_SIMILARITY = 0.8

_ORDER: dict[Decision, int] = {"publish": 0, "review": 1, "reject": 2}


def _at_least(decision: Decision, floor: Decision) -> Decision:
    return decision if _ORDER[decision] >= _ORDER[floor] else floor


@dataclass(frozen=True)
class DecisionPolicy:
    """Base rates, thresholds and the known-hoax and language rules of one deployment."""

    thresholds: Thresholds = DEFAULT_THRESHOLDS
    base_rates: Mapping[str, float | None] = field(default_factory=lambda: dict(DEFAULT_BASE_RATES))
    known_hoax_reject_similarity: float = KNOWN_HOAX_REJECT_SIMILARITY
    known_hoax_review_similarity: float = KNOWN_HOAX_REVIEW_SIMILARITY

    def __post_init__(self) -> None:
        for genre, rate in self.base_rates.items():
            if genre not in GENRES:
                raise ValueError(f"unknown genre {genre!r} in base rates (post, article)")
            if rate is not None and not 0.0 < rate < 1.0:
                raise ValueError(f"base rate for {genre} must be strictly between 0 and 1, got {rate}")
        if not 0.0 < self.known_hoax_review_similarity <= self.known_hoax_reject_similarity <= 1.0:
            raise ValueError("known-hoax similarities must satisfy 0 < review <= reject <= 1")

    def base_rate(self, genre: Genre, trained_rate: float) -> float:
        """The prior this deployment's risk is at for `genre` (the training prior when none is set)."""
        rate = self.base_rates.get(genre)
        return trained_rate if rate is None else rate

    def deployment_risk(self, risk: float, *, genre: Genre, trained_rate: float) -> float:
        """`risk` (at the training prior `trained_rate`) moved to this deployment's base rate by Bayes' rule."""
        target = self.base_rates.get(genre)
        if target is None:
            return risk
        trained = min(max(trained_rate, 1e-6), 1 - 1e-6)
        risk = min(max(risk, 1e-12), 1 - 1e-12)
        log_odds = math.log(risk / (1 - risk)) + math.log(target / (1 - target)) - math.log(trained / (1 - trained))
        return 1.0 / (1.0 + math.exp(-log_odds))

    def decide(
        self,
        risk: float,
        *,
        thresholds: Thresholds,
        similar: Sequence[SimilarHoax] = (),
        language: LanguageGuess | None = None,
    ) -> tuple[Decision, tuple[Notice, ...]]:
        """The decision for a deployment risk, with the notices that explain anything beyond the thresholds."""
        decision = thresholds.decide(risk)
        notices: list[Notice] = []
        best = max(similar, key=lambda s: s.similarity, default=None)
        if best is not None and best.similarity >= self.known_hoax_reject_similarity:
            decision = "reject"
            notices.append(
                Notice(
                    "known_hoax_repeat",
                    f"Naskah ini mengulang hoaks yang sudah dikenal ({best.similarity:.0%} mirip): "
                    f"\u201c{best.title}\u201d. Putusan hoaks: {best.verdict_source or 'data hoaks Saring'}.",
                )
            )
        elif best is not None and best.similarity >= self.known_hoax_review_similarity:
            decision = _at_least(decision, "review")
            notices.append(
                Notice(
                    "known_hoax_similar",
                    f"Naskah ini mirip hoaks yang sudah dikenal ({best.similarity:.0%}): \u201c{best.title}\u201d. "
                    "Bandingkan sebelum terbit.",
                )
            )
        if language is not None and language.is_other_language:
            decision = _at_least(decision, "review")
            notices.append(
                Notice(
                    "other_language",
                    f"Naskah ini tampaknya tidak berbahasa Indonesia (terdeteksi: {language.code}). Model Saring "
                    "hanya dilatih dengan teks berbahasa Indonesia, jadi skornya tidak dapat diandalkan; "
                    "periksa secara manual.",
                )
            )
        return decision, tuple(notices)
