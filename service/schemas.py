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
        raise ValueError("tidak boleh memuat karakter NUL")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("harus teks Unicode yang sah (tanpa surrogate tunggal)") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("tidak boleh kosong atau hanya berisi spasi")
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
            raise ValueError("review tidak boleh lebih besar dari reject")
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
    explain: bool = Field(True, description="false: `terms` stays empty; the explanation's cost is saved")


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
    explain: bool = Field(True, description="false: every result's `terms` stays empty")


class LabelSubmission(Strict):
    """`POST /v1/labels`: an editor's verdict on a text, optionally answering a screening.

    The editor is the authenticated caller (the key's name, else its id); an `editor_id` field is refused (422).
    """

    text: Text
    title: Title = ""
    label: Label
    note: Note | None = None
    screening_id: Identifier | None = None


Note = Annotated[str, Field(max_length=MAX_NOTE_CHARS), AfterValidator(_storable)]


class LabelCorrection(Strict):
    """`PATCH /v1/labels/{id}` (admin): a new verdict and/or note for a stored label; the old ones stay in its
    history. The label keeps its editor: it still stands for that editor's (corrected) verdict."""

    label: Label | None = Field(None, description="the corrected verdict (absent: unchanged)")
    note: Note | None = Field(None, description="the new note; an empty string clears it (absent: unchanged)")

    @model_validator(mode="after")
    def _something(self) -> LabelCorrection:
        if self.label is None and self.note is None:
            raise ValueError("beri label, note, atau keduanya")
        return self


class LabelCreated(BaseModel):
    id: int = Field(description="the stored label's id (the earlier one when `duplicate`)")
    text_sha256: str = Field(description="sha256 of the labelled text (UTF-8), as in the audit log")
    label: Label = Field(description="the verdict as stored")
    editor: str = Field(description="who recorded it: the API key's name, else its key id")
    duplicate: bool = Field(
        False,
        description="the editor's latest verdict on this text was already this one: nothing new stored, `id` is it",
    )
    conflict: bool = Field(False, description="editors' latest verdicts on this text differ; it is back in the queue")


class LabelOut(BaseModel):
    """One stored label. An editor's newer verdict on the same text is another label (both are kept); an admin's
    correction changes this one (`corrected_*`; the old value is in its history)."""

    id: int = Field(description="the label's id")
    created_at: datetime = Field(description="when it was stored (UTC)")
    editor: str = Field(description="who recorded it: the API key's name, else its key id")
    label: Label = Field(description="the verdict")
    text_sha256: str = Field(description="sha256 of the labelled text (UTF-8), as in the audit log")
    screening_id: str | None = Field(description="the screening it answers, if one was named")
    title: str = Field(description="the labelled title")
    text: str = Field(description="the labelled text")
    note: str | None = Field(description="the editor's note")
    conflict: bool = Field(description="editors' latest verdicts on this text differ")
    corrected_at: datetime | None = Field(None, description="when an admin last corrected it (UTC)")
    corrected_by: str | None = Field(None, description="the admin who last corrected it (key name, else key id)")


class LabelStateOut(LabelOut):
    """A label as it is now, deleted or not."""

    deleted_at: datetime | None = Field(None, description="when an admin deleted it (UTC); null while it counts")
    deleted_by: str | None = Field(None, description="the admin who deleted it (key name, else key id)")


class LabelEventOut(BaseModel):
    """One step of a label's history: its creation by an editor, an admin's correction, or its deletion."""

    action: Literal["created", "corrected", "deleted"] = Field(description="what happened")
    at: datetime = Field(description="when (UTC)")
    by: str = Field(description="who: the editor who created it, the admin who corrected or deleted it")
    label: Label | None = Field(description="the verdict after this step (null once deleted)")
    note: str | None = Field(description="the note after this step")
    previous_label: Label | None = Field(description="the verdict before this step (null for its creation)")
    previous_note: str | None = Field(description="the note before this step")


class LabelHistoryOut(BaseModel):
    label: LabelStateOut = Field(description="the label as it is now")
    events: list[LabelEventOut] = Field(description="everything that happened to it, oldest first")


class LabelDeleted(BaseModel):
    id: int = Field(description="the deleted label's id")
    deleted_at: datetime = Field(description="when it was deleted (UTC)")
    deleted_by: str = Field(description="who deleted it: the admin key's name, else its key id")
    conflict: bool = Field(description="whether the editors' remaining latest verdicts on its text still differ")


class LabelsPage(BaseModel):
    items: list[LabelOut] = Field(description="labels, newest first")
    total: int = Field(ge=0, description="labels matching the filters")
    limit: int = Field(description="the page size asked for")
    offset: int = Field(description="the offset asked for")
    next_offset: int | None = Field(description="the offset of the next page, none after the last")


# Responses -------------------------------------------------------------------------------------------------------


