"""What every `saring` subcommand shares: the settings, with command-line flags over `SARING_*` variables."""

from __future__ import annotations

import argparse
from typing import Any

from service.settings import Settings

# flag attribute -> Settings field
_OVERRIDES = {
    "models_dir": "models_dir",
    "training_data": "training_data_dir",
    "database_url": "database_url",
    "host": "host",
    "port": "port",
}


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        field: getattr(args, flag) for flag, field in _OVERRIDES.items() if getattr(args, flag, None)
    }
    return Settings(**overrides)
