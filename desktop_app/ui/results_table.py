"""The Results model: light summaries of every analysed ad, sorted in Python (ten thousand rows sort in a few
milliseconds, where a proxy asking data() per comparison takes most of a second), and the proxy that applies
the filters for both the table and the gallery."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from desktop_app.core.language_names import language_name
from desktop_app.core.summaries import ResultSummary
from desktop_app.core.text import analyser_words, readable
from desktop_app.ui.analysis_html import band

COLUMNS = ("Ad", "Overall", "Hook", "CTA", "Offer", "Page", "Hook score", "Days running", "Analyser")
AD, OVERALL, HOOK, CTA, OFFER, PAGE, HOOK_SCORE, DAYS, ANALYSER = range(len(COLUMNS))
Index = QModelIndex | QPersistentModelIndex
# Shown until the user chooses (header right-click, or Columns…): what fits beside a readable name in a half
# window; the Overall score comes right after the name, so it never sits behind a horizontal scroll.
FIRST_SHOWN = (AD, OVERALL, HOOK, CTA, OFFER)
SAMPLE_ROWS = 200  # rows measured to size the columns (evenly spread, so ten thousand cost no more)
TYPICAL = 0.95  # a column fits this share of its cells; rarer long ones elide, and show whole in a tooltip
MAX_COLUMN_PX = 260
DISPLAY, USER, FOREGROUND, ALIGNMENT, TOOLTIP = (
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
    )
)
ROLES_ANSWERED = frozenset((DISPLAY, USER, FOREGROUND, ALIGNMENT, TOOLTIP))
SCORES = (OVERALL, HOOK_SCORE)
NAME_MIN_CHARS = 20  # the ad's name keeps room for about this many characters

SORT_KEYS: dict[int, Callable[[ResultSummary], Any]] = {
    AD: lambda r: full_label(r).lower(),
    OVERALL: lambda r: r.overall,
    HOOK: lambda r: r.hook_type,
    CTA: lambda r: r.cta_type,
    OFFER: lambda r: offers(r),
    PAGE: lambda r: r.page_name.lower(),
    HOOK_SCORE: lambda r: r.hook_strength,
    DAYS: lambda r: -1 if r.days_running is None else r.days_running,
    ANALYSER: lambda r: r.analyser,
}


def ad_label(row: ResultSummary) -> str:
    """The ad, named (without its page, which has a column of its own), with which of its videos this is for a
    carousel, or that it was read from its copy only."""
    name = row.name or f"Ad {row.ad_id}"
    if row.page_name and name.startswith(f"{row.page_name}: "):
        name = name[len(row.page_name) + 2 :]
    if row.copy_only:
        return f"{name} (copy only, no video)"
    if row.videos_in_ad > 1:
        return f"{name} (video {row.video_index + 1} of {row.videos_in_ad})"
    return name


def full_label(row: ResultSummary) -> str:
    """The ad's label with its page, for the table, whose Page column may be hidden to fit."""
    label = ad_label(row)
    return f"{row.page_name}: {label}" if row.page_name and row.name.startswith(f"{row.page_name}: ") else label


def offers(row: ResultSummary) -> str:
    return ", ".join(readable(t) for t in row.offer_types) or "-"


def first_offer(row: ResultSummary) -> str:
    """The Offer cell: the first offer and how many more ("discount +2"), all of them in its tooltip, so the
    column stays narrow and no offer is cut mid-word."""
    more = len(row.offer_types) - 1
    return offers(row) if more < 1 else f"{readable(row.offer_types[0])} +{more}"


def outcome(row: ResultSummary) -> str:
    """What the analysis could use, when it is less than a video with speech."""
    if row.copy_only:
        return "copy only, no video"
    if not row.spoken:
        return "no speech, picture and copy"
    return ""


def facts_line(row: ResultSummary) -> str:
    """Days running, EU reach and language, the ones known ("89 days · 182,000 EU reach · English")."""
    parts = []
    if row.days_running is not None:
        parts.append(f"{row.days_running} day{'s' if row.days_running != 1 else ''}")
    if row.eu_reach is not None:
        parts.append(f"{row.eu_reach:,} EU reach")
    if row.language:
        parts.append(language_name(row.language))
    return " · ".join(parts)


