"""The Tracking view: competitors checked on a schedule, and how long each of their ads has been running.

Checks are ordinary jobs (core/watch_checks.py): they appear in Ad Analysis like any other. The scheduler
here starts the due ones at launch and every minute after; they queue under the parallel-jobs setting. The
scheduler's reads and the view's loads run on a pool thread: a job's progress never waits for them."""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.composition import AppServices
from desktop_app.core.ad_names import names_of
from desktop_app.core.insights import AdFacts, load_facts
from desktop_app.core.service import Started
from desktop_app.core.types import Job, JobStatus
from desktop_app.core.watch_checks import start_check, start_due, summary_of
from desktop_app.core.watch_trends import trend_charts
from desktop_app.core.watchlists import WatchedAd, Watchlist, WatchStore
from desktop_app.ui.board_actions import board_menu
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.watch_trends import WatchTrends

log = logging.getLogger(__name__)

SCHEDULER_MS = 60_000
LIST_COLUMNS = ("Competitor", "Schedule", "Last checked", "Running", "New")
AD_COLUMNS = ("Ad", "Running since", "Days running", "Last seen", "Status", "EU reach")


def when(stamp: float | None, fmt: str = "%d %b %H:%M") -> str:
    return datetime.fromtimestamp(stamp).strftime(fmt) if stamp else "Not yet"


