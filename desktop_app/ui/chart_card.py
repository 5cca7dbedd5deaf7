"""A Dashboard card: one chart with the question it answers, and exports of the picture (PNG) and of the
numbers behind it (CSV).

A card is as tall as its chart needs (a row per category for sideways bars), not as tall as the space it
is in: in a scrolling column the axis labels then always show. Its legend is a wrapping label, as
QtCharts shortens legend names to one row."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.charts import ChartData
from desktop_app.ui.qt_charts import ClickHandler, fit_labels, horizontal, legend_entries, make_chart

CHART_HEIGHT = 280  # px: the plot, its axis labels and titles
ROW_HEIGHT = 30  # px per category of sideways bars
CARD_MIN_WIDTH = 300  # px: the header's buttons and a readable plot


def chart_height(data: ChartData) -> int:
    """Sideways bars get a row per category, so their names never overlap."""
    rows = len(data.categories) if horizontal(data) else 0
    return max(CHART_HEIGHT, 70 + ROW_HEIGHT * rows)


def legend_html(data: ChartData) -> str:
    """Each series as a coloured square and its name; entries wrap as whole words, never mid-name."""
    return " &nbsp; ".join(
        f"<span style='color:{colour}'>&#9632;</span>&nbsp;{escape(name).replace(' ', '&nbsp;')}"
        for name, colour in legend_entries(data)
    )


class ChartCard(QFrame):
    """One chart with its question, and exports of the picture (PNG) and the numbers (CSV)."""

    selected = Signal(str, list)  # what was clicked, the analysis ids behind it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ChartCard")
        self.setMinimumWidth(CARD_MIN_WIDTH)
        self.data: ChartData | None = None
        self.clicks = ClickHandler(self.selected)
        self.title = QLabel()
        self.title.setObjectName("CardTitle")
        self.title.setWordWrap(True)
        self.question = QLabel()
        self.question.setObjectName("Muted")
        self.question.setWordWrap(True)
        self.view = QChartView()
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFixedHeight(CHART_HEIGHT)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
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
        layout.addWidget(self.view)
        layout.addWidget(self.legend)
        layout.addWidget(self.empty)
        layout.addStretch(1)  # a card beside a taller one keeps its chart at the top

    def show_chart(self, data: ChartData) -> None:
        self.data = self.clicks.data = data
        self.title.setText(data.title)
        self.question.setText(data.question + (f" {data.note}" if data.note else ""))
        old = self.view.chart()
        self.view.setChart(make_chart(data, self.clicks))
        old.deleteLater()  # the view releases, but does not delete, the chart it showed
        self.view.setFixedHeight(chart_height(data))
        fit_labels(self.view.chart(), self.view.width())
        self.legend.setText(legend_html(data))
        self.view.setVisible(not data.empty)
        self.legend.setVisible(not data.empty and bool(self.legend.text()))
        self.empty.setVisible(data.empty)

    def clear_selection(self) -> None:
        """Unmark the clicked bar or point: another card's click fills the list now."""
        self.clicks.clear()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Labels turn or shorten by the width the chart now has."""
        super().resizeEvent(event)
        if self.data is not None:
            fit_labels(self.view.chart(), self.view.width())

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
