"""The Results detail pane: one analysed ad, by name (its id in the header's tooltip), with its video
(ui/video_player.py), the transcript with timestamps (click a line to seek the video there; the line playing
is highlighted as the video goes), the analysis with its evidence and score bands, and, while a board is
filtered, the board's tags and note on it.

Under the list (a narrow window), the video sits beside the transcript so the analysis keeps most of the
height; beside the list, the three are stacked."""

from __future__ import annotations

import bisect
import html

from PySide6.QtCore import Qt, QUrl
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
from desktop_app.core.text import analyser_words
from desktop_app.ui.analysis_html import FORMULA_LINK, analysis_html, timecode
from desktop_app.ui.video_player import VideoPlayer


class ResultDetail(QWidget):
    """One ad: video, transcript with timestamps, analysis fields with evidence, score bands."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: AdResult | None = None
        self._starts: list[float] = []  # the transcript's start times, in row order from `_first_timed`
        self._first_timed = 0  # the row of the first line with a time (a note may come before)
        self._show_formula = False
        self.header = QLabel("Select an ad to see its analysis.")
        self.header.setWordWrap(True)
        self.header.setOpenExternalLinks(True)
        self.board_note = QLabel()
        self.board_note.setObjectName("Details")
        self.board_note.setWordWrap(True)
        self.board_note.setAccessibleName("Board tags and note")
        self.board_note.hide()
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
        self.analysis.setOpenLinks(False)
        self.analysis.anchorClicked.connect(self._link)
        self.media = QSplitter(Qt.Orientation.Vertical)  # the video and the transcript
        self.media.addWidget(self.player)
        self.media.addWidget(self.transcript)
        self.media.setCollapsible(0, False)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.media)
        self.split.addWidget(self.analysis)
        self.compact: bool | None = None
        self.set_compact(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # level with the list beside or above it
        layout.addWidget(self.header)
        layout.addWidget(self.board_note)
        layout.addWidget(self.split, 1)

    def set_compact(self, compact: bool) -> None:
        """Under the list (compact), the video beside the transcript and the analysis below them, taller;
        beside the list, video, transcript and analysis stacked."""
        if compact == self.compact:
            return
        self.compact = compact
        self.media.setOrientation(Qt.Orientation.Horizontal if compact else Qt.Orientation.Vertical)
        self.media.setSizes([340, 260] if compact else [260, 160])
        self.split.setSizes([220, 400] if compact else [420, 400])
        if self.result is not None:
            self.header.setText(header_html(self.result, compact))

    def show_result(self, result: AdResult) -> None:
        self.result = result
        self.header.setText(header_html(result, bool(self.compact)))
        self.header.setToolTip(f"Ad id {result.ad_id}")
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
        self._show_formula = False
        self.analysis.setHtml(analysis_html(result.analysis))
        self.player.load(result.video_path, result.poster)

    def show_board_notes(self, notes: list[tuple[str, list[str], str]]) -> None:
        """The tags and note each board (by name) has on this ad; an empty list hides them."""
        lines = []
        for board, tags, note in notes:
            said = " · ".join(
                part for part in (", ".join(f"#{html.escape(t)}" for t in tags), html.escape(note)) if part
            )
            lines.append(f"<b>On “{html.escape(board)}”:</b> {said or 'no tags or note yet'}")
        self.board_note.setText("<br>".join(lines))
        self.board_note.setVisible(bool(lines))

    def _link(self, url: QUrl) -> None:
        """The analysis page's own link: show or hide how the overall score is worked out, in place."""
        if self.result is None or url.toString() != FORMULA_LINK:
            return
        self._show_formula = not self._show_formula
        kept = self.analysis.verticalScrollBar().value()
        self.analysis.setHtml(analysis_html(self.result.analysis, self._show_formula))
        self.analysis.verticalScrollBar().setValue(kept)

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
        """Stops playback and lets go of the file when the event loop next turns, which must happen before the
        window goes: Qt's FFmpeg decoder threads crash if the video widget is destroyed under a playing player."""
        self.player.release()


def header_html(result: AdResult, compact: bool = False) -> str:
    """The ad's name (once, when its title is its page's name), then its page, Ad Library link, who analysed it
    and its language; its id stays in the tooltip. Compact, all on one line, to leave the height to the
    analysis."""
    name, page = result.name, result.page_name or ""
    if page and name == f"{page}: {page}":
        name = page
    parts = [html.escape(page)] if page and not name.startswith(page) else []
    if result.library_url:
        parts.append(f"<a href='{html.escape(result.library_url)}'>Ad Library</a>")
    parts.append(f"analysed {html.escape(analyser_words(result.analyser))}")
    if result.language:
        parts.append(f"speech in {html.escape(language_name(result.language))}")
    if compact:
        return f"<b>{html.escape(name)}</b> · {' · '.join(parts)}"
    return f"<h3>{html.escape(name)}</h3>{' · '.join(parts)}"


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
