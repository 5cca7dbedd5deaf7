"""The Results detail's video player on real videos (encoded with PyAV, played by Qt's FFmpeg backend): the
poster before playing and after the end, the time and the seek bar, Replay, volume and mute kept for the session,
playing silent with no sound device, Space, and the transcript line playing highlighted as the video goes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QSlider, QStyle
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.core.results import AdResult
from desktop_app.core.schema import AdAnalysis
from desktop_app.ui import video_player
from desktop_app.ui.result_detail import ResultDetail
from desktop_app.ui.video_player import NO_PREVIEW, NO_SOUND, VideoPlayer
from tests.test_llm import VALID
from tests.visual_clips import BACKGROUNDS, frame_with_text, video_of_cards

CARDS = [("One", 1.0), ("Two", 1.0), ("Three", 1.0)]
POSTER_BG = (0, 200, 200)  # a colour none of the cards has


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts at the app's first volume, unmuted: the session memory is the module's."""
    monkeypatch.setattr(video_player, "_session", {"volume": 80, "muted": False})


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return video_of_cards(tmp_path / "three-cards.mp4", CARDS, audio=True)


@pytest.fixture
def poster(tmp_path: Path) -> Path:
    path = tmp_path / "poster.jpg"
    frame_with_text("Poster", bg=POSTER_BG).save(path)
    return path


@pytest.fixture
def player(qtbot: QtBot) -> Iterator[VideoPlayer]:
    """A shown player, released and its file let go before it is deleted (the order the app keeps), which is why
    it is not handed to qtbot.addWidget: that deletes widgets before fixtures end."""
    widget = VideoPlayer()
    widget.resize(640, 420)
    widget.show()
    yield widget
    widget.release()
    qtbot.waitUntil(widget.released, timeout=5000)
    widget.close()
    widget.deleteLater()
    qtbot.wait(10)


def loaded(qtbot: QtBot, player: VideoPlayer, clip: Path, poster: Path | None) -> VideoPlayer:
    player.load(str(clip), str(poster) if poster else None)
    qtbot.waitUntil(lambda: player.media.duration() > 2900, timeout=5000)
    return player


def screen_colour(player: VideoPlayer) -> QColor:
    """The colour near the top left of what the screen shows (inside any letterbox)."""
    pixmap: QPixmap = player.picture.pixmap()
    assert not pixmap.isNull(), "the screen shows a picture"
    return pixmap.toImage().pixelColor(pixmap.width() // 10, pixmap.height() // 10)


def close_to(colour: QColor, rgb: tuple[int, int, int], slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip((colour.red(), colour.green(), colour.blue()), rgb, strict=True))


def play_to_end(qtbot: QtBot, player: VideoPlayer) -> None:
    player.play_button.click()
    qtbot.waitUntil(lambda: player.play_button.text() == "Pause", timeout=5000)
    qtbot.waitUntil(lambda: player.play_button.text() == "Replay", timeout=10000)


def test_the_poster_shows_before_playing_and_the_time_once_loaded(
    qtbot: QtBot, player: VideoPlayer, clip: Path, poster: Path
) -> None:
    loaded(qtbot, player, clip, poster)
    assert player.stack.currentWidget() is player.picture
    assert close_to(screen_colour(player), POSTER_BG)
    assert player.time_label.text() == "0:00 / 0:03"
    assert player.play_button.text() == "Play" and player.play_button.isEnabled()
    assert not player.play_button.icon().isNull()
    assert player.seek_bar.maximum() >= 2900


def test_without_a_poster_it_says_there_is_no_preview(qtbot: QtBot, player: VideoPlayer, clip: Path) -> None:
    loaded(qtbot, player, clip, None)
    assert player.stack.currentWidget() is player.picture and player.picture.text() == NO_PREVIEW


def test_dragging_the_seek_bar_seeks(qtbot: QtBot, player: VideoPlayer, clip: Path, poster: Path) -> None:
    loaded(qtbot, player, clip, poster)
    player.seek_bar.setSliderDown(True)
    player.seek_bar.setSliderPosition(1500)
    player.seek_bar.setSliderDown(False)
    qtbot.waitUntil(lambda: abs(player.media.position() - 1500) < 100, timeout=3000)
    assert player.time_label.text() == "0:01 / 0:03"
    player.seek_bar.triggerAction(QSlider.SliderAction.SliderPageStepSub)  # a click on the bar left of the handle
    qtbot.waitUntil(lambda: player.media.position() < 100, timeout=3000)


def test_at_the_end_it_offers_replay_on_the_poster(qtbot: QtBot, player: VideoPlayer, clip: Path, poster: Path) -> None:
    loaded(qtbot, player, clip, poster)
    play_to_end(qtbot, player)
    assert player.stack.currentWidget() is player.picture, "never a black box at the end"
    assert close_to(screen_colour(player), POSTER_BG)
    assert player.time_label.text() == "0:03 / 0:03"
    player.play_button.click()
    qtbot.waitUntil(lambda: player.play_button.text() == "Pause", timeout=5000)
    assert player.media.position() < 2000, "Replay starts from the beginning"
    assert player.stack.currentWidget() is not player.picture


def test_without_a_poster_the_end_keeps_the_last_frame(qtbot: QtBot, player: VideoPlayer, clip: Path) -> None:
    loaded(qtbot, player, clip, None)
    play_to_end(qtbot, player)
    assert player.stack.currentWidget() is player.picture
    assert close_to(screen_colour(player), BACKGROUNDS[len(CARDS) - 1])


def test_space_plays_and_pauses(qtbot: QtBot, player: VideoPlayer, clip: Path, poster: Path) -> None:
    loaded(qtbot, player, clip, poster)
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.play_button.text() == "Pause", timeout=5000)
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.play_button.text() == "Play", timeout=5000)
    assert player.stack.currentWidget() is not player.picture, "paused, the paused frame stays"


