"""Saves screenshots of every view into docs/screenshots/, from the real window running the real
sample job offline (and a Meta search without a token, to show a failed job).

Usage: python scripts/screenshots.py   (uses a temporary data folder; QT_QPA_PLATFORM defaults to offscreen)
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["AD_ANALYSIS_HOME"] = tempfile.mkdtemp(prefix="ad-analysis-shots-")
    for name in ("META_ACCESS_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(REPO))
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.composition import open_services
    from desktop_app.core.types import JobStatus, SourceSpec
    from desktop_app.ui.bridge import PoolExecutor
    from desktop_app.ui.main_window import VIEWS, MainWindow

    app = QApplication(sys.argv)
    services = open_services()
    pool = QThreadPool()
    runner = services.make_runner(executor=PoolExecutor(pool))
    window = MainWindow(services, runner, tray_enabled=False, on_quit=app.quit)
    window.resize(1180, 780)
    window.show()
    runner.start()
    OUT.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        window.grab().save(str(OUT / f"{name}.png"))
        print(f"saved docs/screenshots/{name}.png")

    def view(name: str) -> None:
        window.nav.setCurrentRow(VIEWS.index(name))

    def when(condition: Callable[[], bool], then: Callable[[], None]) -> None:
        if condition():
            QTimer.singleShot(400, then)
        else:
            QTimer.singleShot(50, lambda: when(condition, then))

    def job(status: JobStatus) -> bool:
        return any(c.job.status == status for c in window.analysis.cards.values())

    def stage(label: str) -> bool:
        return any(c.job.stage == label and c.job.progress > 66 for c in window.analysis.cards.values())

    def step_failed() -> None:
        view("Ad Analysis")
        window.services.service.start_analysis(
            SourceSpec("meta_search", {"terms": "meal kit", "countries": ["DE", "FR"], "max_ads": 50})
        )
        when(lambda: job(JobStatus.FAILED), lambda: (shot("job-failed"), finish()))

    def step_results() -> None:
        view("Results")
        window.results.table.selectRow(4)
        QTimer.singleShot(300, lambda: (shot("results"), step_views()))

    def step_views() -> None:
        for name, file in (("Dashboard", "dashboard"), ("Settings", "settings")):
            view(name)
            shot(file)
        view("Chat")
        window.chat.content.question.setText("which ads offer a free trial?")
        window.chat.content.ask()
        shot("chat")
        step_failed()

    def finish() -> None:
        runner.shutdown()
        window.close()

    shot("analysis-empty")
    view("Dashboard")
    shot("dashboard-locked")
    view("Ad Analysis")
    window.analysis.start_button.click()
    when(
        lambda: stage("Transcribing videos"),
        lambda: (
            shot("analysis-running"),
            when(lambda: job(JobStatus.COMPLETED), lambda: (shot("analysis-completed"), step_results())),
        ),
    )
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    pool.waitForDone(5000)
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
