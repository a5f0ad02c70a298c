"""Labels and audit rows as the API shows them and as files: one row shape for `GET /v1/labels`, `GET /v1/screenings`
and their exports (`GET /v1/labels/export`, `GET /v1/screenings/export`, `saring labels export`, `saring audit
export`), CSV or JSON lines, streamed a chunk of rows at a time."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from screening.store import LabelFilter, LabelHistory, LabelRecord, ScreeningFilter, ScreeningRecord, Store
from service.schemas import LabelEventOut, LabelHistoryOut, LabelOut, LabelStateOut, ScreeningOut

ExportFormat = Literal["csv", "jsonl"]
CHUNK = 500

LABEL_COLUMNS = (
    "id",
    "created_at",
    "editor",
    "label",
    "text_sha256",
    "screening_id",
    "conflict",
    "title",
    "text",
    "note",
    "corrected_at",
    "corrected_by",
)
SCREENING_COLUMNS = tuple(ScreeningOut.model_fields)


def label_out(record: LabelRecord, *, conflict: bool) -> LabelOut:
    return LabelOut(**_label_fields(record), conflict=conflict)


def _label_fields(record: LabelRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "created_at": record.created_at,
        "editor": record.editor_id,
        "label": record.label,
        "text_sha256": record.text_sha256,
        "screening_id": record.screening_id,
        "title": record.title,
        "text": record.text,
        "note": record.note,
        "corrected_at": record.corrected_at,
        "corrected_by": record.corrected_by,
    }


def label_history_out(history: LabelHistory, *, conflict: bool) -> LabelHistoryOut:
    """A label now and its history as events: created by its editor, then each correction or deletion."""
    record = history.label
    events = [
        LabelEventOut(
            action="created",
            at=record.created_at,
            by=record.editor_id,
            label=history.original_label,
            note=history.original_note,
            previous_label=None,
            previous_note=None,
        )
    ]
    events.extend(
        LabelEventOut(
            action=r.action,
            at=r.changed_at,
            by=r.changed_by,
            label=r.new_label,
            note=r.new_note,
            previous_label=r.old_label,
            previous_note=r.old_note,
        )
        for r in history.revisions
    )
    state = LabelStateOut(
        **_label_fields(record), conflict=conflict, deleted_at=record.deleted_at, deleted_by=record.deleted_by
    )
    return LabelHistoryOut(label=state, events=events)


def screening_out(record: ScreeningRecord) -> ScreeningOut:
    """An audit row; past the retention period title, text and author are null and `text_purged_at` says when."""
    purged = record.text_purged_at is not None
    return ScreeningOut(
        screening_id=record.screening_id,
        created_at=record.created_at,
        request_id=record.request_id,
        text_sha256=record.text_sha256,
        title=None if purged else record.title,
        text=None if purged else record.text,
        text_purged_at=record.text_purged_at,
        hoax_risk=record.hoax_risk,
        classifier_risk=record.classifier_risk,
        decision=record.decision,
        model_version=record.model_version,
        ruleset_version=record.ruleset_version,
        kim_group=record.kim_group,
        author=record.author,
        channel=record.channel,
        caller_role=record.caller_role,
        caller_key_id=record.caller_key_id,
    )


# -- files ----------------------------------------------------------------------------------------------------------
def label_export_lines(store: Store, match: LabelFilter, fmt: ExportFormat) -> Iterator[str]:
    """Every label matching `match`, oldest first: a CSV header and rows, or JSON lines."""
    return export_lines(_labels_with_conflicts(store, match), LABEL_COLUMNS, fmt)


def screening_export_lines(store: Store, match: ScreeningFilter, fmt: ExportFormat) -> Iterator[str]:
    """Every audit row matching `match`, oldest first; a purged text is an empty CSV cell, null in JSON."""
    return export_lines((screening_out(r) for r in store.iter_screenings(match, chunk=CHUNK)), SCREENING_COLUMNS, fmt)


def _labels_with_conflicts(store: Store, match: LabelFilter) -> Iterator[LabelOut]:
    # conflicts are looked up a chunk at a time, as the labels are read
    records = store.iter_labels(match, chunk=CHUNK)
    while chunk := list(itertools.islice(records, CHUNK)):
        conflicts = store.conflicts(r.text_sha256 for r in chunk)
        yield from (label_out(r, conflict=r.text_sha256 in conflicts) for r in chunk)


def export_lines(rows: Iterable[BaseModel], columns: tuple[str, ...], fmt: ExportFormat) -> Iterator[str]:
    """`rows` as CSV (a header, then `columns` of each row) or as JSON lines (every field), one line at a time."""
    if fmt == "csv":
        yield _csv_row(columns)
    for model in rows:
        row = model.model_dump(mode="json")
        if fmt == "csv":
            yield _csv_row(tuple(_csv_value(row[column]) for column in columns))
        else:
            yield json.dumps(row, ensure_ascii=False) + "\n"


async def streamed(lines: Iterator[str], fmt: ExportFormat, name: str) -> StreamingResponse:
    """An export as an HTTP download. The first row is read before the 200 is sent, so an unreachable store is a
    503, not a cut-off file; the rest streams from the store a chunk at a time."""
    first = await run_in_threadpool(lambda: list(itertools.islice(lines, 2)))
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(
        itertools.chain(first, lines),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _csv_row(values: tuple[str, ...]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()
