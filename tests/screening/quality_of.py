"""How the quality tests score a submission on its own: analysed with the bundled rule set, then assessed."""

from __future__ import annotations

from screening import Doc, QualityReport, Submission, assess_quality, default_analyser  # as a notebook would


def analysed(title: str, text: str, *, author: str = "") -> Doc:
    """The analysed document of a submission (unchecked, so edge cases reach the quality score)."""
    return default_analyser().analyse(Submission(text=text, title=title, author=author))


def assessed(doc: Doc) -> QualityReport:
    return assess_quality(doc, stemmer=default_analyser().stemmer)


def quality_of(title: str, text: str, *, author: str = "") -> QualityReport:
    return assessed(analysed(title, text, author=author))