def test_volume_and_mute_are_kept_for_the_session(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, player: VideoPlayer, clip: Path
) -> None:
    monkeypatch.setattr(video_player, "sound_device_present", lambda: True)  # a computer with speakers
    loaded(qtbot, player, clip, None)
    assert player.media.audioOutput() is player.audio and not player.silent
    player.volume.setValue(30)
    assert player.audio.volume() == pytest.approx(0.3, abs=0.01)
    player.mute_button.click()
    assert player.audio.isMuted() and "click to turn it on" in player.mute_button.toolTip()
    later = VideoPlayer()
    qtbot.addWidget(later)
    loaded(qtbot, later, clip, None)
    assert later.volume.value() == 30 and later.mute_button.isChecked() and later.audio.isMuted()
    later.mute_button.click()
    assert not later.audio.isMuted()
    later.release()
    qtbot.waitUntil(later.released, timeout=5000)


def test_with_no_sound_device_it_plays_silent_and_says_why(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, player: VideoPlayer, clip: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(video_player, "sound_device_present", lambda: False)
    loaded(qtbot, player, clip, None)
    assert player.silent and player.media.audioOutput() is None, "no audio output when there is nowhere to play it"
    for control in (player.mute_button, player.volume):
        assert not control.isEnabled() and control.toolTip() == NO_SOUND == control.accessibleDescription()
    assert same_icon(player.mute_button.icon(), player.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolumeMuted))
    play_to_end(qtbot, player)
    assert player.time_label.text() == "0:03 / 0:03", "the video itself still plays"
    # Speakers plugged in, then Play, as the tooltip says (on a clip with no sound track: this machine has none)
    player.load(str(video_of_cards(tmp_path / "no-track.mp4", CARDS)), None)
    qtbot.waitUntil(lambda: player.media.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=5000)
    assert player.silent and player.play_button.text() == "Play"
    monkeypatch.setattr(video_player, "sound_device_present", lambda: True)
    player.play_button.click()
    assert not player.silent and player.media.audioOutput() is player.audio
    assert player.mute_button.isEnabled() and player.mute_button.toolTip() == "Sound on: click to mute"
    assert player.volume.isEnabled() and player.audio.volume() == pytest.approx(0.8, abs=0.01)
    qtbot.waitUntil(lambda: player.play_button.text() == "Replay", timeout=10000)


def same_icon(a: QIcon, b: QIcon) -> bool:
    return a.pixmap(16, 16).toImage() == b.pixmap(16, 16).toImage()


