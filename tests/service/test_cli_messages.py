"""The `saring` command as a user meets it: Bahasa Indonesia throughout, one line and an exit code for a mistake,
standard input for CSV, a model that cannot load, and `evaluate` on files people wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from screening.registry import ModelRegistry
from service.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]
ENGLISH_ARGPARSE = ("usage:", "show this help", "positional arguments", "options:", "error:", "required")


def _saring(args: list[str], *, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SARING_")}
    command = [sys.executable, "-m", "service.cli", *args]
    return subprocess.run(command, input=stdin, capture_output=True, cwd=REPO, env=env, timeout=120, check=False)


@pytest.mark.parametrize("command", ["", "serve", "train", "evaluate", "models", "screen", "retrain"])
def test_help_is_in_indonesian(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*command.split(), "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("Penggunaan: saring") and "tampilkan bantuan ini lalu keluar" in text
    assert not [w for w in ENGLISH_ARGPARSE if w in text], text


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["screen", "x.jsonl", "--jobs", "x"], "saring screen: argumen --jobs: 'x' bukan bilangan bulat"),
        (["screen", "x.jsonl", "--jobs", "0"], "saring screen: argumen --jobs: harus paling sedikit 1, diberikan 0"),
        (["screen", "x.jsonl", "--engine", "spark"], "saring screen: argumen --engine: pilihan 'spark' tidak dikenal"),
        (["screen"], "saring screen: argumen wajib belum diberikan: INPUT"),
        (["screen", "x.jsonl", "--bogus"], "saring: argumen tidak dikenal: --bogus"),
        (["evaluate", "f.csv", "--threshold", "1.5"], "saring evaluate: argumen --threshold: harus antara 0 dan 1"),
        ([], "saring: argumen wajib belum diberikan: PERINTAH"),
    ],
)
def test_a_bad_flag_is_one_indonesian_line_and_exit_code_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1, err


def test_a_missing_input_file_is_one_line_and_exit_code_2(tmp_path: Path, trained_models_dir: Path) -> None:
    result = _saring(["screen", str(tmp_path / "tidak-ada.jsonl"), "--models-dir", str(trained_models_dir)])
    assert result.returncode == 2
    assert result.stderr.decode() == f"saring: {tmp_path / 'tidak-ada.jsonl'}: berkas masukan tidak ditemukan\n"


def test_a_title_field_the_csv_lacks_is_one_line_and_exit_code_2(
    tmp_path: Path, trained_models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,Sebarkan info ini ke semua grup!\n", "utf-8")
    argv = ["screen", str(source), "--title-field", "judul", "--models-dir", str(trained_models_dir), "--jobs", "1"]
    assert main(argv) == 2
    assert capsys.readouterr().err == "saring: kepala CSV tidak punya kolom 'judul' (kolom yang ada: id, text)\n"


def test_no_model_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Sebarkan info ini!"}) + "\n", "utf-8")
    empty = tmp_path / "models"
    assert main(["screen", str(source), "--models-dir", str(empty), "--jobs", "1"]) == 2
    assert main(["evaluate", str(source), "--models-dir", str(empty)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"saring: tidak ada model aktif di {empty}; jalankan `saring train` dulu"] * 2


def test_csv_on_standard_input_is_screened(trained_models_dir: Path) -> None:
    data = "kode,isi\nb1,PENTING!!! Sebarkan ke semua grup: besok listrik padam total se-Jawa!!!\nb2,\n"
    result = _saring(
        ["screen", "-", "--input-format", "csv", "--text-field", "isi", "--id-field", "kode", "--jobs", "1"]
        + ["--models-dir", str(trained_models_dir)],
        stdin=data.encode(),
    )
    assert result.returncode == 0, result.stderr.decode()
    (record,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert record["id"] == "b1" and record["line"] == 2
    err = result.stderr.decode()
    assert '"reason": "\'isi\' kosong"' in err  # the error report goes to stderr beside stdout output
    assert "2 baris dibaca, 1 disaring, 1 galat" in err and "Traceback" not in err


def test_a_model_that_fails_verification_is_one_line_and_exit_code_1(trained_models_dir: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(trained_models_dir, models)
    version = ModelRegistry(models).active_version()
    with open(models / str(version) / "model.npz", "ab") as f:
        f.write(b"altered")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Sebarkan info ini ke semua grup!"}) + "\n", "utf-8")
    result = _saring(
        ["screen", str(source), "--out", str(tmp_path / "out.jsonl"), "--jobs", "2"] + ["--models-dir", str(models)]
    )
    err = result.stderr.decode()
    assert result.returncode == 1
    assert (
        err.startswith(f"saring: model tidak dapat dimuat: model {version}: model.npz tidak cocok")
        and err.count("\n") == 1
    )
    assert "Traceback" not in err and "BrokenProcessPool" not in err


def test_evaluate_reports_and_skips_bad_rows_with_its_own_field_names(
    trained_models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "berlabel.jsonl"
    rows = [
        {"isi": "PENTING!!! Sebarkan: besok listrik padam total se-Jawa 3 hari, siapkan lilin!!!", "kelas": "hoaks"},
        {"isi": "Posyandu Melati membuka layanan imunisasi dasar setiap Selasa di balai desa.", "kelas": "valid"},
        {"isi": "Selamat! Nomor WA anda menang undian, klaim hadiah lewat bit.ly/hadiah-2024", "kelas": "1"},
        {"isi": "Dinas Kesehatan membantah kabar penyemprotan disinfektan dari helikopter.", "kelas": "0"},
        {"isi": "Rebusan daun sirsak 100% ampuh menyembuhkan kanker tanpa operasi!!", "kelas": "HOAX"},
        {"isi": "Info ini belum jelas.", "kelas": "mungkin"},
        {"isi": "", "kelas": "valid"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{rusak\n", "utf-8")
    argv = ["evaluate", str(path), "--text-field", "isi", "--label-field", "kelas", "--json"]
    assert main([*argv, "--models-dir", str(trained_models_dir)]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["n"] == 5 and report["n_hoax"] == 3 and report["skipped"] == 3
    skipped = [line for line in captured.err.splitlines() if "baris dilewati" in line]
    assert [line.split(":")[2] for line in skipped] == ["6", "7", "8"]
    assert "3 baris rusak dilewati" in captured.err
