"""Exceptions raised by the screening library.

ScreeningError                 base of everything below
├── InvalidInputError          a submission or file row the library cannot screen
├── ModelArtifactError         a model directory that is missing, altered or from another environment
├── TrainingDataError          labelled data that cannot be read or is unusable for training
└── RulesError                 a rules file that is malformed (names the rule and the field)
"""


class ScreeningError(Exception):
    """Base class for all errors raised by `screening`."""


class InvalidInputError(ScreeningError, ValueError):
    """The input cannot be screened (wrong type, too long, missing text)."""


class ModelArtifactError(ScreeningError):
    """A stored model failed verification or could not be found."""


class TrainingDataError(ScreeningError):
    """Labelled data is malformed or insufficient."""


class RulesError(ScreeningError):
    """The rules file is malformed."""
