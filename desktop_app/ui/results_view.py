"""Results: every analysed ad in a sortable, filterable table that fills while jobs run, and a detail
pane with the video, the timed transcript (click a line to seek), every analysis field with its
evidence, and scores as colour bands."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.export import markdown_report, result_dict, write_csv
from desktop_app.core.results import AdResult, ResultStore, ResultSummary
from desktop_app.ui.filter_combo import filter_combo, set_choices
from desktop_app.ui.style import GREEN, RED, YELLOW

COLUMNS = ("Page", "Ad", "Hook", "CTA", "Offer", "Overall", "Hook score", "Running since", "Analyser")
CHUNK = 500
Index = QModelIndex | QPersistentModelIndex


def band(score: int | None) -> str:
    if score is None:
        return "#9e9e9e"
    return GREEN if score >= 4 else YELLOW if score == 3 else RED


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
                row.ad_id,
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
            haystack = " ".join((row.page_name, row.ad_id, row.hook_type, row.cta_type, *row.offer_types)).lower()
            return self.text.lower() in haystack
        return True


class ResultDetail(QWidget):
    """One ad: video, transcript with timestamps, analysis fields with evidence, score bands."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: AdResult | None = None
        self._player: Any = None
        self._pending_seek: int | None = None
        self.header = QLabel("Select an ad to see its analysis.")
        self.header.setWordWrap(True)
        self.header.setOpenExternalLinks(True)
        self.video_box = QVBoxLayout()
        self.play_button = QPushButton("Play video")
        self.play_button.setAccessibleName("Play or pause the ad video")
        self.play_button.clicked.connect(self.toggle_play)
        self.play_button.hide()
        self.transcript = QListWidget()
        self.transcript.setAccessibleName("Transcript")
        self.transcript.itemClicked.connect(self._seek)
        self.analysis = QTextBrowser()
        self.analysis.setAccessibleName("Analysis")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.transcript)
        split.addWidget(self.analysis)
        split.setSizes([160, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self.video_box)
        layout.addWidget(self.play_button)
        layout.addWidget(split, 1)

    def show_result(self, result: AdResult) -> None:
        self.result = result
        a = result.analysis
        link = f" · <a href='{result.library_url}'>Ad Library</a>" if result.library_url else ""
        self.header.setText(
            f"<h3>{html.escape(result.page_name or result.ad_id)}</h3>"
            f"Ad {html.escape(result.ad_id)}{link} · analysed by {html.escape(result.analyser)}"
        )
        self.transcript.clear()
        hook_end = (a.get("hook") or {}).get("end_s")
        for seg in result.segments:
            item = QListWidgetItem(f"[{_clock(seg['start'])}] {seg['text']}")
            item.setData(Qt.ItemDataRole.UserRole, float(seg["start"]))
            if seg["start"] < 3.0 or (hook_end is not None and seg["start"] < hook_end):
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                item.setToolTip("The hook: spoken in the first seconds")
            self.transcript.addItem(item)
        if not result.segments:
            self.transcript.addItem("(no speech in this video)")
        self.analysis.setHtml(analysis_html(a))
        self._load_video(result.video_path)

    def _load_video(self, path: str | None) -> None:
        if not path or not Path(path).exists():
            self.play_button.hide()
            return
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
            from PySide6.QtMultimediaWidgets import QVideoWidget

            self._player = QMediaPlayer(self)
            self._player.mediaStatusChanged.connect(self._on_media_status)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            self._video = QVideoWidget(self)
            self._video.setMinimumHeight(180)
            self._player.setVideoOutput(self._video)
            self.video_box.addWidget(self._video)
        self._player.stop()
        self._player.setSource(QUrl.fromLocalFile(path))
        self.play_button.setText("Play video")
        self.play_button.show()

    def toggle_play(self) -> None:
        if self._player is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer

        if self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self._player.pause()
            self.play_button.setText("Play video")
        else:
            self._player.play()
            self.play_button.setText("Pause")

    def _seek(self, item: QListWidgetItem) -> None:
        start = item.data(Qt.ItemDataRole.UserRole)
        if self._player is None or start is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer

        position = int(float(start) * 1000)
        if self._player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadingMedia, QMediaPlayer.MediaStatus.NoMedia):
            self._pending_seek = position  # applied once the file has loaded
        else:
            self._player.setPosition(position)
        self._player.play()
        self.play_button.setText("Pause")

    def _on_media_status(self, status: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._pending_seek is not None and status == QMediaPlayer.MediaStatus.LoadedMedia:
            self._player.setPosition(self._pending_seek)
            self._pending_seek = None


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _evidence(items: list[dict[str, Any]]) -> str:
    quotes = []
    for e in items or []:
        at = f" at {_clock(e['timestamp_s'])}" if e.get("timestamp_s") is not None else ""
        quotes.append(f"<i>“{html.escape(e['quote'])}”</i> <small>({e['source'].replace('_', ' ')}{at})</small>")
    return "<br>".join(quotes)


def analysis_html(a: dict[str, Any]) -> str:
    """The analysis as a readable page: summary, scores as bands, then every field with evidence."""
    scores = a["scores"]
    rows = []
    for key, label in (
        ("overall", "Overall"),
        ("hook_strength", "Hook"),
        ("clarity", "Clarity"),
        ("value_prop", "Value proposition"),
        ("offer_strength", "Offer"),
        ("cta_strength", "Call to action"),
        ("emotional_pull", "Emotional pull"),
    ):
        score = scores.get(key)
        value = score["score"] if score else None
        shown = f"{value}/5" if value else "n/a"
        rationale = html.escape(score["rationale"]) if score else "No offer in this ad."
        rows.append(
            f"<tr><td>{label}</td><td style='background:{band(value)};color:white;padding:2px 8px;"
            f"text-align:center'><b>{shown}</b></td><td>{rationale}</td></tr>"
        )
    hook, cta, offer = a["hook"], a["cta"], a["offer"]
    parts = [
        f"<p>{html.escape(a['summary'])}</p>",
        "<table cellspacing='4'>" + "".join(rows) + "</table>",
        f"<p><small>Confidence: {scores['confidence']}. Limitations: {html.escape(', '.join(scores['limitations']))}"
        "</small></p>",
        f"<h4>Hook: {hook['type'].replace('_', ' ')}</h4><p>{html.escape(hook['text'] or '-')}"
        f" <small>({'within' if hook['within_first_3s'] else 'after'} the first 3 s, {hook['modality']})</small></p>"
        + _evidence(hook["evidence"]),
        f"<h4>Call to action: {cta['type'].replace('_', ' ')}</h4><p>{html.escape(cta['text'] or 'none')}"
        + (" <b>(urgent)</b>" if cta["urgency"] else "")
        + "</p>",
        f"<h4>Offer</h4><p>{html.escape(', '.join(offer['types']) or 'none')}</p>" + _evidence(offer["evidence"]),
        f"<h4>Audience</h4><p>{html.escape(a['target_audience']['persona'] or 'not stated')}"
        f" · {a['target_audience']['awareness_level'].replace('_', ' ')}</p>",
        f"<h4>Angle</h4><p>{a['messaging_angle']['primary'].replace('_', ' ')}"
        f" ({a['messaging_angle']['narrative_framework']})</p>",
        "<h4>Pain points</h4>"
        + ("".join(f"<p>{html.escape(p['pain'])}</p>" for p in a["pain_points"]) or "<p>none found</p>"),
        f"<h4>Tone</h4><p>{html.escape(a['tone']['primary'])} {html.escape(', '.join(a['tone']['descriptors']))}</p>",
        "<h4>Recommendations</h4>"
        + (
            "".join(
                f"<p><b>{html.escape(r['area'])}</b>: {html.escape(r['suggestion'])}</p>" for r in a["recommendations"]
            )
            or "<p>none</p>"
        ),
    ]
    return "".join(parts)


class ResultsView(QWidget):
    def __init__(self, results: ResultStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.model = ResultsModel()
        self.proxy = ResultsFilter()
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit(placeholderText="Filter by page, ad, hook, CTA, offer  (Ctrl+F)")
        self.search.setAccessibleName("Filter results")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.update(text=text))
        self.hook = self._combo("Any hook", "hook")
        self.cta = self._combo("Any CTA", "cta")
        self.offer = QComboBox()
        self.offer.addItems(["Any offer", "With an offer", "Without an offer"])
        self.offer.currentIndexChanged.connect(lambda i: self.proxy.update(offer=["", "with", "without"][i]))
        self.job = self._combo("Any job", "job_id")
        self.min_score = QSpinBox(minimum=1, maximum=5, prefix="Overall ≥ ")
        self.min_score.valueChanged.connect(lambda v: self.proxy.update(min_score=v))
        self.count = QLabel()
        self.count.setObjectName("Muted")

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName("Analysed ads")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.detail = ResultDetail()

        export = QHBoxLayout()
        export.addWidget(self.count, 1)
        for label, kind in (("Export CSV", "csv"), ("Export JSON", "json"), ("Export report", "md")):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, k=kind: self.export(k))
            export.addWidget(button)

        filters = QHBoxLayout()
        for widget in (self.hook, self.cta, self.offer, self.min_score, self.job):
            filters.addWidget(widget)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(export)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setSizes([560, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.refresh)

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
