"""Results: every analysed ad as a table (ui/results_table.py) or as a gallery of cards
(ui/results_gallery.py) over one filter and one selection, a detail pane for the selected ad
(ui/result_detail.py), and exports of the ads shown or selected (CSV, JSON, a Markdown report).

Rows load on a pool thread and are applied on the UI thread, so the reload when a job completes (or an ad
finishes) never stalls the window; `refresh()` loads synchronously where an answer is needed at once."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.export import markdown_report, result_dict, write_readable_csv
from desktop_app.core.results import AdResult, ResultStore
from desktop_app.core.summaries import ResultSummary
from desktop_app.core.text import readable
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.filter_combo import filter_combo, set_choices
from desktop_app.ui.result_detail import ResultDetail
from desktop_app.ui.results_gallery import ResultsGallery
from desktop_app.ui.results_table import ResultsFilter, ResultsModel, ResultsTable

log = logging.getLogger(__name__)
MODES = ("table", "gallery")
NO_ADS = "No analysed ads yet — start an analysis on the Ad Analysis view."
NO_MATCH = "No ads match these filters."
NARROW_PX = 860  # below this width the detail pane goes under the list
LAYOUT_TAG = b"results-layout:"  # begins the Results splitter's state as this view saves it (LayoutSplitter)


class LayoutSplitter(QSplitter):
    """The list and detail splitter. The window saves and restores it by its state (ui/window_state.py), so that
    state carries the view's layout: the split chosen side by side, the one chosen stacked, the table's columns."""

    def __init__(self, table: ResultsTable) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.table = table
        self.chosen: dict[str, list[int]] = {}  # sizes by orientation, as the user left them
        self.restored: list[int] = []  # sizes saved, applied once the view is as large as when they were
        self.splitterMoved.connect(lambda *_: self.chosen.update({str(self.orientation().name): self.sizes()}))

    def saveState(self) -> QByteArray:
        qt = bytes(super().saveState().toBase64().data()).decode()
        state = {"qt": qt, "sizes": self.chosen, "now": self.sizes(), "columns": self.table.shown_columns()}
        return QByteArray(LAYOUT_TAG + json.dumps(state).encode())

    def restoreState(self, state: QByteArray | bytes | bytearray | memoryview) -> bool:
        """This view's state, or a plain splitter state saved before the view saved its layout."""
        raw = bytes(state.data()) if isinstance(state, QByteArray) else bytes(state)
        if not raw.startswith(LAYOUT_TAG):
            return super().restoreState(QByteArray(raw))
        try:
            saved: dict[str, Any] = json.loads(raw[len(LAYOUT_TAG) :])
            self.chosen = {str(k): [int(n) for n in v] for k, v in dict(saved.get("sizes") or {}).items()}
            self.table.show_columns([str(c) for c in saved.get("columns") or []])
            self.restored = [int(n) for n in saved.get("now") or []]
            return super().restoreState(QByteArray.fromBase64(QByteArray(str(saved["qt"]).encode())))
        except (ValueError, KeyError, TypeError):
            return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.restored and sum(self.sizes()) == sum(self.restored):
            self.setSizes(self.restored)
            self.restored = []  # once: the user's resizes after that are theirs

    def turn(self, orientation: Qt.Orientation, default: list[int]) -> None:
        """Lay the two out the other way, at the sizes the user left them that way (or `default`)."""
        self.restored = []
        self.setOrientation(orientation)
        self.setSizes(self.chosen.get(str(orientation.name), default))


