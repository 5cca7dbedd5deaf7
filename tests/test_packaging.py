"""Builds the one-folder executable with PyInstaller and runs its --self-test (slow: a few minutes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_frozen_app_passes_its_self_test(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHON=sys.executable)
    build = subprocess.run(
        ["bash", str(REPO / "packaging" / "build.sh")], env=env, capture_output=True, text=True, timeout=1800
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    print(build.stdout)
    exe = REPO / "dist" / "ad-analysis" / "ad-analysis"
    assert exe.is_file()
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "META_", "PYTHON"))}
    run_env["AD_ANALYSIS_HOME"] = str(tmp_path / "home")
    done = subprocess.run([str(exe), "--self-test"], env=run_env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "PASSED: 7 of 7 sample ads transcribed and analysed" in done.stdout
    assert "Pulse Audio: no speech" in done.stdout
    assert 'ok   on-screen offer: "40% off everything" read from the screen' in done.stdout  # OCR in the build
    # Nothing the frozen app needs comes from the source tree or the virtual environment.
    assert "site-packages" not in done.stderr
    size_mb = sum(f.lstat().st_size for f in exe.parent.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    assert size_mb < 600, f"the folder is {size_mb:.0f} MB"
    archive_mb = (REPO / "dist" / "ad-analysis-linux.tar.xz").stat().st_size / 1e6
    assert archive_mb < 250, f"the archive is {archive_mb:.0f} MB"
