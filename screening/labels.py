"""The label set of training data and editors' verdicts, defined once, with the spellings people use for it."""

from __future__ import annotations

from typing import Literal, get_args

from screening.errors import InvalidInputError

Label = Literal["hoax", "valid"]
LABELS: tuple[Label, ...] = get_args(Label)

# Indonesian and numeric spellings accepted from files (CSV/JSONL written by people and other tools).
_SPELLINGS: dict[str, Label] = {
    "hoax": "hoax",
    "hoaks": "hoax",
    "1": "hoax",
    "valid": "valid",
    "0": "valid",
}


def parse_label(raw: object) -> Label:
    """The label a file means by `raw` ("hoax"/"hoaks"/1 or "valid"/0, any case); InvalidInputError otherwise."""
    key = str(raw).strip().lower() if raw is not None and not isinstance(raw, bool) else ""
    if key.endswith(".0") and key[:-2] in ("0", "1"):  # spreadsheets write numbers as floats
        key = key[:-2]
    label = _SPELLINGS.get(key)
    if label is None:
        raise InvalidInputError(f"label must be hoax/hoaks/1 or valid/0, got {raw!r}")
    return label
