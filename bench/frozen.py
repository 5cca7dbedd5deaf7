"""Figures of the frozen (PyInstaller) app built by packaging/build.sh: folder and archive size, cold
start of --self-test, and cold start of the window until it is mapped on an X server.

Usage: python bench/frozen.py   (needs dist/ad-analysis; Xvfb and xdotool for the window figure)
Last line: one JSON object with the figures.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIST = REPO / "dist"
EXE = DIST / "ad-analysis" / "ad-analysis"


def clean_env(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "META_", "PYTHON", "QT_"))}
    env["AD_ANALYSIS_HOME"] = home
    return env


def self_test_seconds() -> float:
    began = time.monotonic()
    done = subprocess.run([str(EXE), "--self-test"], env=clean_env(tempfile.mkdtemp()), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    return time.monotonic() - began


def window_seconds(display: str) -> float:
    """From launching the frozen app to its main window being mapped on the X server."""
    env = clean_env(tempfile.mkdtemp()) | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    began = time.monotonic()
    app = subprocess.Popen([str(EXE)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "Ad Analysis Desktop"],
            env=env,
            capture_output=True,
            timeout=60,
            check=True,
        )
        return time.monotonic() - began
    finally:
        app.terminate()
        app.wait(timeout=20)


def main() -> None:
    if not EXE.is_file():
        raise SystemExit("build first: bash packaging/build.sh")
    # PyInstaller links some libraries twice by symlink: count each file once.
    folder_mb = sum(f.lstat().st_size for f in EXE.parent.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    archive = DIST / "ad-analysis-linux.tar.xz"
    figures: dict[str, float | None] = {
        "folder_mb": round(folder_mb, 1),
        "archive_mb": round(archive.stat().st_size / 1e6, 1) if archive.exists() else None,
        "self_test_s": round(statistics.median(self_test_seconds() for _ in range(3)), 2),
        "window_cold_start_s": None,
    }
    if shutil.which("Xvfb") and shutil.which("xdotool"):
        read, write = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24"], pass_fds=(write,))
        os.close(write)
        with os.fdopen(read) as pipe:
            display = f":{pipe.readline().strip()}"
        try:
            figures["window_cold_start_s"] = round(statistics.median(window_seconds(display) for _ in range(3)), 2)
        finally:
            xvfb.terminate()
            xvfb.wait()
    print("Frozen app (PyInstaller one-folder build)")
    print(f"  folder {figures['folder_mb']} MB (target < 600), archive {figures['archive_mb']} MB (target < 250)")
    print(f"  --self-test, cold: {figures['self_test_s']} s")
    print(f"  window, cold start to mapped: {figures['window_cold_start_s']} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