class ResultsView(QWidget):
    mode_changed = Signal(str)  # "table" or "gallery", to be remembered
    start_requested = Signal()  # the empty state's button: go to the Ad Analysis view
    loaded = Signal()  # rows applied after a reload
    cleared = Signal()  # every filter was cleared (the board filter clears itself too)

    def __init__(self, results: ResultStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.model = ResultsModel()
        self.proxy = ResultsFilter()
        self.proxy.setSourceModel(self.model)
        self.detail = ResultDetail()
        self.mode = "table"
        self._loading = self._again = False
        self._reads = self._shown_read = 0  # reads of the rows started, and the newest one shown (see reload)

        left = self.list_pane = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(self._top_bar())
        left_layout.addLayout(self._filters())
        self.board_row = QHBoxLayout()  # the board and tag filter (ui/results_boards.py)
        left_layout.addLayout(self.board_row)
        left_layout.addWidget(self._pages(), 1)
        left_layout.addLayout(self._exports())
        splitter = self.splitter = LayoutSplitter(self.table)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setSizes([560, 420])
        splitter.setCollapsible(0, False)  # the list never goes; the detail may be dragged shut
        for n in (0, 1):  # a narrower window narrows both sides, not the detail alone
            splitter.setStretchFactor(n, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        proxy = self.proxy
        for signal in (proxy.rowsInserted, proxy.rowsRemoved, proxy.modelReset, proxy.layoutChanged):
            signal.connect(self._show_state)
        self._show_state()

        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.reload)

    def _top_bar(self) -> QHBoxLayout:
        """Table | Gallery, then the search box."""
        self.mode_buttons = QButtonGroup(self)
        bar = QHBoxLayout()
        bar.setSpacing(0)
        for n, mode in enumerate(MODES):
            button = QToolButton()
            button.setText(mode.title())
            button.setCheckable(True)
            button.setChecked(n == 0)
            button.setAccessibleName(f"Show as {mode}")
            button.setToolTip(f"Show the ads as a {mode}")
            self.mode_buttons.addButton(button, n)
            bar.addWidget(button)
        self.mode_buttons.idClicked.connect(lambda n: self.set_mode(MODES[n]))
        self.columns_button = QPushButton("Columns")
        self.columns_button.setToolTip("Choose the table's columns")
        columns = QMenu(self.columns_button)  # filled as it opens, with the columns shown now
        columns.aboutToShow.connect(lambda: self.table.fill_columns_menu(columns))
        self.columns_button.setMenu(columns)
        bar.addWidget(self.columns_button)
        bar.addSpacing(8)
        self.search = QLineEdit(placeholderText="Filter by page, ad, hook, CTA, offer  (Ctrl+F)")
        self.search.setAccessibleName("Filter results")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.update(text=text))
        bar.addWidget(self.search, 1)
        return bar

    def _filters(self) -> QHBoxLayout:
        """Hook type, CTA, offer, minimum overall score and job."""
        self.hook = self._combo("Any hook", "hook")
        self.cta = self._combo("Any CTA", "cta")
        self.offer = QComboBox()
        self.offer.addItems(["Any offer", "With an offer", "Without an offer"])
        self.offer.currentIndexChanged.connect(lambda i: self.proxy.update(offer=["", "with", "without"][i]))
        self.job = self._combo("Any job", "job_id")
        self.min_score = QSpinBox(minimum=1, maximum=5, prefix="Overall ≥ ")
        self.min_score.valueChanged.connect(lambda v: self.proxy.update(min_score=v))
        filters = QHBoxLayout()
        for widget in (self.hook, self.cta, self.offer, self.min_score, self.job):
            if isinstance(widget, QComboBox):  # shrinkable, so a narrow window still leaves room for the detail
                widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                widget.setMinimumContentsLength(4)
            filters.addWidget(widget)
        return filters

    def _pages(self) -> QStackedWidget:
        """The table, the gallery (sharing the table's selection) and the empty state, one shown at a time."""
        self.table = ResultsTable(self.proxy)
        self.gallery = ResultsGallery(self.proxy, self.table.selectionModel())
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        for view in (self.table, self.gallery):
            view.doubleClicked.connect(self._open)
        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.setObjectName("EmptyState")
        self.empty_action = QPushButton()
        self.empty_action.clicked.connect(self._empty_clicked)
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty)
        empty_layout.addWidget(self.empty_action, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.pages = QStackedWidget()
        for page in (self.table, self.gallery, empty_page):
            self.pages.addWidget(page)
        return self.pages

    def _exports(self) -> QHBoxLayout:
        """The row count, and the export buttons."""
        self.count = QLabel()
        self.count.setObjectName("Muted")
        export = QHBoxLayout()
        export.addWidget(self.count, 1)
        for label, kind in (("Export CSV", "csv"), ("Export JSON", "json"), ("Export report", "md")):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, k=kind: self.export(k))
            export.addWidget(button)
        return export

    def _combo(self, any_label: str, field: str) -> QComboBox:
        combo = filter_combo(any_label)
        combo.currentIndexChanged.connect(lambda _: self.proxy.update(**{field: combo.currentData() or ""}))
        return combo

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Narrow (an 800 px window, a half screen), the detail goes under the ads instead of beside them, where
        it would be too thin to read; wide again, back beside them. Each way first at the split the user left
        it at, else: stacked, the list gets its filters and one whole row of cards; beside, 57% of the width."""
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW_PX
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            total = event.size().height() if narrow else event.size().width()
            chrome = self.list_pane.minimumSizeHint().height() - self.pages.minimumSizeHint().height()
            first = chrome + self.gallery.row_height() + 4 if narrow else int(total * 0.57)
            self.splitter.turn(wanted, [first, max(1, total - first)])
        self.splitter.setStretchFactor(0, 0 if narrow else 1)  # stacked, a taller window grows the detail
        self.detail.set_compact(narrow)

    # ---- table or gallery, and the empty states ------------------------------------------------

    def set_mode(self, mode: str) -> None:
        """Show the ads as a table or as cards; the selection and filters stay."""
        self.mode = mode if mode in MODES else "table"
        button = self.mode_buttons.button(MODES.index(self.mode))
        if button is not None:
            button.setChecked(True)
        self._show_state()
        self.current_view().scrollTo(self.table.currentIndex())
        self.mode_changed.emit(self.mode)

    def current_view(self) -> QAbstractItemView:
        return self.gallery if self.mode == "gallery" else self.table

    def _show_state(self) -> None:
        """The chosen view, or why it would be empty: nothing analysed yet, or filters that hide everything."""
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.columns_button.setVisible(self.mode == "table")
        if total and shown:
            self.pages.setCurrentIndex(MODES.index(self.mode))
        else:
            nothing_yet = total == 0 and not self.proxy.filtering()
            self.empty.setText(NO_ADS if nothing_yet else NO_MATCH)
            self.empty_action.setText("Go to Ad Analysis" if nothing_yet else "Clear filters")
            self.pages.setCurrentIndex(len(MODES))
        ads = f"{total} analysed ad video{'s' if total != 1 else ''}"
        self.count.setText(ads if shown == total else f"{shown} of {ads} shown")

    def _empty_clicked(self) -> None:
        if self.empty_action.text() == "Clear filters":
            self.clear_filters()
        else:
            self.start_requested.emit()

    def clear_filters(self) -> None:
        self.search.clear()
        for combo in (self.hook, self.cta, self.offer, self.job):
            combo.setCurrentIndex(0)
        self.min_score.setValue(1)
        self.cleared.emit()

    # ---- loading -------------------------------------------------------------------------------

    def refresh_soon(self) -> None:
        """Coalesce bursts (an ad finishing every second) into one reload, on a pool thread."""
        self._refresh_timer.start()

    def reload(self) -> None:
        """Load the rows on a pool thread; `loaded` fires once they are shown."""
        if self._loading:
            self._again = True  # newer rows arrived while loading: load once more afterwards
            return
        self._loading = True
        self._reads += 1
        read = self._reads
        run_in_background(self.results.summaries, lambda rows: self._reloaded(read, rows), self._reload_failed, self)

    def _reloaded(self, read: int, rows: list[ResultSummary]) -> None:
        self._loading = False
        if read > self._shown_read:  # a refresh() read newer rows while this load ran: those stay
            self._shown_read = read
            self.apply(rows)
        if self._again:
            self._again = False
            self.reload()

    def _reload_failed(self, error: BaseException) -> None:
        self._loading = False
        log.warning("results could not be loaded: %r", error)

    def refresh(self) -> None:
        """Load and show the rows now (start-up, tests, and an ad asked for that is not loaded yet)."""
        self._reads += 1
        self._shown_read = self._reads
        self.apply(self.results.summaries())

    def apply(self, rows: list[ResultSummary]) -> None:
        """Show these rows, keeping the selected ad selected."""
        current = self.table.currentIndex()
        kept = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.model.set_rows(rows)
        self.gallery.thumbnails.forget()  # a poster missing before may exist now
        for combo, values in (
            (self.hook, {r.hook_type: readable(r.hook_type) for r in rows}),
            (self.cta, {r.cta_type: readable(r.cta_type) for r in rows}),
        ):
            set_choices(combo, sorted(values.items(), key=lambda kv: kv[1]))
        set_choices(
            self.job, list({r.job_id: r.job_label or "A job" for r in rows if r.job_id}.items())
        )  # newest first
        if isinstance(kept, ResultSummary):
            self._select(self.proxy.mapFromSource(self.model.reveal(kept.analysis_id)))
        self._show_state()
        self.loaded.emit()

    # ---- selection -----------------------------------------------------------------------------

    def show_analysis(self, analysis_id: int) -> bool:
        """Select one analysed ad (a Dashboard click, a Chat citation), clearing filters that hide it."""
        index = self.model.reveal(analysis_id)
        if not index.isValid():
            self.refresh()  # it may be newer than the rows loaded
            index = self.model.reveal(analysis_id)
        if not index.isValid():
            return False
        if not self.proxy.mapFromSource(index).isValid():
            self.clear_filters()
        self._select(self.proxy.mapFromSource(index))
        return True

    def _select(self, shown: QModelIndex) -> None:
        if not shown.isValid():
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(shown, flags)
        self.current_view().scrollTo(shown)

    def _selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        summary = self.proxy.data(current, Qt.ItemDataRole.UserRole)
        shown = self.detail.result
        if summary is None or (shown is not None and shown.analysis_id == summary.analysis_id):
            return  # the same ad after a reload: the detail (and its player) stays as it is
        result = self.results.result(summary.analysis_id)
        if result is not None:
            self.detail.show_result(result)

    def _open(self, index: QModelIndex) -> None:
        """A double-click: the ad in the detail pane, opened again if the splitter had closed it."""
        self._selected(index, QModelIndex())
        sizes = self.splitter.sizes()
        if sizes[1] == 0:
            self.splitter.setSizes([sizes[0] // 2, sizes[0] - sizes[0] // 2])

    # ---- exports -------------------------------------------------------------------------------

    def visible_results(self) -> list[AdResult]:
        """The selected ads, or every ad the filters let through, in the order shown."""
        rows = {i.row() for i in self.table.selectionModel().selectedIndexes()} or set(range(self.proxy.rowCount()))
        ids = [self.proxy.data(self.proxy.index(r, 0), Qt.ItemDataRole.UserRole).analysis_id for r in sorted(rows)]
        return self.results.results_by_id(ids)

    def export(self, kind: str, path: str | None = None) -> Path | None:
        if path is None:
            filters = {"csv": "CSV (*.csv)", "json": "JSON (*.json)", "md": "Markdown (*.md)"}
            path, _ = QFileDialog.getSaveFileName(self, "Export results", f"ad-analysis.{kind}", filters[kind])
            if not path:
                return None
        rows = self.visible_results()
        target = Path(path)
        with target.open("w", encoding="utf-8", newline="") as out:
            if kind == "csv":
                write_readable_csv(rows, out)
            elif kind == "json":
                json.dump([result_dict(r) for r in rows], out, indent=2)
            else:
                out.write(markdown_report(rows))
        return target