def result_for(clip: Path, poster: Path | None) -> AdResult:
    """An ad with speech at 0.2 s and 2.1 s and an on-screen line at 1.0 s, over the three-card clip."""
    return AdResult(
        analysis_id=1,
        ad_id="file-cards",
        video_index=0,
        job_id=None,
        page_name=None,
        delivery_start=None,
        library_url=None,
        metadata={"file": str(clip)},
        video_path=str(clip),
        transcript="Hello there. " + "A much longer line of speech that has to wrap in the pane. " * 3,
        segments=[
            {"start": 0.2, "end": 0.9, "text": "Hello there."},
            {"start": 2.1, "end": 2.9, "text": "A much longer line of speech that has to wrap in the pane. " * 3},
        ],
        language="en",
        analysis=AdAnalysis.model_validate(VALID),
        analyser="heuristic",
        model=None,
        seconds=0.1,
        created_at=0.0,
        screen_text=[{"time_s": 1.0, "text": "Two"}],
        poster=str(poster) if poster else None,
    )


def test_the_line_playing_is_highlighted_and_a_click_seeks(
    qtbot: QtBot, clip: Path, poster: Path, tmp_path: Path
) -> None:
    detail = ResultDetail()
    qtbot.addWidget(detail)
    detail.resize(800, 700)
    detail.show()
    detail.show_result(result_for(clip, poster))
    qtbot.waitUntil(lambda: detail.player.media.duration() > 2900, timeout=5000)
    assert detail.transcript.wordWrap() and not detail.transcript.uniformItemSizes()
    assert close_to(screen_colour(detail.player), POSTER_BG)
    detail.grab().save(str(tmp_path / "before.png"))
    for seconds, row in ((0.5, 0), (1.4, 1), (2.5, 2), (0.1, -1)):
        detail.player.seek(seconds)
        qtbot.waitUntil(lambda row=row: detail.transcript.currentRow() == row, timeout=3000)
    tall = detail.transcript.visualItemRect(detail.transcript.item(2)).height()
    assert tall > 1.5 * detail.transcript.visualItemRect(detail.transcript.item(0)).height(), "long lines wrap"
    detail.transcript.itemClicked.emit(detail.transcript.item(1))
    qtbot.waitUntil(lambda: detail.player.play_button.text() in ("Pause", "Replay"), timeout=5000)
    qtbot.waitUntil(lambda: detail.player.play_button.text() == "Replay", timeout=10000)
    assert detail.transcript.currentRow() == 2, "the last line stays highlighted at the end"
    detail.grab().save(str(tmp_path / "after.png"))
    detail.release_media()
    qtbot.waitUntil(detail.player.released, timeout=5000)
    assert detail.player.media.source().isEmpty()


def test_a_copy_only_ad_has_no_player(qtbot: QtBot, clip: Path) -> None:
    detail = ResultDetail()
    qtbot.addWidget(detail)
    detail.show()
    detail.show_result(result_for(clip, None))
    qtbot.waitUntil(lambda: detail.player.media.duration() > 0, timeout=5000)
    detail.show_result(replace(result_for(clip, None), video_path=None))
    assert not detail.player.isVisible() and detail.transcript.item(0).text().startswith("(no usable video")
    detail.release_media()
    qtbot.waitUntil(detail.player.released, timeout=5000)


@pytest.mark.slow
def test_the_sample_ads_show_their_poster_from_the_visual_look(qtbot: QtBot, analysed: AppServices) -> None:
    result = next(r for r in analysed.results.results() if r.video_path)
    assert result.poster and Path(result.poster).is_file()
    assert Path(result.poster).name == "poster.jpg" and "visuals" in Path(result.poster).parts
    detail = ResultDetail()
    qtbot.addWidget(detail)
    detail.resize(800, 700)
    detail.show()
    detail.show_result(result)
    qtbot.waitUntil(lambda: detail.player.media.duration() > 0, timeout=5000)
    assert detail.player.stack.currentWidget() is detail.player.picture
    assert not detail.player.picture.pixmap().isNull() and detail.player.picture.text() == ""
    detail.release_media()
    qtbot.waitUntil(detail.player.released, timeout=5000)
