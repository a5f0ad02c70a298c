"""Exceptions raised by the screening library, all in one tree.

ScreeningError                 base of everything below
├── InvalidInputError          a submission or file row the library cannot screen
├── ModelArtifactError         a model version that is missing, altered, unreadable or not reproduced here
├── TrainingDataError          labelled data that cannot be read or is unusable for training
├── RulesError                 a rules file that is malformed (names the rule and the field)
├── RetrainInProgressError     another retrain holds the registry's lock
├── BatchError                 a batch run that cannot start or continue (input, checkpoint, format)
│   └── BatchUsageError        ... because it was asked for wrongly (screening.batch)
└── StoreError                 the database could not be reached, or refused a read or write
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


class RetrainInProgressError(ScreeningError):
    """Another retrain holds this registry's lock."""


class BatchError(ScreeningError):
    """A batch run cannot start or continue (unreadable input, mismatching checkpoint, unknown format)."""


class StoreError(ScreeningError):
    """The database could not be reached, or refused a read or write."""
