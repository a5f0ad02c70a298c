"""Saring's screening library: hoax risk, decisions and quality for Indonesian community news.

    from pathlib import Path
    from screening import ModelRegistry, Screener

    screener = Screener.from_registry(ModelRegistry(Path("models")))
    result = screener.screen(title="...", text="...")
    result.hoax_risk, result.decision, result.rules, result.quality.score

    # one component on its own, e.g. the quality score of a draft (the bundled rule set)
    from screening import assess_quality, default_analyser

    analyser = default_analyser()
    report = assess_quality(analyser.analyse_text("...", title="..."), stemmer=analyser.stemmer)

Everything here is importable without a web framework; the HTTP service and the command line only serialise
what these return. The exception tree is in `screening.errors`.
"""

from screening.doc import Analyser, Doc, Genre, default_analyser
from screening.errors import (
    BatchError,
    InvalidInputError,
    ModelArtifactError,
    RetrainInProgressError,
    RulesError,
    ScreeningError,
    StoreError,
    TrainingDataError,
)
from screening.labels import LABELS, Label, parse_label
from screening.policy import DecisionPolicy
from screening.quality import assess_quality
from screening.registry import ModelRegistry, TrainedModel, VersionInfo
from screening.result import (
    Notice,
    QualityFinding,
    QualityReport,
    RuleMatch,
    ScreenResult,
    SimilarHoax,
    Span,
    TermContribution,
    Thresholds,
)
from screening.screen import Screener
from screening.submission import MAX_META_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, Submission

__all__ = [
    "LABELS",
    "MAX_META_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "Analyser",
    "BatchError",
    "DecisionPolicy",
    "Doc",
    "Genre",
    "InvalidInputError",
    "Label",
    "ModelArtifactError",
    "ModelRegistry",
    "Notice",
    "QualityFinding",
    "QualityReport",
    "RetrainInProgressError",
    "RuleMatch",
    "RulesError",
    "ScreenResult",
    "Screener",
    "ScreeningError",
    "SimilarHoax",
    "Span",
    "StoreError",
    "Submission",
    "TermContribution",
    "Thresholds",
    "TrainedModel",
    "TrainingDataError",
    "VersionInfo",
    "assess_quality",
    "default_analyser",
    "parse_label",
]
