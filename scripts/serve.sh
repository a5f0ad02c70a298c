#!/usr/bin/env bash
# Set up (first run) and start the service on its embedded defaults: 127.0.0.1:8000, SQLite store in var/,
# models in models/ of the Saring home (this checkout unless SARING_HOME says otherwise; a default model is
# trained from training_data/ on first start, about a minute). Flags go to `saring serve`, e.g. --workers 2.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/saring serve "$@"
