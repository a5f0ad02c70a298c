"""What is wrong with a field, in Bahasa Indonesia, from a pydantic validation error: the HTTP layer's 422 details
and the settings' error messages both read it. Kept apart from `service.errors` (which needs FastAPI) so the command
line tools can say what is wrong with their settings without loading the web framework."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# What each kind of validation error means, in Bahasa Indonesia (pydantic's own messages are English); `{...}` are
# the error's context values. A kind not listed reads "nilai tidak valid"; `type` stays pydantic's English kind.
_PROBLEMS: dict[str, str] = {
    "missing": "wajib diisi",
    "extra_forbidden": "kolom ini tidak dikenal",
    "string_type": "harus berupa teks",
    "string_too_short": "terlalu pendek (paling sedikit {min_length} karakter)",
    "string_too_long": "terlalu panjang (paling banyak {max_length} karakter)",
    "string_pattern_mismatch": "bentuknya tidak sah (harus cocok dengan pola {pattern})",
    "string_unicode": "harus teks Unicode yang sah",
    "literal_error": "harus salah satu dari: {expected}",
    "enum": "harus salah satu dari: {expected}",
    "float_type": "harus berupa bilangan",
    "float_parsing": "harus berupa bilangan",
    "finite_number": "harus berupa bilangan terhingga",
    "int_type": "harus berupa bilangan bulat",
    "int_parsing": "harus berupa bilangan bulat",
    "int_from_float": "harus berupa bilangan bulat",
    "bool_type": "harus true atau false",
    "bool_parsing": "harus true atau false",
    "greater_than": "harus lebih besar dari {gt}",
    "greater_than_equal": "harus paling sedikit {ge}",
    "less_than": "harus lebih kecil dari {lt}",
    "less_than_equal": "harus paling banyak {le}",
    "too_short": "terlalu sedikit butir (paling sedikit {min_length})",
    "too_long": "terlalu banyak butir (paling banyak {max_length})",
    "list_type": "harus berupa daftar (array JSON)",
    "dict_type": "harus berupa objek JSON",
    "model_type": "harus berupa objek JSON",
    "model_attributes_type": "harus berupa objek JSON",
    "json_invalid": "bukan JSON yang sah",
    "json_type": "harus berupa JSON",
    "datetime_type": "harus berupa tanggal dan waktu (ISO 8601, misalnya 2026-12-01T08:00:00Z)",
    "datetime_parsing": "harus berupa tanggal dan waktu (ISO 8601, misalnya 2026-12-01T08:00:00Z)",
    "datetime_from_date_parsing": "harus berupa tanggal dan waktu (ISO 8601, misalnya 2026-12-01T08:00:00Z)",
    "date_parsing": "harus berupa tanggal (TTTT-BB-HH)",
}


def problem_text(err: Mapping[str, Any]) -> str:
    """What is wrong with one field, in Bahasa Indonesia; never the value that was sent."""
    kind = str(err.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        # our own validators already speak Indonesian; pydantic only prefixes "Value error, "
        message = str(err.get("msg", ""))
        return message.split(", ", 1)[1] if message.startswith(("Value error, ", "Assertion failed, ")) else message
    template = _PROBLEMS.get(kind)
    if template is None:
        return "nilai tidak valid"
    try:
        return template.format(**{k: _plain(v) for k, v in (err.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return template.split(" (", 1)[0].split(": {", 1)[0]


def _plain(value: Any) -> str:
    # pydantic names choices as "'hoax' or 'valid'"
    return str(value).replace("' or '", "', '")


def validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Field path and problem (in Bahasa Indonesia) of each pydantic error; the input is never echoed back."""
    details = []
    for err in errors[:20]:
        loc = [str(part) for part in err.get("loc", ())]
        details.append({"field": ".".join(loc), "problem": problem_text(err), "type": str(err.get("type", ""))})
    return details
