"""A Dashboard card: one chart with the question it answers, and exports of the picture (PNG) and of the
numbers behind it (CSV)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop_app.core.charts import ChartData
from desktop_app.ui.qt_charts import ClickHandler, make_chart


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
