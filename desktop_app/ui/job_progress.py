"""JobProgress: one job's live card, as the spec describes it.

A progress bar coloured by state, a status icon, the stage and message, a per-stage breakdown, the job
id, start time, a live duration and time left, Cancel (confirmed) while running, Close once finished,
Retry and error details when failed, and the result summary when complete. Updates are coalesced:
the card repaints at most ~10 times per second whatever the rate of signals."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QEasingCurve, QPropertyAnimation, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.estimates import seconds_left, time_weighted
from desktop_app.core.stages import StageInfo
from desktop_app.core.types import Job, JobStatus
from desktop_app.ui.style import status_color, status_icon

REPAINT_INTERVAL_MS = 100
SHORT = {  # the breakdown's word per stage key; others show the first word of their label
    "resolve": "Video URLs",
    "analyse": "Analysing",
    "finalise": "Finalising",
}
BAR_SCALE = 10  # the bar counts tenths of a percent, so it moves smoothly


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class JobProgress(QFrame):
    """The card of one job. Feed it snapshots with `show_job`; it asks for actions through signals."""

    cancel_requested = Signal(str)
    retry_requested = Signal(str)
    close_requested = Signal(str)
    results_requested = Signal(str)  # "Show results": the job's analysed ads, in Results
    details_requested = Signal(str)  # the technical details were opened: feed them with set_technical_details
    settings_requested = Signal(str)  # the settings field to open

    def __init__(
        self,
        job: Job,
        stages: Sequence[StageInfo],
        durations: dict[str, float] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("JobProgress")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.stages = list(stages)
        self.durations = durations or {}
        self.job = job
        self.repaints = 0
        self._pending: Job | None = None
        self._stage_started: float | None = None
        self._last_apply = 0.0
        self._failed_ads: list[tuple[str, str]] = []
        self._shown_max = 0.0

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.details)
        layout.addWidget(self.technical)
        layout.addLayout(self._build_buttons())

        self._animation = QPropertyAnimation(self.bar, b"value", self)
        self._animation.setDuration(250)
        self._animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._coalesce = QTimer(self, singleShot=True)
        self._coalesce.timeout.connect(self._apply_pending)
        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self._update_timing)
        self._apply(job)

    # ---- building -----------------------------------------------------------------------------

    def _build_header(self) -> QHBoxLayout:
        """The icon, title and timing row, and the labels below it (bar, message, breakdown, details)."""
        self.icon = QLabel()
        self.icon.setFixedSize(22, 22)
        self.title = QLabel()
        self.title.setObjectName("JobTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timing = QLabel()
        self.timing.setObjectName("Muted")
        self.bar = QProgressBar()
        self.bar.setRange(0, 100 * BAR_SCALE)
        self.bar.setTextVisible(True)
        self.bar.setAccessibleName("Job progress")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.breakdown = QLabel()
        self.breakdown.setObjectName("Muted")
        self.breakdown.setWordWrap(True)
        self.breakdown.setToolTip(
            "\u2713 done, \u25cf now, \u25d0 started early beside the current stage (ads done so far), \u25cb to come"
        )
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setObjectName("Details")
        self.technical = QPlainTextEdit()
        self.technical.setReadOnly(True)
        self.technical.setAccessibleName("Technical details")
        self.technical.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.technical.setMaximumHeight(180)
        self.technical.setPlaceholderText("Loading...")
        self.technical.hide()

        header = QHBoxLayout()
        header.addWidget(self.icon)
        header.addWidget(self.title, 1)
        header.addWidget(self.timing)
        return header

    def _build_buttons(self) -> QHBoxLayout:
        """The stage breakdown beside the card's buttons."""
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel job")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAccessibleName("Retry job")
        self.settings_button = QPushButton("Open Settings")
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName("Show the technical details")
        self.details_button.setToolTip("The errors and tracebacks behind the problems, and where the logs are")
        self.details_button.toggled.connect(self._toggle_details)
        self.results_button = QPushButton("Show results")
        self.results_button.setAccessibleName("Show this analysis's results")
        self.results_button.clicked.connect(lambda: self.results_requested.emit(self.job.job_id))
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close job card")
        self.cancel_button.clicked.connect(self._confirm_cancel)
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit(self.job.job_id))
        self.close_button.clicked.connect(lambda: self.close_requested.emit(self.job.job_id))
        self.settings_button.clicked.connect(self._open_settings)

        buttons = QHBoxLayout()
        buttons.addWidget(self.breakdown, 1)
        for button in (
            self.details_button,
            self.settings_button,
            self.retry_button,
            self.results_button,
            self.cancel_button,
            self.close_button,
        ):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button)
        return buttons

    # ---- feeding ------------------------------------------------------------------------------

    def show_job(self, job: Job) -> None:
        """Take a snapshot; the card repaints with the latest one at most every 100 ms: at once when
        the last repaint is older than that, else at the end of the interval."""
        self._pending = job
        if self._coalesce.isActive():
            return
        wait_ms = REPAINT_INTERVAL_MS - (time.monotonic() - self._last_apply) * 1000
        if wait_ms <= 0:
            self._apply_pending()
        else:
            self._coalesce.start(int(wait_ms) + 1)

    def _apply_pending(self) -> None:
        if self._pending is not None:
            job, self._pending = self._pending, None
            self._apply(job)

    def _apply(self, job: Job) -> None:
        if job.stage_key != self.job.stage_key or self._stage_started is None:
            self._stage_started = time.time()
        self.job = job
        self.repaints += 1
        self._last_apply = time.monotonic()
        status = job.status
        color = status_color(job)
        self.icon.setPixmap(status_icon(job).pixmap(22, 22))
        self.icon.setAccessibleName(f"Status: {_cell_status(job)}")
        self.title.setText(f"<b>{html.escape(job.source.describe())}</b>")
        self.title.setToolTip(f"Job {job.job_id}")
        shown = self._shown_progress(job)
        text = "white" if shown >= 55 else "black"  # the percentage sits on the chunk once it passes the middle
        self.bar.setStyleSheet(
            f"QProgressBar {{ color: {text}; }}"
            f" QProgressBar::chunk {{ background-color: {color}; border-radius: 3px; }}"
        )
        target = round(shown * BAR_SCALE)
        if status == JobStatus.RUNNING and target > self.bar.value():
            self._animation.stop()
            self._animation.setStartValue(self.bar.value())
            self._animation.setEndValue(target)
            self._animation.start()
        else:
            self._animation.stop()
            self.bar.setValue(target)
        self.bar.setFormat(f"{shown:.0f}%")
        self.message.setText(self._message_text(job))
        self.breakdown.setText(self._breakdown_text(job))
        self.details.setText(self._details_text(job))
        self.details.setVisible(bool(self.details.text()))
        active = status.is_active
        self.cancel_button.setVisible(active)
        self.cancel_button.setEnabled(not job.cancel_requested)
        self.cancel_button.setText("Cancelling..." if job.cancel_requested else "Cancel")
        self.retry_button.setVisible(status in (JobStatus.FAILED, JobStatus.CANCELLED))
        self.results_button.setVisible(status == JobStatus.COMPLETED and bool((job.result or {}).get("analysed")))
        self.close_button.setVisible(not active)
        field = (job.result or {}).get("error", {}).get("settings_field") if job.result else None
        self.settings_button.setVisible(status == JobStatus.FAILED and bool(field))
        troubled = status == JobStatus.FAILED or (status == JobStatus.COMPLETED and bool(job.failed_ads))
        self.details_button.setVisible(troubled)
        if not troubled and self.details_button.isChecked():
            self.details_button.setChecked(False)
        if active and not self._ticker.isActive():
            self._ticker.start()
        elif not active:
            self._ticker.stop()
        self._update_timing()

    def _shown_progress(self, job: Job) -> float:
        """The bar weighted by how long the stages take (transcription is most of a job's time), never moving
        backwards while the job runs."""
        shown = time_weighted(job.progress, self.stages, self.durations)
        if job.status.is_active:
            shown = max(shown, self._shown_max)
        self._shown_max = shown
        return shown

    def set_technical_details(self, text: str) -> None:
        self.technical.setPlainText(text)

    def _toggle_details(self, shown: bool) -> None:
        self.details_button.setText("Hide details" if shown else "Details")
        self.technical.setVisible(shown)
        if shown:
            self.details_requested.emit(self.job.job_id)

    def set_failed_ads(self, failed: Sequence[tuple[str, str]]) -> None:
        """The ads that failed, with their reasons, under the card's details."""
        self._failed_ads = list(failed)
        self.details.setText(self._details_text(self.job))
        self.details.setVisible(bool(self.details.text()))

    # ---- text ---------------------------------------------------------------------------------

    def _message_text(self, job: Job) -> str:
        if job.status == JobStatus.PENDING:
            where = f" (position {job.queue_position} in the queue)" if job.queue_position else ""
            return (
                f"Waiting to start{where}. {job.message}"
                if job.message not in ("Waiting to start", "")
                else f"Waiting to start{where}"
            )
        if job.status == JobStatus.COMPLETED and job.failed_ads:
            return f"Completed with problems: {job.message}"
        if job.status == JobStatus.COMPLETED:
            return f"Completed: {job.message}"
        if job.status == JobStatus.CANCELLED:
            return job.message or "Cancelled"
        if job.status == JobStatus.FAILED:
            return f"Failed while {job.stage[:1].lower()}{job.stage[1:]}"
        return job.message if job.message.startswith(job.stage) else f"{job.stage}: {job.message}"

    def _breakdown_text(self, job: Job) -> str:
        """Each stage's mark: done, now (with its ads done so far), running ahead of its turn (a later stage's
        work that overlaps the current one, such as transcripts made while videos download), failed, stopped
        or still to come. The current stage is the earliest one not finished."""
        keys = [stage.key for stage in self.stages]
        current = keys.index(job.stage_key) if job.stage_key in keys else (len(keys) if job.progress >= 100 else -1)
        parts = []
        for i, stage in enumerate(self.stages):
            # a stage's mark and word never part: the row wraps only between stages
            short = SHORT.get(stage.key, stage.label.split(" ")[0]).replace(" ", "&nbsp;")
            done, total = job.stage_counts.get(stage.key, (0, 0))
            # ads done, shown for a stage running ahead (the current one's message says which ad it is on)
            share = f"&nbsp;{done}/{total}" if total and job.status.is_active else ""
            if i < current or job.status == JobStatus.COMPLETED:
                parts.append(f"<span style='color:#2e7d32'>&#10003;&nbsp;{short}</span>")
            elif i == current and job.status.is_active:
                parts.append(f"<b>&#9679;&nbsp;{short}</b>")
            elif i > current and share and done:
                parts.append(f"&#9680;&nbsp;{short}{share}")
            elif i == current and job.status == JobStatus.FAILED:
                parts.append(f"<span style='color:#c62828'>&#10007;&nbsp;{short}</span>")
            elif i == current and job.status == JobStatus.CANCELLED:
                parts.append(f"<span style='color:gray'>&#9632;&nbsp;{short}</span>")
            else:
                parts.append(f"<span style='color:gray'>&#9675;&nbsp;{short}</span>")
        return " &nbsp; ".join(parts)

    def _details_text(self, job: Job) -> str:
        text = self._job_details(job)
        if self._failed_ads and not job.status.is_active:
            shown = "".join(f"<br>&bull; {html.escape(ad)}: {html.escape(why)}" for ad, why in self._failed_ads[:5])
            more = f"<br>and {len(self._failed_ads) - 5} more" if len(self._failed_ads) > 5 else ""
            text += f"{'<br>' if text else ''}<span style='color:#c62828'>Ads that failed:</span>{shown}{more}"
        return text

    def _job_details(self, job: Job) -> str:
        if job.status == JobStatus.FAILED:
            return (
                f"<b>{html.escape(job.error or 'The job failed.')}</b>"
                "<br>Nothing finished is lost: Retry picks up where it stopped."
            )
        return ""  # a completed job's counts are its message: "7 of 7 ads analysed, 1 without speech"

    def _update_timing(self) -> None:
        job = self.job
        started = job.started_at or job.created_at
        end = job.finished_at.timestamp() if job.finished_at else time.time()
        text = f"Started {started.astimezone():%H:%M:%S}" if job.started_at else f"Queued {_clock(job.created_at)}"
        if job.started_at:
            text += f" · {format_duration(end - job.started_at.timestamp())}"
        left = seconds_left(job, self.stages, self.durations, self._stage_started)
        if left is not None:
            text += f" · about {format_duration(left)} left"
        self.timing.setText(text)

    # ---- actions ------------------------------------------------------------------------------

    def _confirm_cancel(self) -> None:
        answer = QMessageBox.question(
            self,
            "Cancel analysis?",
            f"Stop analysing {self.job.source.describe()}?\n\nAds finished so far are kept.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.cancel_requested.emit(self.job.job_id)

    def _open_settings(self) -> None:
        error = (self.job.result or {}).get("error") or {}
        self.settings_requested.emit(str(error.get("settings_field") or ""))


def _cell_status(job: Job) -> str:
    return f"completed, {job.failed_ads} ads failed" if job.failed_ads else job.status.value


def _clock(value: datetime) -> str:
    return f"{value.astimezone():%H:%M:%S}"
