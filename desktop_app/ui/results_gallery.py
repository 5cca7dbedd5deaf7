"""The Results gallery: the ads as cards (a visual swipe file), over the same filter proxy and selection as
the table, so search, filters, sorting and the selected ad are one state shown two ways."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from desktop_app.ui.gallery_delegate import CARD, PICTURE, GalleryDelegate
from desktop_app.ui.results_table import ResultsFilter, ResultsModel
from desktop_app.ui.thumbnails import Thumbnails

BATCH = 200  # cards laid out per step of the event loop when thousands arrive at once


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
        self.setGridSize(CARD)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.thumbnails = Thumbnails(PICTURE, self)
        self.thumbnails.ready.connect(self._picture_arrived)
        self.setItemDelegate(GalleryDelegate(self.thumbnails, self))
        self.proxy = proxy
        self.setModel(proxy)
        own = self.selectionModel()
        self.setSelectionModel(selection)  # the table's: one selection, shown in both
        own.deleteLater()

    def _picture_arrived(self, path: str) -> None:
        """Repaint the cards showing this picture (usually one; identical videos share theirs)."""
        model = self.proxy.sourceModel()
        if not isinstance(model, ResultsModel):
            return
        for row in model.rows_with_picture(path):
            source = model.index(row, 0)
            model.dataChanged.emit(source, source, [Qt.ItemDataRole.DecorationRole])
