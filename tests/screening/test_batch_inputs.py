"""Batch inputs and outputs as people give them: pipes, default id/title fields, misnamed columns, kept columns,
rule messages, the API's text limit, no checkpoint left behind."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from id_texts import CHAIN_TEXT, KIM_TEXT, KIM_TITLE, SCAM_TEXT
from lang_texts import ENGLISH

from screening.batch import BatchOptions, BatchUsageError, Fields, ScreenerSpec, screen_file
from screening.errors import InvalidInputError
from screening.screen import Screener
from screening.submission import MAX_TEXT_CHARS, MAX_TITLE_CHARS, Submission


@pytest.fixture
def pipe() -> Iterator[tuple[io.BufferedReader, io.BufferedWriter]]:
    """A real OS pipe: its reading end cannot seek, like standard input fed by another program."""
    r, w = os.pipe()
    reader, writer = os.fdopen(r, "rb"), os.fdopen(w, "wb")
    yield reader, writer  # type: ignore[misc]
    for f in (reader, writer):
        if not f.closed:
            f.close()


def _feed(writer: io.BufferedWriter, data: bytes) -> threading.Thread:
    def run() -> None:
        with writer:
            writer.write(data)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_csv_from_a_pipe_is_screened_without_resume(trained_models_dir: Path, pipe: tuple) -> None:
    reader, writer = pipe
    assert not reader.seekable()
    data = "kode,isi\nb1,Sebarkan info ini ke semua grup sekarang juga!!!\nb2,Posyandu buka setiap Selasa.\n"
    feeder = _feed(writer, data.encode())
    out = io.BytesIO()
    options = BatchOptions(fields=Fields(text="isi", id="kode"), input_format="csv", jobs=1)
    summary = screen_file(ScreenerSpec(trained_models_dir), reader, out, errors=io.BytesIO(), options=options)
    feeder.join()
    records = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [r["id"] for r in records] == ["b1", "b2"] and [r["line"] for r in records] == [2, 3]
    assert summary.screened == 2


def test_jsonl_from_a_pipe_is_screened(trained_models_dir: Path, pipe: tuple) -> None:
    reader, writer = pipe
    feeder = _feed(writer, (json.dumps({"text": SCAM_TEXT}) + "\n").encode())
    out = io.BytesIO()
    screen_file(ScreenerSpec(trained_models_dir), reader, out, errors=io.BytesIO(), options=BatchOptions(jobs=1))
    feeder.join()
    assert json.loads(out.getvalue())["id"] == "1"


def test_a_missing_input_file_is_a_usage_error(tmp_path: Path, trained_models_dir: Path) -> None:
    with pytest.raises(BatchUsageError, match="tidak ditemukan"):
        screen_file(ScreenerSpec(trained_models_dir), tmp_path / "tidak-ada.jsonl", tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        (Fields(text="isi", title="judul"), "'judul'"),
        (Fields(text="isi", id="nomor"), "'nomor'"),
        (Fields(text="isi", keep=("kecamatan", "desa")), "'desa'"),
        (Fields(text="pesan"), "'pesan'"),
    ],
)
def test_a_csv_field_named_but_absent_is_a_usage_error(
    tmp_path: Path, trained_models_dir: Path, fields: Fields, missing: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("kode,isi,kecamatan\nk1,Sebarkan info ini!,Cibeber\n", "utf-8")
    with pytest.raises(BatchUsageError, match=missing) as info:
        screen_file(ScreenerSpec(trained_models_dir), source, tmp_path / "o.jsonl", options=BatchOptions(fields=fields))
    assert "kode, isi, kecamatan" in str(info.value)  # the message shows which columns there are


def test_jsonl_rows_lacking_a_named_field_are_counted(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"isi": CHAIN_TEXT, "judul": "Pesan"}, {"isi": SCAM_TEXT}, {"isi": KIM_TEXT}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    options = BatchOptions(fields=Fields(text="isi", title="judul"), jobs=1)
    summary = screen_file(ScreenerSpec(trained_models_dir), source, tmp_path / "out.jsonl", options=options)
    assert summary.screened == 3 and summary.missing_fields == {"judul": 2}


def test_id_and_title_fields_are_used_by_default(tmp_path: Path, trained_models_dir: Path, screener: Screener) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"id": "kim-7", "title": KIM_TITLE, "text": KIM_TEXT}, {"text": SCAM_TEXT}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    out = tmp_path / "out.jsonl"
    screen_file(ScreenerSpec(trained_models_dir), source, out, options=BatchOptions(jobs=1))
    first, second = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert first["id"] == "kim-7" and second["id"] == "2"
    assert first["quality_score"] == screener.screen(title=KIM_TITLE, text=KIM_TEXT).quality.score
    assert first["quality_score"] != screener.screen(text=KIM_TEXT).quality.score  # the title was used


def test_the_text_limit_is_the_apis(tmp_path: Path, trained_models_dir: Path) -> None:
    at_limit = ("Warga desa bergotong royong. " * MAX_TEXT_CHARS)[:MAX_TEXT_CHARS]
    source = tmp_path / "in.jsonl"
    rows = [{"id": "pas", "text": at_limit}, {"id": "lebih", "text": at_limit + "x"}]
    rows.append({"id": "25k", "text": "a" * 25_000})
    rows.append({"id": "judul", "title": "J" * (MAX_TITLE_CHARS + 1), "text": CHAIN_TEXT})
    rows.append({"id": "sesudah", "text": SCAM_TEXT})
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    out = tmp_path / "out.jsonl"
    summary = screen_file(ScreenerSpec(trained_models_dir), source, out, options=BatchOptions(jobs=1))
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == ["pas", "sesudah"]
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text("utf-8").splitlines()]
    assert [(e["id"], e["reason"]) for e in errors] == [
        ("lebih", "teks terlalu panjang (20.001 karakter; paling banyak 20.000, sama dengan API)"),
        ("25k", "teks terlalu panjang (25.000 karakter; paling banyak 20.000, sama dengan API)"),
        ("judul", "judul terlalu panjang (501 karakter; paling banyak 500, sama dengan API)"),
    ]
    assert summary.errors == 3 and summary.screened == 2
    for too_long in (Submission(text=at_limit + "x"), Submission(text=CHAIN_TEXT, title="J" * (MAX_TITLE_CHARS + 1))):
        with pytest.raises(InvalidInputError):  # the limits are the library's, which the API also applies
            too_long.checked()


def test_a_complete_run_leaves_no_checkpoint(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": CHAIN_TEXT}) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    options = BatchOptions(jobs=1, checkpoint_interval_s=0.0)
    assert screen_file(ScreenerSpec(trained_models_dir), source, out, options=options).complete
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl", "out.jsonl.errors.jsonl"]


def test_kept_columns_and_rule_messages_in_csv_and_jsonl(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "kecamatan", "sumber"])
        w.writerow(["a1", CHAIN_TEXT, "Cibeber", "WA; grup RT"])
        w.writerow(["a2", "Posyandu Melati membuka layanan imunisasi setiap Selasa.", "Cugenang", ""])
    fields = Fields(keep=("kecamatan", "sumber"))
    spec = ScreenerSpec(trained_models_dir)
    as_csv, as_jsonl = tmp_path / "out.csv", tmp_path / "out.jsonl"
    for out in (as_csv, as_jsonl):
        screen_file(spec, source, out, options=BatchOptions(fields=fields, rule_messages=True, jobs=1))
    rows = list(csv.DictReader(io.StringIO(as_csv.read_text("utf-8"))))
    records = [json.loads(line) for line in as_jsonl.read_text("utf-8").splitlines()]
    assert list(rows[0]) == ["id", "line", "hoax_risk", "decision", "quality_score", "rules", "rule_messages"] + [
        "notices",
        "kecamatan",
        "sumber",
    ]
    assert [(r["kecamatan"], r["sumber"]) for r in rows] == [("Cibeber", "WA; grup RT"), ("Cugenang", "")]
    assert [(r["kecamatan"], r["sumber"]) for r in records] == [("Cibeber", "WA; grup RT"), ("Cugenang", "")]
    chain = records[0]
    assert chain["rules"] and len(chain["rule_messages"]) == len(chain["rules"])
    assert all(m and m[0].isupper() for m in chain["rule_messages"])  # editors' messages, not ids
    assert rows[0]["rule_messages"] == " | ".join(chain["rule_messages"])
    assert rows[0]["rules"] == ";".join(chain["rules"])


def test_jsonl_kept_values_stay_json(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"text": SCAM_TEXT, "meta": {"grup": "RT 03", "n": 4}}, {"text": CHAIN_TEXT, "desa": "Cibeber"}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    spec, options = ScreenerSpec(trained_models_dir), BatchOptions(fields=Fields(keep=("meta", "desa")), jobs=1)
    screen_file(spec, source, tmp_path / "out.jsonl", options=options)
    summary = screen_file(spec, source, tmp_path / "out.csv", options=options)
    first, second = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert first["meta"] == {"grup": "RT 03", "n": 4} and first["desa"] is None
    assert second["meta"] is None and second["desa"] == "Cibeber"
    row, _ = csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text("utf-8")))
    assert json.loads(row["meta"]) == {"grup": "RT 03", "n": 4} and row["desa"] == ""
    assert summary.missing_fields == {"meta": 1, "desa": 1}


def test_a_kept_column_cannot_overwrite_a_result_field(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": SCAM_TEXT, "decision": "publish"}) + "\n", "utf-8")
    with pytest.raises(BatchUsageError, match="'decision'"):
        screen_file(
            ScreenerSpec(trained_models_dir),
            source,
            tmp_path / "out.jsonl",
            options=BatchOptions(fields=Fields(keep=("decision",))),
        )


def test_resume_from_a_stream_is_refused_in_indonesian(tmp_path: Path, trained_models_dir: Path) -> None:
    data = io.BytesIO(b"kode,isi\nb1,Sebarkan info ini!\n")
    with pytest.raises(BatchUsageError, match="masukan standar tidak dapat dilanjutkan"):
        screen_file(ScreenerSpec(trained_models_dir), data, tmp_path / "out.jsonl", resume=True)
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    ("data", "ids"),
    [
        (b"kode,text\nb1,Sebarkan info ini ke semua grup!\n", ["b1"]),
        (b"\xef\xbb\xbfid,text\nb2,Sebarkan info ini ke semua grup!\n", ["b2"]),
        (b'\n  {"id": "j1", "text": "Sebarkan info ini ke semua grup!"}\n', ["j1"]),
    ],
)
def test_a_stream_without_a_format_is_read_as_what_it_holds(
    trained_models_dir: Path, pipe: tuple, data: bytes, ids: list[str]
) -> None:
    reader, writer = pipe
    feeder = _feed(writer, data)
    out = io.BytesIO()
    options = BatchOptions(fields=Fields(id="kode") if data.startswith(b"kode") else Fields(), jobs=1)
    summary = screen_file(ScreenerSpec(trained_models_dir), reader, out, errors=io.BytesIO(), options=options)
    feeder.join()
    assert [json.loads(line)["id"] for line in out.getvalue().decode().splitlines()] == ids
    assert summary.errors == 0


def test_a_file_without_a_suffix_is_read_as_what_it_holds(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "kiriman"
    source.write_text("id,text\nc1,Sebarkan info ini ke semua grup!\n", "utf-8")
    out = tmp_path / "out.jsonl"
    screen_file(ScreenerSpec(trained_models_dir), source, out, options=BatchOptions(jobs=1))
    assert json.loads(out.read_text("utf-8"))["id"] == "c1"


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        (Fields(text="isi", title="judul"), "'judul'"),
        (Fields(text="isi", id="nomor"), "'nomor'"),
        (Fields(text="isi", keep=("kecamatan", "desa")), "'desa'"),
        (Fields(text="pesan"), "'pesan'"),
    ],
)
def test_a_jsonl_field_no_row_has_is_a_usage_error(
    tmp_path: Path, trained_models_dir: Path, fields: Fields, missing: str
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"kode": "k1", "isi": CHAIN_TEXT, "kecamatan": "Cibeber"}, {"kode": "k2", "isi": SCAM_TEXT}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    with pytest.raises(BatchUsageError, match=missing) as info:
        screen_file(ScreenerSpec(trained_models_dir), source, tmp_path / "o.jsonl", options=BatchOptions(fields=fields))
    assert "isi, kecamatan, kode" in str(info.value)  # the fields the rows do have
    assert not (tmp_path / "o.jsonl").exists()


def test_a_refused_run_leaves_the_previous_output_as_it_was(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("kode,isi\nk1,Sebarkan info ini ke semua grup!\n", "utf-8")
    out = tmp_path / "out.jsonl"
    spec = ScreenerSpec(trained_models_dir)
    screen_file(spec, source, out, options=BatchOptions(fields=Fields(text="isi"), jobs=1))
    before = out.read_bytes()
    with pytest.raises(BatchUsageError, match="'judul'"):  # a typo in a rerun must not wipe the results
        screen_file(spec, source, out, options=BatchOptions(fields=Fields(text="isi", title="judul"), jobs=1))
    assert out.read_bytes() == before and before


def test_the_output_cannot_be_the_input(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": CHAIN_TEXT}) + "\n", "utf-8")
    before = source.read_bytes()
    spec = ScreenerSpec(trained_models_dir)
    with pytest.raises(BatchUsageError, match="sama dengan berkas masukan"):
        screen_file(spec, source, tmp_path / "." / "in.jsonl", options=BatchOptions(jobs=1))
    with pytest.raises(BatchUsageError, match="sama dengan berkas masukan"):
        screen_file(spec, source, tmp_path / "out.jsonl", errors=source, options=BatchOptions(jobs=1))
    assert source.read_bytes() == before


def test_a_directory_is_not_an_input_file(tmp_path: Path, trained_models_dir: Path) -> None:
    with pytest.raises(BatchUsageError, match="direktori, bukan berkas"):
        screen_file(ScreenerSpec(trained_models_dir), tmp_path, tmp_path / "out.jsonl")


def test_messages_carry_the_notices_that_explain_a_decision(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    rows = [{"id": "en", "text": ENGLISH[0]}, {"id": "kim", "title": KIM_TITLE, "text": KIM_TEXT}]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    spec, options = ScreenerSpec(trained_models_dir), BatchOptions(rule_messages=True, jobs=1)
    screen_file(spec, source, tmp_path / "out.jsonl", options=options)
    screen_file(spec, source, tmp_path / "out.csv", options=options)
    english, kim = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert english["decision"] != "publish"
    assert any("tidak berbahasa Indonesia" in n for n in english["notices"]), english
    assert kim["notices"] == []
    as_csv = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text("utf-8"))))
    assert as_csv[0]["notices"] == " | ".join(english["notices"]) and as_csv[1]["notices"] == ""
    plain = tmp_path / "plain.jsonl"
    screen_file(spec, source, plain, options=BatchOptions(jobs=1))
    assert "notices" not in json.loads(plain.read_text("utf-8").splitlines()[0])  # only when asked for


def test_broken_json_and_csv_rows_are_explained_in_indonesian(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'{"text": }\n{"text" "x"}\n{\'text\': "x"}\n{"text": "tanpa akhir\n{"text": "x"} lagi\n'
        + json.dumps({"text": CHAIN_TEXT}).encode()
        + b"\n"
    )
    out = tmp_path / "out.jsonl"
    spec = ScreenerSpec(trained_models_dir)
    screen_file(spec, source, out, options=BatchOptions(jobs=1))
    errors = [json.loads(line)["reason"] for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert errors == [
        "bukan JSON yang sah (nilai tidak ada atau tidak sah, pada karakter ke-10)",
        "bukan JSON yang sah (titik dua setelah nama field tidak ada, pada karakter ke-9)",
        "bukan JSON yang sah (nama field harus diapit tanda kutip ganda, pada karakter ke-2)",
        "bukan JSON yang sah (tanda kutip teks tidak ditutup sebelum akhir baris, pada karakter ke-22)",
        "bukan JSON yang sah (ada data lain setelah objek JSON, pada karakter ke-15)",
    ]
    source = tmp_path / "in.csv"
    source.write_bytes(b"id,text\nc1,teks dengan\rCR di tengah\nc2,Sebarkan info ini ke semua grup!\n")
    screen_file(spec, source, tmp_path / "out.csv", options=BatchOptions(jobs=1))
    (error,) = [json.loads(line) for line in (tmp_path / "out.csv.errors.jsonl").read_text().splitlines()]
    assert error["reason"] == "CSV rusak (karakter CR di luar tanda kutip; simpan ulang berkasnya sebagai CSV)"
    assert [r["id"] for r in csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text("utf-8")))] == ["c2"]


def test_all_other_columns_can_be_kept(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "text", "kecamatan", "decision"])
        w.writerow(["a1", "Pesan", CHAIN_TEXT, "Cibeber", "terbit"])
        w.writerow(["a2", "", SCAM_TEXT, "Cugenang", ""])
    spec = ScreenerSpec(trained_models_dir)
    options = BatchOptions(fields=Fields(keep=("kecamatan",), keep_all=True), jobs=1)
    screen_file(spec, source, tmp_path / "out.csv", options=options)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text("utf-8"))))
    # the named column first, then the others in input order; never the text, never over a result field
    assert list(rows[0])[-2:] == ["kecamatan", "title"] and "text" not in rows[0]
    assert [(r["id"], r["kecamatan"], r["title"], r["decision"]) for r in rows][0][:3] == ("a1", "Cibeber", "Pesan")
    assert rows[0]["decision"] in ("publish", "review", "reject")

    source = tmp_path / "in.jsonl"
    lines = [{"text": CHAIN_TEXT, "meta": {"grup": "RT 03"}, "line": 99}, {"text": SCAM_TEXT, "desa": "Mekar"}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    options = BatchOptions(fields=Fields(keep_all=True), jobs=1)
    screen_file(spec, source, tmp_path / "out.jsonl", options=options)
    screen_file(spec, source, tmp_path / "out2.csv", options=options)
    first, second = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert first["meta"] == {"grup": "RT 03"} and first["line"] == 1 and "desa" not in first
    assert second["desa"] == "Mekar" and "meta" not in second and "text" not in second
    header = (tmp_path / "out2.csv").read_text("utf-8").splitlines()[0]
    assert header.endswith(",quality_score,rules,meta,desa")  # the fields of the first rows, for a CSV


def test_a_run_keeping_all_columns_resumes_with_the_same_columns(tmp_path: Path, trained_models_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"text": f"{CHAIN_TEXT} ({i})", "k": i} for i in range(4)] + [{"text": SCAM_TEXT, "baru": "x"}]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    spec = ScreenerSpec(trained_models_dir)
    options = BatchOptions(fields=Fields(keep_all=True), jobs=1, chunk_size=2, checkpoint_interval_s=0.0)
    reference, out = tmp_path / "reference.csv", tmp_path / "out.csv"
    screen_file(spec, source, reference, options=options)

    class Stop(Exception):
        pass

    def stop(p: object) -> None:
        raise Stop

    with pytest.raises(Stop):
        screen_file(spec, source, out, options=options, progress=stop)
    screen_file(spec, source, out, options=options, resume=True)
    assert out.read_bytes() == reference.read_bytes()
    assert reference.read_text("utf-8").splitlines()[0].endswith(",rules,k")
