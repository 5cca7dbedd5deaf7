"""The main window's size and place: the first window fits the screen it opens on at any scale factor, and
its geometry (maximised or not), splitters and last view come back at the next launch. Kept in the data
folder (window.ini), so a second data folder, or a test, has its own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter

PREFERRED = (1100, 760)
MINIMUM_WIDTH = 780
SCREEN_SHARE = 0.92  # of the available area, so the frame and the taskbar still fit


class WindowState:
    def __init__(self, folder: Path) -> None:
        self.settings = QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)

    def restore(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> int:
        """Put the window back where it was (or fit it to the screen the first time); returns the last view."""
        geometry = self.settings.value("geometry")
        if not (geometry and window.restoreGeometry(geometry) and on_screen(window)):
            fit_to_screen(window)
        for name, splitter in splitters.items():
            state = self.settings.value(f"splitters/{name}")
            if state:
                splitter.restoreState(state)
        view = self.settings.value("view", 0, type=int)
        return view if isinstance(view, int) else 0

    def save(self, window: QMainWindow, splitters: dict[str, QSplitter], view: int) -> None:
        self.settings.setValue("geometry", window.saveGeometry())
        for name, splitter in splitters.items():
            self.settings.setValue(f"splitters/{name}", splitter.saveState())
        self.settings.setValue("view", view)
        self.settings.sync()

    def choice(self, key: str, default: str) -> str:
        """A remembered choice of a view (Results shown as table or gallery)."""
        value = self.settings.value(f"choices/{key}", default)
        return value if isinstance(value, str) else default

    def remember(self, key: str, value: str) -> None:
        self.settings.setValue(f"choices/{key}", value)
        self.settings.sync()


def fit_to_screen(window: QMainWindow) -> None:
    """The preferred size, shrunk to the available area of the window's screen (in logical pixels, so the
    scale factor is already counted), and centred on it."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    width = min(PREFERRED[0], int(area.width() * SCREEN_SHARE))
    height = min(PREFERRED[1], int(area.height() * SCREEN_SHARE))
    window.setMinimumWidth(min(MINIMUM_WIDTH, width))
    window.resize(width, height)
    window.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2)


def on_screen(window: QMainWindow) -> bool:
    """Whether a restored window still fits a screen (a monitor may have been unplugged, or the scale changed)."""
    frame = window.frameGeometry()
    screen = QGuiApplication.screenAt(frame.center())
    if screen is None:
        return False
    area = screen.availableGeometry()
    return frame.width() <= area.width() and frame.height() <= area.height()
