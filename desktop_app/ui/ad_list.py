"""The list of the ads behind the bar or point clicked last, best overall score first, and the splitter that
puts it beside the charts, or below them when the window is too narrow for both side by side."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.insights import AdFacts
from desktop_app.core.text import plural, readable

LISTED = 1000  # ads listed for one click; more are counted, not listed
BESIDE_WIDTH = 900  # px: narrower, the list goes below the charts so they keep the width...
BELOW_MIN_HEIGHT = 560  # px: ...if that leaves the charts the height of a card
LIST_WIDTH = 260  # px beside the charts (a third of a narrow space at most)
BELOW_SHARE = 0.35  # of the height, at most, that the list takes below the charts


class AdList(QWidget):
    """The ads behind the bar or point clicked last; Open (or a double-click) shows one in Results."""

    open_ad = Signal(int)
    changed = Signal()  # a click listed other ads: the list wants another height

    def __init__(self, hint: str = "Click a bar or point to list its ads", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel(hint)
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        self.context = QLabel()  # the chart clicked
        self.context.setObjectName("Muted")
        self.context.setWordWrap(True)
        self.heading = QLabel()  # the bar or point clicked
        self.heading.setObjectName("CardTitle")
        self.heading.setWordWrap(True)
        self.count = QLabel()
        self.count.setObjectName("Muted")
        self.count.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Ads behind the selection")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)  # the name first; the whole row in its tooltip
        # as tall as its ads (the Open button right under them), up to the room there is
        self.list.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.list.itemActivated.connect(self._open)
        self.list.itemDoubleClicked.connect(self._open)
        self.open_button = QPushButton("Open in Results")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open(self.list.currentItem()))
        self.list.currentItemChanged.connect(lambda item, _prev: self.open_button.setEnabled(item is not None))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.hint, self.context, self.heading, self.count, self.list, self.open_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._set_listing(False)

    def _set_listing(self, listing: bool) -> None:
        """Before a click only the hint shows: no count of nothing above an empty list."""
        self.hint.setVisible(not listing)
        for widget in (self.heading, self.count, self.list, self.open_button):
            widget.setVisible(listing)
        self.context.setVisible(listing and bool(self.context.text()))

    def reset(self) -> None:
        """Back to the hint: the charts changed, so the last click's ads are not theirs."""
        self.list.clear()
        self._set_listing(False)
        self.changed.emit()

    def show_ads(
        self,
        what: str,
        ids: list[int],
        facts: dict[int, AdFacts],
        names_of: Callable[[list[int]], dict[int, str]] | None = None,
    ) -> None:
        """`what` is "chart: item" (or the item alone); `names_of` gives the listed ads' names (one query for
        the shown ones only)."""
        self.list.clear()
        rows = sorted((facts[i] for i in ids if i in facts), key=lambda f: (-f.overall, f.page, f.ad_id))
        shown = rows[:LISTED]
        more = f", the first {LISTED} listed" if len(rows) > LISTED else ""
        chart, colon, item = what.partition(": ")
        self.context.setText(chart if colon else "")
        self.heading.setText(item if colon else what)
        self.count.setText(f"{plural(len(rows), 'ad')}{more}. Double-click one to open it." if rows else "No ads.")
        names = names_of([f.analysis_id for f in shown]) if names_of else {}
        for f in shown:
            name = names.get(f.analysis_id) or f.page or f.ad_id
            item_row = QListWidgetItem(f"{name}  ·  {readable(f.hook_type)}  ·  overall {f.overall}/5")
            item_row.setToolTip(f"{name}\n{readable(f.hook_type)}, overall {f.overall}/5\nAd {f.ad_id}\n{f.hook_text}")
            item_row.setData(Qt.ItemDataRole.UserRole, f.analysis_id)
            self.list.addItem(item_row)
        self._set_listing(True)
        frame = 2 * self.list.frameWidth()
        self.list.setMaximumHeight(frame + len(shown) * max(0, self.list.sizeHintForRow(0)))
        self.list.setVisible(bool(shown))
        self.open_button.setVisible(bool(shown))
        if shown:
            self.list.setCurrentRow(0)
        self.changed.emit()

    def _open(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_ad.emit(int(item.data(Qt.ItemDataRole.UserRole)))


class ChartsAndAds(QSplitter):
    """Charts with the AdList beside them; in a narrow, tall space the list moves under the charts (as tall
    as what it lists), so the charts keep the whole width of a small screen."""

    def __init__(self, charts: QWidget, ads: AdList, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.ads = ads
        self.addWidget(charts)
        self.addWidget(ads)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 0)
        self.setChildrenCollapsible(False)
        ads.changed.connect(self._ads_changed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Beside or below by the width there is; the sizes follow only when that changes (or never were set),
        so a divider the user dragged stays put."""
        super().resizeEvent(event)
        below = self.width() < BESIDE_WIDTH and self.height() >= BELOW_MIN_HEIGHT
        wanted = Qt.Orientation.Vertical if below else Qt.Orientation.Horizontal
        if wanted != self.orientation() or event.oldSize().width() <= 0:
            self.setOrientation(wanted)
            self._fit()

    def _ads_changed(self) -> None:
        if self.orientation() == Qt.Orientation.Vertical:
            self._fit()

    def _fit(self) -> None:
        """Beside: a fixed width for the list. Below: the height its ads need, at most BELOW_SHARE."""
        if self.orientation() == Qt.Orientation.Horizontal:
            width = min(LIST_WIDTH, self.width() // 3)
            self.setSizes([self.width() - width, width])
        else:
            total = self.height()
            need = min(self.ads.sizeHint().height(), int(total * BELOW_SHARE))
            self.setSizes([total - need, need])
