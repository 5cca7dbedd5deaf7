"""The Results detail pane: one analysed ad with its video, the transcript with timestamps (click a line
to seek the video there), and the analysis with its evidence and score bands."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.language_names import language_name
from desktop_app.core.results import AdResult
from desktop_app.ui.analysis_html import analysis_html, timecode


class ResultDetail(QWidget):
    """One ad: video, transcript with timestamps, analysis fields with evidence, score bands."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: AdResult | None = None
        self._player: Any = None
        self._video: Any = None
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
            f"<h3>{html.escape(result.name)}</h3>"
            f"Ad {html.escape(result.ad_id)}{link} · analysed by {html.escape(result.analyser)}"
            + (f" · speech in {html.escape(language_name(result.language))}" if result.language else "")
        )
        self.transcript.clear()
        if result.video_path is None:
            self.transcript.addItem("(no usable video: this analysis reads the ad's copy only)")
        elif not result.segments:
            self.transcript.addItem("(no speech in this video)")
        for item in sorted(timeline(result), key=lambda i: float(i.data(Qt.ItemDataRole.UserRole))):
            self.transcript.addItem(item)
        self.analysis.setHtml(analysis_html(a))
        self._load_video(result.video_path)

    def _load_video(self, path: str | None) -> None:
        if not path or not Path(path).exists():
            self.play_button.hide()
            if self._player is not None:  # the previous ad's picture must not stay on screen
                self._player.stop()
                self._video.hide()
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
        self._video.show()
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

    def release_media(self) -> None:
        """Stops playback and lets go of the file before the window goes: Qt's FFmpeg decoder threads crash
        if the video widget is destroyed under a playing player."""
        if self._player is None:
            return
        self._player.stop()
        self._player.setSource(QUrl())
        self.play_button.setText("Play video")

    def _on_media_status(self, status: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._pending_seek is not None and status == QMediaPlayer.MediaStatus.LoadedMedia:
            self._player.setPosition(self._pending_seek)
            self._pending_seek = None


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
