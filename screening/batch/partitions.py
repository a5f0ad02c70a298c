"""Partitions of an input file that workers read by themselves (the Dask engine): byte ranges cut at records.

A JSONL file is cut by the workers: each measures one byte range (where its first and last records start and
how many lines it holds) and the client adds the line counts up, so every partition knows the line number of
its first row without the client reading the file. A CSV record may span lines, so only a reader that went
through the file from its start knows where records begin: the client finds the cuts in one pass of the CSV
parser (no rows built, nothing sent), and the workers read and screen the ranges.

A partition read by itself gives exactly the chunks the whole file gives over the same records: the same
records, the same line numbers, the same errors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, cast

from screening.batch.reader import InputFormat, LineSource, decoded_lines, read_chunks, read_csv_header
from screening.batch.records import Chunk, Fields, Partition

PARTITION_BYTES = 1024 * 1024  # a few seconds of screening (about 1,000 posts); bounds what a result holds
_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class PartitionSource:
    """An input file as the workers reach it (a path on a shared file system) and how to read its records."""

    path: str
    fmt: InputFormat
    fields: Fields
    chunk_size: int
    partition_bytes: int = PARTITION_BYTES


class _Window(io.RawIOBase):
    """A file read only up to `end`: past it, lines are empty, as at the end of a file."""

    def __init__(self, stream: IO[bytes], end: int) -> None:
        self.stream = stream
        self.end = end

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        return self.stream.tell()

    def readline(self, size: int | None = -1) -> bytes:
        left = self.end - self.stream.tell()
        if left <= 0:
            return b""
        return self.stream.readline(left if size is None or size < 0 else min(size, left))


def read_partition(source: PartitionSource, part: Partition) -> Iterator[Chunk]:
    """The chunks of the records that start in the partition, with their line numbers in the whole file."""
    with open(source.path, "rb") as f:
        window = cast(IO[bytes], _Window(f, part.end))
        yield from read_chunks(
            window,
            source.fmt,
            source.fields,
            chunk_size=source.chunk_size,
            start_offset=part.start,
            start_line=part.start_line,
            check_fields=False,  # the client checked the named fields on the first rows of the file
        )


def _boundary(f: IO[bytes], offset: int, floor: int, size: int) -> int:
    """The first JSONL record boundary at or after `offset`: `offset` itself when a line ends just before it."""
    if offset <= floor or offset >= size:
        return min(max(offset, floor), size)
    f.seek(offset - 1)
    position = offset - 1
    while block := f.read(_BLOCK):
        newline = block.find(b"\n")
        if newline >= 0:
            return position + newline + 1
        position += len(block)
    return size


def measure_range(path: str, start: int, end: int, floor: int) -> tuple[int, int, int]:
    """For the byte range [start, end) of a JSONL file: where its first record starts, where the next range's
    does, and the lines in between. `floor` is a known record boundary (the start of the run) below which no
    record is looked for."""
    with open(path, "rb") as f:
        size = f.seek(0, io.SEEK_END)
        first, after = _boundary(f, start, floor, size), _boundary(f, end, floor, size)
        f.seek(first)
        lines, left = 0, after - first
        while left > 0 and (block := f.read(min(_BLOCK, left))):
            lines += block.count(b"\n")
            left -= len(block)
    return first, after, lines


def jsonl_partitions(
    source: PartitionSource,
    size: int,
    *,
    start_offset: int,
    start_line: int,
    measure: Callable[[list[tuple[int, int]]], Iterator[tuple[int, int, int]]],
) -> Iterator[Partition]:
    """The partitions of a JSONL file from `start_offset`; `measure` runs `measure_range` over the byte ranges
    (on the workers) and yields the measures in order."""
    step = max(1, source.partition_bytes)
    ranges = [(s, min(s + step, size)) for s in range(start_offset, size, step)]
    line, index = start_line, 0
    for first, after, lines in measure(ranges):
        if after > first:
            yield Partition(index, first, after, line)
            index += 1
        line += lines


def csv_partitions(source: PartitionSource, *, start_offset: int, start_line: int) -> Iterator[Partition]:
    """The partitions of a CSV file from `start_offset`, found by one pass of the CSV parser over its records."""
    with open(source.path, "rb") as f:
        _, header_end, header_lines = read_csv_header(f)
        if start_offset < header_end:
            start_offset, start_line = header_end, header_lines
        f.seek(start_offset)
        src = LineSource(f, start_offset, start_line)
        reader = csv.reader(decoded_lines(src, set()))
        first, first_line, index = start_offset, start_line, 0
        while True:
            try:
                next(reader)
            except StopIteration:
                break
            except csv.Error:
                pass  # the worker reports it; the record still ends where the parser stopped
            if src.offset - first >= source.partition_bytes:
                yield Partition(index, first, src.offset, first_line)
                first, first_line, index = src.offset, src.line_no, index + 1
        if src.offset > first:
            yield Partition(index, first, src.offset, first_line)