class SpanOut(BaseModel):
    """A character span [start, end) of the submitted `text`, or of the `title` when `field` is "title"."""

    start: int = Field(ge=0, description="first character (0-based, Unicode code points)")
    end: int = Field(ge=0, description="one past the last character")
    text: str = Field(description="the characters of the span, as submitted")
    field: Literal["text", "title"] = Field("text", description="which submitted field the offsets refer to")


class RuleMatchOut(BaseModel):
    """One rule that fired."""

    rule_id: str = Field(description="stable identifier of the rule in the rule set, e.g. 'spread_call'")
    category: str = Field(description="the rule's group, e.g. a call to spread, a scam, a report's cue")
    weight: float = Field(description="> 0 raises the risk, < 0 lowers it (reporting and debunking cues)")
    message: str = Field(description="what the rule means for an editor, in Bahasa Indonesia")
    spans: list[SpanOut] = Field(description="where in the submission it fired")


class TermOut(BaseModel):
    """A term that moved the text classifier."""

    term: str = Field(description="a word or phrase as the classifier saw it, or the name of a style feature")
    contribution: float = Field(
        description="what it added to the model's log-odds (value times coefficient); positive pushes towards hoax"
    )


class SimilarHoaxOut(BaseModel):
    hoax_id: str = Field(description="the known hoax's id in the model version's index")
    title: str = Field(description="its title, as recorded")
    similarity: Probability = Field(description="similarity of the submission to it, 0..1")
    debunk_url: str | None = Field(description="a clarification of the hoax; never the hoax's own page")
    hoax_url: str | None = Field(None, description="where the hoax itself was published ('sumber hoaks'), if known")
    verdict_source: str = Field("", description="who judged it a hoax, e.g. MAFINDO or an editor's label")


class NoticeOut(BaseModel):
    code: str = Field(description="stable English identifier, e.g. 'known_hoax_repeat', 'other_language'")
    message: str = Field(description="what the editor must know, in Bahasa Indonesia")


class QualityFindingOut(BaseModel):
    check: str = Field(description="the sub-score it belongs to, e.g. 'completeness', 'headline'")
    message: str = Field(description="the observation, in Bahasa Indonesia")
    suggestion: str = Field(description="how to improve the text, in Bahasa Indonesia")
    span: SpanOut | None = Field(None, description="where it applies, when it applies to one place")
    source: str = Field("", description="the word list or check that produced the finding")
    replacement: str | None = Field(None, description="the corrected text for `span`, when there is one")


class QualityOut(BaseModel):
    kind: Literal["article", "post"] = Field(description="the genre the text was judged as")
    score: int = Field(ge=0, le=100, description="journalistic quality, 0-100")
    subscores: dict[str, int] = Field(description="each sub-score (0-100) by name")
    findings: list[QualityFindingOut] = Field(description="observations with suggestions")
    elements: dict[str, SpanOut | None] = Field(default_factory=dict, description="5W1H elements found, with spans")


class ThresholdsOut(BaseModel):
    review: Probability = Field(description="a risk at or above this asks for an editor's review")
    reject: Probability = Field(description="a risk at or above this recommends rejection")


class ScreenResponse(BaseModel):
    """The full screening result: risk, decision, quality, evidence and the model that produced it."""

    screening_id: str = Field(description="this screening's id in the audit log; a label may refer to it")
    text_sha256: str = Field(description="sha256 of the submitted text (UTF-8)")
    hoax_risk: Probability = Field(description="probability that the text spreads a hoax, at `base_rate`")
    classifier_risk: Probability = Field(
        description="the text classifier alone, before style, rules and the ordinary-news gate, at the same prior"
    )
    decision: Literal["publish", "review", "reject"] = Field(description="the recommendation at `thresholds`")
    thresholds: ThresholdsOut = Field(description="the thresholds applied: the deployment's, or the request's stricter")
    genre: Literal["article", "post"] = Field(description="how the text was scored and judged: post or article")
    base_rate: Probability = Field(description="the expected share of hoaxes `hoax_risk` is computed at")
    language: str = Field(description="ISO 639-1 code of the text's language ('und' when too short to tell)")
    notices: list[NoticeOut] = Field(description="what the decision rests on beyond the risk")
    quality: QualityOut = Field(description="the journalistic-quality score with its findings")
    rules: list[RuleMatchOut] = Field(description="the rules that fired, with where")
    terms: list[TermOut] = Field(description="the terms that moved the classifier most")
    similar_hoaxes: list[SimilarHoaxOut] = Field(description="known hoaxes close to the submission, closest first")
    model_version: str = Field(description="the model version that screened it")
    ruleset_version: str = Field(description="the rule set's version in that model")