def cell(text: str, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tip:
        item.setToolTip(tip)
    return item


class AddWatchDialog(QDialog):
    """Follow a competitor: a page id or search terms, the countries, how often."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Track a competitor")
        self.kind = QComboBox()
        self.kind.addItems(["Facebook page id", "Search terms"])
        self.what = QLineEdit()
        self.what.setPlaceholderText("The page id from the Ad Library, such as 123456789")
        self.kind.currentIndexChanged.connect(self._placeholder)
        self.countries = QLineEdit("DE")
        self.countries.setPlaceholderText("Two-letter codes, such as DE, FR")
        self.schedule = QComboBox()
        self.schedule.addItems(["daily", "weekly", "manual"])
        self.name = QLineEdit()
        self.name.setPlaceholderText("Optional: named after the page otherwise")
        self.problem = QLabel()
        self.problem.setObjectName("Muted")
        self.problem.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Follow", self.kind)
        form.addRow("", self.what)
        form.addRow("Countries", self.countries)
        form.addRow("Check", self.schedule)
        form.addRow("Name", self.name)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _placeholder(self, index: int) -> None:
        self.what.setPlaceholderText(
            "The page id from the Ad Library, such as 123456789"
            if index == 0
            else "Words the ads use, such as oat milk"
        )

    def values(self) -> dict[str, object]:
        page = self.kind.currentIndex() == 0
        text = self.what.text().strip()
        return {
            "page_id": text if page else None,
            "terms": None if page else text,
            "countries": [c for c in self.countries.text().replace(",", " ").split() if c],
            "schedule": self.schedule.currentText(),
            "name": self.name.text(),
        }


class WatchView(QWidget):
    """The watchlists on top, the selected one's ads below."""

    show_job = Signal(str)  # a job id: "Follow it" on a check the user started (the window shows its card)
    due_checked = Signal(list)  # the job ids of the checks the scheduler started (none when none was due)
    loaded = Signal()  # the watchlists and their ads are shown
    open_ad = Signal(int)  # an analysed ad double-clicked: show it in Results

    def __init__(self, services: AppServices, clock: Callable[[], float] = time.time, schedule: bool = False) -> None:
        super().__init__()
        self.services = services
        self.store = WatchStore(services.db)
        self.clock = clock
        self.watchlists: list[Watchlist] = []
        self._ads: dict[int, list[WatchedAd]] = {}  # loaded with the watchlists, by watchlist id
        self._facts: list[AdFacts] = []  # the analysed ads' facts, for the trends
        self._loads = 0  # refreshes started: only the latest one's data is shown
        self.lists = self._table(LIST_COLUMNS)
        self.lists.itemSelectionChanged.connect(self.show_ads)
        self.ads = self._table(AD_COLUMNS)
        self.ads.setSelectionMode(QTableWidget.SelectionMode.ExtendedSelection)
        self.ads.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.ads.customContextMenuRequested.connect(self._board_menu)
        self.ads.cellDoubleClicked.connect(self._open)
        self._shown: list[WatchedAd] = []  # the rows of the ads table
        self.add_button = QPushButton("Add...")
        self.add_button.clicked.connect(self.ask_add)
        self.check_button = QPushButton("Check now")
        self.check_button.clicked.connect(self.check_selected)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.banner = QLabel()
        self.banner.setObjectName("Muted")
        self.banner.setWordWrap(True)
        self.banner.linkActivated.connect(self.show_job)
        self._layout()
        self.timer = QTimer(self)
        self.timer.setInterval(SCHEDULER_MS)
        self.timer.timeout.connect(self.run_due)
        self.refresh()
        if schedule:
            self.start_scheduler()

    def _table(self, columns: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels(list(columns))
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(columns)):
            table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        return table

    def _layout(self) -> None:
        title = QLabel("<h2>Tracking</h2>")
        intro = QLabel(
            "Competitors checked on a schedule: new ads are analysed, and the ads that keep running show what works."
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.check_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.lists)
        column.addLayout(buttons)
        self.trends = WatchTrends(partial(names_of, self.services.db))
        self.trends.open_ad.connect(self.open_ad)
        self.below = QTabWidget()
        self.below.addTab(self.ads, "Ads")
        self.below.addTab(self.trends, "Trends")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.below)
        self.splitter.setSizes([140, 460])  # a few competitors above, their ads (the point of it) below
        outer = QVBoxLayout(self)
        outer.addWidget(title)
        outer.addWidget(intro)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter, 1)

    # ---- scheduling ------------------------------------------------------------------------------

    def start_scheduler(self) -> None:
        """Run the due checks now (the app just started) and every minute after."""
        self.timer.start()
        QTimer.singleShot(0, self.run_due)

    def run_due(self) -> None:
        """Start the checks that are due, on a pool thread; `due_checked` tells which."""
        service, store, now = self.services.service, self.store, self.clock()
        run_in_background(lambda: start_due(service, store, now), self._due_started, self._failed, self)

    def _due_started(self, started: list[Started]) -> None:
        if started:
            self.refresh()
        self.due_checked.emit([s.job_id for s in started])

    def _failed(self, error: BaseException) -> None:
        log.warning("the tracked competitors could not be read: %r", error)

    # ---- actions -----------------------------------------------------------------------------------

    def selected(self) -> Watchlist | None:
        rows = self.lists.selectionModel().selectedRows()
        return self.watchlists[rows[0].row()] if rows and rows[0].row() < len(self.watchlists) else None

    def ask_add(self) -> None:
        dialog = AddWatchDialog(self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                self.add(**dialog.values())
                return
            except ValueError as problem:
                dialog.problem.setText(f"Cannot track this: {problem}.")

    def add(self, **values: object) -> Watchlist:
        watch = self.store.add(now=self.clock(), **values)  # type: ignore[arg-type]
        self.refresh(select=watch.watchlist_id)
        self.banner.setText(f"Tracking {watch.title}. Press Check now, or wait for its {watch.schedule} check.")
        return watch

    def check_selected(self) -> str | None:
        watch = self.selected()
        if watch is None:
            return None
        try:
            started = start_check(self.services.service, self.store, watch.watchlist_id, self.clock())
        except ValueError as problem:
            self.banner.setText(f"Cannot check {watch.title}: {problem}.")
            return None
        self.banner.setText(
            f"Checking {html.escape(watch.title)}: it runs in Ad Analysis like any analysis. "
            f"<a href='{started.job_id}'>Follow it there</a>."
        )
        self.refresh(select=watch.watchlist_id)
        return started.job_id

    def remove_selected(self, confirm: bool = True) -> None:
        watch = self.selected()
        if watch is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self, "Stop tracking", f"Stop tracking {watch.title}? Its analysed ads stay in Results."
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.store.remove(watch.watchlist_id)
        self.banner.setText(f"Stopped tracking {watch.title}.")
        self.refresh()

    def check_ended(self, job: Job) -> str | None:
        """After a job ended: None when it was not a check, else what to notify ('' when nothing is new)."""
        summary = summary_of(job) if job.status == JobStatus.COMPLETED else None
        if summary is None:
            return None
        self.refresh(select=summary.watchlist_id)
        self.banner.setText(f"Last check: {summary.headline()}.")
        return summary.headline() if summary.new else ""

    # ---- showing -----------------------------------------------------------------------------------

    def refresh(self, select: int | None = None) -> None:
        """Load the watchlists and their ads on a pool thread, then show them (keeping or making `select`
        the selected one); `loaded` fires when they are shown."""
        keep = select if select is not None else (w.watchlist_id if (w := self.selected()) else None)
        store, db = self.store, self.services.db

        def load() -> tuple[list[tuple[Watchlist, list[WatchedAd]]], list[AdFacts]]:
            watches = store.all()  # the analysed ads' facts only when there is a competitor to chart
            return [(watch, store.ads(watch.watchlist_id)) for watch in watches], load_facts(db) if watches else []

        self._loads += 1
        load_number = self._loads

        def loaded(result: tuple[list[tuple[Watchlist, list[WatchedAd]]], list[AdFacts]]) -> None:
            if load_number == self._loads:  # a load that a newer one overtook would show older data
                self._show(result[0], result[1], keep)

        run_in_background(load, loaded, self._failed, self)

    def _show(self, rows: list[tuple[Watchlist, list[WatchedAd]]], facts: list[AdFacts], keep: int | None) -> None:
        self._facts = facts
        self.watchlists = [watch for watch, _ in rows]
        self._ads = {watch.watchlist_id: ads for watch, ads in rows}
        self.lists.setRowCount(len(self.watchlists))
        for row, (watch, ads) in enumerate(rows):
            new = sum(a.new for a in ads)
            where = f"page {watch.page_id}" if watch.page_id else f'search "{watch.terms}"'
            self.lists.setItem(row, 0, cell(watch.title, f"{where} in {', '.join(watch.countries)}"))
            self.lists.setItem(row, 1, cell(watch.schedule.capitalize()))
            self.lists.setItem(row, 2, cell(when(watch.last_checked)))
            self.lists.setItem(row, 3, cell(str(sum(a.active for a in ads))))
            badge = cell(f"{new} new" if new else "")
            if new:
                badge.setForeground(Qt.GlobalColor.white)
                badge.setBackground(Qt.GlobalColor.darkGreen)
            self.lists.setItem(row, 4, badge)
        ids = [w.watchlist_id for w in self.watchlists]
        if keep in ids:
            self.lists.selectRow(ids.index(keep))
        elif ids:
            self.lists.selectRow(0)
        if not ids:
            self.banner.setText(
                self.banner.text() or "Nothing tracked yet: press Add... to follow a competitor's page."
            )
        self.show_ads()
        self.loaded.emit()

    def _show_ad(self, row: int, ad: WatchedAd, now: float) -> None:
        """One ad's row: a new one's name in bold and a "New" badge beside its status."""
        name = cell(ad.name, f"Ad {ad.ad_id}")
        font = name.font()
        font.setBold(ad.new)
        name.setFont(font)
        self.ads.setItem(row, 0, name)
        started = datetime.fromtimestamp(ad.started_at, UTC)  # UTC: the delivery start's own calendar day
        self.ads.setItem(row, 1, cell(f"{started:%d %b %Y}", f"First seen by tracking {when(ad.first_seen)}"))
        self.ads.setItem(row, 2, cell(str(ad.days_running(now))))
        self.ads.setItem(row, 3, cell(when(ad.last_seen, "%d %b"), when(ad.last_seen)))
        state = "Running" if ad.active else "Stopped"
        status = cell(f"New, {state.lower()}" if ad.new else state)
        if ad.new:
            status.setForeground(Qt.GlobalColor.white)
            status.setBackground(Qt.GlobalColor.darkGreen)
        else:
            status.setForeground(Qt.GlobalColor.darkGreen if ad.active else Qt.GlobalColor.gray)
        self.ads.setItem(row, 4, status)
        history = " -> ".join(f"{int(r[1]):,}" for r in ad.reach[-4:])
        self.ads.setItem(row, 5, cell(f"{ad.latest_reach:,}" if ad.latest_reach is not None else "", history))

    def analysis_ids(self, rows: list[int]) -> list[int]:
        """The analyses of the ads on these rows of the ads table (an ad that failed has none)."""
        wanted = {self._shown[r].ad_id for r in rows if r < len(self._shown)}
        return [f.analysis_id for f in self._facts if f.ad_id in wanted]

    def _board_menu(self, at: QPoint) -> None:
        """Right-click on ads: put them on a board (a swipe file), as in Results."""
        rows = sorted({index.row() for index in self.ads.selectionModel().selectedRows()})
        menu = board_menu(self.services.boards, self.analysis_ids(rows), self)
        menu.exec(self.ads.viewport().mapToGlobal(at))

    def _open(self, row: int, _column: int) -> None:
        ids = self.analysis_ids([row])
        if ids:
            self.open_ad.emit(ids[0])

    def show_ads(self) -> None:
        watch = self.selected()
        now = self.clock()
        # Running ads first, the longest-running (what keeps paying for itself) at the top.
        listed = self._ads.get(watch.watchlist_id, []) if watch else []
        ads = sorted(listed, key=lambda a: (not a.active, -a.days_running(now)))
        self._shown = ads
        self.ads.setRowCount(len(ads))
        for row, ad in enumerate(ads):
            self._show_ad(row, ad, now)
        self.check_button.setEnabled(watch is not None)
        self.remove_button.setEnabled(watch is not None)
        ids = {ad.ad_id for ad in ads}
        today = datetime.fromtimestamp(now, UTC).date()
        facts = [f for f in self._facts if f.ad_id in ids]
        since = datetime.fromtimestamp(watch.created_at, UTC).date() if watch is not None else today
        self.trends.show_charts(trend_charts(ads, facts, today, since) if watch is not None else [], facts)
