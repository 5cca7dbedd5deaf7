"""Charts as QtCharts objects: bars (stacked or not), the score-over-time scatter with its trend, and the
timeline, each built from a ChartData (plain data from core/charts.py). A click on a bar or point is
turned back into the analyses behind it, and highlighted. Legends are drawn by the card (they wrap there,
where QtCharts would elide them); category labels rotate or stop eliding when the chart is wide enough."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt, SignalInstance
from PySide6.QtGui import QColor, QFontMetrics

from desktop_app.core.charts import ChartData
from desktop_app.ui.style import BLUE, GRAY, GREEN, RED

PALETTE = [BLUE, "#ef6c00", GREEN, "#6a1b9a", "#00838f", RED, "#8d6e63", GRAY]
# short category names, and weeks, read better as columns
VERTICAL = {"scores", "job_outcomes", "watch_launched", "watch_hook_type", "watch_offer_types", "watch_cta_type"}
TREND = PALETTE[1]  # the average line beside the blue points
SIDE_LABELS = 0.4  # of a chart's width, the most QtCharts gives the axis beside it: wider labels are clipped


def horizontal(data: ChartData) -> bool:
    """Bars drawn sideways: long category names read better beside a bar than under it."""
    return data.kind in ("bar", "stacked") and data.key not in VERTICAL


def legend_entries(data: ChartData) -> list[tuple[str, str]]:
    """(name, colour) of each series the chart tells apart; none for a single series."""
    if data.kind == "scatter":
        return [("Ads", BLUE), (data.series[0].name if data.series else "Average", TREND)]
    if len(data.series) < 2:
        return []
    return [(s.name, PALETTE[n % len(PALETTE)]) for n, s in enumerate(data.series)]


def make_chart(data: ChartData, on_click: ClickHandler) -> QChart:
    """A QChart for one ChartData; clicks report (series index, category index) or a point."""
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    chart.legend().setVisible(False)  # the card shows legend_entries, wrapped
    on_click.chart = chart
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
        self.chart: QChart | None = None  # the chart shown, where the clicked item is highlighted

    def bar(self, series: int, category: int) -> None:
        assert self.data is not None
        what = self.data.categories[category]
        if len(self.data.series) > 1:
            what = f"{what}, {self.data.series[series].name}"
        # horizontal bars hold the categories bottom-up (see _bars)
        self._select(len(self.data.categories) - 1 - category if horizontal(self.data) else category, series)
        self.report.emit(f"{self.data.title}: {what}", self.data.ids_at(series, category))

    def point(self, at: QPointF) -> None:
        assert self.data is not None
        if self.data.kind == "scatter":
            points = self.data.points
            x_span = max((p[0] for p in points), default=1.0) or 1.0
            i = min(
                range(len(points)),
                key=lambda n: ((points[n][0] - at.x()) / x_span) ** 2 + ((points[n][1] - at.y()) / 5) ** 2,
            )
            x, y, ids = points[i]
            self._select(i)
            self.report.emit(f"{self.data.title}: {x:.0f} days running, overall score {y:.0f}", ids)
        else:
            days = [msecs(d) for d in self.data.categories]
            i = min(range(len(days)), key=lambda n: abs(days[n] - at.x()))
            self._select(i)
            self.report.emit(f"{self.data.title}: {self.data.categories[i]}", self.data.ids_at(0, i))

    def clear(self) -> None:
        """Unmark what was clicked (another chart's click now fills the list)."""
        for series in self.chart.series() if self.chart else []:
            if isinstance(series, QAbstractBarSeries):
                for bar_set in series.barSets():
                    bar_set.deselectAllBars()
            elif isinstance(series, QXYSeries):
                series.deselectAllPoints()

    def _select(self, index: int, bar_set: int = 0) -> None:
        """Mark the clicked bar or point, so the list beside it says what it lists."""
        self.clear()
        first = self.chart.series()[0] if self.chart and self.chart.series() else None
        if isinstance(first, QAbstractBarSeries):
            first.barSets()[bar_set].selectBar(index)
        elif isinstance(first, QXYSeries):
            first.selectPoint(index)


def _bars(chart: QChart, data: ChartData, on_click: ClickHandler) -> None:
    sideways = horizontal(data)
    series: QAbstractBarSeries
    if data.kind == "stacked":
        series = QHorizontalStackedBarSeries() if sideways else QStackedBarSeries()
    else:
        series = QHorizontalBarSeries() if sideways else QBarSeries()
    # Horizontal bars draw the first category at the bottom: reverse so the biggest is on top.
    order = list(range(len(data.categories)))[:: -1 if sideways else 1]
    for n, item in enumerate(data.series):
        bar_set = QBarSet(item.name)
        bar_set.append([item.values[i] for i in order])
        bar_set.setColor(QColor(PALETTE[n % len(PALETTE)]))
        bar_set.setSelectedColor(QColor(PALETTE[n % len(PALETTE)]).darker(190))
        bar_set.clicked.connect(lambda index, n=n: on_click.bar(n, order[index]))
        series.append(bar_set)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append([data.categories[i] for i in order])
    top = max((v for s in data.series for v in s.values), default=0.0)
    if data.kind == "stacked":
        top = max((sum(s.values[i] for s in data.series) for i in range(len(data.categories))), default=0.0)
    values = _count_axis(top, data.y_label)
    _attach(chart, series, categories, Qt.AlignmentFlag.AlignLeft if sideways else Qt.AlignmentFlag.AlignBottom)
    _attach(chart, series, values, Qt.AlignmentFlag.AlignBottom if sideways else Qt.AlignmentFlag.AlignLeft)


def _scatter(chart: QChart, data: ChartData, on_click: ClickHandler) -> None:
    points = QScatterSeries()
    points.setName("Ads")
    points.setMarkerSize(7)
    colour = QColor(BLUE)
    colour.setAlpha(120)
    points.setColor(colour)
    points.setBorderColor(colour)
    points.setSelectedColor(QColor(TREND).darker(150))
    points.replace([QPointF(x, y) for x, y, _ in data.points])
    points.clicked.connect(on_click.point)
    trend = QLineSeries()
    trend.setName(data.series[0].name if data.series else "Average")
    trend.setColor(QColor(TREND))
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
    line.setSelectedColor(QColor(TREND))
    line.replace([QPointF(msecs(d), v) for d, v in zip(data.categories, data.series[0].values, strict=True)])
    line.clicked.connect(on_click.point)
    chart.addSeries(line)
    when = QDateTimeAxis()
    when.setFormat("d MMM")
    if data.categories:
        first, last = msecs(data.categories[0]), msecs(data.categories[-1])
        pad = max(43_200_000.0, (last - first) * 0.03)
        when.setRange(QDateTime.fromMSecsSinceEpoch(int(first - pad)), QDateTime.fromMSecsSinceEpoch(int(last + pad)))
    count = _count_axis(max(data.series[0].values, default=0.0), data.y_label)
    _attach(chart, line, when, Qt.AlignmentFlag.AlignBottom)
    _attach(chart, line, count, Qt.AlignmentFlag.AlignLeft)


def fit_labels(chart: QChart, width: int) -> None:
    """Category labels readable at this chart width: under columns, upright when they fit side by side, else
    turned; beside bars, whole where they fit in the room QtCharts gives them, else shortened (not clipped)."""
    for axis in chart.axes():
        if not isinstance(axis, QBarCategoryAxis) or not axis.count():
            continue
        metrics = QFontMetrics(axis.labelsFont())
        widths = [metrics.horizontalAdvance(label) for label in axis.categories()]
        if axis.alignment() == Qt.AlignmentFlag.AlignBottom:
            room = (width - 70) / axis.count()  # the value axis and margins take about 70 px
            axis.setLabelsAngle(0 if max(widths) + 4 <= room else -90)
            axis.setTruncateLabels(False)
        else:
            axis.setTruncateLabels(max(widths) + 8 > width * SIDE_LABELS)  # 8 px: the ticks and padding


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


def msecs(day: str) -> float:
    """A day (YYYY-MM-DD) as milliseconds since the epoch, as QDateTimeAxis counts."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000
