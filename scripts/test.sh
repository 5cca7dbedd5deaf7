#!/usr/bin/env bash
# Installs the app with its test tools into .venv and runs the whole suite (lint, types, tests).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/python -m pip install -q --no-deps rapidocr-onnxruntime==1.4.4  # see pyproject.toml
export QT_QPA_PLATFORM=offscreen
export OPENBLAS_NUM_THREADS=1  # as the app runs numpy (desktop_app/entry.py): beside the transcriber children
.venv/bin/python -m pytest "$@"
