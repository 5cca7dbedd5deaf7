"""The Ad Analysis view: pick a source, Start Analysis, watch JobProgress cards, browse history."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.composition import AppServices
from desktop_app.core.ad_names import ad_name
from desktop_app.core.job_details import technical_details
from desktop_app.core.source_rules import country_problem, is_ad_id, url_list_problems
from desktop_app.core.stages import StageInfo
from desktop_app.core.types import META_COVERAGE_NOTE, ItemStatus, Job, JobStatus, SourceError, SourceSpec
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.job_progress import JobProgress
from desktop_app.ui.jobs_model import RETRY_COLUMN, JobsModel
from desktop_app.ui.style import RED


class SourcePicker(QTabWidget):
    """The four sources: bundled samples, a Meta Ad Library search, URLs, a folder of videos."""

    def __init__(self, default_countries: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        sample = QLabel(
            "Seven short ads bundled with the app. They work offline: a good first run to see what the "
            "analysis gives you."
        )
        sample.setWordWrap(True)
        sample.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        sample.setMargin(8)
        self.addTab(sample, "Sample ads")

        meta = QWidget()
        form = QFormLayout(meta)
        self.terms = QLineEdit(placeholderText="e.g. meal kit")
        self.terms.setAccessibleName("Search terms")
        self.page_ids = QLineEdit(placeholderText="optional, up to 10, separated by commas")
        self.page_ids.setAccessibleName("Page ids")
        self.countries = QLineEdit(", ".join(default_countries))
        self.countries.setAccessibleName("Countries")
        self.max_ads = QSpinBox(minimum=1, maximum=5000, value=100)
        self.max_ads.setAccessibleName("Maximum number of ads")
        note = QLabel(META_COVERAGE_NOTE)
        note.setWordWrap(True)
        note.setObjectName("Muted")
        form.addRow("Search terms", self.terms)
        form.addRow("Page ids", self.page_ids)
        form.addRow("Countries", self.countries)
        form.addRow("", note)
        form.addRow("At most", self.max_ads)
        self.addTab(meta, "Meta Ad Library")

        self.urls = QPlainTextEdit(
            placeholderText="One per line: Ad Library URLs or ids, video links, pages with a video"
        )
        self.urls.setAccessibleName("URLs")
        self.urls.textChanged.connect(lambda: self.urls.setExtraSelections([]))  # marks go once edited
        self.addTab(self.urls, "URLs")

        folder = QWidget()
        row = QHBoxLayout(folder)
        self.folder = QLineEdit(placeholderText="A folder of video files")
        self.folder.setAccessibleName("Folder")
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.addTab(folder, "Folder")

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder of ad videos")
        if chosen:
            self.folder.setText(chosen)

    def _url_source(self) -> SourceSpec:
        """The URL list; bad lines are marked in red and named by number."""
        lines = self.urls.toPlainText().splitlines()
        problems = url_list_problems(lines)
        self._mark_lines([number for number, _ in problems])
        if problems:
            more = f" (and {len(problems) - 1} more marked in red)" if len(problems) > 1 else ""
            raise SourceError(problems[0][1] + more)
        urls = [u.strip() for u in lines if u.strip() and not u.strip().startswith("#")]
        return SourceSpec("urls", {"urls": urls})

    def _mark_lines(self, numbers: Sequence[int]) -> None:
        marks = []
        for number in numbers:
            look = QTextCharFormat()
            look.setBackground(QColor(RED).lighter(170))
            look.setProperty(QTextFormat.Property.FullWidthSelection, True)
            mark = QTextEdit.ExtraSelection()
            mark.format = look
            mark.cursor = QTextCursor(self.urls.document().findBlockByNumber(number - 1))
            marks.append(mark)
        self.urls.setExtraSelections(marks)

    def source(self) -> SourceSpec:
        """The picked source; raises SourceError with a message for the user."""
        index = self.currentIndex()
        if index == 0:
            return SourceSpec("sample")
        if index == 1:
            countries = [c.strip().upper() for c in self.countries.text().replace(";", ",").split(",") if c.strip()]
            page_ids = [p.strip() for p in self.page_ids.text().split(",") if p.strip()]
            if any(not is_ad_id(p) for p in page_ids):
                raise SourceError("Page ids are numbers (digits 0-9), separated by commas")
            for code in countries:
                if problem := country_problem(code):
                    raise SourceError(f"Countries: {problem}")
            params = {
                "terms": self.terms.text().strip(),
                "page_ids": page_ids,
                "countries": countries,
                "max_ads": self.max_ads.value(),
            }
            return SourceSpec("meta_search", params)
        if index == 2:
            return self._url_source()
        path = self.folder.text().strip()
        if not path:
            raise SourceError("Choose a folder of videos")
        return SourceSpec("folder", {"path": path})


class AnalysisView(QWidget):
    """Starts jobs and shows them. Talks to the job service on the UI thread (short DB calls only)."""

    settings_requested = Signal(str)
    results_requested = Signal(str)  # a job id: show its analysed ads
    job_started = Signal(str)

    def __init__(
        self,
        services: AppServices,
        jobs: JobsModel,
        stages: Sequence[StageInfo],
        durations: dict[str, float],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.jobs = jobs
        self.stages = stages
        self.durations = durations
        self.cards: dict[str, JobProgress] = {}

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_notices())
        self.picker = SourcePicker(services.settings.default_countries)
        self.picker.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.picker.setMaximumHeight(230)
        layout.addWidget(self.picker)
        layout.addLayout(self._build_start_row())
        layout.addWidget(self.error)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._build_cards())
        splitter.addWidget(self._build_history(jobs))
        splitter.setSizes([320, 220])
        layout.addWidget(splitter, 1)

        jobs.job_changed.connect(self.on_job_changed)
        for signal in (jobs.modelReset, jobs.rowsInserted, jobs.rowsRemoved, jobs.dataChanged):
            signal.connect(self._sync_history)
        self._sync_history()

    # ---- building -----------------------------------------------------------------------------

    def _build_notices(self) -> QLabel:
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.notice = QLabel()
        self.notice.setObjectName("Banner")
        self.notice.setWordWrap(True)
        self.notice.hide()
        return self.notice

    def _build_start_row(self) -> QHBoxLayout:
        self.reanalyse = QCheckBox("Analyse again ads analysed before")
        self.start_button = QPushButton("Start Analysis")
        self.start_button.setDefault(True)
        self.start_button.setAccessibleName("Start Analysis")
        self.start_button.setToolTip("Start Analysis (Ctrl+Enter)")
        self.start_button.clicked.connect(self.start)
        start_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        start_shortcut.activated.connect(self.start)
        start_row = QHBoxLayout()
        start_row.addWidget(self.reanalyse)
        start_row.addStretch(1)
        start_row.addWidget(self.start_button)
        return start_row

    def _build_cards(self) -> QScrollArea:
        self.cards_box = QVBoxLayout()
        self.cards_box.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.empty = QLabel("No analyses yet. Pick a source and click Start Analysis: the sample ads work offline.")
        self.empty.setObjectName("EmptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cards_box.addWidget(self.empty)
        cards_widget = QWidget()
        cards_widget.setLayout(self.cards_box)
        self.cards_scroll = QScrollArea()
        self.cards_scroll.setWidgetResizable(True)
        self.cards_scroll.setWidget(cards_widget)
        return self.cards_scroll

    def _build_history(self, jobs: JobsModel) -> QWidget:
        self.history = QTableView()
        self.history.setModel(jobs)
        self.history.setAccessibleName("Job history")
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(RETRY_COLUMN, QHeaderView.ResizeMode.Fixed)  # wide enough for its Retry button
        header.resizeSection(RETRY_COLUMN, QPushButton("Retry").sizeHint().width() + 8)
        self.history_label = QLabel("Loading history...")
        self.history_label.setObjectName("Muted")
        self.history_box = history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addWidget(self.history_label)
        history_layout.addWidget(self.history)
        return history_box

    # ---- starting -----------------------------------------------------------------------------

    def start(self) -> None:
        """The spec's 202: the job is stored and its card shown in this same event-loop turn."""
        try:
            source = self.picker.source()
            if self.reanalyse.isChecked():
                source = SourceSpec(source.kind, {**source.params, "reanalyse": True})
            started = self.services.service.start_analysis(source)
        except SourceError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self.jobs.apply(started.job)
        card = self.show_job(started.job)
        if not started.created:
            status = started.job.status.value
            self.flash(f"This analysis is already {status}: showing it instead of starting it twice.")
        self.cards_scroll.ensureWidgetVisible(card)
        self.job_started.emit(started.job_id)

    def flash(self, text: str, ms: int = 6000, failed: bool = False) -> None:
        """A banner over the view for a while; red when something failed, so it is not read as good news."""
        self.notice.setObjectName("FailureBanner" if failed else "Banner")
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.setText(text)
        self.notice.show()
        QTimer.singleShot(ms, self.notice.hide)

    # ---- cards --------------------------------------------------------------------------------

    def show_job(self, job: Job) -> JobProgress:
        card = self.cards.get(job.job_id)
        if card is None:
            card = JobProgress(job, self.stages, self.durations)
            card.cancel_requested.connect(self.services.service.cancel)
            card.retry_requested.connect(self.retry)
            card.close_requested.connect(self.close_card)
            card.settings_requested.connect(self.settings_requested)
            card.results_requested.connect(self.results_requested)
            card.details_requested.connect(self._load_details)
            self.cards_box.insertWidget(0, card)
            card.show()  # now, not on the next turn as a layout would
            self.cards[job.job_id] = card
            self.empty.hide()
        else:
            card.show_job(job)
        return card

    def on_job_changed(self, job: Job) -> None:
        """Every job update reaches the view here, from the jobs model: no database reads."""
        card = self.cards.get(job.job_id)
        ended = card is not None and card.job.status.is_active and not job.status.is_active
        if card is not None or job.status.is_active:
            self.show_job(job)
        if ended:
            self._show_failed_ads(job)

    def _show_failed_ads(self, job: Job) -> None:
        """Name the ads that failed (once, when the job ends), read on a pool thread."""

        def failed() -> list[tuple[str, str]]:
            items = self.services.service.items(job.job_id)
            return [(ad_name(i.key, i.data.get("ad")), i.reason or "") for i in items if i.status == ItemStatus.FAILED]

        def show(ads: list[tuple[str, str]]) -> None:
            card = self.cards.get(job.job_id)
            if card is not None:
                card.set_failed_ads(ads)

        run_in_background(failed, show, lambda _error: None, self)

    def _load_details(self, job_id: str) -> None:
        """The technical details behind a card's problems, read on a pool thread."""
        service, logs = self.services.service, self.services.paths.logs

        def read() -> str:
            job = service.status(job_id)
            return technical_details(job, service.items(job_id), service.events(job_id), logs)

        def show(text: str) -> None:
            card = self.cards.get(job_id)
            if card is not None:
                card.set_technical_details(text)

        run_in_background(read, show, lambda _error: show(f"The details could not be read; see {logs}."), self)

    def retry(self, job_id: str) -> None:
        queued = self.services.service.retry(job_id)
        job = self.jobs.job(queued)
        if job is not None:
            self.show_job(job)

    def close_card(self, job_id: str) -> None:
        card = self.cards.pop(job_id, None)
        if card is not None:
            card.deleteLater()
        self.empty.setVisible(not self.cards and self.jobs.rowCount() == 0)

    # ---- history ------------------------------------------------------------------------------

    def _sync_history(self, *_args: object) -> None:
        """Retry buttons on failed and cancelled rows; the rows themselves come from the jobs model."""
        for row, job in enumerate(self.jobs.jobs()):
            index = self.jobs.index(row, RETRY_COLUMN)
            wanted = job.status in (JobStatus.FAILED, JobStatus.CANCELLED)
            button = self.history.indexWidget(index)
            if wanted and button is None:
                button = QPushButton("Retry")
                button.setAccessibleName(f"Retry {job.source.describe()}")
                button.clicked.connect(lambda _=False, j=job.job_id: self.retry(j))
                self.history.setIndexWidget(index, button)
            elif not wanted and button is not None:
                self.history.setIndexWidget(index, None)  # type: ignore[arg-type]
        self.history_label.setText("Recent analyses")
        self.history_box.setVisible(self.jobs.rowCount() > 0)  # before any, the cards' own hint says what to do
