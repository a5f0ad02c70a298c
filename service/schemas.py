"""Request and response bodies of the HTTP API. Unknown fields are rejected; every field is bounded."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from screening import submission as library
from screening.labels import Label
from screening.result import Thresholds
from screening.submission import MAX_META_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS

MAX_NOTE_CHARS = 2_000
HARD_MAX_BATCH_ITEMS = 1_000  # the deployment's limit (SARING_MAX_BATCH_ITEMS, default 100) is at most this


def _storable(value: str) -> str:
    # Lone surrogates cannot be encoded, and PostgreSQL refuses NUL: reject both here rather than fail later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain non-whitespace text")
    return value


Text = Annotated[
    str, Field(min_length=1, max_length=MAX_TEXT_CHARS), AfterValidator(_storable), AfterValidator(_not_blank)
]
Title = Annotated[str, Field(max_length=MAX_TITLE_CHARS), AfterValidator(_storable)]
Meta = Annotated[str, Field(min_length=1, max_length=MAX_META_CHARS), AfterValidator(_storable)]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
# In requests numbers and booleans are strict: `false` or "0.5" is refused (422), never read as 0.0 or 0.5.
StrictProbability = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ThresholdsIn(Strict):
    """Stricter thresholds for this request; they can only tighten the deployment's defaults, never loosen them."""

    review: StrictProbability
    reject: StrictProbability

    @model_validator(mode="after")
    def _ordered(self) -> ThresholdsIn:
        if self.review > self.reject:
            raise ValueError("review must not exceed reject")
        return self

    def to_thresholds(self) -> Thresholds:
        return Thresholds(review=self.review, reject=self.reject)


class Submission(Strict):
    """One text to screen with optional metadata about where it comes from."""

    title: Title = ""
    text: Text
    kim_group: Meta | None = Field(None, description="Kelompok Informasi Masyarakat (village information group)")
    author: Meta | None = None
    channel: Meta | None = Field(None, description="where it would be published, e.g. 'website', 'facebook'")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Warga Desa Sukamaju Gotong Royong Bersihkan Irigasi",
                    "text": "Sukamaju (3/11) - Puluhan warga bersama KIM Sukamaju membersihkan saluran irigasi ...",
                    "kim_group": "KIM Sukamaju",
                    "channel": "website",
                }
            ]
        }
    )

    def to_library(self) -> library.Submission:
        return library.Submission(
            text=self.text,
            title=self.title,
            author=self.author or "",
            kim_group=self.kim_group or "",
            channel=self.channel or "",
        )


class ScreenRequest(Submission):
    """`POST /v1/screen`: one submission, optionally with stricter thresholds."""

    thresholds: ThresholdsIn | None = None


def _document_items_as_submissions(schema: dict[str, Any]) -> None:
    # Items are typed `Any` so that each is validated on its own; the documentation still describes them.
    schema["items"] = Submission.model_json_schema()


class BatchScreenRequest(Strict):
    """`POST /v1/screen/batch`: up to SARING_MAX_BATCH_ITEMS submissions (and SARING_MAX_BATCH_CHARS characters in
    all), validated one by one.

    An invalid item does not reject the batch: its entry in the response carries an error instead of a result.
    """

    items: list[Any] = Field(
        min_length=1,
        max_length=HARD_MAX_BATCH_ITEMS,
        json_schema_extra=_document_items_as_submissions,
    )
    thresholds: ThresholdsIn | None = None


class LabelSubmission(Strict):
    """`POST /v1/labels`: an editor's verdict on a text, optionally answering a screening.

    The editor is the authenticated caller (the key's name, else its id); an `editor_id` field is refused (422).
    """

    text: Text
    title: Title = ""
    label: Label
    note: Annotated[str, Field(max_length=MAX_NOTE_CHARS), AfterValidator(_storable)] | None = None
    screening_id: Identifier | None = None


class LabelCreated(BaseModel):
    id: int
    text_sha256: str
    label: Label
    editor: str = Field(description="who recorded it: the API key's name, else its key id")
    duplicate: bool = Field(
        False,
        description="the editor's latest verdict on this text was already this one: nothing new stored, `id` is it",
    )
    conflict: bool = Field(False, description="editors' latest verdicts on this text differ; it is back in the queue")


class LabelOut(BaseModel):
    """One stored label (a correction is a newer label by the same editor; both are kept)."""

    id: int
    created_at: datetime
    editor: str
    label: Label
    text_sha256: str
    screening_id: str | None
    title: str
    text: str
    note: str | None
    conflict: bool = Field(description="editors' latest verdicts on this text differ")


class LabelsPage(BaseModel):
    items: list[LabelOut]
    total: int = Field(ge=0, description="labels matching the filters")
    limit: int
    offset: int
    next_offset: int | None = Field(description="the offset of the next page, none after the last")


# Responses -------------------------------------------------------------------------------------------------------


