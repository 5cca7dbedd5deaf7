"""The main window fits the screen it opens on at 1.5x and 2x scale, and comes back as it was left: size,
place, the Results splitter and the last view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from tests.conftest import REPO
from tests.test_ui import close_window, make_window
from tests.workload import FileWorkload

CHILD = """
import json, sys
from PySide6.QtWidgets import QApplication
from desktop_app.composition import open_services
from desktop_app.ui.main_window import MainWindow
app = QApplication([])
services = open_services()
win = MainWindow(services, services.make_runner(stages=lambda job: []), tray_enabled=False, on_quit=lambda: None)
win.show()
app.processEvents()
area, frame = win.screen().availableGeometry(), win.frameGeometry()
print(json.dumps({"area": [area.x(), area.y(), area.width(), area.height()],
                  "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
                  "start_visible": win.analysis.start_button.isVisible()}))
services.close()
"""


@pytest.mark.parametrize(("width", "height", "scale"), [(1066, 666, 1.5), (800, 500, 2.0)])
def test_the_first_window_fits_the_screen_at_any_scale(tmp_path: Path, width: int, height: int, scale: float) -> None:
    """A 1600x1000 screen at 150 % and at 200 % scaling, as Qt sees them (logical pixels)."""
    config = tmp_path / "screens.json"
    screen = {"name": "s", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96, "dpr": scale}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", AD_ANALYSIS_HOME=str(tmp_path / "h"))
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    ax, ay, aw, ah = shown["area"]
    x, y, w, h = shown["frame"]
    assert ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah, shown
    assert shown["start_visible"]


def test_size_splitters_and_view_come_back(qtbot: QtBot, services: AppServices) -> None:
    workload = FileWorkload(items=2, delay=0.01)
    win, pool = make_window(services, workload)
    win.resize(790, 560)
    win.results.splitter.setSizes([300, 500])
    win.nav.setCurrentRow(1)
    sizes = win.results.splitter.sizes()
    win.window_state.save(win, {"results": win.results.splitter}, win.nav.currentRow())
    close_window(win, pool)

    again, pool = make_window(services, workload)
    try:
        assert (again.width(), again.height()) == (790, 560)
        assert again.nav.currentRow() == 1 and again.stack.currentWidget() is again.results
        assert again.results.splitter.sizes() == sizes
    finally:
        close_window(again, pool)
