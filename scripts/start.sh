#!/usr/bin/env bash
# Installs the app into .venv and starts the window.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/ad-analysis "$@"
