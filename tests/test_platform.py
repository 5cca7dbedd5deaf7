"""Checks on the platform the app stands on: the PySide6 pin and the layering of the packages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

SIGNAL_FLOOD = """
import sys, threading
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Qt

class Emitter(QObject):
    progress = Signal(int)

app = QCoreApplication(sys.argv)
emitter = Emitter()
received = []
emitter.progress.connect(received.append, Qt.ConnectionType.QueuedConnection)

def work():
    for i in range(5000):
        emitter.progress.emit(i)

thread = threading.Thread(target=work)
thread.start()
def check():
    if len(received) == 5000:
        app.quit()
timer = QTimer()
timer.timeout.connect(check)
timer.start(10)
QTimer.singleShot(20000, app.quit)
app.exec()
thread.join()
print(len(received))
"""


def test_thousands_of_worker_signals_then_a_clean_exit() -> None:
    """PySide6 6.12.0 aborts at exit (134) after ~100 emits on Python 3.11; the pin must not."""
    done = subprocess.run([sys.executable, "-c", SIGNAL_FLOOD], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().strip() == "5000"


def test_pyside6_is_pinned_to_a_version_that_exits_cleanly() -> None:
    import PySide6

    assert PySide6.__version__ == "6.11.3"


@pytest.mark.parametrize(
    "module",
    ["desktop_app.core", "desktop_app.pipeline", "desktop_app.engines", "desktop_app.cli", "desktop_app.composition"],
)
def test_headless_modules_do_not_import_qt_or_heavy_libraries(module: str) -> None:
    code = (
        f"import sys, importlib, pkgutil; importlib.import_module({module!r})\n"
        f"pkg = sys.modules[{module!r}]\n"
        "for info in pkgutil.walk_packages(getattr(pkg, '__path__', []), pkg.__name__ + '.'):\n"
        "    if '.migrations' not in info.name: importlib.import_module(info.name)\n"
        "heavy = {'PySide6', 'faster_whisper', 'ctranslate2', 'yt_dlp', 'openai', 'alembic'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]", done.stdout
