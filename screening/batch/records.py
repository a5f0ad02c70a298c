"""What the reader, the engines and the writer pass between them: rows, row errors, chunks, partitions and what
a worker sends back for each (its output already encoded, or written to a part file, so a result is small)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from screening.errors import BatchError


class BatchUsageError(BatchError):
    """The run was asked for wrongly: a missing input file, a field the input lacks, resume without a checkpoint."""


@dataclass(frozen=True)
class Fields:
    """Which input fields hold the text, the title and the id, and which others to copy to the output.

    `title` and `id` left as None take the fields named "title" and "id" when a row has them (the id falls back
    to the line number). A field named explicitly (and the text) must be a column of a CSV header, or a field of
    at least one of the first JSONL rows; later JSONL rows without it are counted.
    `keep_all` copies every other field of a row too (all but the text), after the `keep` ones.
    """

    text: str = "text"
    title: str | None = None
    id: str | None = None
    keep: tuple[str, ...] = ()
    keep_all: bool = False

    @property
    def title_name(self) -> str:
        return self.title or "title"

    @property
    def id_name(self) -> str:
        return self.id or "id"

    def explicit(self) -> tuple[str, ...]:
        """Fields the caller named besides the text: a row lacking one is worth reporting."""
        return tuple(f for f in (self.title, self.id) if f) + self.keep


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line number of the record's first line in the input
    id: str
    title: str
    text: str
    kept: tuple[Any, ...] = ()  # values of `Fields.keep`, in order (None where the row lacks one)
    extra: tuple[tuple[str, Any], ...] = ()  # with `Fields.keep_all`: the row's other fields, (name, value)


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    id: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive input records; `end_offset`/`end_rows`/`end_line` locate the input just after its last record.

    `missing` counts, per explicitly named field, the rows of this chunk that lacked it.
    """

    index: int
    rows: list[Row]
    errors: list[RowError]
    end_offset: int
    end_rows: int
    end_line: int = 0
    missing: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Partition:
    """A byte range of an input file that a worker reads by itself: the records that start in [start, end).

    `start` and `end` are record boundaries; `start_line` is the number of lines before `start`, so the rows of
    the partition carry the line numbers they have in the whole file.
    """

    index: int
    start: int
    end: int
    start_line: int


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What a worker returns for a chunk or a partition: its output rows and error report lines, encoded.

    `rows` counts the input records consumed (screened + errors); `end_offset`/`end_line` locate the input just
    after them; `missing` counts, per explicitly named field, the rows that lacked it. A Dask worker that wrote
    its output rows to a part file itself returns `output` empty, the file in `part` and its size in `part_bytes`.
    """

    index: int
    output: bytes
    error_lines: bytes
    rows: int
    screened: int
    errors: int
    decisions: dict[str, int]
    end_offset: int
    end_line: int
    missing: dict[str, int] = field(default_factory=dict)
    part: str | None = None
    part_bytes: int = 0


class Pending(Protocol):
    """A result on its way: a local value, a pool future or a Dask future."""

    def result(self) -> ChunkResult: ...
