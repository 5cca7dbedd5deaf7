"""The Results detail pane: one analysed ad with its video (ui/video_player.py), the transcript with
timestamps (click a line to seek the video there; the line playing is highlighted as the video goes), and the
analysis with its evidence and score bands."""

from __future__ import annotations

import bisect
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.language_names import language_name
from desktop_app.core.results import AdResult
from desktop_app.ui.analysis_html import analysis_html, timecode
from desktop_app.ui.video_player import VideoPlayer


class ResultDetail(QWidget):
    """One ad: video, transcript with timestamps, analysis fields with evidence, score bands."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: AdResult | None = None
        self._starts: list[float] = []  # the transcript's start times, in row order from `_first_timed`
        self._first_timed = 0  # the row of the first line with a time (a note may come before)
        self.header = QLabel("Select an ad to see its analysis.")
        self.header.setWordWrap(True)
        self.header.setOpenExternalLinks(True)
        self.player = VideoPlayer()
        self.player.position_changed.connect(self._follow)
        self.player.hide()
        self.transcript = QListWidget()
        self.transcript.setAccessibleName("Transcript")
        self.transcript.setWordWrap(True)
        self.transcript.setUniformItemSizes(False)
        self.transcript.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.transcript.itemClicked.connect(self._seek)
        self.analysis = QTextBrowser()
        self.analysis.setAccessibleName("Analysis")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.player)
        split.addWidget(self.transcript)
        split.addWidget(self.analysis)
        split.setSizes([260, 160, 400])
        split.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(split, 1)

    def show_result(self, result: AdResult) -> None:
        self.result = result
        a = result.analysis
        link = f" · <a href='{result.library_url}'>Ad Library</a>" if result.library_url else ""
        self.header.setText(
            f"<h3>{html.escape(result.name)}</h3>"
            f"Ad {html.escape(result.ad_id)}{link} · analysed by {html.escape(result.analyser)}"
            + (f" · speech in {html.escape(language_name(result.language))}" if result.language else "")
        )
        self.transcript.clear()
        if result.video_path is None:
            self.transcript.addItem("(no usable video: this analysis reads the ad's copy only)")
        elif not result.segments:
            self.transcript.addItem("(no speech in this video)")
        self._first_timed = self.transcript.count()
        lines = sorted(timeline(result), key=lambda i: float(i.data(Qt.ItemDataRole.UserRole)))
        for item in lines:
            self.transcript.addItem(item)
        self._starts = [float(item.data(Qt.ItemDataRole.UserRole)) for item in lines]
        self.analysis.setHtml(analysis_html(a))
        self.player.load(result.video_path, result.poster)

    def _seek(self, item: QListWidgetItem) -> None:
        """A click on a line plays the video from that line's second."""
        start = item.data(Qt.ItemDataRole.UserRole)
        if start is None or self.player.media is None or not self.player.isVisible():
            return
        self.player.seek(float(start))
        self.player.play()

    def _follow(self, seconds: float) -> None:
        """Highlight the line playing now (the last one started) and keep it in view."""
        at = bisect.bisect_right(self._starts, seconds + 0.05) - 1
        if at < 0:
            self.transcript.setCurrentRow(-1)
            return
        row = self._first_timed + at
        if self.transcript.currentRow() != row:
            self.transcript.setCurrentRow(row)
            self.transcript.scrollToItem(self.transcript.item(row), QListWidget.ScrollHint.EnsureVisible)

    def release_media(self) -> None:
        """Stops playback and lets go of the file before the window goes: Qt's FFmpeg decoder threads crash
        if the video widget is destroyed under a playing player."""
        self.player.release()


def timeline(result: AdResult) -> list[QListWidgetItem]:
    """What is said (the hook in bold) and what is shown on screen (in italics), each at its second: a click
    seeks the video there."""
    items = []
    hook_end = result.analysis.hook.end_s
    for seg in result.segments:
        item = QListWidgetItem(f"[{timecode(seg['start'])}] {seg['text']}")
        item.setData(Qt.ItemDataRole.UserRole, float(seg["start"]))
        if seg["start"] < 3.0 or (hook_end is not None and seg["start"] < hook_end):
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setToolTip("The hook: spoken in the first seconds")
        items.append(item)
    for line in result.screen_text:
        start = float(line.get("time_s") or 0.0)
        item = QListWidgetItem(f"[{timecode(start)}] on screen: {line.get('text', '')}")
        item.setData(Qt.ItemDataRole.UserRole, start)
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        items.append(item)
    return items
