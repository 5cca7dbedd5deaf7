"""The Tracking view's Trends tab: one competitor's charts (core/watch_trends.py) in a scrolling column of
Dashboard cards, each with its PNG and CSV exports; a click on a bar lists the analysed ads behind it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.charts import ChartData
from desktop_app.core.insights import AdFacts
from desktop_app.ui.ad_list import AdList, ChartsAndAds
from desktop_app.ui.chart_card import ChartCard

NamesOf = Callable[[list[int]], dict[int, str]]


class WatchTrends(ChartsAndAds):
    """Charts of the selected competitor (or a line saying what is needed first), and beside them (below, when
    narrow) the ads behind the bar clicked last; opening one asks for it in Results (`open_ad`)."""

    open_ad = Signal(int)

    def __init__(self, names_of: NamesOf | None = None, parent: QWidget | None = None) -> None:
        self.hint = QLabel("Select a tracked competitor to see how its ads change over time.")
        self.hint.setObjectName("EmptyState")
        self.hint.setWordWrap(True)
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.addWidget(self.hint)
        self.column.addStretch(1)
        self.charts_area = QScrollArea()
        self.charts_area.setWidgetResizable(True)
        self.charts_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.charts_area.setFrameShape(QFrame.Shape.NoFrame)
        self.charts_area.setWidget(body)
        super().__init__(self.charts_area, AdList("Click a bar to list the analysed ads behind it"), parent)
        self.names_of = names_of
        self.facts: dict[int, AdFacts] = {}
        self.cards: list[ChartCard] = []
        self.ads.open_ad.connect(self.open_ad)

    def show_charts(self, charts: Sequence[ChartData], facts: Sequence[AdFacts] = ()) -> None:
        """Show these charts (none: the hint), reusing the cards already made; `facts` are the analysed ads
        the charts count, for listing the ones behind a click."""
        self.facts = {f.analysis_id: f for f in facts}
        while len(self.cards) < len(charts):
            card = ChartCard()
            card.selected.connect(self.list_ads)
            self.cards.append(card)
            self.column.insertWidget(self.column.count() - 1, card)
        for card, data in zip(self.cards, charts, strict=False):
            card.show_chart(data)
        for n, card in enumerate(self.cards):
            card.setVisible(n < len(charts))
        self.hint.setVisible(not charts)
        self.ads.reset()

    def list_ads(self, what: str, ids: list[int]) -> None:
        """List the clicked bar's ads; only that card keeps a bar marked."""
        for card in self.cards:
            if card is not self.sender():
                card.clear_selection()
        self.ads.show_ads(what, ids, self.facts, self.names_of)
