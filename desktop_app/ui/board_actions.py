"""Swipe-file boards in the window: an "Add to board" menu for the selected ads, a small dialog for the
board's tags and note on an ad, a filter (board and tag) giving the ads to show, and the brief's export.

The Results view builds the menu on its context menu and places the filter above its table; the store
(core/boards.py) does the work, so the window and `ad-analysis board` always agree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from desktop_app.composition import write_brief_pdf
from desktop_app.core.boards import BoardError, BoardStore, edited_tags
from desktop_app.core.brief import BriefWriteError, brief_markdown, load_brief
from desktop_app.core.results import ResultStore

ALL_ADS, ANY_BOARD = -1, 0  # the filter's first two choices; boards have ids from 1


class ItemDialog(QDialog):
    """The board's tags and note for one ad (or the same for several)."""

    def __init__(
        self, board: str, tags: Sequence[str], note: str, known: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Tags and note on “{board}”")
        self.tags = QLineEdit(", ".join(tags))
        self.tags.setPlaceholderText("hooks, ugc, summer sale")
        self.tags.setAccessibleName("Tags")
        completer = QCompleter(list(known), self.tags)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(completer)
        self.note = QPlainTextEdit(note)
        self.note.setPlaceholderText("Why this ad is worth keeping, what to try from it...")
        self.note.setAccessibleName("Note")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Tags (comma between them)", self.tags)
        form.addRow("Note", self.note)
        form.addRow(buttons)
        self.resize(460, 260)

    def values(self) -> tuple[list[str], str]:
        return self.tags.text().split(","), self.note.toPlainText()


def ask_board_name(parent: QWidget | None, title: str = "New board", name: str = "") -> str | None:
    """A board name typed in a small dialog; None when cancelled or left empty."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText("Board name (for example “Competitor hooks”):")
    dialog.setTextValue(name)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.textValue().strip():
        return None
    return dialog.textValue()


def _problem(parent: QWidget | None, error: Exception) -> None:
    text = str(error)
    QMessageBox.warning(parent, "Boards", text[:1].upper() + text[1:] + ".")


def edit_item(parent: QWidget | None, boards: BoardStore, board_id: int, analysis_ids: Sequence[int]) -> bool:
    """Edit the board's tags and note for these ads; True when saved. For several ads the dialog shows the tags
    they share and their note when it is the same: a tag only some have, or notes that differ and are left
    empty, stay as they were on each ad."""
    items = [item for i in analysis_ids if (item := boards.item(board_id, i)) is not None]
    if not items:
        return False
    shared = [t for t in items[0].tags if all(t in item.tags for item in items)]
    differ = len({item.note for item in items}) > 1
    dialog = ItemDialog(boards.get(board_id).name, shared, "" if differ else items[0].note, boards.tags(), parent)
    if differ:
        dialog.note.setPlaceholderText("These ads have different notes: leave this empty to keep each one's.")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    tags, note = dialog.values()
    try:
        for item in items:
            kept = item.note if differ and not note.strip() else note
            boards.set_item(board_id, item.analysis_id, edited_tags(item.tags, shared, tags), kept)
    except BoardError as exc:
        _problem(parent, exc)
        return False
    return True


def board_menu(
    boards: BoardStore,
    analysis_ids: Sequence[int],
    parent: QWidget | None = None,
    changed: Callable[[], None] = lambda: None,
) -> QMenu:
    """ "Add to board" for these ads: "New board…", then each board (ticked when all of them are on it; a click
    pins or unpins them), then "Tags and note" for the boards they are on. `changed` runs after any change."""
    ids = [int(i) for i in analysis_ids]
    menu = QMenu("Add to board", parent)
    menu.setEnabled(bool(ids))
    menu.addAction("New board…").triggered.connect(lambda: _new_board(parent, boards, ids, changed))
    found = boards.boards()
    if found:
        menu.addSeparator()
    on = _boards_holding_all(boards, ids)
    for board in found:
        action = QAction(f"{board.name} ({board.count})", menu, checkable=True, checked=board.id in on)
        action.setData(board.id)
        action.toggled.connect(lambda pin, b=board.id: _toggle(parent, boards, b, ids, pin, changed))
        menu.addAction(action)
    if on:
        notes = menu.addMenu("Tags and note")
        for board in (b for b in found if b.id in on):
            notes.addAction(board.name).triggered.connect(
                lambda _=False, b=board.id: _edit(parent, boards, b, ids, changed)
            )
    return menu


def _edit(
    parent: QWidget | None, boards: BoardStore, board_id: int, ids: Sequence[int], changed: Callable[[], None]
) -> None:
    if edit_item(parent, boards, board_id, ids):
        changed()


def _boards_holding_all(boards: BoardStore, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    held = boards.boards_of(ids[0])
    for analysis_id in ids[1:]:
        held &= boards.boards_of(analysis_id)
    return held


def _new_board(parent: QWidget | None, boards: BoardStore, ids: Sequence[int], changed: Callable[[], None]) -> None:
    name = ask_board_name(parent)
    if name is None:
        return
    try:
        boards.pin_new(name, ids)
    except BoardError as exc:
        _problem(parent, exc)
        return
    changed()


def _toggle(
    parent: QWidget | None,
    boards: BoardStore,
    board_id: int,
    ids: Sequence[int],
    pin: bool,
    changed: Callable[[], None],
) -> None:
    try:
        if pin:
            boards.pin(board_id, ids)
        else:
            boards.unpin(board_id, ids)
    except BoardError as exc:
        _problem(parent, exc)
        return
    changed()


class BoardFilter(QWidget):
    """A board (or all ads, or any board) and a tag: `ids_changed` gives the analysis ids to show, or None for
    every ad (no board chosen and no tag typed)."""

    ids_changed = Signal(object)  # set[int] | None

    def __init__(self, boards: BoardStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boards = boards
        self.combo = QComboBox()
        self.combo.setAccessibleName("Board")
        self.label = QLabel("&Board:")
        self.label.setBuddy(self.combo)
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("Filter by tag")
        self.tag.setAccessibleName("Tag")
        self.tag.setClearButtonEnabled(True)
        self._tags = QStringListModel(self)
        completer = QCompleter(self._tags, self.tag)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag.setCompleter(completer)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 2)
        layout.addWidget(self.tag, 1)
        self.refresh()
        self.combo.currentIndexChanged.connect(self._emit)
        self.tag.textChanged.connect(self._emit)

    def refresh(self) -> None:
        """Reload the boards and tags (after a change), keeping the choice while its board exists."""
        current = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("All ads", ALL_ADS)
        self.combo.addItem("On any board", ANY_BOARD)
        for board in self.boards.boards():
            self.combo.addItem(f"{board.name} ({board.count})", board.id)
        self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        self.combo.blockSignals(False)
        self._tags.setStringList(self.boards.tags())
        if self.combo.currentData() != current or self.ids() is not None:
            self._emit()  # the choice changed, or the ads on the chosen board or tag may have

    def board_id(self) -> int | None:
        """The chosen board, or None for all ads or any board."""
        data = self.combo.currentData()
        return int(data) if data not in (None, ALL_ADS, ANY_BOARD) else None

    def ids(self) -> set[int] | None:
        choice, tag = self.combo.currentData(), self.tag.text().strip()
        if choice in (None, ALL_ADS) and not tag:
            return None
        return self.boards.analysis_ids(self.board_id(), tag or None)

    def _emit(self) -> None:
        self.ids_changed.emit(self.ids())


def save_brief(boards: BoardStore, results: ResultStore, board_id: int, path: Path) -> None:
    """Write a board's brief: PDF when the file ends in .pdf, else Markdown."""
    brief = load_brief(boards, results, board_id)
    if path.suffix.lower() == ".pdf":
        write_brief_pdf(brief, path)
    else:
        path.write_text(brief_markdown(brief), encoding="utf-8")


def export_brief(parent: QWidget | None, boards: BoardStore, results: ResultStore, board_id: int) -> Path | None:
    """Ask where to save a board's brief (PDF or Markdown) and write it; the file written, or None."""
    name = boards.get(board_id).name
    chosen, _ = QFileDialog.getSaveFileName(
        parent, f"Export the brief of “{name}”", f"{name}.pdf", "PDF (*.pdf);;Markdown (*.md)"
    )
    if not chosen:
        return None
    try:
        save_brief(boards, results, board_id, Path(chosen))
    except OSError as exc:
        QMessageBox.warning(parent, "Export brief", f"The brief could not be saved to {chosen} ({exc.strerror}).")
        return None
    except BriefWriteError as exc:
        QMessageBox.warning(parent, "Export brief", f"The brief could not be saved: {exc}.")
        return None
    return Path(chosen)
