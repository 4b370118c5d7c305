#!/usr/bin/env bash
# Launches the studio on http://127.0.0.1:7860 (installs what it needs first). Extra args go to app.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py "$@"