class ResultsModel(QAbstractTableModel):
    """Every summary in memory; the model sorts itself and keeps selections across sorts and reloads."""

    def __init__(self) -> None:
        super().__init__()
        self._all: list[ResultSummary] = []
        self._search: list[str] = []
        self._cells: list[tuple[str, ...] | None] = []  # each row's texts, made when first painted
        self._sort = (OVERALL, Qt.SortOrder.DescendingOrder)
        self._by_picture: dict[str, list[int]] = {}

    def set_rows(self, rows: list[ResultSummary]) -> None:
        self.beginResetModel()
        self._all = self._sorted(rows)
        self._index_rows()
        self.endResetModel()

    def summary(self, row: int) -> ResultSummary:
        return self._all[row]

    def haystack(self, row: int) -> str:
        return self._search[row]

    def rows_with_picture(self, path: str) -> list[int]:
        return self._by_picture.get(path, [])

    def _index_rows(self) -> None:
        self._search = [haystack(r) for r in self._all]
        self._cells = [None] * len(self._all)
        self._by_picture = {}
        for n, r in enumerate(self._all):
            if r.picture:
                self._by_picture.setdefault(r.picture, []).append(n)

    def reveal(self, analysis_id: int) -> QModelIndex:
        """The row of one analysis (invalid when it is not loaded)."""
        row = next((n for n, r in enumerate(self._all) if r.analysis_id == analysis_id), None)
        return QModelIndex() if row is None else self.index(row, 0)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()
        ids = [self._all[i.row()].analysis_id for i in kept]
        self._all = self._sorted(self._all)
        self._index_rows()
        where = {r.analysis_id: n for n, r in enumerate(self._all)}
        self.changePersistentIndexList(kept, [self.index(where[a], i.column()) for a, i in zip(ids, kept, strict=True)])
        self.layoutChanged.emit()

    def _sorted(self, rows: list[ResultSummary]) -> list[ResultSummary]:
        column, order = self._sort
        return sorted(rows, key=SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._all)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every cell painted: plain ints, and the unused roles answered first.
        role = int(role)
        if role not in ROLES_ANSWERED:
            return None
        n, column = index.row(), index.column()
        if n < 0:
            return None
        if role == DISPLAY:
            cells = self._cells[n]
            if cells is None:
                cells = self._cells[n] = texts(self._all[n])
            return cells[column]
        row = self._all[n]
        if role == USER:
            return row
        if role == FOREGROUND:
            return QColor(band(row.overall if column == OVERALL else row.hook_strength)) if column in SCORES else None
        if role == ALIGNMENT:
            return Qt.AlignmentFlag.AlignCenter if column in (OVERALL, HOOK_SCORE, DAYS) else None
        return tooltip(row, column)


def texts(row: ResultSummary) -> tuple[str, ...]:
    return (
        full_label(row),
        str(row.overall),
        readable(row.hook_type),
        readable(row.cta_type),
        first_offer(row),
        row.page_name or "-",
        str(row.hook_strength),
        "-" if row.days_running is None else str(row.days_running),
        analyser_words(row.analyser, short=True),
    )


def tooltip(row: ResultSummary, column: int) -> str | None:
    """The whole of a text that may be elided (the ad's name with its id; page; offers), and when it ran."""
    if column == AD:
        return f"{full_label(row)}\nAd id {row.ad_id}"
    if column == OFFER and row.offer_types:
        return offers(row)
    if column == PAGE and row.page_name:
        return row.page_name
    if column == ANALYSER:
        return f"Analysed {analyser_words(row.analyser)}"
    if column == DAYS and row.delivery_start:
        return f"Running since {row.delivery_start}"
    return None


def haystack(row: ResultSummary) -> str:
    """What the search box looks in, as the user writes it (labels without underscores)."""
    words = (row.page_name, row.name, row.ad_id, row.hook_text, row.hook_type, row.cta_type, *row.offer_types)
    return " ".join((*words, *(readable(w) for w in (row.hook_type, row.cta_type, *row.offer_types)))).lower()


