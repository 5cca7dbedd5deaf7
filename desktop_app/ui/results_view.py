"""Results: every analysed ad in a sortable, filterable table that fills while jobs run
(ui/results_table.py), a detail pane for the selected one (ui/result_detail.py), and exports of the rows
shown or selected (CSV, JSON, a Markdown report)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.export import markdown_report, result_dict, write_csv
from desktop_app.core.results import AdResult, ResultStore
from desktop_app.ui.filter_combo import filter_combo, set_choices
from desktop_app.ui.result_detail import ResultDetail
from desktop_app.ui.results_table import ResultsFilter, ResultsModel


class ResultsView(QWidget):
    def __init__(self, results: ResultStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.model = ResultsModel()
        self.proxy = ResultsFilter()
        self.proxy.setSourceModel(self.model)
        self.detail = ResultDetail()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._search_box())
        left_layout.addLayout(self._filters())
        left_layout.addWidget(self._table(), 1)
        left_layout.addLayout(self._exports())
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setSizes([560, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.refresh)

    def _search_box(self) -> QLineEdit:
        self.search = QLineEdit(placeholderText="Filter by page, ad, hook, CTA, offer  (Ctrl+F)")
        self.search.setAccessibleName("Filter results")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.update(text=text))
        return self.search

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
            filters.addWidget(widget)
        return filters

    def _table(self) -> QTableView:
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName("Analysed ads")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        return self.table

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

    def refresh_soon(self) -> None:
        """Coalesce bursts (an ad finishing every second) into one reload."""
        self._refresh_timer.start()

    def refresh(self) -> None:
        rows = self.results.summaries()
        self.model.set_rows(rows)
        jobs = {r.job_id: f"Job {r.job_id[:8]}" for r in rows if r.job_id}
        for combo, values in (
            (self.hook, {r.hook_type: r.hook_type.replace("_", " ") for r in rows}),
            (self.cta, {r.cta_type: r.cta_type.replace("_", " ") for r in rows}),
            (self.job, jobs),
        ):
            set_choices(combo, sorted(values.items(), key=lambda kv: kv[1]))
        self.count.setText(f"{len(rows)} analysed ad video(s)")

    def show_analysis(self, analysis_id: int) -> bool:
        """Select one analysed ad (a Dashboard click, a Chat citation), clearing filters that hide it."""
        index = self.model.reveal(analysis_id)
        if not index.isValid():
            self.refresh()  # it may be newer than the table
            index = self.model.reveal(analysis_id)
        if not index.isValid():
            return False
        if not self.proxy.mapFromSource(index).isValid():
            self.search.clear()
            for combo in (self.hook, self.cta, self.offer, self.job):
                combo.setCurrentIndex(0)
            self.min_score.setValue(1)
        shown = self.proxy.mapFromSource(index)
        self.table.selectRow(shown.row())
        self.table.scrollTo(shown)
        return True

    def _selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        summary = self.proxy.data(current, Qt.ItemDataRole.UserRole)
        result = self.results.result(summary.analysis_id) if summary else None
        if result is not None:
            self.detail.show_result(result)

    def visible_results(self) -> list[AdResult]:
        """The selected rows, or every row the filters let through."""
        rows = {i.row() for i in self.table.selectionModel().selectedRows()} or set(range(self.proxy.rowCount()))
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
                write_csv(rows, out)
            elif kind == "json":
                json.dump([result_dict(r) for r in rows], out, indent=2)
            else:
                out.write(markdown_report(rows))
        return target
