"""The Dashboard: charts that turn the analysed ads into decisions, filtered by job, source, page and
date. Clicking a bar or point lists its ads; one opens in Results. The data loads and aggregates on a
pool thread; only the QtCharts objects are made on the UI thread."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QColor, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.composition import AppServices
from desktop_app.core.charts import DIMENSIONS, ChartData, DashboardData, label, load_dashboard
from desktop_app.core.insights import AdFacts, InsightFilter
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.filter_combo import filter_combo, set_choices
from desktop_app.ui.style import BLUE, GRAY, GREEN, RED

PALETTE = [BLUE, "#ef6c00", GREEN, "#6a1b9a", "#00838f", RED, "#8d6e63", GRAY]
VERTICAL = {"scores", "job_outcomes"}  # short category names read better as columns
SINCE = (
    ("Started any time", 0),
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Last 12 months", 365),
)
LISTED = 1000  # ads listed for one click; more are counted, not listed


def make_chart(data: ChartData, on_click: ClickHandler) -> QChart:
    """A QChart for one ChartData; clicks report (series index, category index) or a point."""
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    chart.legend().setVisible(len(data.series) > 1 or data.kind == "scatter")
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight if data.kind == "stacked" else Qt.AlignmentFlag.AlignBottom)
    if data.kind in ("bar", "stacked"):
        _bars(chart, data, on_click)
    elif data.kind == "scatter":
        _scatter(chart, data, on_click)
    else:
        _timeline(chart, data, on_click)
    return chart


class ClickHandler:
    """Turns a click on a chart item into the analyses behind it."""

    def __init__(self, report: SignalInstance) -> None:
        self.report = report
        self.data: ChartData | None = None

    def bar(self, series: int, category: int) -> None:
        assert self.data is not None
        what = self.data.categories[category]
        if len(self.data.series) > 1:
            what = f"{what}, {self.data.series[series].name}"
        self.report.emit(f"{self.data.title}: {what}", self.data.ids_at(series, category))

    def point(self, at: QPointF) -> None:
        assert self.data is not None
        if self.data.kind == "scatter":
            x_span = max((p[0] for p in self.data.points), default=1.0) or 1.0
            x, y, ids = min(
                self.data.points, key=lambda p: ((p[0] - at.x()) / x_span) ** 2 + ((p[1] - at.y()) / 5) ** 2
            )
            self.report.emit(f"{self.data.title}: {x:.0f} days, overall {y:.0f}", ids)
        else:
            days = [_msecs(d) for d in self.data.categories]
            i = min(range(len(days)), key=lambda n: abs(days[n] - at.x()))
            self.report.emit(f"{self.data.title}: {self.data.categories[i]}", self.data.ids_at(0, i))


def _bars(chart: QChart, data: ChartData, on_click: ClickHandler) -> None:
    horizontal = data.key not in VERTICAL
    series: QAbstractBarSeries
    if data.kind == "stacked":
        series = QHorizontalStackedBarSeries()
    else:
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
    # Horizontal bars draw the first category at the bottom: reverse so the biggest is on top.
    order = list(range(len(data.categories)))[:: -1 if horizontal else 1]
    for n, item in enumerate(data.series):
        bar_set = QBarSet(item.name)
        bar_set.append([item.values[i] for i in order])
        bar_set.setColor(QColor(PALETTE[n % len(PALETTE)]))
        bar_set.clicked.connect(lambda index, n=n: on_click.bar(n, order[index]))
        series.append(bar_set)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append([data.categories[i] for i in order])
    top = max((v for s in data.series for v in s.values), default=0.0)
    if data.kind == "stacked":
        top = max((sum(s.values[i] for s in data.series) for i in range(len(data.categories))), default=0.0)
    values = _count_axis(top, data.y_label)
    _attach(chart, series, categories, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
    _attach(chart, series, values, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)


def _scatter(chart: QChart, data: ChartData, on_click: ClickHandler) -> None:
    points = QScatterSeries()
    points.setName("Ads")
    points.setMarkerSize(7)
    colour = QColor(BLUE)
    colour.setAlpha(120)
    points.setColor(colour)
    points.setBorderColor(colour)
    points.replace([QPointF(x, y) for x, y, _ in data.points])
    points.clicked.connect(on_click.point)
    trend = QLineSeries()
    trend.setName(data.series[0].name if data.series else "Average")
    trend.setColor(QColor("#ef6c00"))
    trend.replace([QPointF(x, y) for x, y in data.trend])
    chart.addSeries(points)
    chart.addSeries(trend)
    days = QValueAxis()
    days.setTitleText(data.x_label)
    days.setLabelFormat("%d")
    days.setRange(0, max(10.0, max((p[0] for p in data.points), default=0.0) * 1.05))
    days.applyNiceNumbers()
    scores = QValueAxis()
    scores.setTitleText(data.y_label)
    scores.setRange(0.5, 5.5)  # room around the 1 and 5 markers; ticks on the whole scores only
    scores.setTickType(QValueAxis.TickType.TicksDynamic)
    scores.setTickAnchor(1)
    scores.setTickInterval(1)
    scores.setLabelFormat("%d")
    for series in (points, trend):
        _attach(chart, series, days, Qt.AlignmentFlag.AlignBottom)
        _attach(chart, series, scores, Qt.AlignmentFlag.AlignLeft)


def _timeline(chart: QChart, data: ChartData, on_click: ClickHandler) -> None:
    line = QLineSeries()
    line.setName(data.series[0].name)
    line.setPointsVisible(True)
    line.setColor(QColor(BLUE))
    line.replace([QPointF(_msecs(d), v) for d, v in zip(data.categories, data.series[0].values, strict=True)])
    line.clicked.connect(on_click.point)
    chart.addSeries(line)
    when = QDateTimeAxis()
    when.setFormat("d MMM")
    if data.categories:
        first, last = _msecs(data.categories[0]), _msecs(data.categories[-1])
        pad = max(43_200_000.0, (last - first) * 0.03)
        when.setRange(QDateTime.fromMSecsSinceEpoch(int(first - pad)), QDateTime.fromMSecsSinceEpoch(int(last + pad)))
    count = _count_axis(max(data.series[0].values, default=0.0), data.y_label)
    _attach(chart, line, when, Qt.AlignmentFlag.AlignBottom)
    _attach(chart, line, count, Qt.AlignmentFlag.AlignLeft)


def _count_axis(top: float, title: str) -> QValueAxis:
    """A value axis from 0 with whole, round steps (no "0 0 1 1" labels for small counts)."""
    step = next(s * 10**e for e in range(9) for s in (1, 2, 5) if top / (s * 10**e) <= 5)
    axis = QValueAxis()
    axis.setTitleText(title)
    axis.setLabelFormat("%d")
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setRange(0, max(step, math.ceil(top / step) * step))
    return axis


def _attach(chart: QChart, series: object, axis: QAbstractAxis, where: Qt.AlignmentFlag) -> None:
    if axis not in chart.axes():
        chart.addAxis(axis, where)
    series.attachAxis(axis)  # type: ignore[attr-defined]


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _msecs(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000


class ChartCard(QFrame):
    """One chart with its question, and exports of the picture (PNG) and the numbers (CSV)."""

    selected = Signal(str, list)  # what was clicked, the analysis ids behind it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ChartCard")
        self.data: ChartData | None = None
        self.clicks = ClickHandler(self.selected)
        self.title = QLabel()
        self.title.setObjectName("CardTitle")
        self.question = QLabel()
        self.question.setObjectName("Muted")
        self.question.setWordWrap(True)
        self.view = QChartView()
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(260)
        self.empty = QLabel("Nothing to show for these filters yet.")
        self.empty.setObjectName("EmptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.header = QHBoxLayout()
        self.header.addWidget(self.title, 1)
        for text, tip, slot in (
            ("PNG", "Save this chart as a picture", self.save_png),
            ("CSV", "Save the numbers behind this chart", self.save_csv),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, slot=slot: slot())
            self.header.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.header)
        layout.addWidget(self.question)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)

    def show_chart(self, data: ChartData) -> None:
        self.data = self.clicks.data = data
        self.title.setText(data.title)
        self.question.setText(data.question + (f" {data.note}" if data.note else ""))
        old = self.view.chart()
        self.view.setChart(make_chart(data, self.clicks))
        old.deleteLater()  # the view releases, but does not delete, the chart it showed
        self.view.setVisible(not data.empty)
        self.empty.setVisible(data.empty)

    def save_png(self, path: str | None = None) -> Path | None:
        path = path or self._ask("PNG image (*.png)", "png")
        if not path:
            return None
        self.view.grab().save(path, "PNG")
        return Path(path)

    def save_csv(self, path: str | None = None) -> Path | None:
        path = path or self._ask("CSV (*.csv)", "csv")
        if not path or self.data is None:
            return None
        with open(path, "w", encoding="utf-8", newline="") as out:
            self.data.write_csv(out)
        return Path(path)

    def _ask(self, kind: str, suffix: str) -> str:
        name = f"{self.data.key if self.data else 'chart'}.{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, f"Save {self.title.text()}", name, kind)
        return path


class AdList(QWidget):
    """The ads behind the bar or point clicked last; Open (or a double-click) shows one in Results."""

    open_ad = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Click a bar or point to list its ads.")
        self.heading.setObjectName("CardTitle")
        self.heading.setWordWrap(True)
        self.count = QLabel()
        self.count.setObjectName("Muted")
        self.list = QListWidget()
        self.list.setAccessibleName("Ads behind the selection")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.itemActivated.connect(self._open)
        self.list.itemDoubleClicked.connect(self._open)
        self.open_button = QPushButton("Open in Results")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open(self.list.currentItem()))
        self.list.currentItemChanged.connect(lambda item, _prev: self.open_button.setEnabled(item is not None))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.count)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.open_button)

    def show_ads(self, what: str, ids: list[int], facts: dict[int, AdFacts]) -> None:
        self.list.clear()
        rows = sorted((facts[i] for i in ids if i in facts), key=lambda f: (-f.overall, f.page, f.ad_id))
        shown = rows[:LISTED]
        more = f", the first {LISTED} listed" if len(rows) > LISTED else ""
        self.heading.setText(what)
        self.count.setText(f"{_plural(len(rows), 'ad')}{more}. Double-click one to open it.")
        for f in shown:
            item = QListWidgetItem(f"{f.page or f.ad_id}  ·  {label(f.hook_type)}  ·  overall {f.overall}/5")
            item.setToolTip(f"Ad {f.ad_id}\n{f.hook_text}")
            item.setData(Qt.ItemDataRole.UserRole, f.analysis_id)
            self.list.addItem(item)
        if shown:
            self.list.setCurrentRow(0)

    def _open(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_ad.emit(int(item.data(Qt.ItemDataRole.UserRole)))


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
        grid_host = QWidget()
        self.grid = QGridLayout(grid_host)
        self.grid.setSpacing(12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.ads = AdList()
        self.ads.open_ad.connect(self.open_ad)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.ads)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([880, 250])

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
            card.selected.connect(self.show_ads)
            self.grid.addWidget(card, len(self.cards) // 2, len(self.cards) % 2)
            self.cards.append(card)
        stacked = self.cards[next(i for i, chart in enumerate(data.charts) if chart.kind == "stacked")]
        if self.by_page.parent() is not stacked:
            stacked.header.insertWidget(1, self.by_page)
        self._to_build = list(zip(self.cards, data.charts, strict=True))
        self._build_next(self._generation)
        facts = list(data.facts.values())
        pages = len({f.page for f in facts})
        average = sum(f.overall for f in facts) / len(facts) if facts else 0.0
        self.summary.setText(
            f"{_plural(len(facts), 'analysed ad video')} from {_plural(pages, 'page')}"
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

    def show_ads(self, what: str, ids: list[int]) -> None:
        self.ads.show_ads(what, ids, self.data.facts if self.data else {})
