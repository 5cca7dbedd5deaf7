"""Start-up order: the window paints before the transcriber children start, and a quit that comes before
they have started leaves none behind."""

from __future__ import annotations

import psutil
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.ui.app import AfterFirstPaint


def test_after_first_paint_runs_once_after_the_window_painted(qtbot: QtBot) -> None:
    label = QLabel("Ad Analysis Desktop")
    qtbot.addWidget(label)
    painted: list[bool] = []
    calls: list[bool] = []
    AfterFirstPaint(label, lambda: calls.append(bool(painted)))
    original = label.paintEvent
    label.paintEvent = lambda event: (painted.append(True), original(event))  # type: ignore[method-assign]
    assert calls == []  # nothing before the window is shown
    label.show()
    qtbot.waitUntil(lambda: calls == [True], timeout=5000)
    label.update()
    label.repaint()
    qtbot.wait(50)
    assert calls == [True]  # once, and after a paint had happened


def test_a_window_that_never_warmed_up_starts_no_transcriber(services: AppServices) -> None:
    before = set(psutil.Process().children(recursive=True))
    services.make_runner(warm_up=False)
    assert services._env is None and services._warming is None  # built by the warm-up or the first job
    assert set(psutil.Process().children(recursive=True)) == before


def test_close_right_after_warm_up_leaves_no_child_running(services: AppServices) -> None:
    before = set(psutil.Process().children(recursive=True))
    services.warm_up()  # the children start on a thread of their own...
    services.close()  # ...and close waits for that thread, so none starts after it
    started = set(psutil.Process().children(recursive=True)) - before
    # multiprocessing's resource tracker, started with the first child, lives as long as this process
    started = {p for p in started if "resource_tracker" not in " ".join(p.cmdline())}
    _, alive = psutil.wait_procs(started, timeout=5)
    assert alive == []
    assert services._warming is not None and not services._warming.is_alive()
