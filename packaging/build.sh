#!/usr/bin/env bash
# Builds the one-folder app into dist/ad-analysis and a compressed archive beside it, then prints
# the build time and sizes. Run from anywhere, in the environment that has the app installed.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python}"
"$python" -m pip show pyinstaller >/dev/null 2>&1 || "$python" -m pip install -q "pyinstaller>=6.10"
# The text models come from RapidOCR's wheel (without its OpenCV: see pyproject.toml).
"$python" -m pip show rapidocr-onnxruntime >/dev/null 2>&1 || "$python" -m pip install -q --no-deps rapidocr-onnxruntime==1.4.4
"$python" packaging/make_icons.py
started=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/ad_analysis.spec
# Debug sections are most of some extension modules (ctranslate2's: 65 MB -> 2 MB). Libraries in
# *.libs folders were patched by auditwheel and must stay as they are.
if command -v strip >/dev/null; then
  find dist/ad-analysis/_internal -name "*.so*" -type f -not -path "*.libs/*" -exec strip --strip-debug {} +
fi
built=$(date +%s)
# xz packs the folder about a fifth smaller than gzip does.
tar -C dist -cf - ad-analysis | xz -T0 -6 > dist/ad-analysis-linux.tar.xz
echo "build time: $((built - started)) s (archive: $(( $(date +%s) - built )) s more)"
echo "folder size: $(( $(du -sb dist/ad-analysis | cut -f1) / 1000000 )) MB"
echo "archive size: $(( $(stat -c %s dist/ad-analysis-linux.tar.xz) / 1000000 )) MB"
