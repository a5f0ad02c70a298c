"""What retraining says, in Bahasa Indonesia: the library's progress lines and reasons (English, like every message
of `screening`) as `saring retrain` prints them and the editors' models page shows them.

A line this table does not know is passed on as it is, so a new message in the library is never lost, only untranslated.
"""

from __future__ import annotations

import re

_NUMBER = r"(\d+(?:\.\d+)?)"
_LINES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"removed {_NUMBER} stale temporary directories"), r"\1 direktori sementara yang tertinggal dihapus"),
    (
        re.compile(r"current model (\S+) cannot be loaded \((.*)\); comparing against the default recipe"),
        r"model aktif \1 tidak dapat dimuat (\2); dibandingkan dengan resep bawaan",
    ),
    (re.compile(rf"{_NUMBER} base rows \+ {_NUMBER} editor labels"), r"\1 baris dasar + \2 label editor"),
    (
        re.compile(rf"training the reference \(current recipe\) on {_NUMBER} rows"),
        r"melatih model acuan (resep saat ini) pada \1 baris",
    ),
    (re.compile(rf"training the candidate on {_NUMBER} rows"), r"melatih model calon pada \1 baris"),
    (re.compile(rf"comparing on {_NUMBER} held-out rows"), r"membandingkan pada \1 baris uji (hold-out)"),
    (re.compile(rf"training the final model on all {_NUMBER} rows"), r"melatih model akhir pada semua \1 baris"),
    (re.compile(r"stored and verified (\S+); activating"), r"\1 disimpan dan diverifikasi; diaktifkan"),
    (
        re.compile(rf"{_NUMBER} labelled texts left out: their editors disagree \(settle them in the queue\)"),
        r"\1 teks berlabel ditinggalkan: putusan para editornya berbeda (selesaikan di antrean tinjauan)",
    ),
    (
        re.compile(r"no base data or label changed since the current model"),
        "tidak ada data dasar atau label yang berubah sejak model aktif dilatih",
    ),
    (re.compile(r"no editor labels to train with"), "belum ada label editor untuk dilatih"),
    (
        re.compile(rf"(\w+) (\w+) drops by {_NUMBER} \(> margin {_NUMBER}\): {_NUMBER} -> {_NUMBER}"),
        r"\1: \2 turun \3 (lebih dari batas \4): \5 -> \6",
    ),
    (
        re.compile(
            rf"{_NUMBER} of {_NUMBER} new labels contradict the current model flatly \(risk at least {_NUMBER} away "
            r"from the label\): review them before retraining"
        ),
        r"\1 dari \2 label baru bertentangan tajam dengan model aktif (risikonya berjarak paling sedikit \3 dari "
        r"labelnya): periksa label-label itu sebelum melatih ulang",
    ),
    (
        re.compile(rf"every genre within margin {_NUMBER} of the current recipe on the hold-out"),
        r"setiap genre dalam batas \1 dari resep saat ini pada data uji (hold-out)",
    ),
    (re.compile(r"another retrain is running on (.+)"), r"pelatihan ulang lain sedang berjalan pada \1"),
]


def translate(line: str, table: list[tuple[re.Pattern[str], str]]) -> str:
    """`line` rewritten by the first pattern of `table` that matches all of it; unchanged when none does."""
    for pattern, replacement in table:
        if pattern.fullmatch(line):
            return pattern.sub(replacement, line)
    return line


def in_indonesian(line: str) -> str:
    """A progress line or reason of `screening.training.retrain` in Bahasa Indonesia."""
    return translate(line, _LINES)
