"""Boards in Results: "Add to board" on the ads selected (table or gallery, right-click), a board and tag filter
over both views, and the chosen board's brief exported as PDF or Markdown."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QPushButton

from desktop_app.core.boards import BoardStore
from desktop_app.ui.board_actions import BoardFilter, board_menu, export_brief
from desktop_app.ui.results_view import ResultsView


class ResultsBoards:
    """Puts the boards into a Results view: its filter row gains the board and tag filter and an export button."""

    def __init__(self, view: ResultsView, boards: BoardStore) -> None:
        self.view = view
        self.boards = boards
        self.filter = BoardFilter(boards, view)
        self.filter.setToolTip("Show the ads of one board, or with one tag")
        self.filter.ids_changed.connect(self._filter)
        self.brief = QPushButton("Export brief")
        self.brief.setToolTip("Save the chosen board as a brief (PDF or Markdown) to share")
        self.brief.clicked.connect(self.export)
        self.brief.hide()
        view.board_row.addWidget(self.filter, 1)
        view.board_row.addWidget(self.brief)
        for ads in (view.table, view.gallery):
            ads.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            ads.customContextMenuRequested.connect(lambda at, v=ads: self._menu(v, at))
        view.cleared.connect(self.clear)

    def selected_ids(self) -> list[int]:
        """The analyses of the rows selected in either view (they share one selection)."""
        proxy = self.view.proxy
        rows = sorted({i.row() for i in self.view.table.selectionModel().selectedIndexes()})
        return [proxy.data(proxy.index(r, 0), Qt.ItemDataRole.UserRole).analysis_id for r in rows]

    def clear(self) -> None:
        """Filters cleared: every ad again."""
        self.filter.combo.setCurrentIndex(0)
        self.filter.tag.clear()

    def export(self) -> None:
        board = self.filter.board_id()
        if board is not None:
            export_brief(self.view, self.boards, self.view.results, board)

    def _menu(self, view: QAbstractItemView, at: QPoint) -> None:
        index = view.indexAt(at)
        if index.isValid() and not view.selectionModel().isRowSelected(index.row(), index.parent()):
            view.setCurrentIndex(index)  # a right-click on an unselected ad acts on that ad
        menu = board_menu(self.boards, self.selected_ids(), self.view, changed=self.filter.refresh)
        menu.exec(view.viewport().mapToGlobal(at))

    def _filter(self, ids: set[int] | None) -> None:
        self.view.proxy.update(ids=ids)
        self.brief.setVisible(self.filter.board_id() is not None)
