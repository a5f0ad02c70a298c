#!/usr/bin/env bash
# Re-resolve requirements.lock from pyproject.toml's ranges (runtime and the dev extra) with pip-tools, in a
# throw-away venv so the project's own venv is not changed. Commit the result; scripts/setup.sh installs from it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/python" -m pip install --quiet "pip-tools>=7.6,<8"
"$tools/bin/pip-compile" --quiet --upgrade --extra dev --strip-extras --allow-unsafe \
  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --output-file requirements.lock pyproject.toml
