"""The service's one configuration object, read from `SARING_*` environment variables and validated at start-up.

API keys: `SARING_API_KEYS` is a comma-separated list of `role:key` or `role:name:key` entries, roles `submitter`
(may screen), `editor` (may also view the review queue and the audit log, and label) and `admin` (may also
switch models and retrain), e.g.

    SARING_API_KEYS="admin:3f9c...e1,editor:ani:9a7b...42,submitter:c0ff...ee"

A name (lower-case letters, digits, `.`, `_`, `-`; up to 64) identifies an editor on labels and pages.

Keys must be at least 24 characters. Clients send one as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Each key is known in logs, metrics and the audit log only by its id, `<role>-<first 10 hex of sha256(key)>`.
Without any key the service runs in key-less local mode (every caller is an admin), which is allowed only when
`SARING_HOST` is a loopback address; anything else is refused at start-up. However the app is started, a
key-less service also answers only requests that arrive on a loopback socket from a loopback client and name a
loopback host (`service.guard`).

Errors never show a key: messages name the entry's position, and inputs are hidden from validation errors.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from screening.policy import (
    DEFAULT_BASE_RATES,
    DEFAULT_THRESHOLDS,
    KNOWN_HOAX_REJECT_SIMILARITY,
    KNOWN_HOAX_REVIEW_SIMILARITY,
    DecisionPolicy,
)
from screening.result import Thresholds
from service.problems import problem_text

Role = Literal["submitter", "editor", "admin"]
ROLES: tuple[Role, ...] = ("submitter", "editor", "admin")  # each may do what the ones before it may
_KEY_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_KEY_LENGTH = 24
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")  # the Host names a key-less service answers to
_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_HOST_PATTERN = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})*$|^\[[0-9a-f:.]+\]$")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A configured key: its role, a loggable id, the SHA-256 digest it is compared against and an optional name."""

    role: Role
    key_id: str
    digest: bytes
    name: str | None = None


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_api_keys(raw: str) -> tuple[ApiKey, ...]:
    """Parse `role:key,role:name:key`; raises ValueError naming the entry's position and problem, never any of its text.

    (An entry without a role may be a bare key, so not even the "role" part is repeated.)
    """
    keys: list[ApiKey] = []
    first_seen: dict[bytes, int] = {}
    for position, entry in enumerate((e.strip() for e in raw.split(",")), start=1):
        if not entry:
            continue
        role, sep, key = entry.partition(":")
        role, key = role.strip(), key.strip()
        if not sep or role not in ROLES:
            raise ValueError(
                f"entri kunci API ke-{position}: harus '<peran>:<kunci>' atau "
                "'<peran>:<nama>:<kunci>', peran salah satu dari submitter, editor, admin"
            )
        head, has_name, rest = key.partition(":")
        name = head.strip() if has_name and _KEY_NAME.match(head.strip()) else None
        key = rest.strip() if name is not None else key
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"entri kunci API ke-{position}: kunci paling sedikit {MIN_KEY_LENGTH} karakter")
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        if digest in first_seen:
            raise ValueError(f"entri kunci API ke-{first_seen[digest]} dan ke-{position} berisi kunci yang sama")
        first_seen[digest] = position
        keys.append(ApiKey(role=role, key_id=f"{role}-{digest.hex()[:10]}", digest=digest, name=name))
    return tuple(keys)


def checkout_root() -> Path | None:
    """The source checkout this code runs from (a clone, or an editable install of one), if it runs from one."""
    root = Path(__file__).resolve().parents[1]
    markers = (root / "pyproject.toml", root / "training_data", root / "screening")
    return root if all(p.exists() for p in markers) else None


def default_home() -> Path:
    """`SARING_HOME` when unset: the checkout when run from one, else the per-user data directory."""
    root = checkout_root()
    return root if root is not None else Path(platformdirs.user_data_dir("saring", appauthor=False))


def bundled_training_data() -> Path:
    """The training data of the default model: the checkout's `training_data/`, or the copy the wheel carries."""
    root = checkout_root()
    return root / "training_data" if root is not None else Path(__file__).resolve().parent / "training_data"


def parse_hosts(raw: str) -> tuple[str, ...]:
    """`a.example.org, *.example.org` -> lower-case names; a `*.` prefix allows any sub-domain."""
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    for position, host in enumerate(hosts, start=1):
        if not _HOST_PATTERN.match(host):
            raise ValueError(f"entri allowed_hosts ke-{position} bukan nama host (tanpa skema, porta, atau path)")
    return hosts


