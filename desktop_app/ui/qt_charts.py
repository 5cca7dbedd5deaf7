"""Charts as QtCharts objects: bars (stacked or not), the score-over-time scatter with its trend, and the
timeline, each built from a ChartData (plain data from core/charts.py). A click on a bar or point is
turned back into the analyses behind it."""

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
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt, SignalInstance
from PySide6.QtGui import QColor

from desktop_app.core.charts import ChartData
from desktop_app.ui.style import BLUE, GRAY, GREEN, RED

PALETTE = [BLUE, "#ef6c00", GREEN, "#6a1b9a", "#00838f", RED, "#8d6e63", GRAY]
# short category names, and weeks, read better as columns
VERTICAL = {"scores", "job_outcomes", "watch_launched", "watch_hook_type", "watch_offer_types", "watch_cta_type"}


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
            days = [msecs(d) for d in self.data.categories]
            i = min(range(len(days)), key=lambda n: abs(days[n] - at.x()))
            self.report.emit(f"{self.data.title}: {self.data.categories[i]}", self.data.ids_at(0, i))


def _bars(chart: QChart, data: ChartData, on_click: ClickHandler) -> None:
    horizontal = data.key not in VERTICAL
    series: QAbstractBarSeries
    if data.kind == "stacked":
        series = QHorizontalStackedBarSeries() if horizontal else QStackedBarSeries()
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
