"""The one definition of a submission's limits and of the label set."""

from __future__ import annotations

import pytest

from screening.errors import InvalidInputError
from screening.labels import LABELS, parse_label
from screening.submission import MAX_META_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, Submission


def test_a_submission_within_the_limits_is_accepted() -> None:
    submission = Submission(text="a" * MAX_TEXT_CHARS, title="t" * MAX_TITLE_CHARS, author="x" * MAX_META_CHARS)
    assert submission.checked() is submission


@pytest.mark.parametrize(
    ("submission", "problem"),
    [
        (Submission(text="   \n"), "text is empty"),
        (Submission(text="a" * (MAX_TEXT_CHARS + 1)), "text is longer"),
        (Submission(text="isi", title="t" * (MAX_TITLE_CHARS + 1)), "title is longer"),
        (Submission(text="isi", kim_group="k" * (MAX_META_CHARS + 1)), "kim_group is longer"),
        (Submission(text=123), "text must be a string"),  # type: ignore[arg-type]
    ],
)
def test_a_submission_over_a_limit_says_which(submission: Submission, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        submission.checked()


@pytest.mark.parametrize(
    ("raw", "label"),
    [("hoax", "hoax"), ("HOAKS", "hoax"), (" 1 ", "hoax"), ("1.0", "hoax"), (1, "hoax")]
    + [("Valid", "valid"), (0, "valid")],
)
def test_labels_are_read_in_the_spellings_people_use(raw: object, label: str) -> None:
    assert parse_label(raw) == label


@pytest.mark.parametrize("raw", ["", "fakta", "2", None, True, "hoax?"])
def test_anything_else_is_not_a_label(raw: object) -> None:
    with pytest.raises(InvalidInputError, match="label must be"):
        parse_label(raw)


def test_the_label_set_is_hoax_and_valid() -> None:
    assert set(LABELS) == {"hoax", "valid"}