class ResultsFilter(QSortFilterProxyModel):
    """Text search plus hook type, CTA, offer, minimum score and job filters. Sorting is the model's."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.hook = ""
        self.cta = ""
        self.offer = ""
        self.min_score = 1
        self.job_id = ""
        self.ids: set[int] | None = None  # a board's or tag's ads (ui/results_boards.py); None: every ad

    def update(self, **values: Any) -> None:
        self.beginFilterChange()
        for key, value in values.items():
            setattr(self, key, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filtering(self) -> bool:
        """Whether any filter is set (an empty list then means nothing matches, not that nothing is there)."""
        chosen = self.ids is not None
        return bool(self.text or self.hook or self.cta or self.offer or self.min_score > 1 or self.job_id or chosen)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if column >= 0 and isinstance(model, ResultsModel):
            model.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.filtering():
            return True  # asked for each of ten thousand rows after every sort: answered at once
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
        if self.ids is not None and row.analysis_id not in self.ids:
            return False
        return not self.text or self.text.lower() in model.haystack(source_row)


class ResultsTable(QTableView):
    """The table: the columns the user chose (right-click the header, or Columns…), each as wide as its
    typical cell, and the ad's name taking the room left."""

    columns_changed = Signal()  # a column shown or hidden, for the view to remember

    def __init__(self, proxy: ResultsFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(proxy)
        self.setAccessibleName("Analysed ads")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.sectionResized.connect(self._resized)
        self._fitting = False
        self._sized_by_user: set[int] = set()  # columns the user dragged: kept as they are
        self.show_columns([COLUMNS[c] for c in FIRST_SHOWN])
        proxy.modelReset.connect(self.fit_to_contents)
        self.setSortingEnabled(True)
        self.sortByColumn(OVERALL, Qt.SortOrder.DescendingOrder)
        self.fit_to_contents()

    # ---- which columns -------------------------------------------------------------------------

    def shown_columns(self) -> list[str]:
        return [name for n, name in enumerate(COLUMNS) if not self.isColumnHidden(n)]

    def show_columns(self, names: list[str]) -> None:
        """Show these columns (by name, so a remembered choice survives new columns), the ad's name always."""
        for n, name in enumerate(COLUMNS):
            self.setColumnHidden(n, n != AD and name not in names)
        self.fit_name()

    def set_column_shown(self, column: int, shown: bool) -> None:
        self.setColumnHidden(column, not shown and column != AD)
        self.fit_name()
        self.columns_changed.emit()

    def columns_menu(self, parent: QWidget | None = None) -> QMenu:
        menu = QMenu("Columns…", parent)
        self.fill_columns_menu(menu)
        return menu

    def fill_columns_menu(self, menu: QMenu) -> None:
        """Every column, ticked when shown; a click shows or hides it (the ad's name always shows)."""
        menu.clear()
        for n, name in enumerate(COLUMNS):
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(n))
            action.setEnabled(n != AD)
            action.toggled.connect(lambda shown, c=n: self.set_column_shown(c, shown))
        menu.addSeparator()
        menu.addAction("Fit widths to contents").triggered.connect(self._refit)

    def _header_menu(self, at: QPoint) -> None:
        menu = QMenu(self)
        menu.addMenu(self.columns_menu(menu))
        menu.exec(self.horizontalHeader().mapToGlobal(at))
        menu.deleteLater()

    # ---- widths ----------------------------------------------------------------------------------

    def fit_to_contents(self) -> None:
        """Each column as wide as most of its cells (a long offer elides rather than widening the column for
        every row), never narrower than its header; then the name takes the room left."""
        model, metrics = self.model(), self.fontMetrics()
        rows = model.rowCount()
        sample = range(0, rows, max(1, rows // SAMPLE_ROWS))
        self._fitting = True
        for column in range(len(COLUMNS)):
            if column == AD or column in self._sized_by_user:
                continue
            widths = sorted(metrics.horizontalAdvance(str(model.index(r, column).data())) for r in sample)
            typical = widths[math.ceil(len(widths) * TYPICAL) - 1] + 16 if widths else 0
            header = metrics.horizontalAdvance(COLUMNS[column]) + 34  # and the sort arrow
            self.horizontalHeader().resizeSection(column, max(header, min(typical, MAX_COLUMN_PX)))
        self._fitting = False
        self.fit_name()

    def fit_name(self) -> None:
        """The ad's name fills the width the other columns leave, keeping room for a readable name (beyond
        that, the table scrolls sideways)."""
        header = self.horizontalHeader()
        others = sum(header.sectionSize(n) for n in range(1, len(COLUMNS)) if not self.isColumnHidden(n))
        least = self.fontMetrics().averageCharWidth() * NAME_MIN_CHARS
        self._fitting = True
        header.resizeSection(AD, max(least, self.viewport().width() - others))
        self._fitting = False

    def _resized(self, column: int, _old: int, _new: int) -> None:
        """A column the user dragged keeps its width; the name gives or takes the difference."""
        if not self._fitting and column != AD:
            self._sized_by_user.add(column)
            self.fit_name()

    def _refit(self) -> None:
        self._sized_by_user.clear()
        self.fit_to_contents()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_name()
