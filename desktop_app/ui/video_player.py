"""A small video player for the Results detail: the poster before playing and after the end (never a black
box), play/pause/replay, a seek bar with the time, volume and mute kept for the session, Space to play or pause.

QtMultimedia is heavy, so it is imported when the first video loads. `release()` must run, and the event loop
turn, before the widget goes: Qt's FFmpeg decoder threads crash if the video widget is destroyed under a playing
player. Stopping and changing the file are queued to the event loop rather than called from Python: while Qt
winds its FFmpeg threads down, they tell the Python-made player and audio output that they disconnect, which
needs Python's lock; a stop called from Python holds that lock while it waits for them (a deadlock seen in
tests). From the event loop Qt runs the stop itself, with the lock free.

With no sound device (none plugged in, or a machine with no sound server) the player gets no audio output, so Qt
starts no audio renderer feeding a sink that does not exist, and the sound controls say why there is no sound. One
plugged in later is taken up at the next Play or ad, never mid-play; one unplugged after is left to Qt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, Qt, QUrl, Signal
from PySide6.QtGui import QImage, QKeyEvent, QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStackedLayout,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.analysis_html import timecode

NO_PREVIEW = "No preview yet: press Play to watch the ad."
CANNOT_PLAY = "This video cannot be played here. The file may be damaged or in a format this computer cannot show."
NO_SOUND = "No speakers or headphones found, so this video plays without sound. Connect some, then press Play."
# Volume and mute carry over from one ad to the next for as long as the app runs.
_session = {"volume": 80, "muted": False}


class VideoPlayer(QWidget):
    """One video at a time, with its poster, controls and keyboard; emits where playback is, in seconds."""

    position_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.media: Any = None  # the QMediaPlayer, made with the first video
        self.audio: Any = None  # the volume and mute, kept even when no sound device plays them
        self._video: Any = None
        self._pending_seek: int | None = None
        self._poster: QPixmap | None = None
        self._last_frame: Any = None  # the latest frame shown, a still for the end when there is no poster
        self._still: QPixmap | None = None  # what the screen shows while the video is stopped
        self._bar_by_player = False  # the player, not the user, is moving the seek bar
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Ad video")
        self.picture = QLabel(NO_PREVIEW)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setWordWrap(True)
        self.picture.setMinimumHeight(180)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setStyleSheet("background: #111; color: #ddd; padding: 8px;")
        self.picture.setAccessibleName("Video preview")
        self.stack = QStackedLayout()
        self.stack.addWidget(self.picture)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.stack, 1)
        layout.addLayout(self._controls())
        self._show_state()

    def _controls(self) -> QHBoxLayout:
        self.play_button = QPushButton()
        self.play_button.setAccessibleName("Play or pause the ad video")
        self.play_button.clicked.connect(self.toggle_play)
        self.seek_bar = QSlider(Qt.Orientation.Horizontal)
        self.seek_bar.setAccessibleName("Position in the video")
        self.seek_bar.setRange(0, 0)
        self.seek_bar.setPageStep(5000)
        self.seek_bar.setSingleStep(1000)
        self.seek_bar.valueChanged.connect(self._on_seek_bar)
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setAccessibleName("Time")
        self.mute_button = QToolButton()
        self.mute_button.setCheckable(True)
        self.mute_button.setAccessibleName("Mute")
        self.mute_button.toggled.connect(self._on_mute)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setAccessibleName("Volume")
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(90)
        self.volume.valueChanged.connect(self._on_volume)
        self.volume.setValue(_session["volume"])
        self.mute_button.setChecked(bool(_session["muted"]))
        self._show_mute()
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.seek_bar, 1)
        row.addWidget(self.time_label)
        row.addWidget(self.mute_button)
        row.addWidget(self.volume)
        return row

    # ---- loading ------------------------------------------------------------------------------------

    def load(self, path: str | None, poster: str | None = None) -> None:
        """Show this video (paused before its start, the poster on screen); None or a missing file hides the
        player, stopping the previous ad first so its picture and sound do not stay. The player switches files
        when the event loop next turns (see the module's note)."""
        if self.media is not None:
            self._queued("stop")
        if not path or not Path(path).exists():
            self.hide()
            return
        self._make_media()
        self._attach_sound()  # skipped if the last ad still plays (its stop is only queued): Play tries again
        self._pending_seek = None
        self._last_frame = None
        image = QImage(poster) if poster and Path(poster).is_file() else QImage()
        self._poster = QPixmap.fromImage(image) if not image.isNull() else None
        self.picture.setText("" if self._poster else NO_PREVIEW)
        self._queued("setSource", QUrl.fromLocalFile(path))
        self.show()
        self._show_state()

    def _make_media(self) -> None:
        if self.media is not None:
            return
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget

        self.media = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.audio.setVolume(_session["volume"] / 100)
        self.audio.setMuted(bool(_session["muted"]))
        self._video = QVideoWidget(self)
        self._video.setMinimumHeight(180)
        self.media.setVideoOutput(self._video)
        self._video.videoSink().videoFrameChanged.connect(self._on_frame)
        self.stack.addWidget(self._video)
        self.media.mediaStatusChanged.connect(self._on_status)
        self.media.playbackStateChanged.connect(lambda _state: self._show_state())
        self.media.durationChanged.connect(self._on_duration)
        self.media.positionChanged.connect(self._on_position)
        self.media.errorOccurred.connect(self._on_error)

    def _attach_sound(self) -> None:
        """Give the player its audio output if it has none and this computer has a sound device now (one may have
        been plugged in since). Never while playing: Qt would rebuild the playing decoders from Python."""
        if self.media.audioOutput() is not None or self.playing():
            return
        if sound_device_present():
            self.media.setAudioOutput(self.audio)
        self._show_mute()

    @property
    def silent(self) -> bool:
        """Whether a video plays without sound because no sound device was found when it was loaded or played."""
        return self.media is not None and self.media.audioOutput() is None

    def release(self) -> None:
        """Stop and let go of the file when the event loop next turns (see the module's note)."""
        if self.media is None:
            return
        self._queued("stop")
        self._queued("setSource", QUrl())
        self._show_time(0)

    def released(self) -> bool:
        """Whether the player holds no file any more: after release(), once the event loop has turned."""
        from PySide6.QtMultimedia import QMediaPlayer

        return self.media is None or self.media.mediaStatus() == QMediaPlayer.MediaStatus.NoMedia

    def _queued(self, slot: str, url: QUrl | None = None) -> None:
        """Call one of the player's slots from the event loop, in order with the others queued."""
        arguments = [Q_ARG(QUrl, url)] if url is not None else []
        QMetaObject.invokeMethod(self.media, slot, Qt.ConnectionType.QueuedConnection, *arguments)

    # ---- playing ------------------------------------------------------------------------------------

    def playing(self) -> bool:
        from PySide6.QtMultimedia import QMediaPlayer

        return self.media is not None and self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def toggle_play(self) -> None:
        if self.media is None:
            return
        if self.playing():
            self.media.pause()
        else:
            self.play()

    def play(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.media is None:
            return
        self._attach_sound()
        if self.media.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia and self._pending_seek is None:
            self.media.setPosition(0)  # Replay starts from the beginning
        self.media.play()

    def seek(self, seconds: float) -> None:
        """Go to `seconds`; before the file has loaded, as soon as it has."""
        if self.media is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer

        position = max(0, int(seconds * 1000))
        if self.media.mediaStatus() in (QMediaPlayer.MediaStatus.LoadingMedia, QMediaPlayer.MediaStatus.NoMedia):
            self._pending_seek = position
        else:
            self.media.setPosition(position)
        self._show_time(position)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.toggle_play()
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click on the picture plays or pauses, as in most players."""
        if event.button() == Qt.MouseButton.LeftButton and self.stack.geometry().contains(event.position().toPoint()):
            self.toggle_play()
        super().mouseReleaseEvent(event)

    # ---- what the player reports --------------------------------------------------------------------

    def _on_status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._pending_seek is not None and status == QMediaPlayer.MediaStatus.LoadedMedia:
            self.media.setPosition(self._pending_seek)
            self._pending_seek = None
        self._show_state()

    def _on_duration(self, duration_ms: int) -> None:
        self._set_bar(lambda: self.seek_bar.setRange(0, max(0, duration_ms)))
        self._show_time(self.media.position())

    def _on_position(self, position_ms: int) -> None:
        if not self.seek_bar.isSliderDown():
            self._set_bar(lambda: self.seek_bar.setValue(position_ms))
        self._show_time(position_ms)
        self.position_changed.emit(position_ms / 1000)

    def _on_frame(self, frame: Any) -> None:
        if frame.isValid():
            self._last_frame = frame

    def _on_error(self, _error: Any, _message: str) -> None:
        self._poster = None
        self.picture.setText(CANNOT_PLAY)
        self.stack.setCurrentWidget(self.picture)

    def _on_seek_bar(self, value: int) -> None:
        """A drag, click or key on the seek bar (not the player moving it) seeks there."""
        if not self._bar_by_player:
            self.seek(value / 1000)

    def _set_bar(self, change: Any) -> None:
        self._bar_by_player = True
        try:
            change()
        finally:
            self._bar_by_player = False

    def _on_volume(self, value: int) -> None:
        _session["volume"] = value
        if self.audio is not None:
            self.audio.setVolume(value / 100)

    def _on_mute(self, muted: bool) -> None:
        _session["muted"] = muted
        if self.audio is not None:
            self.audio.setMuted(muted)
        self._show_mute()

    # ---- showing it ---------------------------------------------------------------------------------

    def _show_state(self) -> None:
        """The button and the screen for where playback is: Play before, Pause while playing, Play when paused
        (on the paused frame), Replay at the end (on the poster or the last frame)."""
        if self.media is None:
            self._button("Play", QStyle.StandardPixmap.SP_MediaPlay, enabled=False)
            return
        from PySide6.QtMultimedia import QMediaPlayer

        stopped = self.media.playbackState() == QMediaPlayer.PlaybackState.StoppedState
        at_end = self.media.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia
        if self.playing():
            self._button("Pause", QStyle.StandardPixmap.SP_MediaPause)
        elif at_end:
            self._button("Replay", QStyle.StandardPixmap.SP_BrowserReload)
        else:
            self._button("Play", QStyle.StandardPixmap.SP_MediaPlay, enabled=self.media.source().isValid())
        if stopped:
            self._poster_shown(self._poster if self._poster or not at_end else self._frame_still())
        else:
            self.stack.setCurrentWidget(self._video)

    def _button(self, text: str, icon: QStyle.StandardPixmap, enabled: bool = True) -> None:
        self.play_button.setText(text)
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setEnabled(enabled)

    def _frame_still(self) -> QPixmap | None:
        if self._last_frame is None:
            return None
        image = self._last_frame.toImage()
        return QPixmap.fromImage(image) if not image.isNull() else None

    def _poster_shown(self, still: QPixmap | None) -> None:
        self._still = still
        if still is not None:
            self.picture.setPixmap(self._scaled(still))
        elif not self.picture.text():
            self.picture.setText(NO_PREVIEW)
        self.stack.setCurrentWidget(self.picture)

    def _scaled(self, still: QPixmap) -> QPixmap:
        size = self.picture.contentsRect().size()
        if size.width() < 10 or size.height() < 10:
            return still
        return still.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._still is not None and self.stack.currentWidget() is self.picture and not self.picture.text():
            self.picture.setPixmap(self._scaled(self._still))

    def _show_time(self, position_ms: int) -> None:
        duration = self.media.duration() if self.media is not None else 0
        self.time_label.setText(f"{timecode(position_ms / 1000)} / {timecode(duration / 1000)}")

    def _show_mute(self) -> None:
        """The mute icon and tooltips; with no sound device, both sound controls off, the muted icon, and why."""
        muted, silent = self.mute_button.isChecked(), self.silent
        icon = QStyle.StandardPixmap.SP_MediaVolumeMuted if muted or silent else QStyle.StandardPixmap.SP_MediaVolume
        self.mute_button.setIcon(self.style().standardIcon(icon))
        tips = {
            self.mute_button: "Sound off: click to turn it on" if muted else "Sound on: click to mute",
            self.volume: "Volume",
        }
        for control, tip in tips.items():
            control.setEnabled(not silent)
            control.setAccessibleDescription(NO_SOUND if silent else "")
            control.setToolTip(NO_SOUND if silent else tip)


def sound_device_present() -> bool:
    """Whether this computer has somewhere to play sound (a probe of the machine, asked until the player has an
    audio output)."""
    from PySide6.QtMultimedia import QMediaDevices

    return bool(QMediaDevices.audioOutputs())
