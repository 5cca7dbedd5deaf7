"""Starts the window on a qasync event loop: one instance per data folder, jobs on a QThreadPool,
interrupted jobs resumed on launch."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from desktop_app.composition import AppServices
from desktop_app.core import db_health
from desktop_app.core.db import DatabaseTooNewError
from desktop_app.core.db_health import DatabaseBusyError, DatabaseDamagedError, DatabaseUnusableError
from desktop_app.core.logs import configure_logging
from desktop_app.core.paths import DataFolderError

log = logging.getLogger(__name__)

RESTORE, START_FRESH, QUIT = "restore", "start fresh", "quit"
CANNOT_START = "Ad Analysis Desktop cannot start"
# Said in a dialog, and the app does not start: the message says what to do.
STARTUP_ERRORS = (DataFolderError, DatabaseTooNewError, DatabaseUnusableError, DatabaseBusyError)


class SingleInstance(QObject):
    """A second launch hands over to the first (which comes forward) and exits."""

    activated = Signal()

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        digest = hashlib.sha256(str(services.paths.home).encode()).hexdigest()[:16]
        self.name = f"ad-analysis-{digest}"
        self.server: QLocalServer | None = None

    def hand_over(self) -> bool:
        """True when another instance is running and was asked to come forward."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(300):
            socket.write(b"show\n")
            socket.waitForBytesWritten(300)
            socket.disconnectFromServer()
            return True
        QLocalServer.removeServer(self.name)  # a stale name left by a crash
        self.server = QLocalServer(self)
        self.server.newConnection.connect(self._on_connection)
        self.server.listen(self.name)
        return False

    def _on_connection(self) -> None:
        assert self.server is not None
        while (connection := self.server.nextPendingConnection()) is not None:
            connection.readyRead.connect(connection.readAll)
            connection.disconnected.connect(connection.deleteLater)
            self.activated.emit()


class AfterFirstPaint(QObject):
    """Calls `then` once, after `widget` has painted for the first time, and then stops watching it."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)  # after this paint has finished
            self.deleteLater()
        return False


def ask_about_damage(error: DatabaseDamagedError) -> str:
    """Put a damaged job database to the user: restore the latest good backup, set the file aside and start
    fresh, or quit. Returns RESTORE, START_FRESH or QUIT."""
    backup = db_health.good_backup(error.path)
    box = QMessageBox(QMessageBox.Icon.Warning, "Ad Analysis Desktop", "The job database is damaged.")
    if backup is None:
        way_out = (
            "There is no automatic backup yet. The app can set the file aside (renamed, not deleted) and start "
            "with an empty job history."
        )
    else:
        way_out = (
            f"The app can go back to its automatic backup of {db_health.backup_time(backup)} (jobs since then are "
            "not in it), or start with an empty job history. Either way the damaged file is kept beside it under "
            "a new name, not deleted."
        )
    box.setInformativeText(f"The file {error.path} failed its check, so the app cannot use it.\n\n{way_out}")
    choices: dict[QPushButton, str] = {}
    if backup is not None:
        choices[box.addButton("Restore the backup", QMessageBox.ButtonRole.AcceptRole)] = RESTORE
    choices[box.addButton("Set it aside and start fresh", QMessageBox.ButtonRole.DestructiveRole)] = START_FRESH
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(next(iter(choices)))
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    return next((choice for button, choice in choices.items() if button is clicked), QUIT)


def open_services_or_ask() -> AppServices | None:
    """The app's services. A damaged database is put to the user first (restore, start fresh or quit), and any
    other reason not to start is said in a dialog; None when the app should not start."""
    from desktop_app.composition import open_services

    while True:
        try:
            return open_services()
        except DatabaseDamagedError as exc:
            choice = ask_about_damage(exc)
            if choice == QUIT or not _repair(exc.path, choice):
                return None
        except STARTUP_ERRORS as exc:
            _cannot_start(str(exc))
            return None


def _repair(database: Path, choice: str) -> bool:
    """Carry out the user's choice; False (after saying why) when it could not be done."""
    try:
        if choice == START_FRESH:
            db_health.set_aside(database)
        elif db_health.restore_latest_backup(database) is None:
            _cannot_start(f"No automatic backup of {database} passes its check; nothing was changed.")
            return False
    except (OSError, DatabaseBusyError) as exc:
        log.exception("could not repair %s", database)
        _cannot_start(f"The job database {database} could not be repaired: {getattr(exc, 'strerror', None) or exc}")
        return False
    return True


def _cannot_start(message: str) -> None:
    QMessageBox.critical(None, CANNOT_START, message[:1].upper() + message[1:])


def run_gui() -> int:
    import qasync

    from desktop_app.ui.bridge import PoolExecutor
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.style import app_icon

    app = QApplication(sys.argv)
    app.setApplicationName("Ad Analysis Desktop")
    app.setOrganizationName("AdAnalysisDesktop")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the tray may keep jobs running with the window closed
    services = open_services_or_ask()
    if services is None:
        return 2
    configure_logging(services.paths.logs, "app")
    instance = SingleInstance(services)
    if instance.hand_over():
        services.close()
        return 0

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    pool = QThreadPool()
    pool.setMaxThreadCount(services.settings.parallel_jobs + 2)
    # The transcriber children start once the window has painted: the first paint does not wait for them.
    runner = services.make_runner(executor=PoolExecutor(pool), warm_up=False)
    window = MainWindow(services, runner)
    instance.activated.connect(window.bring_forward)
    AfterFirstPaint(window, services.warm_up)
    window.show()
    window.show_recovery(runner.start())
    # What start-up made lives as long as the app: keep it out of the cyclic collector's full passes,
    # which otherwise stall the event loop for 40 ms while the Dashboard loads (bench/dashboard.py).
    gc.freeze()

    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)
    try:
        with loop:
            loop.run_until_complete(quitting.wait())
    finally:
        pool.waitForDone(5000)
        services.close()
    return 0