class Settings(BaseSettings):
    """Service settings; every field can be set as `SARING_<FIELD>` (e.g. `SARING_MAX_BATCH_ITEMS=50`)."""

    # hide_input_in_errors: a validation error must never print a raw value (SARING_API_KEYS holds secrets)
    model_config = SettingsConfigDict(env_prefix="SARING_", extra="forbid", frozen=True, hide_input_in_errors=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)  # `saring serve` processes sharing the port
    # Where state lives: models/ and var/ (the SQLite store) unless set one by one. Never the current directory.
    home: Path = Field(default_factory=default_home)
    models_dir: Path = Field(default_factory=lambda data: data["home"] / "models")
    training_data_dir: Path = Field(default_factory=lambda data: bundled_training_data())
    database_url: SecretStr = Field(
        default_factory=lambda data: SecretStr(f"sqlite:///{data['home'] / 'var' / 'saring.db'}")
    )
    train_if_missing: bool = True  # train a default model at start-up when the registry is empty
    # how often each process looks at the registry's ACTIVE pointer to follow switches made by other processes
    follow_interval_s: float = Field(default=1.0, ge=0.1, le=60.0)
    api_keys: SecretStr = SecretStr("")
    # Host names requests may carry, comma-separated (`*.example.org` for sub-domains); empty means any. In key-less
    # mode only loopback names are answered and this must stay empty.
    allowed_hosts: str = ""
    metrics_key: SecretStr = SecretStr("")  # when set, GET /metrics needs `Authorization: Bearer <metrics key>`

    review_threshold: float = Field(default=DEFAULT_THRESHOLDS.review, ge=0.0, le=1.0)
    reject_threshold: float = Field(default=DEFAULT_THRESHOLDS.reject, ge=0.0, le=1.0)
    known_hoax_review_similarity: float = Field(default=KNOWN_HOAX_REVIEW_SIMILARITY, gt=0.0, le=1.0)
    known_hoax_reject_similarity: float = Field(default=KNOWN_HOAX_REJECT_SIMILARITY, gt=0.0, le=1.0)
    # Expected share of hoaxes among this deployment's submissions, per genre (see screening.screen); unset
    # means "as in the training data" (about 0.82 for posts, 0.53 for articles).
    hoax_base_rate_article: float | None = Field(default=DEFAULT_BASE_RATES.get("article"), gt=0.0, lt=1.0)
    hoax_base_rate_post: float | None = Field(default=DEFAULT_BASE_RATES.get("post"), gt=0.0, lt=1.0)

    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    max_batch_items: int = Field(default=100, ge=1, le=1000)
    # total title + text characters in one batch; bounds its latency (about 10 µs per character on 2 cores)
    max_batch_chars: int = Field(default=500_000, ge=1_000, le=20_000_000)
    max_in_flight: int = Field(
        default=4, ge=1, le=256
    )  # screenings running at once; CPU-bound, so about the core count
    max_queued: int = Field(default=32, ge=0, le=10_000)  # screenings waiting for a slot; more are refused with 503
    queue_timeout_s: float = Field(default=2.0, gt=0.0, le=60.0)  # a queued screening waits at most this long, then 503
    # a screening of at most this many title and text characters, with no other one running, runs on the event loop
    # instead of a pool thread (service.actions.is_brief, service.deps.ScreeningLimiter); 0 = always in the pool
    inline_max_chars: int = Field(default=2_000, ge=0, le=20_000)
    rate_limit_per_minute: int = Field(default=600, ge=0)  # per API key (per client address in key-less mode); 0 = off
    rate_limit_burst: int = Field(default=60, ge=1)
    # wrong keys (API or sign-in) per client address; beyond: 429 for every key attempt from that address; 0 = off
    auth_failures_per_minute: int = Field(default=10, ge=0)
    auth_failures_burst: int = Field(default=20, ge=1)
    # Redis for rate limits shared by every worker and replica (e.g. redis://127.0.0.1:6379/0); unset: per process
    redis_url: SecretStr | None = None
    ui_session_hours: float = Field(default=8.0, gt=0.0, le=24 * 30)  # a sign-in lasts this long (or until logout)
    # days a screening's text is kept in the audit log; then title, text and author are purged (unset: kept)
    retention_days: int | None = Field(default=None, ge=1, le=36_500)
    # Audit rows answered but not yet committed are spooled here (per process; replayed at start-up, see
    # service.audit). Unset: beside an SQLite database file, else under home/var/audit-spool/, per database.
    audit_spool_dir: Path | None = None
    # rows waiting for the database at most; beyond, a screening waits for room (never dropped)
    audit_queue_rows: int = Field(default=2048, ge=1, le=1_000_000)

    # Connections (`saring serve`): idle keep-alive, time to receive a request head and then its body, open
    # connections at once (more are answered 503 and closed), and the largest request head.
    keep_alive_s: float = Field(default=5.0, gt=0.0, le=300.0)
    header_timeout_s: float = Field(default=10.0, gt=0.0, le=300.0)
    body_timeout_s: float = Field(default=30.0, gt=0.0, le=600.0)
    max_connections: int = Field(default=256, ge=4, le=100_000)
    max_header_bytes: int = Field(default=32 * 1024, ge=4096, le=1024 * 1024)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            # errors() and json() would still carry each raw input (a key among them): rebuild without any
            raise ValidationError.from_exception_data(exc.title, _without_inputs(exc)) from None

    @field_validator("home")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().absolute()  # a later change of directory must not move the home

    @field_validator("models_dir", "training_data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.review_threshold > self.reject_threshold:
            raise ValueError("review_threshold tidak boleh lebih besar dari reject_threshold")
        if self.known_hoax_review_similarity > self.known_hoax_reject_similarity:
            raise ValueError("known_hoax_review_similarity tidak boleh lebih besar dari known_hoax_reject_similarity")
        try:
            self.models_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"models_dir {self.models_dir} tidak ada dan tidak dapat dibuat: {exc}") from exc
        if not self.models_dir.is_dir():
            raise ValueError(f"models_dir {self.models_dir} bukan direktori")
        keys = parse_api_keys(self.api_keys.get_secret_value())
        if not keys and not is_loopback(self.host):
            raise ValueError(
                f"tidak ada kunci API (SARING_API_KEYS) padahal mendengarkan di {self.host!r}: mode tanpa kunci hanya "
                "boleh di alamat loopback seperti 127.0.0.1"
            )
        hosts = parse_hosts(self.allowed_hosts)
        if not keys and hosts:
            raise ValueError(
                "allowed_hosts diatur tetapi tidak ada kunci API: mode tanpa kunci hanya menjawab nama host loopback "
                "(localhost, 127.0.0.1, [::1])"
            )
        metrics_key = self.metrics_key.get_secret_value()
        if metrics_key and len(metrics_key) < MIN_KEY_LENGTH:
            raise ValueError(f"metrics_key paling sedikit {MIN_KEY_LENGTH} karakter")
        return self

    @cached_property
    def keys(self) -> tuple[ApiKey, ...]:
        return parse_api_keys(self.api_keys.get_secret_value())

    @property
    def keyless(self) -> bool:
        return not self.keys

    @cached_property
    def trusted_hosts(self) -> tuple[str, ...]:
        """Host names (without port) requests may name; empty means any (only with keys)."""
        return LOOPBACK_HOSTS if self.keyless else parse_hosts(self.allowed_hosts)

    @property
    def audit_spool(self) -> Path | None:
        """This deployment's spool directory: `audit_spool_dir`, or one tied to the database (rows are replayed
        only into the database they were meant for); none for SQLite in memory, which rows could not outlive."""
        if self.audit_spool_dir is not None:
            return self.audit_spool_dir.expanduser().absolute()
        from sqlalchemy import make_url  # here, not at the top: tools that never open the store skip SQLAlchemy

        url = make_url(self.database_url.get_secret_value())
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if database in ("", ":memory:"):
                return None
            path = Path(database).expanduser().absolute()
            return path.with_name(f"{path.name}.audit-spool")
        named = url.render_as_string(hide_password=True).encode("utf-8")
        return self.home / "var" / "audit-spool" / hashlib.sha256(named).hexdigest()[:16]

    @property
    def base_rates(self) -> dict[str, float]:
        rates = {"article": self.hoax_base_rate_article, "post": self.hoax_base_rate_post}
        return {genre: rate for genre, rate in rates.items() if rate is not None}

    @property
    def default_thresholds(self) -> Thresholds:
        return Thresholds(review=self.review_threshold, reject=self.reject_threshold)

    @property
    def policy(self) -> DecisionPolicy:
        """The decision policy these settings give: `screening.policy`'s defaults with any `SARING_*` override."""
        return DecisionPolicy(
            thresholds=self.default_thresholds,
            base_rates={"post": self.hoax_base_rate_post, "article": self.hoax_base_rate_article},
            known_hoax_review_similarity=self.known_hoax_review_similarity,
            known_hoax_reject_similarity=self.known_hoax_reject_similarity,
        )


def _without_inputs(exc: ValidationError) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(
            type=PydanticCustomError("settings_invalid", "{problem}", {"problem": problem_text(error)}),
            loc=tuple(error["loc"]),
            input="<hidden>",
        )
        for error in exc.errors(include_url=False, include_input=False)
    ]
