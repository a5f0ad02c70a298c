#!/usr/bin/env bash
# Set up (first run) and run the checks CI runs: lint, format, types, then the test suite.
# PostgreSQL must be reachable at SARING_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
# scripts/services.sh starts the local server if it is down.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
scripts/services.sh
scripts/browser.sh
. .venv/bin/activate
ruff check screening service tests bench scripts
ruff format --check screening service tests bench scripts
mypy screening service
python -m pytest "$@"
