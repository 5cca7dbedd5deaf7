#!/usr/bin/env bash
# Installs the app into .venv and starts the window. Later launches skip the install while pyproject.toml
# and this script are unchanged (a stamp in .venv), so the window opens in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.installed-app
want=$(cat pyproject.toml scripts/start.sh | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/ad-analysis ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e .
  .venv/bin/python -m pip install -q --no-deps rapidocr-onnxruntime==1.4.4  # see pyproject.toml
  echo "$want" > "$stamp"
fi
exec .venv/bin/ad-analysis "$@"
