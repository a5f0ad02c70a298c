"""Settings validation and API-key parsing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.settings import Settings, is_loopback, parse_api_keys

KEY = "k" * 32


def test_defaults_are_local_and_keyless(tmp_path: Path) -> None:
    s = Settings(models_dir=tmp_path / "m")
    assert s.host == "127.0.0.1" and s.keyless
    assert (tmp_path / "m").is_dir()  # created when missing
    assert s.default_thresholds.review == 0.45 and s.default_thresholds.reject == 0.85


def test_reads_prefixed_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SARING_MAX_BATCH_ITEMS", "7")
    monkeypatch.setenv("SARING_API_KEYS", f"admin:{KEY}")
    monkeypatch.setenv("SARING_SKIP_POSTGRES", "1")  # unrelated SARING_ variables are not settings errors
    s = Settings(models_dir=tmp_path)
    assert s.max_batch_items == 7
    assert [k.role for k in s.keys] == ["admin"]
    assert KEY not in repr(s) and KEY not in str(s.model_dump())


@pytest.mark.parametrize(
    "overrides",
    [
        {"review_threshold": 1.7},
        {"reject_threshold": -0.1},
        {"review_threshold": 0.9, "reject_threshold": 0.5},
        {"max_batch_items": 0},
        {"max_body_bytes": 10},
        {"port": 70000},
        {"unknown_setting": 1},
    ],
)
def test_rejects_nonsense(tmp_path: Path, overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(models_dir=tmp_path, **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"review_threshold": 1.7}, "harus paling banyak 1.0"),
        ({"review_threshold": 0.9, "reject_threshold": 0.5}, "review_threshold tidak boleh lebih besar"),
        ({"port": "delapan"}, "harus berupa bilangan bulat"),
        ({"unknown_setting": 1}, "kolom ini tidak dikenal"),
        ({"api_keys": "editor:pendek"}, "entri kunci API ke-1: kunci paling sedikit"),
        ({"api_keys": f"redaktur:{KEY}"}, "peran salah satu dari submitter, editor, admin"),
    ],
)
def test_setting_problems_are_explained_in_indonesian(
    tmp_path: Path, overrides: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(models_dir=tmp_path, **overrides)  # type: ignore[arg-type]
    assert problem in str(info.value) and "pendek" not in str(info.value)  # never the value given


def test_models_dir_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValidationError, match="models_dir"):
        Settings(models_dir=blocker / "models")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_keyless_mode_only_on_loopback(tmp_path: Path, host: str) -> None:
    with pytest.raises(ValidationError, match="loopback"):
        Settings(models_dir=tmp_path, host=host)
    assert not Settings(models_dir=tmp_path, host=host, api_keys=f"submitter:{KEY}").keyless


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.5", "::1", "[::1]", "localhost"])
def test_loopback_names(host: str) -> None:
    assert is_loopback(host)


def test_key_parsing_ids_and_errors() -> None:
    keys = parse_api_keys(f" admin:{KEY} , submitter:{'s' * 30},")
    assert [k.role for k in keys] == ["admin", "submitter"]
    assert all(k.key_id.startswith(k.role + "-") and KEY not in k.key_id for k in keys)
    for bad in (f"root:{KEY}", "admin:short", KEY, f"admin:{KEY},submitter:{KEY}"):
        with pytest.raises(ValueError) as info:
            parse_api_keys(bad)
        assert KEY not in str(info.value)
