"""Runs under Xvfb with a tray host (see test_tray.py): the real window with its tray icon runs a job
to completion, and this prints what was shown as JSON."""

from __future__ import annotations

import json
import sys


def main() -> int:
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QSystemTrayIcon

    from desktop_app.composition import open_services
    from desktop_app.ui.bridge import PoolExecutor
    from desktop_app.ui.main_window import MainWindow
    from tests.workload import FileWorkload

    app = QApplication(sys.argv)
    report: dict[str, object] = {"tray_available": QSystemTrayIcon.isSystemTrayAvailable()}
    services = open_services()
    pool = QThreadPool()
    runner = services.make_runner(executor=PoolExecutor(pool), stages=FileWorkload(items=3, delay=0.05))
    window = MainWindow(services, runner, on_quit=app.quit)
    notes: list[tuple[str, str]] = []
    window.notified.connect(lambda title, message: notes.append((title, message)))
    window.show()
    runner.start()
    window.analysis.start_button.click()

    def finish() -> None:
        # Qt's own balloon: what a tray host without a notification service shows.
        balloons = [
            w for w in QApplication.topLevelWidgets() if w.metaObject().className() == "QBalloonTip" and w.isVisible()
        ]
        report.update(
            tray_visible=bool(window.tray and window.tray.isVisible()),
            notifications=notes,
            balloon_shown=bool(balloons),
            balloon_text=" ".join(label.text() for w in balloons for label in w.findChildren(QLabel)),
        )
        screen = app.primaryScreen().grabWindow(0)
        report["screenshot"] = screen.save(sys.argv[1]) if len(sys.argv) > 1 else False
        runner.shutdown()
        window.close()

    def wait_for_notification() -> None:
        if notes:
            QTimer.singleShot(700, finish)  # let the balloon paint
        else:
            QTimer.singleShot(100, wait_for_notification)

    wait_for_notification()
    QTimer.singleShot(30000, app.quit)
    app.exec()
    pool.waitForDone(5000)
    services.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
