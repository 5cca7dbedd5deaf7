"""The Tracking view's Trends tab: one competitor's charts (core/watch_trends.py) in a scrolling column of
Dashboard cards, each with its PNG and CSV exports."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.charts import ChartData
from desktop_app.ui.chart_card import ChartCard


class WatchTrends(QScrollArea):
    """Charts of the selected competitor, or a line saying what is needed first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.cards: list[ChartCard] = []
        self.hint = QLabel("Select a tracked competitor to see how its ads change over time.")
        self.hint.setObjectName("EmptyState")
        self.hint.setWordWrap(True)
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.addWidget(self.hint)
        self.column.addStretch(1)
        self.setWidget(body)

    def show_charts(self, charts: Sequence[ChartData]) -> None:
        """Show these charts (none: the hint), reusing the cards already made."""
        while len(self.cards) < len(charts):
            card = ChartCard()
            self.cards.append(card)
            self.column.insertWidget(self.column.count() - 1, card)
        for card, data in zip(self.cards, charts, strict=False):
            card.show_chart(data)
        for n, card in enumerate(self.cards):
            card.setVisible(n < len(charts))
        self.hint.setVisible(not charts)
