"""What every `saring` subcommand shares: the settings (flags over `SARING_*` variables), a parser that speaks
Bahasa Indonesia, and one place that turns a failure into one line and an exit code.

Exit codes: 0 done, 1 the work failed (a model that cannot load, unusable data), 2 the command was given wrongly
(a flag value, a missing file, a column the input lacks), 130 interrupted. No traceback for any of these.
"""

from __future__ import annotations

import argparse
import errno
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from pydantic import ValidationError

from screening.errors import (
    InvalidInputError,
    ModelArtifactError,
    RetrainInProgressError,
    RulesError,
    ScreeningError,
    TrainingDataError,
)
from service.retrain_text import in_indonesian, translate
from service.settings import Settings

# flag attribute -> Settings field
_OVERRIDES = {
    "models_dir": "models_dir",
    "training_data": "training_data_dir",
    "database_url": "database_url",
    "host": "host",
    "port": "port",
}


class UsageError(Exception):
    """The command was given wrongly; the message says how (exit code 2)."""


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        field: getattr(args, flag) for flag, field in _OVERRIDES.items() if getattr(args, flag, None)
    }
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'nilai'}: {e['msg']}" for e in exc.errors())
        raise UsageError(f"pengaturan tidak valid (flag atau variabel SARING_*): {problems}") from None


# -- a parser in Bahasa Indonesia -------------------------------------------------------------------------------
_ARGPARSE_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (.+)"), r"argumen wajib belum diberikan: \1"),
    (re.compile(r"unrecognized arguments: (.+)"), r"argumen tidak dikenal: \1"),
    (
        re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"),
        r"argumen \1: pilihan \2 tidak dikenal (pilih salah satu: \3)",
    ),
    (re.compile(r"argument (.+?): invalid int value: (.+)"), r"argumen \1: \2 bukan bilangan bulat"),
    (re.compile(r"argument (.+?): invalid float value: (.+)"), r"argumen \1: \2 bukan bilangan"),
    (re.compile(r"argument (.+?): expected one argument"), r"argumen \1 memerlukan satu nilai"),
    (re.compile(r"argument (.+?): not allowed with argument (.+)"), r"argumen \1 tidak boleh dipakai bersama \2"),
    (re.compile(r"argument (.+?): ignored explicit argument (.+)"), r"argumen \1 tidak menerima nilai (diberikan \2)"),
    (re.compile(r"argument (.+?): expected at least one argument"), r"argumen \1 memerlukan paling sedikit satu nilai"),
    (re.compile(r"argument (.+?): invalid (.+?) value: (.+)"), r"argumen \1: nilai \3 tidak valid"),
    (re.compile(r"ambiguous option: (.+?) could match (.+)"), r"opsi \1 ambigu: dapat berarti \2"),
    (re.compile(r"one of the arguments (.+) is required"), r"salah satu argumen ini wajib diberikan: \1"),
    (re.compile(r"argument (.+?): (.+)"), r"argumen \1: \2"),  # our own type checks already speak Indonesian
]


def translate_argparse_message(message: str) -> str:
    return translate(message, _ARGPARSE_MESSAGES)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Penggunaan: " if prefix is None else prefix)


class SaringParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in Bahasa Indonesia; an error is one line and exit code 2."""

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False  # our own -h, with its help in Bahasa Indonesia
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumen posisi"
        self._optionals.title = "opsi"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="tampilkan bantuan ini lalu keluar")

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {translate_argparse_message(message)} (lihat `{self.prog} --help`)\n")


def number(value: float, decimals: int = 0) -> str:
    """A count or measure as Indonesian readers write it: 6.000 baris, 7,5 detik (a "6,000" reads as six)."""
    return f"{value:,.{decimals}f}".translate(_SEPARATORS)


_SEPARATORS = str.maketrans(",.", ".,")


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} bukan bilangan bulat") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"harus paling sedikit 1, diberikan {number}")
    return number


def probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} bukan bilangan") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"harus antara 0 dan 1, diberikan {number}")
    return number


# -- failures as one line -----------------------------------------------------------------------------------------
# The operating system's own words (strerror) are English; the ones people meet, in Bahasa Indonesia.
_OS_ERRORS = {
    errno.ENOENT: "tidak ditemukan",
    errno.EACCES: "tidak diizinkan (periksa hak akses berkas)",
    errno.EPERM: "tidak diizinkan (periksa hak akses berkas)",
    errno.EISDIR: "sebuah direktori, bukan berkas",
    errno.ENOTDIR: "salah satu bagian jalurnya bukan direktori",
    errno.EEXIST: "sudah ada (dan bukan direktori)",
    errno.ENOSPC: "ruang disk habis",
    errno.EDQUOT: "kuota disk habis",
    errno.EROFS: "sistem berkasnya hanya dapat dibaca",
    errno.EMFILE: "terlalu banyak berkas terbuka",
    errno.ENAMETOOLONG: "nama berkas terlalu panjang",
    errno.EPIPE: "keluaran ditutup sebelum selesai (pipa putus)",
}


def describe_os_error(exc: OSError) -> str:
    """One line for a failed file operation: the file, then what went wrong in Bahasa Indonesia."""
    where = f"{exc.filename}: " if exc.filename else ""
    known = _OS_ERRORS.get(exc.errno) if exc.errno is not None else None
    if known is None:
        name = errno.errorcode.get(exc.errno, "") if exc.errno is not None else ""
        known = f"galat sistem {name}: {exc.strerror or exc}" if name else f"galat sistem: {exc.strerror or exc}"
    return where + known


def _failure_line(exc: BaseException) -> tuple[int, str]:
    from screening.batch import BatchUsageError
    from screening.store import StoreError

    if isinstance(exc, UsageError | BatchUsageError):
        return 2, str(exc)
    if isinstance(exc, ModelArtifactError):
        return 1, f"model tidak dapat dimuat: {exc}"
    if isinstance(exc, TrainingDataError):
        return 1, f"data berlabel tidak dapat dipakai: {exc}"
    if isinstance(exc, RulesError):
        return 1, f"berkas aturan rusak: {exc}"
    if isinstance(exc, InvalidInputError):
        return 1, f"masukan tidak dapat disaring: {exc}"
    if isinstance(exc, StoreError):
        return 1, f"basis data tidak dapat dipakai: {exc}"
    if isinstance(exc, RetrainInProgressError):
        return 1, in_indonesian(str(exc))
    if isinstance(exc, ScreeningError):
        return 1, str(exc)
    if isinstance(exc, OSError):
        return 1, describe_os_error(exc)
    raise exc


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse `argv` and run the chosen subcommand; a failure becomes one line on stderr and an exit code."""
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return int(func(args))
    except KeyboardInterrupt:
        print("saring: dihentikan", file=sys.stderr)
        return 130
    except (ScreeningError, UsageError, OSError) as exc:
        code, line = _failure_line(exc)
        print(f"saring: {line}", file=sys.stderr)
        return code
