"""Labels as files: the rows of `GET /v1/labels/export` and `saring labels export`, CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from screening.store import LabelFilter, LabelRecord, Store
from service.schemas import LabelOut

EXPORT_COLUMNS = (
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
)


def label_out(record: LabelRecord, *, conflict: bool) -> LabelOut:
    return LabelOut(
        id=record.id,
        created_at=record.created_at,
        editor=record.editor_id,
        label=record.label,
        text_sha256=record.text_sha256,
        screening_id=record.screening_id,
        title=record.title,
        text=record.text,
        note=record.note,
        conflict=conflict,
    )


def export_lines(store: Store, match: LabelFilter, fmt: Literal["csv", "jsonl"]) -> Iterator[str]:
    """The export, a header (CSV) and then one line per label; conflicts are looked up a chunk at a time."""
    if fmt == "csv":
        yield _csv_row(EXPORT_COLUMNS)
    chunk: list[LabelRecord] = []
    for record in store.iter_labels(match):
        chunk.append(record)
        if len(chunk) == 500:
            yield from _export_chunk(store, chunk, fmt)
            chunk = []
    yield from _export_chunk(store, chunk, fmt)


def _export_chunk(store: Store, chunk: list[LabelRecord], fmt: Literal["csv", "jsonl"]) -> Iterator[str]:
    conflicts = store.conflicts(r.text_sha256 for r in chunk)
    for record in chunk:
        row = label_out(record, conflict=record.text_sha256 in conflicts).model_dump(mode="json")
        if fmt == "csv":
            yield _csv_row(tuple(_csv_value(row[column]) for column in EXPORT_COLUMNS))
        else:
            yield json.dumps(row, ensure_ascii=False) + "\n"


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _csv_row(values: tuple[str, ...]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()
