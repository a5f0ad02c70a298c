"""Partitions that workers read by themselves: the same records as the whole file, and on a Dask cluster of real
worker processes the same output as the local engine, with bad rows reported at their line, and resumable."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from id_texts import KIM_TEXT
from test_batch import FIELDS, _rows, _write_jsonl_with_broken_rows

from screening.batch import (
    BatchError,
    BatchOptions,
    Fields,
    Partition,
    PartitionSource,
    Progress,
    ScreenerSpec,
    screen_file,
)
from screening.batch.partitions import csv_partitions, jsonl_partitions, measure_range, read_partition
from screening.batch.reader import InputFormat, read_chunks


def _records(chunks: Iterator[object]) -> list[object]:
    """Every row and row error of the chunks, in order, with what locates them."""
    out: list[object] = []
    for chunk in chunks:
        out.extend(chunk.rows)  # type: ignore[attr-defined]
        out.extend(chunk.errors)  # type: ignore[attr-defined]
    return sorted(out, key=lambda r: r.line)  # type: ignore[attr-defined]


def _partitions(source: PartitionSource, path: Path) -> list[Partition]:
    if source.fmt == "csv":
        return list(csv_partitions(source, start_offset=0, start_line=0))

    def measure(ranges: list[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
        return (measure_range(str(path), s, e, ranges[0][0]) for s, e in ranges)

    return list(jsonl_partitions(source, path.stat().st_size, start_offset=0, start_line=0, measure=measure))


def _write_awkward_csv(path: Path) -> None:
    """Multi-line quoted texts, a line that is not UTF-8, a row with too many columns, blank lines, a BOM."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["kode", "judul", "isi"])
        for i, (rid, title, text) in enumerate(_rows(25)):
            writer.writerow([rid, title, text])
            if i == 4:
                f.write("x9,,satu,dua,tiga\n\n")
    with open(path, "ab") as f:
        f.write(b'k99,,"kabar caf\xe9 rusak"\r\nk100,,"tanpa akhir baris"')


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_partitions_read_by_themselves_give_the_records_of_the_whole_file(tmp_path: Path, fmt: InputFormat) -> None:
    path = tmp_path / f"posts.{fmt}"
    if fmt == "jsonl":
        _write_jsonl_with_broken_rows(path, _rows(25))
        with open(path, "ab") as f:
            f.write(b'\n\n{"kode": "last", "isi": "tanpa akhir baris"}')
    else:
        _write_awkward_csv(path)
    with open(path, "rb") as f:
        whole = _records(read_chunks(f, fmt, FIELDS, chunk_size=7))
    assert len(whole) > 25
    size = path.stat().st_size
    for partition_bytes in (1, 97, 1000, size // 3, size + 1):
        source = PartitionSource(str(path), fmt, FIELDS, chunk_size=4, partition_bytes=partition_bytes)
        parts = _partitions(source, path)
        assert parts[0].start <= 30 and parts[-1].end == size
        assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
        assert [p.index for p in parts] == list(range(len(parts)))
        read = _records(chunk for part in parts for chunk in read_partition(source, part))
        assert read == whole, f"partitions of {partition_bytes} bytes"
    if fmt == "csv":  # a cut never falls inside a quoted text that spans lines
        assert len(_partitions(PartitionSource(str(path), fmt, FIELDS, 4, 1), path)) < len(whole) + 2


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A local Dask cluster of two worker processes (the client pickles every task, as a real cluster does)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as local:
        yield local


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_dask_workers_read_their_partitions_into_the_output_of_the_local_engine(
    tmp_path: Path, trained_models_dir: Path, cluster: object, fmt: InputFormat
) -> None:
    source = tmp_path / f"posts.{fmt}"
    if fmt == "jsonl":
        reasons = _write_jsonl_with_broken_rows(source, _rows(30))
    else:
        _write_awkward_csv(source)
    spec = ScreenerSpec(trained_models_dir)
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    options = BatchOptions(fields=FIELDS, rule_messages=True, jobs=1, chunk_size=4)
    screen_file(spec, source, local, options=options)
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    dask = BatchOptions(
        fields=FIELDS, rule_messages=True, engine="dask", scheduler=address, chunk_size=3, partition_bytes=900
    )
    summary = screen_file(spec, source, remote, options=dask)
    assert summary.engine == "dask" and summary.jobs == 2 and summary.complete
    assert remote.read_bytes() == local.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("dask")) == [
        "dask.csv",
        "dask.csv.errors.jsonl",
    ]
    remote_errors = (tmp_path / "dask.csv.errors.jsonl").read_text("utf-8")
    assert remote_errors == (tmp_path / "local.csv.errors.jsonl").read_text("utf-8")
    lines = [json.loads(e)["line"] for e in remote_errors.splitlines()]
    if fmt == "jsonl":
        assert lines == sorted(reasons)  # bad rows keep the line they have in the whole file
    else:
        assert len(lines) == 2 and lines[0] > 7 + KIM_TEXT.count("\n")  # after multi-line texts


