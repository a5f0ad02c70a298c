"""Batch screening of CSV or JSONL files in constant memory, on local processes or a Dask cluster.

    spec = ScreenerSpec(models_dir=Path("models"))             # resolves and verifies the active version once
    summary = screen_file(spec, Path("posts.jsonl"), Path("out.jsonl"), options=BatchOptions(jobs=4))

How a run flows, one module each:
  reader   (reader.py) the input is read as bytes, one record at a time (a JSONL line or a CSV record, which may
           span lines), and cut into chunks of `chunk_size` rows; a row that cannot be read (bad UTF-8, not
           JSON, no text, a text or title over a submission's limits) becomes an error record in its chunk
           instead of stopping the run, and a named field the input lacks stops it before the first chunk.
  engines  (engines.py) chunks go to workers that each hold one Screener (loaded once per worker process) and
           screen a chunk with `Screener.screen_many` into encoded output lines; at most `max_in_flight`
           chunks are read ahead, so memory does not grow with the file.
  partitions (partitions.py) with the Dask engine and an input file, the workers read byte ranges of the file
           themselves (cut at records, with their line numbers in the whole file); to an output file they write
           each range's rows to a part file beside it (`<output>.parts/`) and send back only counts, sizes
           and error lines; the client only says where each range is and merges what comes back.
  writer   (writer.py) results come back in input order and are appended (a part file: copied, then removed) to
           the output and the error report, under their `.partial` names until the run completes, with
           checkpoints that let `resume=True` continue an interrupted run without losing or doubling a row.
  run      (run.py) `screen_file` checks the request, picks up a checkpoint and connects the three; the input
           is checked (its first chunk read) before any output is opened.

Progress is reported through a callback; this package never prints.
"""

from screening.batch.engines import Engine, ScreenerSpec, screen_chunk
from screening.batch.partitions import PARTITION_BYTES, PartitionSource
from screening.batch.reader import MAX_RECORD_BYTES, InputFormat, detect_format, read_chunks
from screening.batch.records import BatchError, BatchUsageError, Chunk, ChunkResult, Fields, Partition, Row, RowError
from screening.batch.run import CHECKPOINT_VERSION, BatchOptions, checkpoint_path, default_errors_path, screen_file
from screening.batch.writer import OUTPUT_FIELDS, BatchSummary, Encoding, OutputFormat, Progress, output_format_for

__all__ = [
    "CHECKPOINT_VERSION",
    "MAX_RECORD_BYTES",
    "OUTPUT_FIELDS",
    "PARTITION_BYTES",
    "BatchError",
    "BatchOptions",
    "BatchSummary",
    "BatchUsageError",
    "Chunk",
    "ChunkResult",
    "Encoding",
    "Engine",
    "Fields",
    "InputFormat",
    "OutputFormat",
    "Partition",
    "PartitionSource",
    "Progress",
    "Row",
    "RowError",
    "ScreenerSpec",
    "checkpoint_path",
    "default_errors_path",
    "detect_format",
    "output_format_for",
    "read_chunks",
    "screen_chunk",
    "screen_file",
]
