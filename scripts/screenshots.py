"""Saves screenshots of every view into docs/screenshots/, from the real window running the real
sample job offline (and a Meta search without a token, to show a failed job). Chat is shown in search
mode (no model), then answering through an OpenAI-compatible server: a local test server that streams a
scripted answer, since this script runs offline.

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
    import asyncio

    import qasync
    from PySide6.QtCore import QPointF, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication, QScrollArea

    from desktop_app.composition import open_services
    from desktop_app.core.types import JobStatus, SourceSpec
    from desktop_app.ui.bridge import PoolExecutor
    from desktop_app.ui.main_window import VIEWS, MainWindow
    from tests.servers import GraphDouble, OpenAIDouble, serve

    app = QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    services = open_services()
    pool = QThreadPool()
    runner = services.make_runner(executor=PoolExecutor(pool))
    window = MainWindow(services, runner, tray_enabled=False, on_quit=app.quit)
    window.resize(1180, 780)
    window.show()
    runner.start()
    OUT.mkdir(parents=True, exist_ok=True)

    model = OpenAIDouble({})
    server = serve(model.handle)
    model_url = f"{server.__enter__()}/v1"
    graph = GraphDouble("shots-token", 0)  # a competitor's ads for Tracking: copy only, as no video host answers
    hooks = ["Still paying for stale beans?", "Fresh roast, delivered", "Why does cafe coffee taste better?",
             "Freshly roasted this morning", "Your grinder deserves better", "Ten thousand cups sold"]  # fmt: skip
    graph.ads = [
        {
            "id": f"8{n:014d}",
            "page_id": "123456789",
            "page_name": "Example Coffee",
            "ad_delivery_start_time": f"2026-{9 + n // 5:02d}-{1 + (n * 6) % 27:02d}",
            "ad_creative_bodies": [f"{hooks[n % len(hooks)]} Get 20% off your first bag. Order now."],
            "ad_creative_link_titles": [hooks[n % len(hooks)]],
            "ad_snapshot_url": f"https://www.facebook.com/ads/archive/render_ad/?id=8{n:014d}",
            "publisher_platforms": ["facebook"],
            "eu_total_reach": 2000 + 350 * n,
        }
        for n in range(14)
    ]
    graph_server = serve(graph.handle)
    os.environ["META_GRAPH_URL"] = graph_server.__enter__()

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
        QTimer.singleShot(300, lambda: (shot("results"), step_gallery()))

    def step_gallery() -> None:
        window.results.set_mode("gallery")
        QTimer.singleShot(800, lambda: (shot("results-gallery"), step_board()))

    def step_board() -> None:
        results = window.results
        ids = [results.proxy.data(results.proxy.index(r, 0), 0x0100).analysis_id for r in range(3)]
        board = services.boards.create("Risk-free offers")
        services.boards.pin(board.id, ids, ["offer"], "Strong openers to test against ours")
        filters = window.results_boards.filter
        filters.refresh()
        filters.combo.setCurrentIndex(filters.combo.findData(board.id))
        results.table.selectRow(0)
        QTimer.singleShot(800, lambda: (shot("results-board"), results.set_mode("table"), step_views()))

    def step_views() -> None:
        view("Settings")
        shot("settings")
        dashboard = window.dashboard_content
        dashboard.refreshed.connect(step_dashboard)
        view("Dashboard")

    def step_dashboard() -> None:
        dashboard = window.dashboard_content
        dashboard.refreshed.disconnect(step_dashboard)
        hooks = dashboard.cards[0]
        assert hooks.data is not None
        hooks.clicks.bar(0, hooks.data.categories.index("question"))
        QTimer.singleShot(300, lambda: (shot("dashboard"), step_dashboard_scores()))

    def step_dashboard_scores() -> None:
        dashboard = window.dashboard_content
        scores = next(c for c in dashboard.cards if c.data is not None and c.data.key == "days_vs_score")
        scroll = dashboard.findChild(QScrollArea)
        scroll.ensureWidgetVisible(scores, 0, 0)
        assert scores.data is not None
        x, y, _ = max(scores.data.points, key=lambda p: p[1])
        scores.clicks.point(QPointF(x, y))
        QTimer.singleShot(300, lambda: (shot("dashboard-scores"), step_chat()))

    def step_chat() -> None:
        view("Chat")
        chat = window.chat_content
        chat.ask("Which ads offer a money-back guarantee?")
        QTimer.singleShot(300, lambda: (shot("chat-search"), step_chat_model()))

    def step_chat_model() -> None:
        chat = window.chat_content
        os.environ["OPENAI_BASE_URL"] = model_url
        os.environ["OPENAI_API_KEY"] = "sk-local"
        chat.update_model()
        chat.new_conversation()
        model.script.append(
            {
                "stream": [
                    "Two of your competitors lead with a risk-free offer:\n",
                    "- **Northwind Fitness** offers a free 14-day trial and asks viewers to get the app [1].\n",
                    "- **Example Meals** gives 50% off the first box with free shipping, this week only [2].\n",
                    "Both put the offer in the last seconds, right before the call to action [1, 2].",
                ],
                "piece_delay_s": 0.1,
            }
        )
        chat.ask("Which competitors use free-trial or discount offers?")
        when(lambda: not chat.busy, lambda: (shot("chat"), step_tracking()))

    def step_tracking() -> None:
        os.environ["META_ACCESS_TOKEN"] = "shots-token"
        view("Tracking")
        window.watch.add(page_id="123456789", terms=None, countries=["DE"], schedule="weekly")
        QTimer.singleShot(500, lambda: window.watch.check_selected())
        when(
            lambda: window.watch.lists.rowCount() == 1 and window.watch.ads.rowCount() > 0,
            lambda: (shot("tracking"), window.watch.below.setCurrentIndex(1), QTimer.singleShot(800, step_trends)),
        )

    def step_trends() -> None:
        shot("tracking-trends")
        del os.environ["META_ACCESS_TOKEN"]
        step_failed()

    def finish() -> None:
        runner.shutdown()
        window.close()
        server.__exit__(None, None, None)
        graph_server.__exit__(None, None, None)

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
    QTimer.singleShot(300_000, app.quit)
    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)
    with loop:
        loop.run_until_complete(quitting.wait())
    pool.waitForDone(5000)
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