class _Interrupt(Exception):
    pass


def _dask_run_and_local_reference(
    tmp_path: Path, models_dir: Path, cluster: object
) -> tuple[ScreenerSpec, Path, Path, BatchOptions]:
    """40 posts with broken rows, their local engine's output as the reference, and Dask options of small
    partitions checkpointed after each."""
    source = tmp_path / "posts.jsonl"
    _write_jsonl_with_broken_rows(source, _rows(40))
    spec = ScreenerSpec(models_dir)
    reference = tmp_path / "reference.jsonl"
    screen_file(spec, source, reference, options=BatchOptions(fields=FIELDS, jobs=1))
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    options = BatchOptions(
        fields=FIELDS, engine="dask", scheduler=address, partition_bytes=1500, checkpoint_interval_s=0.0
    )
    return spec, source, reference, options


def test_an_interrupted_dask_run_resumes_to_the_same_output(
    tmp_path: Path, trained_models_dir: Path, cluster: object
) -> None:
    spec, source, reference, options = _dask_run_and_local_reference(tmp_path, trained_models_dir, cluster)
    seen: list[int] = []

    def stop_after_two_partitions(p: Progress) -> None:
        seen.append(p.rows)
        if len(seen) == 2:
            raise _Interrupt

    out = tmp_path / "out.jsonl"
    with pytest.raises(_Interrupt):
        screen_file(spec, source, out, options=options, progress=stop_after_two_partitions)
    summary = screen_file(spec, source, out, options=options, resume=True)
    assert summary.resumed_from_rows == seen[-1] > 0
    assert out.read_bytes() == reference.read_bytes()
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == (
        tmp_path / "reference.jsonl.errors.jsonl"
    ).read_bytes()


def test_a_worker_that_cannot_write_its_part_leaves_no_output_and_the_run_resumes(
    tmp_path: Path, trained_models_dir: Path, cluster: object
) -> None:
    spec, source, reference, options = _dask_run_and_local_reference(tmp_path, trained_models_dir, cluster)
    out = tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"

    def take_the_parts_directory_away(p: Progress) -> None:
        # the workers write their parts there; the client merges them from there. Renamed, not removed: a worker
        # may be writing a part into it at this moment, which a removal would race with
        parts.rename(tmp_path / "taken-away")

    with pytest.raises(BatchError, match="bagian keluaran"):
        screen_file(spec, source, out, options=options, progress=take_the_parts_directory_away)
    assert not out.exists() and (tmp_path / "out.jsonl.partial").exists() and not parts.exists()
    summary = screen_file(spec, source, out, options=options, resume=True)
    assert summary.complete and summary.resumed_from_rows > 0
    assert out.read_bytes() == reference.read_bytes()
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == (
        tmp_path / "reference.jsonl.errors.jsonl"
    ).read_bytes()
    assert not parts.exists() and not (tmp_path / "out.jsonl.partial").exists()


def test_dask_from_a_file_to_a_stream_sends_the_rows_back(
    tmp_path: Path, trained_models_dir: Path, cluster: object
) -> None:
    source = tmp_path / "posts.jsonl"
    _write_jsonl_with_broken_rows(source, _rows(12))
    spec = ScreenerSpec(trained_models_dir)
    local, errors = io.BytesIO(), io.BytesIO()
    screen_file(spec, source, local, errors=errors, options=BatchOptions(fields=FIELDS, jobs=1))
    remote, remote_errors = io.BytesIO(), io.BytesIO()
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    options = BatchOptions(fields=FIELDS, engine="dask", scheduler=address, partition_bytes=700)
    screen_file(spec, source, remote, errors=remote_errors, options=options)
    assert remote.getvalue() == local.getvalue() and remote_errors.getvalue() == errors.getvalue()


def test_dask_refuses_a_named_field_the_file_lacks_before_writing(
    tmp_path: Path, trained_models_dir: Path, cluster: object
) -> None:
    from screening.batch import BatchUsageError

    source = tmp_path / "posts.jsonl"
    _write_jsonl_with_broken_rows(source, _rows(3))
    out = tmp_path / "out.jsonl"
    options = BatchOptions(
        fields=Fields(text="isi", title="judull"), engine="dask", scheduler=cluster.scheduler_address
    )  # type: ignore[attr-defined]
    with pytest.raises(BatchUsageError, match="judull"):
        screen_file(ScreenerSpec(trained_models_dir), source, out, options=options)
    assert not out.exists()