class SpanOut(BaseModel):
    """A character span [start, end) of the submitted `text`, or of the `title` when `field` is "title"."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    field: Literal["text", "title"] = "text"


class RuleMatchOut(BaseModel):
    rule_id: str
    category: str
    weight: float
    message: str
    spans: list[SpanOut]


class TermOut(BaseModel):
    term: str
    contribution: float


class SimilarHoaxOut(BaseModel):
    hoax_id: str
    title: str
    similarity: Probability
    debunk_url: str | None = Field(description="a clarification of the hoax; never the hoax's own page")
    hoax_url: str | None = Field(None, description="where the hoax itself was published ('sumber hoaks'), if known")
    verdict_source: str = Field("", description="who judged it a hoax, e.g. MAFINDO or an editor's label")


class NoticeOut(BaseModel):
    code: str = Field(description="stable English identifier, e.g. 'known_hoax_repeat', 'other_language'")
    message: str = Field(description="what the editor must know, in Bahasa Indonesia")


class QualityFindingOut(BaseModel):
    check: str
    message: str
    suggestion: str
    span: SpanOut | None = None
    source: str = Field("", description="the word list or check that produced the finding")
    replacement: str | None = Field(None, description="the corrected text for `span`, when there is one")


class QualityOut(BaseModel):
    kind: Literal["article", "post"]
    score: int = Field(ge=0, le=100)
    subscores: dict[str, int]
    findings: list[QualityFindingOut]
    elements: dict[str, SpanOut | None] = Field(default_factory=dict, description="5W1H elements found, with spans")


class ThresholdsOut(BaseModel):
    review: Probability
    reject: Probability


class ScreenResponse(BaseModel):
    """The full screening result: risk, decision, quality, evidence and the model that produced it."""

    screening_id: str
    text_sha256: str
    hoax_risk: Probability
    classifier_risk: Probability
    decision: Literal["publish", "review", "reject"]
    thresholds: ThresholdsOut
    genre: Literal["article", "post"] = Field(description="how the text was scored and judged: post or article")
    base_rate: Probability = Field(description="the expected share of hoaxes `hoax_risk` is computed at")
    language: str = Field(description="ISO 639-1 code of the text's language ('und' when too short to tell)")
    notices: list[NoticeOut] = Field(description="what the decision rests on beyond the risk")
    quality: QualityOut
    rules: list[RuleMatchOut]
    terms: list[TermOut]
    similar_hoaxes: list[SimilarHoaxOut]
    model_version: str
    ruleset_version: str


class ScreeningOut(BaseModel):
    """One row of the audit log. Past the retention period `title`, `text` and `author` are null (purged)."""

    screening_id: str
    created_at: datetime
    request_id: str | None = Field(description="the request's `X-Request-ID`, as in the access log")
    text_sha256: str
    title: str | None
    text: str | None
    text_purged_at: datetime | None = Field(description="when title, text and author were purged (retention)")
    hoax_risk: Probability
    classifier_risk: Probability
    decision: Literal["publish", "review", "reject"]
    model_version: str
    ruleset_version: str
    kim_group: str | None
    author: str | None
    channel: str | None
    caller_role: str | None
    caller_key_id: str | None


class ScreeningsPage(BaseModel):
    items: list[ScreeningOut]
    total: int = Field(ge=0, description="screenings matching the filters")
    limit: int
    offset: int
    next_offset: int | None = Field(description="the offset of the next page, none after the last")


class ErrorDetail(BaseModel):
    field: str
    problem: str
    type: str


class ErrorInfo(BaseModel):
    code: str = Field(description="stable English code, e.g. 'invalid_request', 'payload_too_large'")
    message: str = Field(description="explanation for editors, in Bahasa Indonesia")
    details: list[ErrorDetail] | None = None


class ErrorResponse(BaseModel):
    error: ErrorInfo


class BatchItemResult(BaseModel):
    """One entry per submitted item, in order: a result, or the error that item alone caused."""

    index: int = Field(ge=0)
    result: ScreenResponse | None = None
    error: ErrorInfo | None = None


class BatchScreenResponse(BaseModel):
    model_version: str
    items: list[BatchItemResult]
    succeeded: int = Field(ge=0)
    failed: int = Field(ge=0)


class ModelVersionOut(BaseModel):
    version: str
    active: bool
    loadable: bool = Field(description="whether this version loads and reproduces its reference scores here")
    problem: str | None = Field(None, description="why it cannot load, when it cannot")
    metadata: dict[str, Any]


class ModelsResponse(BaseModel):
    active_version: str | None = Field(description="the version the registry points at")
    serving_version: str | None = Field(description="the version this process is serving right now")
    versions: list[ModelVersionOut]


class ModelSwitched(BaseModel):
    active_version: str
    previous_version: str | None


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    model_loaded: bool
    model_version: str | None
    store_reachable: bool
    checked_at: datetime
