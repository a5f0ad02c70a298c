"""The `saring` command as a user meets it: Bahasa Indonesia throughout, one line and an exit code for a mistake,
standard input for CSV, a model that cannot load, and `evaluate` on files people wrote."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from screening.registry import ModelRegistry
from service.cli import build_parser, main
from service.cli_args import describe_os_error

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
        (["screen", "x.jsonl", "--r"], "saring screen: opsi --r ambigu: dapat berarti --rule-messages, --resume"),
        (["screen", "x.jsonl", "--quiet=ya"], "saring screen: argumen --quiet tidak menerima nilai (diberikan 'ya')"),
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


def test_csv_on_standard_input_needs_no_input_format(trained_models_dir: Path) -> None:
    data = "id,text\nb1,PENTING!!! Sebarkan ke semua grup: besok listrik padam total se-Jawa!!!\n"
    result = _saring(["screen", "-", "--jobs", "1", "--models-dir", str(trained_models_dir)], stdin=data.encode())
    assert result.returncode == 0, result.stderr.decode()
    (record,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert record["id"] == "b1" and record["line"] == 2
    assert "1 baris dibaca, 1 disaring, 0 galat" in result.stderr.decode()


def test_resume_on_standard_input_is_one_line_and_exit_code_2(trained_models_dir: Path, tmp_path: Path) -> None:
    data = b"id,text\nb1,Sebarkan ke semua grup!\n"
    argv = ["screen", "-", "--out", str(tmp_path / "out.jsonl"), "--resume", "--models-dir", str(trained_models_dir)]
    result = _saring(argv, stdin=data)
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "saring: masukan standar tidak dapat dilanjutkan (--resume) dari checkpoint; beri nama berkasnya\n"
    )


def test_a_title_field_no_jsonl_row_has_is_one_line_and_exit_code_2(
    tmp_path: Path, trained_models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "text": "Sebarkan info ini ke semua grup!"}) + "\n", "utf-8")
    argv = ["screen", str(source), "--title-field", "judul", "--models-dir", str(trained_models_dir), "--jobs", "1"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "saring: baris JSONL tidak punya field 'judul' (field yang ada pada baris pertama: id, text)\n"
    )


def test_a_model_version_that_does_not_exist_is_one_line_and_exit_code_2(
    tmp_path: Path, trained_models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Sebarkan info ini ke semua grup!"}) + "\n", "utf-8")
    for argv in (["screen", str(source), "--jobs", "1"], ["evaluate", str(source)]):
        assert main([*argv, "--version", "2020-tidak-ada", "--models-dir", str(trained_models_dir)]) == 2
        assert capsys.readouterr().err == (
            f"saring: versi model '2020-tidak-ada' tidak ada di {trained_models_dir}; lihat `saring models list`\n"
        )


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


def test_evaluate_reads_a_spreadsheet_csv_and_reports_bad_rows_in_indonesian(
    trained_models_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "berlabel.csv"
    lines = [
        b"text,label",
        b'"PENTING!!! Sebarkan: besok listrik padam total se-Jawa 3 hari, siapkan lilin!!!",hoaks',
        b"Posyandu Melati membuka layanan imunisasi dasar setiap Selasa di balai desa.,valid",
        b"Kabar caf\xe9 yang rusak,1",  # not UTF-8: skipped, not a traceback
        b'"Selamat! Nomor WA anda menang undian, klaim hadiah lewat bit.ly/hadiah-2024",1',
        b"Dinas Kesehatan membantah kabar penyemprotan disinfektan dari helikopter.,0",
        b"Info ini belum jelas.,mungkin",
        b"Info tanpa label.,",
    ]
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n")  # with a BOM, as spreadsheets write it
    result = _saring(["evaluate", str(path), "--json", "--models-dir", str(trained_models_dir)])
    err = result.stderr.decode()
    assert result.returncode == 0, err
    report = json.loads(result.stdout)
    assert report["n"] == 4 and report["n_hoax"] == 2 and report["skipped"] == 3
    assert err.splitlines() == [
        f"saring evaluate: {path}:4: baris dilewati (bukan UTF-8 yang sah)",
        f"saring evaluate: {path}:7: baris dilewati (label 'mungkin' tidak dikenal: hoaks/hoax/1 atau valid/0)",
        f"saring evaluate: {path}:8: baris dilewati ('label' kosong)",
        "saring evaluate: 3 baris rusak dilewati",
    ]


@pytest.mark.parametrize(
    ("flags", "missing"),
    [(["--text-field", "isi"], "'isi'"), (["--label-field", "kelas"], "'kelas'")],
)
@pytest.mark.parametrize("suffix", [".csv", ".ndjson"])
def test_evaluate_refuses_a_field_the_file_lacks(
    trained_models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], missing: str,
    suffix: str,
) -> None:  # fmt: skip
    path = tmp_path / f"berlabel{suffix}"
    rows = [{"text": "Sebarkan info ini ke semua grup!!!", "label": "hoaks"}, {"text": "Posyandu buka.", "label": "0"}]
    if suffix == ".csv":
        path.write_text("text,label\n" + "".join(f"{r['text']},{r['label']}\n" for r in rows), "utf-8")
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert main(["evaluate", str(path), *flags, "--models-dir", str(trained_models_dir)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("saring: ") and missing in line
    assert "text, label" in line or "label, text" in line  # the columns (fields) the file does have


def test_evaluate_with_no_usable_row_is_one_indonesian_line(
    trained_models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "berlabel.jsonl"
    path.write_text(json.dumps({"text": "Sebarkan info ini!", "label": "mungkin"}) + "\n", "utf-8")
    assert main(["evaluate", str(path), "--quiet", "--models-dir", str(trained_models_dir)]) == 1
    assert capsys.readouterr().err == (
        f"saring: data berlabel tidak dapat dipakai: {path}: tidak ada baris berlabel yang dapat dipakai\n"
    )


def test_a_file_that_cannot_be_written_is_one_indonesian_line(
    tmp_path: Path, trained_models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "Sebarkan info ini ke semua grup!"}) + "\n", "utf-8")
    (tmp_path / "berkas.txt").write_text("bukan direktori", "utf-8")
    out = tmp_path / "berkas.txt" / "hasil.jsonl"
    assert main(["screen", str(source), "--out", str(out), "--jobs", "1", "--models-dir", str(trained_models_dir)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"saring: {out}") and line.endswith(": salah satu bagian jalurnya bukan direktori")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/data/hasil.csv"), "/data/hasil.csv: tidak diizinkan"),
        (OSError(errno.ENOSPC, "No space left on device"), "ruang disk habis"),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), "keluaran ditutup sebelum selesai (pipa putus)"),
        (OSError(errno.EIO, "Input/output error", "/mnt/usb/a.csv"), "/mnt/usb/a.csv: galat sistem EIO: "),
    ],
)
def test_os_errors_are_described_in_indonesian(exc: OSError, expected: str) -> None:
    assert describe_os_error(exc).startswith(expected)


# What the retrain library says (its own English), as `saring retrain` and the models page say it.
RETRAIN_LINES = {
    "removed 2 stale temporary directories": "2 direktori sementara yang tertinggal dihapus",
    "current model v1 cannot be loaded (file altered); comparing against the default recipe": (
        "model aktif v1 tidak dapat dimuat (file altered); dibandingkan dengan resep bawaan"
    ),
    "6000 base rows + 36 editor labels": "6000 baris dasar + 36 label editor",
    "training the reference (current recipe) on 4800 rows": "melatih model acuan (resep saat ini) pada 4800 baris",
    "training the candidate on 4829 rows": "melatih model calon pada 4829 baris",
    "comparing on 1207 held-out rows": "membandingkan pada 1207 baris uji (hold-out)",
    "training the final model on all 6036 rows": "melatih model akhir pada semua 6036 baris",
    "stored and verified v2; activating": "v2 disimpan dan diverifikasi; diaktifkan",
    "1 labelled texts left out: their editors disagree (settle them in the queue)": (
        "1 teks berlabel ditinggalkan: putusan para editornya berbeda (selesaikan di antrean tinjauan)"
    ),
    "no base data or label changed since the current model": (
        "tidak ada data dasar atau label yang berubah sejak model aktif dilatih"
    ),
    "no editor labels to train with": "belum ada label editor untuk dilatih",
    "post roc_auc drops by 0.030 (> margin 0.010): 0.900 -> 0.870": (
        "post: roc_auc turun 0.030 (lebih dari batas 0.010): 0.900 -> 0.870"
    ),
    "7 of 9 new labels contradict the current model flatly (risk at least 0.9 away from the label): review them "
    "before retraining": (
        "7 dari 9 label baru bertentangan tajam dengan model aktif (risikonya berjarak paling sedikit 0.9 dari "
        "labelnya): periksa label-label itu sebelum melatih ulang"
    ),
    "every genre within margin 0.010 of the current recipe on the hold-out": (
        "setiap genre dalam batas 0.010 dari resep saat ini pada data uji (hold-out)"
    ),
    "another retrain is running on /srv/models": "pelatihan ulang lain sedang berjalan pada /srv/models",
}


@pytest.mark.parametrize("line", sorted(RETRAIN_LINES))
def test_what_retraining_says_is_said_in_indonesian(line: str) -> None:
    from service.retrain_text import in_indonesian

    assert in_indonesian(line) == RETRAIN_LINES[line]


def test_a_retrain_held_for_review_is_described_not_a_crash() -> None:
    from screening.training.retrain import RetrainReport
    from service.cli_batch import describe_retrain

    reason = (
        "7 of 9 new labels contradict the current model flatly (risk at least 0.9 away from the label): review them "
        "before retraining"
    )
    text = describe_retrain(RetrainReport("held_for_review", [reason], "v1"))
    assert text.splitlines()[0].startswith("saring retrain: model calon ditahan untuk diperiksa; v1 tetap dipakai")
    assert "7 dari 9 label baru" in text and "contradict" not in text
