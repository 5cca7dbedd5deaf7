"""The main window: navigation between the views, tray notifications, and closing without losing work."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from desktop_app.composition import AppServices
from desktop_app.core.estimates import stage_durations
from desktop_app.core.recovery import Recovery
from desktop_app.core.runner import JobRunner
from desktop_app.core.stages import ANALYSIS_STAGES
from desktop_app.core.text import plural
from desktop_app.core.types import Job, JobStatus
from desktop_app.ui.analysis_view import AnalysisView
from desktop_app.ui.bridge import DatabaseWatcher, JobEvents, run_in_background
from desktop_app.ui.chat_view import ChatView
from desktop_app.ui.dashboard_view import DashboardView
from desktop_app.ui.jobs_model import DatabaseFeed, JobsModel
from desktop_app.ui.results_boards import ResultsBoards
from desktop_app.ui.results_view import ResultsView
from desktop_app.ui.settings_view import SettingsView
from desktop_app.ui.style import STYLE_SHEET, app_icon, icon
from desktop_app.ui.watch_view import WatchView
from desktop_app.ui.window_state import WindowState

VIEWS = ("Ad Analysis", "Results", "Dashboard", "Chat", "Tracking", "Settings")


class CloseChoice(Enum):
    KEEP_IN_TRAY = "keep"
    PAUSE = "pause"
    CANCEL_JOBS = "cancel"
    STAY = "stay"


class GatedView(QStackedWidget):
    """A view locked with a short explanation until the first analysis completes, and a way to start one."""

    start_requested = Signal()

    def __init__(self, name: str, why: str, content: QWidget) -> None:
        super().__init__()
        padlock = QLabel()
        padlock.setPixmap(icon("lock").pixmap(48, 48))
        padlock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(f"<h2 align='center'>{name} opens after your first analysis</h2><p align='center'>{why}</p>")
        text.setObjectName("EmptyState")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start_button = QPushButton("Go to Ad Analysis")
        self.start_button.clicked.connect(self.start_requested)
        lock = QWidget()
        column = QVBoxLayout(lock)
        column.addStretch(1)
        column.addWidget(padlock)
        column.addWidget(text)
        column.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        self.addWidget(lock)
        self.addWidget(content)
        self.content = content

    @property
    def unlocked(self) -> bool:
        return self.currentIndex() == 1

    def unlock(self) -> None:
        self.setCurrentIndex(1)


class MainWindow(QMainWindow):
    """Hosts the views; the runner, services and event bridge are handed in by the app."""

    notified = Signal(str, str)  # title, message: for tests and the in-window fallback

    def __init__(
        self,
        services: AppServices,
        runner: JobRunner,
        tray_enabled: bool = True,
        on_quit: Callable[[], None] = QApplication.quit,
    ) -> None:
        super().__init__()
        # Worker threads (the job, loads, the look at frames) run Python too: hand the interpreter back every
        # millisecond instead of every five, so the window's own callbacks never queue behind them for long.
        sys.setswitchinterval(0.001)
        self.services = services
        self.runner = runner
        self.on_quit = on_quit
        self.setWindowTitle("Ad Analysis Desktop")
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE_SHEET)
        self.quitting = False
        self._stopping = self._stopped = False

        recent = services.service.history(20)
        self.jobs = JobsModel(20, self)
        self.jobs.load(recent)
        self._build_views(services)

        self.setCentralWidget(self._build_navigation())
        self.window_state = WindowState(services.paths.home)
        self.nav.setCurrentRow(self.window_state.restore(self, self._splitters()) % len(VIEWS))
        self.results.set_mode(self.window_state.choice("results_mode", "table"))
        self.results.mode_changed.connect(lambda mode: self.window_state.remember("results_mode", mode))
        self.results.start_requested.connect(lambda: self.nav.setCurrentRow(VIEWS.index("Ad Analysis")))
        self._add_shortcuts()

        # One job feed: the runner's listener (live) and the watcher (other processes) both feed the model.
        self.events = JobEvents(services.listeners, self)
        self.events.job_changed.connect(self.jobs.apply)
        self.events.item_changed.connect(lambda _item: self.results.refresh_soon())
        self.jobs.status_changed.connect(self._on_status_change)
        self.database_feed = DatabaseFeed(self.jobs, services.store.changed_jobs)
        self.watcher = DatabaseWatcher(services.paths.database, self)
        self.watcher.changed.connect(self.database_feed.refresh)
        self.analysis.settings_requested.connect(self.open_settings)
        self.settings.saved.connect(self.on_settings_saved)

        tray = tray_enabled and QSystemTrayIcon.isSystemTrayAvailable()
        self.tray: QSystemTrayIcon | None = self._make_tray() if tray else None
        if services.results.has_results() or any(j.status == JobStatus.COMPLETED for j in recent):
            self.unlock()
        self.results.reload()  # on a pool thread: ten thousand rows do not hold up the first paint

    # ---- building -----------------------------------------------------------------------------

    def _build_views(self, services: AppServices) -> None:
        self.analysis = AnalysisView(services, self.jobs, ANALYSIS_STAGES, stage_durations(services.store))
        self.results = ResultsView(services.results)
        self.results_boards = ResultsBoards(self.results, services.boards)  # boards, tags, briefs
        self.dashboard_content = DashboardView(services)
        self.dashboard_content.open_ad.connect(self.open_in_results)
        self.dashboard = GatedView(
            "The Dashboard",
            "It charts what the analysed ads use: hooks, offers, calls to action, and how they score.",
            self.dashboard_content,
        )
        self.chat_content = ChatView(services)
        self.chat_content.open_ad.connect(self.open_in_results)
        self.chat = GatedView("Chat", "Ask questions about the ads you have analysed.", self.chat_content)
        for gated in (self.dashboard, self.chat):
            gated.start_requested.connect(lambda: self.nav.setCurrentRow(VIEWS.index("Ad Analysis")))
        self.settings = SettingsView(services)
        self.watch = WatchView(services, schedule=True)  # due competitor checks at launch and every minute
        self.watch.open_ad.connect(self.open_in_results)
        self.watch.show_job.connect(self.show_job)
        self.analysis.results_requested.connect(self.show_job_results)

    def _build_navigation(self) -> QWidget:
        """The sidebar of views beside the stack that shows the current one."""
        self.nav = QListWidget()
        self.nav.setObjectName("Navigation")
        self.nav.setAccessibleName("Views")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        for name, view in zip(
            VIEWS, (self.analysis, self.results, self.dashboard, self.chat, self.watch, self.settings), strict=True
        ):
            self.nav.addItem(QListWidgetItem(name))
            self.stack.addWidget(view)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        return central

    def _add_shortcuts(self) -> None:
        for n in range(len(VIEWS)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{n + 1}"), self)
            shortcut.activated.connect(lambda n=n: self.nav.setCurrentRow(n))
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self.focus_search)
        cancel = QShortcut(QKeySequence("Ctrl+Shift+X"), self)
        cancel.activated.connect(self.cancel_latest)

    # ---- tray and notifications -----------------------------------------------------------------

    def _make_tray(self) -> QSystemTrayIcon:
        tray = QSystemTrayIcon(app_icon(), self)
        tray.setToolTip("Ad Analysis Desktop")
        menu = QMenu(self)
        show = QAction("Show window", menu)
        show.triggered.connect(self.bring_forward)
        self.tray_jobs = QAction("No jobs running", menu)
        self.tray_jobs.setEnabled(False)
        quit_action = QAction("Quit", menu)
        quit_action.triggered.connect(self.close_and_quit)
        menu.addAction(show)
        menu.addAction(self.tray_jobs)
        menu.addSeparator()
        menu.addAction(quit_action)
        tray.setContextMenu(menu)
        tray.activated.connect(
            lambda reason: self.bring_forward() if reason == QSystemTrayIcon.ActivationReason.Trigger else None
        )
        tray.show()
        return tray

    def notify(self, title: str, message: str, failed: bool = False) -> None:
        """A tray notification, or an in-window banner where no tray exists."""
        if self.tray is not None:
            kind = QSystemTrayIcon.MessageIcon.Critical if failed else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, message, kind, 8000)
        else:
            self.analysis.flash(f"{title}: {message}", 10000, failed=failed)
            QApplication.alert(self)
        self.notified.emit(title, message)

    # ---- job updates ----------------------------------------------------------------------------

    def _on_status_change(self, job: Job, previous: JobStatus | None) -> None:
        if self.tray is not None:
            running = sum(1 for j in self.jobs.jobs() if j.status == JobStatus.RUNNING)
            self.tray_jobs.setText(f"{plural(running, 'job')} running" if running else "No jobs running")
        if previous is None:
            return
        checked = self.watch.check_ended(job)  # a competitor check tells what it found, only when it is new
        if checked:
            self.notify("New competitor ads", checked)
        if job.status == JobStatus.COMPLETED and job.failed_ads:
            self.notify("Analysis complete, with problems", f"{job.source.describe()}: {job.message}", failed=True)
        if job.status == JobStatus.COMPLETED:
            if not job.failed_ads and checked is None:
                self.notify("Analysis complete", f"{job.source.describe()}: {job.message}")
            self.unlock()
            self.results.refresh_soon()
            self.dashboard_content.mark_dirty()
        elif job.status == JobStatus.FAILED:
            self.notify("Analysis failed", f"{job.source.describe()}: {job.error}", failed=True)

    def unlock(self) -> None:
        for view in (self.dashboard, self.chat):
            view.unlock()

    # ---- navigation ---------------------------------------------------------------------------

    def open_settings(self, field: str) -> None:
        self.nav.setCurrentRow(VIEWS.index("Settings"))
        self.settings.focus_field(field)

    def on_settings_saved(self) -> None:
        # New credentials or models apply to the next jobs and the next question.
        self.services.reset_pipeline()
        self.chat_content.update_model()

    def open_in_results(self, analysis_id: int) -> None:
        self.nav.setCurrentRow(VIEWS.index("Results"))
        if not self.results.show_analysis(analysis_id):
            self.statusBar().showMessage("That ad is no longer in the results.", 6000)

    def show_job(self, job_id: str) -> None:
        """Ad Analysis, scrolled to the job's card."""
        self.nav.setCurrentRow(VIEWS.index("Ad Analysis"))
        card = self.analysis.cards.get(job_id)
        if card is not None:
            self.analysis.cards_scroll.ensureWidgetVisible(card)

    def show_job_results(self, job_id: str) -> None:
        """Results, filtered to the ads one job analysed."""
        self.nav.setCurrentRow(VIEWS.index("Results"))
        self.results.clear_filters()
        if self.results.job.findData(job_id) < 0:
            self.results.refresh()  # the job's ads may be newer than the rows loaded
        found = self.results.job.findData(job_id)
        if found < 0:
            self.statusBar().showMessage("That analysis's ads are no longer in the results.", 6000)
        self.results.job.setCurrentIndex(max(0, found))

    def focus_search(self) -> None:
        self.nav.setCurrentRow(VIEWS.index("Results"))
        self.results.search.setFocus()

    def cancel_latest(self) -> None:
        running = [c for c in self.analysis.cards.values() if c.job.status.is_active]
        if running:
            running[0].cancel_button.click()

    def bring_forward(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized | Qt.WindowState.WindowActive)
        self.raise_()
        self.activateWindow()

    def show_recovery(self, recovery: Recovery) -> None:
        if recovery.resumed:
            resumed = plural(len(recovery.resumed), "analysis", "analyses")
            self.analysis.flash(f"Resumed {resumed} interrupted when the app last stopped.")
        for job_id in recovery.failed:
            job = self.services.service.status(job_id)
            self.notify("Analysis not resumed", job.error or "", failed=True)

    # ---- closing ------------------------------------------------------------------------------

    def ask_close(self) -> CloseChoice:
        box = QMessageBox(self)
        box.setWindowTitle("Analyses are running")
        box.setText("An analysis is still running. What should happen to it?")
        keep = box.addButton("Keep running in the tray", QMessageBox.ButtonRole.AcceptRole) if self.tray else None
        pause = box.addButton("Stop now, resume next time", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel the analyses and quit", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if keep is not None and clicked is keep:
            return CloseChoice.KEEP_IN_TRAY
        if clicked is pause:
            return CloseChoice.PAUSE
        if clicked is cancel:
            return CloseChoice.CANCEL_JOBS
        return CloseChoice.STAY

    def _splitters(self) -> dict[str, QSplitter]:
        return {"results": self.results.splitter}

    def close_and_quit(self) -> None:
        self.quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._stopped:
            event.accept()
            return
        event.ignore()
        if self._stopping:
            return
        running = self.runner.running_ids()
        choice = self.ask_close() if running else CloseChoice.PAUSE
        if choice == CloseChoice.STAY:
            self.quitting = False
            return
        self.window_state.save(self, self._splitters(), self.nav.currentRow())
        if choice == CloseChoice.KEEP_IN_TRAY:
            self.results.detail.release_media()
            self.hide()
            self.notify("Still working", "Analyses keep running in the background.")
            return
        if choice == CloseChoice.CANCEL_JOBS:
            for job_id in running:
                self.services.service.cancel(job_id)
        self._stop_then_quit()

    def _stop_then_quit(self) -> None:
        """Jobs stop at their next cancellation point and are written whole (paused ones resume at the next
        launch). That can take seconds, so it happens on a pool thread while the window says so."""
        self._stopping = True
        self.results.detail.release_media()
        central = self.centralWidget()
        if central is not None:
            central.setEnabled(False)
        self.statusBar().showMessage("Stopping the running analyses, then closing...")

        def finished(_result: object = None) -> None:
            self.events.close()
            self.watcher.close()
            if self.tray is not None:
                self.tray.hide()
            self._stopped = True
            self.close()
            self.on_quit()

        run_in_background(self.runner.shutdown, finished, finished, self)
