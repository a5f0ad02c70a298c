"""`screen_file`: one batch run, from its options to the reader, an engine and the writer."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from screening.batch.engines import DaskRunner, Engine, ScreenerSpec, make_runner
from screening.batch.partitions import PARTITION_BYTES, PartitionSource
from screening.batch.reader import InputFormat, detect_format, peek_head, read_chunks
from screening.batch.records import BatchError, BatchUsageError, Fields
from screening.batch.writer import (
    BatchSummary,
    Encoding,
    OutputFormat,
    Progress,
    Writer,
    csv_header,
    extra_columns,
    open_at,
    output_columns,
    output_format_for,
    partial_path,
    parts_dir,
)

CHECKPOINT_VERSION = 3  # 3: the outputs it describes are the `.partial` files


@dataclass(frozen=True)
class BatchOptions:
    """How to read, where to run and how to write a batch run."""

    fields: Fields = Fields()
    input_format: InputFormat | None = None  # from the extension when None
    output_format: OutputFormat | None = None  # from the extension when None
    rule_messages: bool = False  # also write the messages for editors: each fired rule's, and the notices
    chunk_size: int = 256
    jobs: int = 0  # 0: os.cpu_count()
    engine: Engine = "local"
    scheduler: str | Any | None = None  # Dask scheduler address or a distributed.Client
    max_in_flight: int = 0  # chunks (Dask: partitions) read ahead; 0: 2 x parallelism
    partition_bytes: int = PARTITION_BYTES  # Dask, input file: the size of the byte ranges workers read
    checkpoint_interval_s: float = 1.0


def checkpoint_path(output: Path) -> Path:
    return output.with_name(output.name + ".checkpoint.json")


def default_errors_path(output: Path) -> Path:
    return output.with_name(output.name + ".errors.jsonl")


def screen_file(
    spec: ScreenerSpec,
    input: Path | IO[bytes],
    output: Path | IO[bytes],
    *,
    errors: Path | IO[bytes] | None = None,
    options: BatchOptions = BatchOptions(),
    resume: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> BatchSummary:
    """Screen every record of `input` into `output` (in input order) and unreadable rows into `errors`.

    Paths may be given as `Path` or as binary streams (standard input/output); checkpoints and `resume` need
    an input and an output path. Without `errors`, an output path gets `<output>.errors.jsonl`. A request
    the input cannot meet (a missing file, a field it lacks) raises `BatchUsageError` before any output is
    opened, so a mistyped rerun leaves the previous results as they were.
    """
    start = time.perf_counter()
    input_path = input if isinstance(input, Path) else None
    output_path = output if isinstance(output, Path) else None
    if errors is None and output_path is not None:
        errors = default_errors_path(output_path)
    _check_paths(input_path, output_path, errors if isinstance(errors, Path) else None)
    if resume and input_path is None:
        raise BatchUsageError("masukan standar tidak dapat dilanjutkan (--resume) dari checkpoint; beri nama berkasnya")
    if resume and output_path is None:
        raise BatchUsageError("--resume memerlukan berkas keluaran (--out)")
    out_fmt = output_format_for(output_path, options.output_format)
    columns = output_columns(options.fields, rule_messages=options.rule_messages)
    spec, verified = spec.resolved()
    summary = BatchSummary(model_version=str(spec.version), engine=options.engine)

    with contextlib.ExitStack() as stack:
        in_stream = _opened(stack, input, lambda p: open(p, "rb"))  # noqa: SIM115 - the ExitStack closes it
        fmt = detect_format(input_path, options.input_format, head=peek_head(in_stream))
        fingerprint = _fingerprint(input_path, options, fmt, out_fmt, spec)
        state = _start_state(fingerprint, output_path, resume=resume, summary=summary)
        chunks = read_chunks(
            in_stream,
            fmt,
            options.fields,
            chunk_size=options.chunk_size,
            start_offset=state["input_offset"],
            start_rows=state["input_rows"],
            start_line=state["input_line"],
        )
        first = next(chunks, None)  # reads the CSV header or the first JSONL rows: the named fields are checked
        if options.fields.keep_all:
            # a CSV output's columns come from the first rows; a resumed run continues with the ones it wrote
            columns = tuple(state.get("columns") or columns + extra_columns(first, columns))
            state["columns"] = list(columns)
        if output_path is not None and not resume:
            checkpoint_path(output_path).unlink(missing_ok=True)  # an old checkpoint must not describe new files
        # a file output is written under its partial name and renamed when complete (the output last)
        out_stream = _opened(stack, output, lambda p: open_at(partial_path(p), state["output_bytes"]))
        err_stream = (
            _opened(stack, errors, lambda p: open_at(partial_path(p), state["errors_bytes"]))
            if errors is not None
            else None
        )
        publish = [(partial_path(p), p) for p in (errors, output) if isinstance(p, Path)]
        encoding = Encoding(out_fmt, columns, options.fields.keep)
        runner = make_runner(
            spec, encoding, engine=options.engine, jobs=options.jobs, scheduler=options.scheduler, verified=verified
        )
        del verified  # the runner holds what it screens with; a Dask client screens nothing and keeps no model
        stack.callback(runner.close)
        summary.jobs = runner.parallelism
        writer = Writer(
            summary=summary,
            state=state,
            out_stream=out_stream,
            err_stream=err_stream,
            checkpoint_file=checkpoint_path(output_path) if output_path is not None else None,
            checkpoint_interval_s=options.checkpoint_interval_s,
            progress=progress,
            total_bytes=input_path.stat().st_size if input_path is not None else None,
            started=start,
            publish=publish,
        )
        if out_fmt == "csv" and state["output_bytes"] == 0:
            out_stream.write(csv_header(columns))
            state["output_bytes"] = len(csv_header(columns)) if output_path is not None else 0
        work: Iterable[Any]
        if isinstance(runner, DaskRunner) and input_path is not None:
            # the workers read the file themselves (the chunk read here only checked the named fields) and, for
            # an output file, write their rows beside it; the client merges the parts in input order
            source = PartitionSource(
                str(input_path.absolute()), fmt, options.fields, options.chunk_size, options.partition_bytes
            )
            work = runner.partitions(
                source,
                start_offset=state["input_offset"],
                start_line=state["input_line"],
                parts_dir=_run_parts_dir(stack, output_path) if output_path is not None else None,
            )
        else:
            work = itertools.chain([first] if first is not None else [], chunks)
        writer.drive(work, runner.submit, options.max_in_flight or 2 * runner.parallelism)
    summary.seconds = time.perf_counter() - start
    return summary


def _run_parts_dir(stack: contextlib.ExitStack, output: Path) -> Path:
    """A new directory for this run's part files, under `<output>.parts/`, removed with the run. What an earlier
    run left there goes first: it had merged every part it finished, and a task of it still running on the
    cluster finds its own directory gone instead of writing over a part of this run."""
    root = parts_dir(output)
    shutil.rmtree(root, ignore_errors=True)
    directory = root / uuid.uuid4().hex[:12]
    directory.mkdir(parents=True)
    stack.callback(shutil.rmtree, root, ignore_errors=True)
    return directory


def _check_paths(input_path: Path | None, output_path: Path | None, errors_path: Path | None) -> None:
    """The input must be a file, and neither output may overwrite it (or the other)."""
    if input_path is not None:
        if input_path.is_dir():
            raise BatchUsageError(f"{input_path}: sebuah direktori, bukan berkas masukan")
        if not input_path.is_file():
            raise BatchUsageError(f"{input_path}: berkas masukan tidak ditemukan")
    for what, target in (("keluaran", output_path), ("laporan galat", errors_path)):
        if target is not None and input_path is not None and _same_file(target, input_path):
            raise BatchUsageError(f"{target}: berkas {what} sama dengan berkas masukan; pilih nama lain")
    if output_path is not None and errors_path is not None and _same_file(output_path, errors_path):
        raise BatchUsageError(f"{errors_path}: laporan galat sama dengan berkas keluaran; pilih nama lain")


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    return a.exists() and b.exists() and os.path.samefile(a, b)


def _opened(stack: contextlib.ExitStack, target: Path | IO[bytes], opener: Callable[[Path], IO[bytes]]) -> IO[bytes]:
    """A stream given by the caller as is; a path opened, and closed with the run."""
    return stack.enter_context(opener(target)) if isinstance(target, Path) else target


def _start_state(
    fingerprint: dict[str, Any], output: Path | None, *, resume: bool, summary: BatchSummary
) -> dict[str, Any]:
    """Where this run starts: from the checkpoint when resuming, else from nothing (the caller drops a stale
    checkpoint once the input has been found usable)."""
    fresh: dict[str, Any] = {
        "version": CHECKPOINT_VERSION,
        "fingerprint": fingerprint,
        "input_offset": 0,
        "input_rows": 0,
        "input_line": 0,
        "output_bytes": 0,
        "errors_bytes": 0,
        "summary": summary.counters(),
    }
    if output is None:
        return fresh
    checkpoint = checkpoint_path(output)
    if not resume:
        return fresh
    if not checkpoint.is_file():
        if output.is_file() and output.stat().st_size > 0:
            raise BatchUsageError(
                f"tidak ada checkpoint {checkpoint.name}: proses sebelumnya sudah selesai (atau belum dimulai); "
                "jalankan tanpa --resume untuk menyaring ulang"
            )
        return fresh  # nothing was written yet: resuming is starting
    try:
        saved = json.loads(checkpoint.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BatchError(f"{checkpoint} tidak dapat dibaca ({exc}); jalankan tanpa --resume") from exc
    if saved.get("version") != CHECKPOINT_VERSION or saved.get("fingerprint") != fingerprint:
        raise BatchUsageError(
            f"{checkpoint} milik masukan, model atau opsi lain; jalankan tanpa --resume untuk mulai dari awal"
        )
    summary.restore(saved["summary"])
    return saved


def _fingerprint(
    input_path: Path | None, options: BatchOptions, fmt: InputFormat, out_fmt: OutputFormat, spec: ScreenerSpec
) -> dict[str, Any]:
    fp: dict[str, Any] = {
        "input": str(input_path.resolve()) if input_path is not None else "-",
        "input_format": fmt,
        "output_format": out_fmt,
        "fields": asdict(options.fields),
        "rule_messages": options.rule_messages,
        "model_version": spec.version,
        "thresholds": asdict(spec.policy.thresholds),
        "base_rates": dict(spec.policy.base_rates),
    }
    if input_path is not None:
        st = input_path.stat()
        fp["input_size"] = st.st_size
        fp["input_mtime_ns"] = st.st_mtime_ns
    return json.loads(json.dumps(fp))  # as a checkpoint stores it (tuples become lists)
