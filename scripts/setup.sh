#!/usr/bin/env bash
# Create .venv (if missing) and install the project with the given extras, e.g. `scripts/setup.sh dev`, pinned to
# requirements.lock (exact versions of everything, dev tools included; pyproject.toml keeps the tested ranges).
# Refresh the lock after changing a range: scripts/lock.sh
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
if [ -n "$extras" ]; then
  python -m pip install --quiet -c requirements.lock -e ".[${extras}]"
else
  python -m pip install --quiet -c requirements.lock -e .
fi
