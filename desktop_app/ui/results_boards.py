"""Boards in Results: "Add to board" on the ads selected (table or gallery, right-click), a board and tag filter
over both views, the board's tags and note on the selected ad shown in the detail while boards are filtered,
and the chosen board's brief exported as PDF or Markdown."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QPushButton

from desktop_app.core.boards import BoardStore
from desktop_app.ui.board_actions import ALL_ADS, BoardFilter, board_menu, export_brief
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
        view.table.selectionModel().currentRowChanged.connect(lambda _now, _before: self.show_notes())

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
        self.show_notes()

    def show_notes(self) -> None:
        """While a board (or any board, or a tag) is filtered, the detail shows the tags and note the selected
        ad has there: the chosen board's, else every board's it is on. With all ads shown, none."""
        current = self.view.table.currentIndex()
        summary = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        filtered = self.filter.combo.currentData() != ALL_ADS or bool(self.filter.tag.text().strip())
        if summary is None or not filtered:
            self.view.detail.show_board_notes([])
            return
        chosen = self.filter.board_id()
        board_ids = [chosen] if chosen is not None else self.boards.boards_of(summary.analysis_id)
        names = {b.id: b.name for b in self.boards.boards()}
        notes = []
        for board_id in sorted(board_ids, key=lambda b: names.get(b, "")):
            item = self.boards.item(board_id, summary.analysis_id)
            if item is not None:
                notes.append((names.get(board_id, ""), item.tags, item.note))
        self.view.detail.show_board_notes(notes)
