"""The Results gallery: the ads as cards (a visual swipe file), over the same filter proxy and selection as
the table, so search, filters, sorting and the selected ad are one state shown two ways.

The cards share the pane's width in as many columns as fit (never one column beside an empty half), all one
height measured from the font, and scrolling to a card shows it whole."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QWidget

from desktop_app.ui.gallery_delegate import CARD_MAX_WIDTH, CARD_MIN_WIDTH, PICTURE, GalleryDelegate, card_height
from desktop_app.ui.results_table import ResultsFilter, ResultsModel
from desktop_app.ui.thumbnails import Thumbnails

BATCH = 200  # cards laid out per step of the event loop when thousands arrive at once
EnsureVisible = QAbstractItemView.ScrollHint.EnsureVisible


class ResultsGallery(QListView):
    def __init__(self, proxy: ResultsFilter, selection: QItemSelectionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Analysed ads as cards")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(BATCH)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.thumbnails = Thumbnails(PICTURE, self)
        self.thumbnails.ready.connect(self._picture_arrived)
        self.delegate = GalleryDelegate(self.thumbnails, self)
        self.setItemDelegate(self.delegate)
        self.proxy = proxy
        self.setModel(proxy)
        own = self.selectionModel()
        self.setSelectionModel(selection)  # the table's: one selection, shown in both
        own.deleteLater()
        self.fit_cards()

    def fit_cards(self) -> None:
        """As many columns as fit the width, sharing it; the height every card needs at this font. The
        scroll bar's width is always set aside, so its coming and going never changes the columns."""
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        room = self.width() - 2 * self.frameWidth() - bar - 2  # the list wraps a row filling it exactly
        columns = max(1, room // CARD_MIN_WIDTH)
        card = QSize(
            max(CARD_MIN_WIDTH, min(CARD_MAX_WIDTH, room // columns)), card_height(self.delegate.fonts(self.font()))
        )
        if card != self.gridSize():
            self.delegate.card = card
            self.setGridSize(card)

    def row_height(self) -> int:
        """What the gallery needs to show one whole row of cards."""
        return self.gridSize().height() + 2 * self.frameWidth()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.fit_cards()
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self.fit_cards()
        super().showEvent(event)

    def scrollTo(
        self, index: QModelIndex | QPersistentModelIndex, hint: QAbstractItemView.ScrollHint = EnsureVisible
    ) -> None:
        """Bring a card fully into view with whole rows above it: a card above goes to the top, one below to
        the last row that fits whole, so no card is left half scrolled away at the top."""
        rect = self.visualRect(index)
        if hint != EnsureVisible or not rect.isValid() or self.viewport().rect().contains(rect):
            super().scrollTo(index, hint)
            return
        bar = self.verticalScrollBar()
        top = bar.value() + rect.top()  # the card's row, in the scrolled content
        if rect.top() > 0:
            top -= (max(1, self.viewport().height() // rect.height()) - 1) * rect.height()
        bar.setValue(top)

    def _picture_arrived(self, path: str) -> None:
        """Repaint the cards showing this picture (usually one; identical videos share theirs)."""
        model: QAbstractItemModel = self.proxy.sourceModel()
        if not isinstance(model, ResultsModel):
            return
        for row in model.rows_with_picture(path):
            source = model.index(row, 0)
            model.dataChanged.emit(source, source, [Qt.ItemDataRole.DecorationRole])
