"""The typed result of screening one submission. The HTTP layer and the CLI only serialise these."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Decision = Literal["publish", "review", "reject"]
TextKind = Literal["article", "post"]


@dataclass(frozen=True, slots=True)
class Span:
    """A character span [start, end) of the submitted `text` (or of the `title` when field == "title")."""

    start: int
    end: int
    text: str
    field: Literal["text", "title"] = "text"


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """One rule that fired: what it means for an editor and where in the original text."""

    rule_id: str
    category: str
    weight: float  # > 0 raises the risk, < 0 lowers it (reporting / debunking cues)
    message: str  # Bahasa Indonesia, for editors
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class TermContribution:
    """A term that moved the classifier; positive values push towards hoax."""

    term: str
    contribution: float


@dataclass(frozen=True, slots=True)
class SimilarHoax:
    """A known hoax close to the submission, and where its verdict comes from."""

    hoax_id: str
    title: str
    similarity: float  # 0..1
    debunk_url: str | None  # a clarification of the hoax (never the hoax itself)
    hoax_url: str | None = None  # where the hoax itself was published ("sumber hoaks"), when known
    verdict_source: str = ""  # who judged it a hoax, e.g. "MAFINDO" or "label editor"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something an editor must know about a decision beyond its risk (a known hoax repeated, another language)."""

    code: str  # stable English identifier, e.g. "known_hoax_repeat"
    message: str  # Bahasa Indonesia


@dataclass(frozen=True, slots=True)
class QualityFinding:
    """A journalistic-quality observation with a suggestion in Bahasa Indonesia."""

    check: str  # the sub-score it belongs to, e.g. "completeness"
    message: str
    suggestion: str
    span: Span | None = None
    # the list or rule that produced it, e.g. "lexicon", "slang", "kbbi", "doubled_word", "di_prefix", "clickbait"
    source: str = ""
    replacement: str | None = None  # the corrected text for `span`, when there is one ("tersebr" -> "tersebar")


@dataclass(frozen=True, slots=True)
class QualityReport:
    """0-100 quality score with sub-scores (each 0-100) and findings."""

    kind: TextKind
    score: int
    subscores: dict[str, int]
    findings: tuple[QualityFinding, ...]
    # the 5W1H ("who", "what", "when", "where", "why", "how") -> the first evidence in the text, or None
    elements: dict[str, Span | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Risk at or above `review` asks for review; at or above `reject` recommends rejection."""

    review: float = 0.5
    reject: float = 0.85

    def __post_init__(self) -> None:
        if not (0.0 <= self.review <= self.reject <= 1.0):
            raise ValueError(f"thresholds must satisfy 0 <= review <= reject <= 1, got {self}")

    def tightened(self, stricter: Thresholds | None) -> Thresholds:
        """A request may tighten the deployment's thresholds, never loosen them."""
        if stricter is None:
            return self
        return Thresholds(review=min(self.review, stricter.review), reject=min(self.reject, stricter.reject))

    def decide(self, risk: float) -> Decision:
        if risk >= self.reject:
            return "reject"
        if risk >= self.review:
            return "review"
        return "publish"


@dataclass(frozen=True)
class ScreenResult:
    """Everything one screening call returns."""

    screening_id: str
    text_sha256: str
    hoax_risk: float  # probability that the text spreads a hoax, at the deployment's base rate
    classifier_risk: float  # the text classifier alone (before style, rules and the ordinary-news gate), same prior
    decision: Decision
    thresholds: Thresholds
    genre: TextKind  # post or article: how the classifier scored it and the quality score judged it
    base_rate: float  # the prior `hoax_risk` is at (the deployment's expected share of hoaxes for this genre)
    language: str  # ISO 639-1 code of the text's language, "und" when too short to tell
    notices: tuple[Notice, ...]
    quality: QualityReport
    rules: tuple[RuleMatch, ...]
    terms: tuple[TermContribution, ...]
    similar_hoaxes: tuple[SimilarHoax, ...]
    model_version: str
    ruleset_version: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
