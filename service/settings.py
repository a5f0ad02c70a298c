"""The service's one configuration object, read from `SARING_*` environment variables and validated at start-up.

API keys: `SARING_API_KEYS` is a comma-separated list of `role:key` entries, roles `submitter` (may screen) and
`admin` (may also label, switch models and retrain), e.g.

    SARING_API_KEYS="admin:3f9c...e1,submitter:9a7b...42,submitter:c0ff...ee"

Keys must be at least 24 characters. Clients send one as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Each key is known in logs, metrics and the audit log only by its id, `<role>-<first 10 hex of sha256(key)>`.
Without any key the service runs in key-less local mode (every caller is an admin), which is allowed only when
`SARING_HOST` is a loopback address; anything else is refused at start-up.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from screening.policy import (
    DEFAULT_BASE_RATES,
    DEFAULT_THRESHOLDS,
    KNOWN_HOAX_REJECT_SIMILARITY,
    KNOWN_HOAX_REVIEW_SIMILARITY,
    DecisionPolicy,
)
from screening.result import Thresholds

Role = Literal["submitter", "admin"]
ROLES: tuple[Role, ...] = ("submitter", "admin")
MIN_KEY_LENGTH = 24
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A configured key: its role, a loggable id and the SHA-256 digest it is compared against."""

    role: Role
    key_id: str
    digest: bytes


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_api_keys(raw: str) -> tuple[ApiKey, ...]:
    """Parse `role:key,role:key`; raises ValueError naming the entry's position, never the key."""
    keys: list[ApiKey] = []
    for position, entry in enumerate((e.strip() for e in raw.split(",")), start=1):
        if not entry:
            continue
        role, sep, key = entry.partition(":")
        role, key = role.strip(), key.strip()
        if not sep or role not in ROLES:
            raise ValueError(f"API key entry {position}: expected 'submitter:<key>' or 'admin:<key>'")
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"API key entry {position}: keys must be at least {MIN_KEY_LENGTH} characters")
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        keys.append(ApiKey(role=role, key_id=f"{role}-{digest.hex()[:10]}", digest=digest))
    if len({k.digest for k in keys}) != len(keys):
        raise ValueError("the same API key is configured twice")
    return tuple(keys)


class Settings(BaseSettings):
    """Service settings; every field can be set as `SARING_<FIELD>` (e.g. `SARING_MAX_BATCH_ITEMS=50`)."""

    model_config = SettingsConfigDict(env_prefix="SARING_", extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    models_dir: Path = Path("./models")
    training_data_dir: Path = Path("./training_data")
    database_url: SecretStr = SecretStr("sqlite:///./var/saring.db")
    train_if_missing: bool = True  # train a default model at start-up when the registry is empty
    api_keys: SecretStr = SecretStr("")

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
    rate_limit_per_minute: int = Field(default=600, ge=0)  # per API key (per client address in key-less mode); 0 = off
    rate_limit_burst: int = Field(default=60, ge=1)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("models_dir", "training_data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.review_threshold > self.reject_threshold:
            raise ValueError("review_threshold must not exceed reject_threshold")
        if self.known_hoax_review_similarity > self.known_hoax_reject_similarity:
            raise ValueError("known_hoax_review_similarity must not exceed known_hoax_reject_similarity")
        try:
            self.models_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"models_dir {self.models_dir} does not exist and cannot be created: {exc}") from exc
        if not self.models_dir.is_dir():
            raise ValueError(f"models_dir {self.models_dir} is not a directory")
        keys = parse_api_keys(self.api_keys.get_secret_value())
        if not keys and not is_loopback(self.host):
            raise ValueError(
                f"no API keys configured (SARING_API_KEYS) while binding to {self.host!r}: key-less mode is only "
                "allowed on a loopback address such as 127.0.0.1"
            )
        return self

    @cached_property
    def keys(self) -> tuple[ApiKey, ...]:
        return parse_api_keys(self.api_keys.get_secret_value())

    @property
    def keyless(self) -> bool:
        return not self.keys

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
