"""The tray icon and its notification on a real X server: Xvfb plus Debian's trayer as the tray host."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import child_env


@pytest.fixture
def x_display() -> Iterator[str]:
    if not (shutil.which("Xvfb") and shutil.which("trayer")):
        if os.environ.get("CI"):
            pytest.fail("CI must install xvfb and trayer (.ci/run does)")
        pytest.skip("Xvfb and trayer are not installed")
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"], pass_fds=(write,)
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        display = f":{pipe.readline().strip()}"
    env = dict(os.environ, DISPLAY=display)
    tray = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "120", "--height", "28"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # the tray host claims the system tray selection
    try:
        yield display
    finally:
        for process in (tray, xvfb):
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.slow
def test_completion_notification_in_the_tray(x_display: str, tmp_path: Path) -> None:
    env = child_env(tmp_path / "home") | {"DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    shot = tmp_path / "tray.png"
    done = subprocess.run(
        [sys.executable, "-m", "tests.tray_child", str(shot)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["tray_available"] is True
    assert report["tray_visible"] is True
    assert [title for title, _ in report["notifications"]] == ["Analysis complete"]
    assert report["balloon_shown"] is True, report
    assert "Analysis complete" in report["balloon_text"]
    assert report["screenshot"] is True and shot.stat().st_size > 10_000
