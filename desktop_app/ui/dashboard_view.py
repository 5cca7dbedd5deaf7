"""The Dashboard: charts that turn the analysed ads into decisions, filtered by job, source, page and
date. Clicking a bar or point lists its ads; one opens in Results. The data loads and aggregates on a
pool thread; only the QtCharts objects are made on the UI thread. The cards stand in two columns where two
fit, else in one: the Dashboard never scrolls sideways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.composition import AppServices
from desktop_app.core.ad_names import names_of
from desktop_app.core.charts import DIMENSIONS, ChartData, DashboardData, load_dashboard
from desktop_app.core.insights import InsightFilter
from desktop_app.core.text import plural
from desktop_app.ui.ad_list import AdList, ChartsAndAds
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.chart_card import CARD_MIN_WIDTH, ChartCard
from desktop_app.ui.filter_combo import filter_combo, set_choices

SINCE = (
    ("Started any time", 0),
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Last 12 months", 365),
)
SPACING = 12  # px between cards


def grid_cells(wide: list[bool], columns: int) -> list[tuple[int, int, int]]:
    """(row, column, column span) of each card. A wide card (a chart split by page, with its legend) takes a
    row of its own, after the pair it would have split: the page names then fit whole."""
    cells: list[tuple[int, int, int]] = [(0, 0, 1)] * len(wide)
    row = column = 0
    waiting: list[int] = []
    for n, is_wide in enumerate(wide):
        if is_wide:
            waiting.append(n)
            continue
        cells[n] = (row, column, 1)
        column = (column + 1) % columns
        if column == 0:
            row += 1
            for w in waiting:
                cells[w], row = (row, 0, columns), row + 1
            waiting = []
    row += 1 if column else 0
    for w in waiting:
        cells[w], row = (row, 0, columns), row + 1
    return cells


class DashboardView(QWidget):
    """Filters, a grid of chart cards, and the list of ads behind the last click."""

    open_ad = Signal(int)
    refreshed = Signal()  # a refresh finished and every chart shows it

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.data: DashboardData | None = None
        self._generation = 0
        self._dirty = True
        self._to_build: list[tuple[ChartCard, ChartData]] = []

        self.job = self._combo("Any job")
        self.source = self._combo("Any source")
        self.page = self._combo("Any page")
        self.since = QComboBox()
        self.since.setAccessibleName("Started running")
        for text, days in SINCE:
            self.since.addItem(text, days)
        self.since.currentIndexChanged.connect(self.refresh)
        self.by_page = QComboBox()
        self.by_page.setAccessibleName("Split by page")
        for key, (title, _question, _field) in DIMENSIONS.items():
            self.by_page.addItem(title, key)
        self.by_page.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("Muted")

        filters = QHBoxLayout()
        for widget in (self.job, self.source, self.page, self.since):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.cards: list[ChartCard] = []
        self.columns = 2
        grid_host = QWidget()
        self.grid = QGridLayout(grid_host)
        self.grid.setSpacing(SPACING)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.charts_area = QScrollArea()
        self.charts_area.setWidgetResizable(True)
        self.charts_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.charts_area.setWidget(grid_host)
        self.charts_area.setFrameShape(QFrame.Shape.NoFrame)
        # the viewport's width, not the cards' (which two columns keep wide), chooses one or two columns
        self.charts_area.viewport().installEventFilter(self)
        self.ads = AdList()
        self.ads.open_ad.connect(self.open_ad)
        splitter = ChartsAndAds(self.charts_area, self.ads)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _combo(self, any_label: str) -> QComboBox:
        combo = filter_combo(any_label)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMaximumWidth(320)
        combo.currentIndexChanged.connect(self.refresh)
        return combo

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A resize of the charts' viewport may change how many columns fit."""
        if watched is self.charts_area.viewport() and event.type() == QEvent.Type.Resize:
            self._place_cards()
        return super().eventFilter(watched, event)

    def _place_cards(self) -> None:
        """Two columns where two cards fit side by side, else one; cards move only when that changes."""
        margins = self.grid.contentsMargins()
        room = self.charts_area.viewport().width() - margins.left() - margins.right()
        columns = 2 if room >= 2 * CARD_MIN_WIDTH + SPACING else 1
        if columns == self.columns and all(self.grid.indexOf(card) >= 0 for card in self.cards):
            return
        self.columns = columns
        charts = self.data.charts if self.data else []
        wide = [columns == 2 and n < len(charts) and charts[n].kind == "stacked" for n in range(len(self.cards))]
        for card, (row, column, span) in zip(self.cards, grid_cells(wide, columns), strict=True):
            self.grid.addWidget(card, row, column, 1, span)  # adding again moves it
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def showEvent(self, event: QShowEvent) -> None:
        """Loaded when looked at: nothing is read at start-up or while the view is hidden."""
        if self._dirty:
            self.refresh()
        super().showEvent(event)

    def mark_dirty(self) -> None:
        """New analyses exist: refresh now if the view is on screen, else when it is shown."""
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def current_filter(self) -> InsightFilter:
        days = int(self.since.currentData() or 0)
        since = (datetime.now(UTC).date() - timedelta(days=days)).isoformat() if days else ""
        return InsightFilter(
            job_id=self.job.currentData() or "",
            source_kind=self.source.currentData() or "",
            page=self.page.currentData() or "",
            since=since,
        )

    def refresh(self) -> None:
        """Load on a pool thread; only the latest request's answer is shown."""
        self._dirty = False
        self._generation += 1
        generation, where, by_page = self._generation, self.current_filter(), self.by_page.currentData()
        services = self.services
        run_in_background(
            lambda: load_dashboard(services.db, services.store, where, by_page),
            lambda data: self._show(data) if generation == self._generation else None,
            self._failed,
            self,
        )

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(f"The Dashboard could not be loaded: {error}")

    def _show(self, data: DashboardData) -> None:
        self.data = data
        for combo, choices in (
            (self.job, data.choices.jobs),
            (self.source, data.choices.sources),
            (self.page, data.choices.pages),
        ):
            set_choices(combo, choices)
        while len(self.cards) < len(data.charts):
            card = ChartCard()
            card.selected.connect(partial(self._clicked, card))
            self.cards.append(card)
        self._place_cards()
        stacked = self.cards[next(i for i, chart in enumerate(data.charts) if chart.kind == "stacked")]
        if self.by_page.parent() is not stacked:
            stacked.header.insertWidget(1, self.by_page)
        self._to_build = list(zip(self.cards, data.charts, strict=True))
        self._build_next(self._generation)
        facts = list(data.facts.values())
        pages = len({f.page for f in facts})
        average = sum(f.overall for f in facts) / len(facts) if facts else 0.0
        self.summary.setText(
            f"{plural(len(facts), 'analysed ad video')} from {plural(pages, 'page')}"
            + (f", average overall score {average:.1f} of 5" if facts else "")
        )

    def _build_next(self, generation: int) -> None:
        """One chart per event-loop turn: the window keeps answering while a refresh draws."""
        if generation != self._generation or not self._to_build:
            return
        card, chart = self._to_build.pop(0)
        card.show_chart(chart)
        if self._to_build:
            QTimer.singleShot(1, lambda: self._build_next(generation))
        else:
            self.refreshed.emit()

    def _clicked(self, card: ChartCard, what: str, ids: list[int]) -> None:
        """Only the chart clicked last keeps its bar or point marked: it is the one the list shows."""
        for other in self.cards:
            if other is not card:
                other.clear_selection()
        self.show_ads(what, ids)

    def show_ads(self, what: str, ids: list[int]) -> None:
        names = partial(names_of, self.services.db)
        self.ads.show_ads(what, ids, self.data.facts if self.data else {}, names)
