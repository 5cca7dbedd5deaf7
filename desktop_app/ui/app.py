"""Starts the window on a qasync event loop: one instance per data folder, jobs on a QThreadPool,
interrupted jobs resumed on launch."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import sys

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.composition import AppServices


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


def run_gui() -> int:
    import qasync

    from desktop_app.composition import open_services
    from desktop_app.core.db import DatabaseTooNewError
    from desktop_app.core.paths import DataFolderError
    from desktop_app.ui.bridge import PoolExecutor
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.style import app_icon

    app = QApplication(sys.argv)
    app.setApplicationName("Ad Analysis Desktop")
    app.setOrganizationName("AdAnalysisDesktop")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the tray may keep jobs running with the window closed
    try:
        services = open_services()
    except (DataFolderError, DatabaseTooNewError) as exc:
        QMessageBox.critical(None, "Ad Analysis Desktop cannot start", str(exc))
        return 2
    instance = SingleInstance(services)
    if instance.hand_over():
        services.close()
        return 0

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    pool = QThreadPool()
    pool.setMaxThreadCount(services.settings.parallel_jobs + 2)
    runner = services.make_runner(executor=PoolExecutor(pool))
    window = MainWindow(services, runner)
    instance.activated.connect(window.bring_forward)
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
