"""What one submission is and how large it may be: the single definition the library, the API and batch share."""

from __future__ import annotations

from dataclasses import dataclass

from screening.errors import InvalidInputError

MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 500
MAX_META_CHARS = 200  # author, KIM group, channel


@dataclass(frozen=True, slots=True)
class Submission:
    """One text to screen and what the submitting tool knows about it."""

    text: str
    title: str = ""
    author: str = ""  # the writer named by the submitting tool; counts as the byline for the quality score
    kim_group: str = ""
    channel: str = ""  # where it would be published, e.g. "website", "facebook"

    def checked(self) -> Submission:
        """This submission if it can be screened; otherwise `InvalidInputError` saying what is wrong."""
        for name in ("text", "title", "author", "kim_group", "channel"):
            if not isinstance(getattr(self, name), str):
                raise InvalidInputError(f"{name} must be a string")
        if not self.text.strip():
            raise InvalidInputError("text is empty")
        if len(self.text) > MAX_TEXT_CHARS:
            raise InvalidInputError(f"text is longer than {MAX_TEXT_CHARS} characters")
        if len(self.title) > MAX_TITLE_CHARS:
            raise InvalidInputError(f"title is longer than {MAX_TITLE_CHARS} characters")
        for name in ("author", "kim_group", "channel"):
            if len(getattr(self, name)) > MAX_META_CHARS:
                raise InvalidInputError(f"{name} is longer than {MAX_META_CHARS} characters")
        return self
