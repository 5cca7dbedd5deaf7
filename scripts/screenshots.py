"""Saves screenshots of every view into docs/screenshots/, from the real window running the real
sample job offline (and a Meta search without a token, to show a failed job). Chat is shown in search
mode (no model), then answering through an OpenAI-compatible server: a local test server that streams a
scripted answer, since this script runs offline.

Usage: python scripts/screenshots.py [--width W] [--scale S]
    (uses a temporary data folder; QT_QPA_PLATFORM defaults to offscreen)

--width is the window width (default 1180) and --scale the QT_SCALE_FACTOR (default 1). Other values
suffix the file names (results-800.png, results-1.5x.png), so the default set is never overwritten.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
sys.path.insert(0, str(REPO))

import qasync  # noqa: E402
from PySide6.QtCore import QPointF, QThreadPool, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

from desktop_app.composition import AppServices, open_services  # noqa: E402
from desktop_app.core.runner import JobRunner  # noqa: E402
from desktop_app.core.types import JobStatus, SourceSpec  # noqa: E402
from desktop_app.ui.bridge import PoolExecutor  # noqa: E402
from desktop_app.ui.main_window import VIEWS, MainWindow  # noqa: E402
from tests.graph_double import GraphDouble  # noqa: E402
from tests.servers import OpenAIDouble, serve  # noqa: E402

WIDTH = 1180
HEIGHT = 780
TIMEOUT_MS = 300_000  # the whole tour; the sample job takes most of it
COMPETITOR_PAGE = "123456789"
HOOKS = ["Still paying for stale beans?", "Fresh roast, delivered", "Why does cafe coffee taste better?",
         "Freshly roasted this morning", "Your grinder deserves better", "Ten thousand cups sold"]  # fmt: skip
ANSWER = [
    "Two of your competitors lead with a risk-free offer:\n",
    "- **Northwind Fitness** offers a free 14-day trial and asks viewers to get the app [1].\n",
    "- **Example Meals** gives 50% off the first box with free shipping, this week only [2].\n",
    "Both put the offer in the last seconds, right before the call to action [1, 2].",
]


def competitor_graph() -> GraphDouble:
    """A competitor's ads for Tracking: copy only, as no video host answers."""
    graph = GraphDouble("shots-token", 0)
    graph.ads = [
        {
            "id": f"8{n:014d}",
            "page_id": COMPETITOR_PAGE,
            "page_name": "Example Coffee",
            "ad_delivery_start_time": f"2026-{9 + n // 5:02d}-{1 + (n * 6) % 27:02d}",
            "ad_creative_bodies": [f"{HOOKS[n % len(HOOKS)]} Get 20% off your first bag. Order now."],
            "ad_creative_link_titles": [HOOKS[n % len(HOOKS)]],
            "ad_snapshot_url": f"https://www.facebook.com/ads/archive/render_ad/?id=8{n:014d}",
            "publisher_platforms": ["facebook"],
            "eu_total_reach": 2000 + 350 * n,
        }
        for n in range(14)
    ]
    return graph


