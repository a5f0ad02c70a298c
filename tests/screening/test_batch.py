"""Batch screening: same results as one-by-one screening, input order, broken rows reported, resume, Dask."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from id_texts import CHAIN_TEXT, DEBUNK_TEXT, DEBUNK_TITLE, HEALTH_TEXT, KIM_TEXT, KIM_TITLE, SCAM_TEXT

from screening.batch import (
    BatchError,
    BatchOptions,
    BatchUsageError,
    Fields,
    Progress,
    ScreenerSpec,
    read_chunks,
    screen_file,
)
from screening.screen import Screener
from screening.submission import MAX_TEXT_CHARS

TEXTS = [
    (KIM_TITLE, KIM_TEXT),
    ("", CHAIN_TEXT),
    ("", SCAM_TEXT),
    ("", HEALTH_TEXT),
    (DEBUNK_TITLE, DEBUNK_TEXT),
    ("", "Info dari grup sebelah: besok listrik padam total se-Jawa 3 hari, siapkan lilin. Sebarkan!"),
    ("", "Posyandu Melati Desa Sukamaju membuka layanan imunisasi dasar setiap Selasa di balai desa."),
]
FIELDS = Fields(text="isi", title="judul", id="kode")


def _rows(n: int) -> list[tuple[str, str, str]]:
    """n (id, title, text) rows cycling through the corpus, each text made distinct by a suffix."""
    return [(f"k{i}", TEXTS[i % len(TEXTS)][0], f"{TEXTS[i % len(TEXTS)][1]} ({i})") for i in range(n)]


def _write_jsonl_with_broken_rows(path: Path, rows: list[tuple[str, str, str]]) -> dict[int, str]:
    """Writes rows with broken lines in between; returns {line number: expected reason prefix}."""
    broken = {
        3: b"{this is not json\n",
        6: b'{"kode": "x1", "isi": "kabar caf\xe9 rusak"}\n',
        9: b'{"kode": "x2", "judul": "tanpa isi"}\n',
        12: json.dumps({"kode": "x3", "isi": "a " * (MAX_TEXT_CHARS // 2 + 1)}).encode() + b"\n",
        15: b"[1, 2, 3]\n",
        18: b'{"kode": "x4", "isi": "   "}\n',
    }
    reasons = {3: "bukan JSON yang sah", 6: "bukan UTF-8 yang sah", 9: "kolom 'isi' tidak ada", 15: "bukan objek JSON"}
    reasons.update({12: "teks terlalu panjang", 18: "'isi' kosong"})
    with open(path, "wb") as f:
        line, it = 1, iter(rows)
        while True:
            if line in broken:
                f.write(broken[line])
            else:
                row = next(it, None)
                if row is None:
                    break
                rid, title, text = row
                f.write(json.dumps({"kode": rid, "judul": title, "isi": text}, ensure_ascii=False).encode() + b"\n")
            line += 1
    return reasons


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_jsonl_equals_one_by_one_in_order_and_reports_broken_rows(
    tmp_path: Path, trained_models_dir: Path, screener: Screener
) -> None:
    rows = _rows(20)
    source = tmp_path / "posts.jsonl"
    reasons = _write_jsonl_with_broken_rows(source, rows)
    out = tmp_path / "out.jsonl"
    summary = screen_file(
        ScreenerSpec(trained_models_dir), source, out, options=BatchOptions(fields=FIELDS, jobs=1, chunk_size=4)
    )
    records = _read_jsonl(out)
    assert [r["id"] for r in records] == [rid for rid, _, _ in rows]
    for record, (_, title, text) in zip(records, rows, strict=True):
        alone = screener.screen(title=title, text=text)
        assert record["hoax_risk"] == alone.hoax_risk
        assert record["decision"] == alone.decision
        assert record["quality_score"] == alone.quality.score
        assert record["rules"] == [m.rule_id for m in alone.rules]
    errors = _read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert [e["line"] for e in errors] == sorted(reasons)
    for e in errors:
        assert str(e["reason"]).startswith(reasons[int(str(e["line"]))]), e
    assert summary.complete and summary.screened == 20 and summary.errors == len(reasons)
    assert summary.rows == 20 + len(reasons)
    assert sum(summary.decisions.values()) == 20
    assert summary.decisions["publish"] >= 1 and summary.decisions["publish"] < 20


def test_csv_with_multiline_fields_same_with_a_process_pool(tmp_path: Path, trained_models_dir: Path) -> None:
    rows = _rows(30)
    source = tmp_path / "articles.csv"
    with open(source, "w", encoding="utf-8-sig", newline="") as f:  # with a BOM, as spreadsheets write it
        writer = csv.writer(f)
        writer.writerow(["kode", "judul", "isi", "lain"])
        for rid, title, text in rows:
            writer.writerow([rid, title, text, "x"])  # KIM_TEXT and DEBUNK_TEXT span many lines
    spec = ScreenerSpec(trained_models_dir)
    one, pool = tmp_path / "one.csv", tmp_path / "pool.csv"
    screen_file(spec, source, one, options=BatchOptions(fields=FIELDS, jobs=1, chunk_size=7))
    summary = screen_file(spec, source, pool, options=BatchOptions(fields=FIELDS, jobs=2, chunk_size=3))
    assert summary.jobs == 2 and summary.screened == 30
    assert one.read_bytes() == pool.read_bytes()
    out = list(csv.DictReader(io.StringIO(pool.read_text("utf-8"))))
    assert [r["id"] for r in out] == [rid for rid, _, _ in rows]
    # the line is where each record starts in the file (multi-line records shift the following ones)
    assert out[0]["line"] == "2" and int(out[1]["line"]) > 2 + KIM_TEXT.count("\n")


def test_streams_in_and_out_and_line_numbers_as_ids(trained_models_dir: Path) -> None:
    data = b"\xef\xbb\xbf" + "".join(json.dumps({"text": text}) + "\n" for _, text in TEXTS[:3]).encode()
    out, errors = io.BytesIO(), io.BytesIO()
    screen_file(
        ScreenerSpec(trained_models_dir),
        io.BytesIO(data + b"\nnope\n"),
        out,
        errors=errors,
        options=BatchOptions(jobs=1),
    )
    records = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [r["id"] for r in records] == ["1", "2", "3"]
    reason = "bukan JSON yang sah (nilai tidak ada atau tidak sah, pada karakter ke-1)"
    assert json.loads(errors.getvalue()) == {"line": 5, "id": None, "reason": reason}


class _Interrupt(Exception):
    pass


def test_interrupted_run_resumes_without_redoing_or_losing_rows(tmp_path: Path, trained_models_dir: Path) -> None:
    rows = _rows(40)
    source = tmp_path / "posts.jsonl"
    _write_jsonl_with_broken_rows(source, rows)
    spec = ScreenerSpec(trained_models_dir)
    options = BatchOptions(fields=FIELDS, jobs=1, chunk_size=5, checkpoint_interval_s=0.0)
    reference = tmp_path / "reference.jsonl"
    screen_file(spec, source, reference, options=options)

    out = tmp_path / "out.jsonl"
    seen: list[int] = []

    def stop_after_three_chunks(p: Progress) -> None:
        seen.append(p.rows)
        if len(seen) == 3:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        screen_file(spec, source, out, options=options, progress=stop_after_three_chunks)
    checkpoint = json.loads((tmp_path / "out.jsonl.checkpoint.json").read_text())
    assert checkpoint["input_rows"] == seen[-1]
    assert not out.exists()  # only a complete output gets its name; the rows so far are in the partial file
    with open(tmp_path / "out.jsonl.partial", "ab") as f:  # a chunk half-written when the process died
        f.write(b'{"id": "half-writ')

    resumed: list[Progress] = []
    summary = screen_file(spec, source, out, options=options, resume=True, progress=resumed.append)
    assert summary.resumed_from_rows == seen[-1]
    assert resumed[0].rows > seen[-1]  # the first progress after resuming is past the finished work
    assert len(resumed) < len(seen) + 10  # only the rest was screened
    assert out.read_bytes() == reference.read_bytes()
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == (
        tmp_path / "reference.jsonl.errors.jsonl"
    ).read_bytes()
    assert summary.screened == 40 and summary.complete
    assert not (tmp_path / "out.jsonl.checkpoint.json").exists()  # a complete run leaves no checkpoint behind
    assert not (tmp_path / "out.jsonl.partial").exists() and not (tmp_path / "out.jsonl.errors.jsonl.partial").exists()
    # a finished run resumed again is refused, and its output left as it is
    with pytest.raises(BatchUsageError, match="sudah selesai"):
        screen_file(spec, source, out, options=options, resume=True)
    assert out.read_bytes() == reference.read_bytes()


def test_resume_refuses_a_checkpoint_of_other_options(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "posts.jsonl"
    _write_jsonl_with_broken_rows(source, _rows(3))
    spec = ScreenerSpec(trained_models_dir)
    out = tmp_path / "out.jsonl"

    def interrupt(p: Progress) -> None:
        raise _Interrupt

    with pytest.raises(_Interrupt):  # leaves a checkpoint after the first chunk
        options = BatchOptions(fields=FIELDS, jobs=1, chunk_size=1, checkpoint_interval_s=0.0)
        screen_file(spec, source, out, options=options, progress=interrupt)
    with pytest.raises(BatchError, match="milik masukan, model atau opsi lain"):
        screen_file(spec, source, out, options=BatchOptions(fields=Fields(text="isi"), jobs=1), resume=True)


def test_reader_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    line = json.dumps({"text": "Kabar dari grup sebelah: " + "sebarkan info ini ke semua grup " * 20}) + "\n"
    with open(source, "w", encoding="utf-8") as f:
        for _ in range(40_000):  # about 30 MB
            f.write(line)
    tracemalloc.start()
    try:
        with open(source, "rb") as stream:
            total = sum(len(c.rows) for c in read_chunks(stream, "jsonl", Fields(), chunk_size=256))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 40_000
    assert peak < 3 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while reading {source.stat().st_size / 1e6:.0f} MB"


def test_dask_engine_gives_the_same_output_as_local(tmp_path: Path, trained_models_dir: Path) -> None:
    distributed = pytest.importorskip("distributed")
    rows = _rows(24)
    source = tmp_path / "posts.jsonl"
    _write_jsonl_with_broken_rows(source, rows)
    spec = ScreenerSpec(trained_models_dir)
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    screen_file(spec, source, local, options=BatchOptions(fields=FIELDS, jobs=1, chunk_size=5))
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = screen_file(
            spec, source, remote, options=BatchOptions(fields=FIELDS, engine="dask", scheduler=client, chunk_size=5)
        )
        assert summary.engine == "dask" and summary.jobs == 2
        address = screen_file(
            spec,
            source,
            tmp_path / "by-address.jsonl",
            options=BatchOptions(fields=FIELDS, engine="dask", scheduler=cluster.scheduler_address, chunk_size=5),
        )
        assert address.screened == 24
    assert remote.read_bytes() == local.read_bytes()
    assert (tmp_path / "by-address.jsonl").read_bytes() == local.read_bytes()
    assert (tmp_path / "dask.jsonl.errors.jsonl").read_bytes() == (tmp_path / "local.jsonl.errors.jsonl").read_bytes()


@pytest.mark.slow
def test_a_killed_screen_process_resumes_to_the_same_output(tmp_path: Path, trained_models_dir: Path) -> None:
    # enough rows that the run is still going when its first checkpoint (written about once a second) appears:
    # several seconds of screening on 2 jobs
    rows = _rows(8000)
    source = tmp_path / "posts.jsonl"
    _write_jsonl_with_broken_rows(source, rows)
    reference = tmp_path / "reference.jsonl"
    spec = ScreenerSpec(trained_models_dir)
    options = BatchOptions(fields=FIELDS, jobs=1, chunk_size=8)
    screen_file(spec, source, reference, options=options)

    out = tmp_path / "out.jsonl"
    command = [
        sys.executable, "-m", "service.cli_batch", "screen", str(source), "--out", str(out), "--jobs", "2",
        "--chunk-size", "8", "--text-field", "isi", "--title-field", "judul", "--id-field", "kode",
        "--models-dir", str(trained_models_dir), "--quiet",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SARING_")}
    proc = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[2], env=env, start_new_session=True)
    checkpoint = tmp_path / "out.jsonl.checkpoint.json"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if checkpoint.is_file() and json.loads(checkpoint.read_text())["input_rows"] >= 30:
                break
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its pool workers, as a crash would
        proc.wait()
    assert checkpoint.is_file(), "the run finished before it could be killed; the test shows nothing"
    state = json.loads(checkpoint.read_text())
    summary = screen_file(spec, source, out, options=options, resume=True)
    assert summary.resumed_from_rows == state["input_rows"]
    assert out.read_bytes() == reference.read_bytes()
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == (
        tmp_path / "reference.jsonl.errors.jsonl"
    ).read_bytes()
