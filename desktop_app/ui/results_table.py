"""The Results table's model: light summaries of every analysed ad, handed to the view in chunks as it
scrolls, and the proxy that sorts them and applies the filters."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from desktop_app.core.results import ResultSummary
from desktop_app.ui.analysis_html import band

COLUMNS = ("Page", "Ad", "Hook", "CTA", "Offer", "Overall", "Hook score", "Running since", "Analyser")
CHUNK = 500
Index = QModelIndex | QPersistentModelIndex


def ad_label(row: ResultSummary) -> str:
    """The ad, named (without its page, which has a column of its own), with which of its videos this is for a
    carousel, or that it was read from its copy only."""
    name = row.name or row.ad_id
    if row.page_name and name.startswith(f"{row.page_name}: "):
        name = name[len(row.page_name) + 2 :]
    if row.copy_only:
        return f"{name} (copy only, no video)"
    if row.videos_in_ad > 1:
        return f"{name} (video {row.video_index + 1} of {row.videos_in_ad})"
    return name


class ResultsModel(QAbstractTableModel):
    """Light summaries in memory, handed to the view in chunks as it scrolls (lazy loading)."""

    def __init__(self) -> None:
        super().__init__()
        self._all: list[ResultSummary] = []
        self._shown = 0

    def set_rows(self, rows: list[ResultSummary]) -> None:
        self.beginResetModel()
        self._all = rows
        self._shown = min(CHUNK, len(rows))
        self.endResetModel()

    def summary(self, row: int) -> ResultSummary:
        return self._all[row]

    def reveal(self, analysis_id: int) -> QModelIndex:
        """The row of one analysis, loading rows up to it if the view has not scrolled there yet."""
        row = next((n for n, r in enumerate(self._all) if r.analysis_id == analysis_id), None)
        if row is None:
            return QModelIndex()
        if row >= self._shown:
            self.beginInsertRows(QModelIndex(), self._shown, row)
            self._shown = row + 1
            self.endInsertRows()
        return self.index(row, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent: Index) -> None:
        more = min(CHUNK, len(self._all) - self._shown)
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._all[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            values: list[Any] = [
                row.page_name or "-",
                ad_label(row),
                row.hook_type.replace("_", " "),
                row.cta_type.replace("_", " "),
                ", ".join(t.replace("_", " ") for t in row.offer_types) or "-",
                row.overall,
                row.hook_strength,
                row.delivery_start or "-",
                row.analyser,
            ]
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole and column in (5, 6):
            return QColor(band(row.overall if column == 5 else row.hook_strength))
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None


class ResultsFilter(QSortFilterProxyModel):
    """Text search plus hook type, CTA, offer, minimum score and job filters."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.hook = ""
        self.cta = ""
        self.offer = ""
        self.min_score = 1
        self.job_id = ""
        self.setSortRole(Qt.ItemDataRole.EditRole)

    def update(self, **values: Any) -> None:
        for key, value in values.items():
            setattr(self, key, value)
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ResultsModel)
        row = model.summary(source_row)
        if self.hook and row.hook_type != self.hook:
            return False
        if self.cta and row.cta_type != self.cta:
            return False
        if (self.offer == "with" and not row.offer_types) or (self.offer == "without" and row.offer_types):
            return False
        if row.overall < self.min_score or (self.job_id and row.job_id != self.job_id):
            return False
        if self.text:
            haystack = " ".join((row.page_name, row.name, row.ad_id, row.hook_type, row.cta_type, *row.offer_types))
            haystack = haystack.lower()
            return self.text.lower() in haystack
        return True