class Tour:
    """Walks the window through every view and saves a screenshot of each, one method per step.

    Steps wait for the app (a job, a streamed answer, a watchlist check) without blocking the Qt event loop,
    so each one ends by scheduling the next on a timer; as methods they stay short, named and in order."""

    def __init__(self, services: AppServices, runner: JobRunner, window: MainWindow, suffix: str) -> None:
        self.services = services
        self.runner = runner
        self.window = window
        self.suffix = suffix
        self.model = OpenAIDouble({})  # served by main, which sets model_url
        self.model_url = ""
        self.finished = False

    def shot(self, name: str) -> None:
        path = OUT / f"{name}{self.suffix}.png"
        self.window.grab().save(str(path))
        print(f"saved {path.relative_to(REPO)}")

    def view(self, name: str) -> None:
        self.window.nav.setCurrentRow(VIEWS.index(name))

    def then(self, delay_ms: int, shot: str, step: Callable[[], None]) -> None:
        """Once the window has had `delay_ms` to repaint, save `shot` and go on to `step`."""

        def go() -> None:
            self.shot(shot)
            step()

        QTimer.singleShot(delay_ms, go)

    def when(self, condition: Callable[[], bool], shot: str, step: Callable[[], None]) -> None:
        """Poll `condition`; once it holds, save `shot` and go on to `step`."""
        if condition():
            self.then(400, shot, step)
        else:
            QTimer.singleShot(50, lambda: self.when(condition, shot, step))

    def job(self, status: JobStatus) -> bool:
        return any(c.job.status == status for c in self.window.analysis.cards.values())

    def stage(self, label: str) -> bool:
        return any(c.job.stage == label and c.job.progress > 66 for c in self.window.analysis.cards.values())

    def start(self) -> None:
        self.shot("analysis-empty")
        self.view("Dashboard")
        self.shot("dashboard-locked")
        self.view("Ad Analysis")
        self.window.analysis.start_button.click()
        self.when(lambda: self.stage("Transcribing videos"), "analysis-running", self.until_completed)

    def until_completed(self) -> None:
        self.when(lambda: self.job(JobStatus.COMPLETED), "analysis-completed", self.results)

    def results(self) -> None:
        self.view("Results")
        self.window.results.table.selectRow(4)
        self.then(300, "results", self.gallery)

    def gallery(self) -> None:
        self.window.results.set_mode("gallery")
        self.then(800, "results-gallery", self.board)

    def board(self) -> None:
        results = self.window.results
        ids = [results.proxy.data(results.proxy.index(r, 0), 0x0100).analysis_id for r in range(3)]
        boards = self.services.boards
        board = boards.create("Risk-free offers")
        boards.pin(board.id, ids, ["offer"], "Strong openers to test against ours")
        filters = self.window.results_boards.filter
        filters.refresh()
        filters.combo.setCurrentIndex(filters.combo.findData(board.id))
        results.table.selectRow(0)
        self.then(800, "results-board", self.settings)

    def settings(self) -> None:
        self.window.results.set_mode("table")
        self.view("Settings")
        self.then(300, "settings", self.to_dashboard)  # once its scroll area has laid out at the window's size

    def to_dashboard(self) -> None:
        self.window.dashboard_content.refreshed.connect(self.dashboard)
        self.view("Dashboard")

    def dashboard(self) -> None:
        dashboard = self.window.dashboard_content
        dashboard.refreshed.disconnect(self.dashboard)
        hooks = dashboard.cards[0]
        assert hooks.data is not None
        hooks.clicks.bar(0, hooks.data.categories.index("question"))
        self.then(300, "dashboard", self.dashboard_scores)

    def dashboard_scores(self) -> None:
        dashboard = self.window.dashboard_content
        scores = next(c for c in dashboard.cards if c.data is not None and c.data.key == "days_vs_score")
        scroll = dashboard.findChild(QScrollArea)
        assert scroll is not None and scores.data is not None
        scroll.ensureWidgetVisible(scores, 0, 0)
        x, y, _ = max(scores.data.points, key=lambda p: p[1])
        scores.clicks.point(QPointF(x, y))
        self.then(300, "dashboard-scores", self.chat_search)

    def chat_search(self) -> None:
        self.view("Chat")
        self.window.chat_content.ask("Which ads offer a money-back guarantee?")
        self.then(300, "chat-search", self.chat_model)

    def chat_model(self) -> None:
        chat = self.window.chat_content
        os.environ["OPENAI_BASE_URL"] = self.model_url
        os.environ["OPENAI_API_KEY"] = "sk-local"
        chat.update_model()
        chat.new_conversation()
        self.model.script.append({"stream": ANSWER, "piece_delay_s": 0.1})
        chat.ask("Which competitors use free-trial or discount offers?")
        self.when(lambda: not chat.busy, "chat", self.tracking)

    def tracking(self) -> None:
        watch = self.window.watch
        os.environ["META_ACCESS_TOKEN"] = "shots-token"
        self.view("Tracking")
        watch.add(page_id=COMPETITOR_PAGE, terms=None, countries=["DE"], schedule="weekly")
        QTimer.singleShot(500, watch.check_selected)
        self.when(lambda: watch.lists.rowCount() == 1 and watch.ads.rowCount() > 0, "tracking", self.trends)

    def trends(self) -> None:
        self.window.watch.below.setCurrentIndex(1)
        self.then(800, "tracking-trends", self.failed_job)

    def failed_job(self) -> None:
        del os.environ["META_ACCESS_TOKEN"]
        self.view("Ad Analysis")
        self.services.service.start_analysis(
            SourceSpec("meta_search", {"terms": "meal kit", "countries": ["DE", "FR"], "max_ads": 50})
        )
        self.when(lambda: self.job(JobStatus.FAILED), "job-failed", self.finish)

    def finish(self) -> None:
        self.finished = True
        self.runner.shutdown()
        self.window.close()


def suffix(width: int, scale: float) -> str:
    """'' at the defaults, else '-800', '-1.5x' or both, so other sizes never overwrite the default set."""
    return (f"-{width}" if width != WIDTH else "") + (f"-{scale:g}x" if scale != 1 else "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Save screenshots of every view into docs/screenshots/.")
    parser.add_argument("--width", type=int, default=WIDTH, metavar="W", help=f"window width (default {WIDTH})")
    parser.add_argument("--scale", type=float, default=1.0, metavar="S", help="QT_SCALE_FACTOR (default 1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"
    os.environ["AD_ANALYSIS_HOME"] = tempfile.mkdtemp(prefix="ad-analysis-shots-")
    for name in ("META_ACCESS_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        os.environ.pop(name, None)

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    services = open_services()
    pool = QThreadPool()
    runner = services.make_runner(executor=PoolExecutor(pool))
    window = MainWindow(services, runner, tray_enabled=False, on_quit=app.quit)
    window.resize(args.width, HEIGHT)
    window.show()
    runner.start()
    OUT.mkdir(parents=True, exist_ok=True)
    tour = Tour(services, runner, window, suffix(args.width, args.scale))
    with ExitStack() as servers:
        tour.model_url = f"{servers.enter_context(serve(tour.model.handle))}/v1"
        os.environ["META_GRAPH_URL"] = servers.enter_context(serve(competitor_graph().handle))
        tour.start()
        QTimer.singleShot(TIMEOUT_MS, app.quit)
        quitting = asyncio.Event()
        app.aboutToQuit.connect(quitting.set)
        with loop:
            loop.run_until_complete(quitting.wait())
    pool.waitForDone(5000)
    services.close()
    if not tour.finished:
        print(f"timed out after {TIMEOUT_MS // 1000} s; some screenshots are missing", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
