"""The Dashboard's list of the ads behind the bar or point clicked last, best overall score first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.insights import AdFacts
from desktop_app.core.text import plural, readable

LISTED = 1000  # ads listed for one click; more are counted, not listed


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

    def show_ads(
        self,
        what: str,
        ids: list[int],
        facts: dict[int, AdFacts],
        names_of: Callable[[list[int]], dict[int, str]] | None = None,
    ) -> None:
        """`names_of` gives the listed ads' names (one query for the shown ones only)."""
        self.list.clear()
        rows = sorted((facts[i] for i in ids if i in facts), key=lambda f: (-f.overall, f.page, f.ad_id))
        shown = rows[:LISTED]
        more = f", the first {LISTED} listed" if len(rows) > LISTED else ""
        self.heading.setText(what)
        self.count.setText(f"{plural(len(rows), 'ad')}{more}. Double-click one to open it.")
        names = names_of([f.analysis_id for f in shown]) if names_of else {}
        for f in shown:
            name = names.get(f.analysis_id) or f.page or f.ad_id
            item = QListWidgetItem(f"{name}  ·  {readable(f.hook_type)}  ·  overall {f.overall}/5")
            item.setToolTip(f"Ad {f.ad_id}\n{f.hook_text}")
            item.setData(Qt.ItemDataRole.UserRole, f.analysis_id)
            self.list.addItem(item)
        if shown:
            self.list.setCurrentRow(0)

    def _open(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_ad.emit(int(item.data(Qt.ItemDataRole.UserRole)))
