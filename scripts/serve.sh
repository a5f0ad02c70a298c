#!/usr/bin/env bash
# Set up (first run) and start the service on its embedded defaults: 127.0.0.1:8000, SQLite store in var/,
# models in models/ (a default model is trained from training_data/ on first start, about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p var
exec .venv/bin/saring serve "$@"
