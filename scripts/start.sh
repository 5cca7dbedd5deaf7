#!/usr/bin/env bash
# Installs the app into .venv and starts the window.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/python -m pip install -q --no-deps rapidocr-onnxruntime==1.4.4  # see pyproject.toml
exec .venv/bin/ad-analysis "$@"