class ScreeningOut(BaseModel):
    """One row of the audit log. Past the retention period `title`, `text` and `author` are null (purged)."""

    screening_id: str = Field(description="the screening's id, as in its response")
    created_at: datetime = Field(description="when it was screened (UTC)")
    request_id: str | None = Field(description="the request's `X-Request-ID`, as in the access log")
    text_sha256: str = Field(description="sha256 of the text (UTF-8)")
    title: str | None = Field(description="the submitted title; null once purged")
    text: str | None = Field(description="the submitted text; null once purged")
    text_purged_at: datetime | None = Field(description="when title, text and author were purged (retention)")
    hoax_risk: Probability = Field(description="the hoax risk the decision was made on")
    classifier_risk: Probability = Field(description="the classifier's risk before rules and base rate")
    decision: Literal["publish", "review", "reject"] = Field(description="the decision returned")
    model_version: str = Field(description="the model version that screened it")
    ruleset_version: str = Field(description="the rule set's version in that model")
    kim_group: str | None = Field(description="the submission's KIM group")
    author: str | None = Field(description="the submission's author; null once purged")
    channel: str | None = Field(description="where it would be published")
    caller_role: str | None = Field(description="the caller's role")
    caller_key_id: str | None = Field(description="the caller's key id (never the key)")


class ScreeningsPage(BaseModel):
    items: list[ScreeningOut] = Field(description="audit rows, newest first")
    total: int = Field(ge=0, description="screenings matching the filters")
    limit: int = Field(description="the page size asked for")
    offset: int = Field(description="the offset asked for")
    next_offset: int | None = Field(description="the offset of the next page, none after the last")


class ErrorDetail(BaseModel):
    field: str = Field(description="path of the offending field, e.g. 'items.3.text'")
    problem: str = Field(description="what is wrong with it, in Bahasa Indonesia (never the value sent)")
    type: str = Field(description="stable English kind of problem, e.g. 'string_too_long', 'missing'")


class ErrorInfo(BaseModel):
    code: str = Field(description="stable English code, e.g. 'invalid_request', 'payload_too_large'")
    message: str = Field(description="explanation for editors, in Bahasa Indonesia")
    details: list[ErrorDetail] | None = Field(None, description="one entry per invalid field (422 only)")


class ErrorResponse(BaseModel):
    error: ErrorInfo = Field(description="what went wrong")


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the listed error statuses, all with the `ErrorResponse` body."""
    return {status: {"model": ErrorResponse} for status in statuses}


COMMON_ERRORS = (400, 401, 413, 415, 422, 429)


class BatchItemResult(BaseModel):
    """One entry per submitted item, in order: a result, or the error that item alone caused."""

    index: int = Field(ge=0, description="the item's position in the request's `items`")
    result: ScreenResponse | None = Field(None, description="its result, when it could be screened")
    error: ErrorInfo | None = Field(None, description="why it could not be screened, otherwise")


class BatchScreenResponse(BaseModel):
    model_version: str = Field(description="the model version that screened every item of the batch")
    items: list[BatchItemResult] = Field(description="one entry per submitted item, in order")
    succeeded: int = Field(ge=0, description="entries with a result")
    failed: int = Field(ge=0, description="entries with an error")


class ModelVersionOut(BaseModel):
    version: str = Field(description="the version's name (its directory in the registry)")
    active: bool = Field(description="whether the registry's ACTIVE pointer names this version")
    loadable: bool = Field(description="whether this version loads and reproduces its reference scores here")
    problem: str | None = Field(None, description="why it cannot load, when it cannot")
    metadata: dict[str, Any] = Field(
        description="its metadata.json: created-at, training data hash and counts, metrics, library versions"
    )


_FOLLOWS = "every process serving the registry follows it within a few seconds of a switch made anywhere"


class ModelsResponse(BaseModel):
    active_version: str | None = Field(description=f"the version the registry points at; {_FOLLOWS}")
    serving_version: str | None = Field(description="the version this process is serving right now")
    process_id: int = Field(description="the answering process (one of several with `saring serve --workers`)")
    versions: list[ModelVersionOut] = Field(description="every stored version, newest first")


class ModelSwitched(BaseModel):
    active_version: str = Field(description="the version now active and served by the process that answered")
    previous_version: str | None = Field(description="the version active before the switch")


class Health(BaseModel):
    status: Literal["ok"] = Field(description="always `ok`: the process answers")


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"] = Field(description="`ready` when a model is loaded and the store answers")
    model_loaded: bool = Field(description="whether this process has a model to screen with")
    model_version: str | None = Field(description="the version this process serves")
    active_version: str | None = Field(
        None, description=f"the version the registry points at; {_FOLLOWS}, so a difference is brief"
    )
    process_id: int = Field(description="the answering process (one of several with `saring serve --workers`)")
    store_reachable: bool = Field(description="whether the audit store answered a ping")
    checked_at: datetime = Field(description="when this answer was made (UTC)")
