"""The visual engines on real material: videos of text cards encoded with PyAV (cuts at known times), decoded
by look_at, and their keyframes read by the app's PP-OCRv4 reader (engines/text_model.py) in its child process.
No mocks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.context import AdFailed, CancelToken, JobCancelled, StopReason
from desktop_app.engines.frames import Keyframe, Visuals, look_at
from desktop_app.engines.ocr import ScreenReader, TextLine, screen_text
from desktop_app.engines.visual_reader import VisualReader
from tests.conftest import REPO
from tests.visual_clips import audio_only, frame_with_text, video_of_cards, video_of_fade

THREE_CARDS = [("Summer sale", 2.0), ("20% OFF", 1.5), ("Shop now", 2.0)]  # cuts at 2.0 s and 3.5 s


def squashed(text: str) -> str:
    """Text as compared here: the OCR's case and spacing vary."""
    return re.sub(r"\s+", "", text).casefold()


@pytest.fixture(scope="module")
def reader() -> Iterator[ScreenReader]:
    screen = ScreenReader()
    screen.warm_up()
    yield screen
    screen.close()


@pytest.fixture(scope="module")
def three_cards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return video_of_cards(tmp_path_factory.mktemp("cards") / "three.mp4", THREE_CARDS, audio=True)


@pytest.fixture(scope="module")
def offers(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("offers")
    paths = []
    for n, (text, bg) in enumerate([("Free shipping on orders over $50", (30, 60, 160)), ("20% OFF", (200, 40, 40))]):
        frame_with_text(text, bg=bg).save(folder / f"offer{n}.jpg", quality=92)
        paths.append(folder / f"offer{n}.jpg")
    return paths


def test_ocr_reads_offers_with_boxes_in_pixels(reader: ScreenReader, offers: list[Path]) -> None:
    lines = reader.read(offers, CancelToken())
    assert [[squashed(line.text) for line in frame] for frame in lines] == [["freeshippingonordersover$50"], ["20%off"]]
    for frame in lines:
        (line,) = frame
        x0, y0, x1, y1 = line.box
        assert 0 <= x0 < x1 <= 640 and 0 <= y0 < 180 < y1 <= 360  # the text is centred on a 640x360 card
        assert line.score >= 0.5
    assert reader.read([], CancelToken()) == []


def test_look_at_finds_the_cuts_keyframes_poster_and_pace(three_cards: Path, tmp_path: Path) -> None:
    visuals = look_at(three_cards, tmp_path / "frames", CancelToken())

    assert visuals.cuts == 2
    assert [k.why for k in visuals.keyframes] == ["first", "scene", "scene", "last"]
    scene_times = [k.time_s for k in visuals.keyframes if k.why == "scene"]
    assert scene_times == pytest.approx([2.0, 3.5], abs=0.3)
    assert visuals.cut_times == pytest.approx((2.0, 3.5), abs=0.3)
    assert visuals.keyframes[0].time_s == 0.0 and visuals.keyframes[-1].time_s == pytest.approx(5.4, abs=0.15)
    for keyframe in visuals.keyframes:
        assert Path(keyframe.path).read_bytes()[:2] == b"\xff\xd8"  # a JPEG
        assert (keyframe.width, keyframe.height) == (640, 360)
    assert visuals.poster is not None and Path(visuals.poster).stat().st_size > 0
    assert visuals.duration_s == pytest.approx(5.5, abs=0.1)
    assert visuals.cuts_per_10s == pytest.approx(2 / 5.5 * 10, abs=0.1)
    assert visuals.average_shot_s == pytest.approx(5.5 / 3, abs=0.05)
    assert Visuals.from_dict(visuals.to_dict()) == visuals


def test_keyframes_and_their_text_line_up(reader: ScreenReader, three_cards: Path, tmp_path: Path) -> None:
    visuals = look_at(three_cards, tmp_path / "frames", CancelToken())
    lines = reader.read([Path(k.path) for k in visuals.keyframes], CancelToken())
    entries = screen_text(lines, visuals.keyframes)

    seen = [(e["time_s"], squashed(e["text"])) for e in entries]
    assert [text for _, text in seen] == ["summersale", "20%off", "shopnow"]  # the last card is not repeated
    assert [t for t, _ in seen] == pytest.approx([0.0, 2.0, 3.5], abs=0.3)
    assert all(0.1 < e["height_share"] < 0.35 and e["score"] >= 0.5 for e in entries)


def test_steady_video_and_slow_fades_have_no_cuts(tmp_path: Path) -> None:
    steady = video_of_cards(tmp_path / "steady.mp4", [("Only one card", 4.0)], fps=25)
    fade = video_of_fade(tmp_path / "fade.mp4", seconds=5.0, fade_s=1.5, fps=25)
    for video in (steady, fade):
        visuals = look_at(video, tmp_path / video.stem, CancelToken())
        assert visuals.cuts == 0, video.name
        assert [k.why for k in visuals.keyframes] == ["first", "last"]
        assert visuals.average_shot_s == visuals.duration_s


def test_many_scenes_are_thinned_to_an_even_spread(tmp_path: Path) -> None:
    cards = [(f"Card {n}", 0.6) for n in range(8)]
    visuals = look_at(video_of_cards(tmp_path / "eight.mp4", cards, fps=30), tmp_path / "frames", CancelToken(), 5)

    assert visuals.cuts == 7
    assert visuals.cut_times == pytest.approx([0.6 * n for n in range(1, 8)], abs=0.25)
    assert [k.why for k in visuals.keyframes] == ["first", "scene", "scene", "scene", "last"]
    scene_times = [k.time_s for k in visuals.keyframes if k.why == "scene"]
    assert scene_times == pytest.approx([0.6, 2.4, 4.2], abs=0.25)  # the first, middle and last of seven
    saved = sorted(p.name for p in (tmp_path / "frames").glob("*.jpg"))
    assert len(saved) == 6  # five keyframes and the poster: the scenes left out are not left on disk


def test_an_audio_only_file_has_no_picture(tmp_path: Path) -> None:
    visuals = look_at(audio_only(tmp_path / "voice.m4a", 2.0), tmp_path / "frames", CancelToken())
    assert visuals.keyframes == () and visuals.poster is None and visuals.cuts == 0
    assert visuals.duration_s == pytest.approx(2.0, abs=0.1)


def test_a_corrupt_video_fails_in_plain_words(three_cards: Path, tmp_path: Path) -> None:
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(os.urandom(20_000))
    cut_short = tmp_path / "cut_short.mp4"
    cut_short.write_bytes(three_cards.read_bytes()[:2_000])
    for broken in (noise, cut_short, tmp_path / "missing.mp4"):
        with pytest.raises(AdFailed) as failed:
            look_at(broken, tmp_path / "frames", CancelToken())
        reason = failed.value.reason
        assert reason.startswith("the video's picture could not be read ("), reason
        assert not re.search(r"Error|Exception|Errno|\[|/", reason), reason


def test_look_at_stops_at_once(three_cards: Path, tmp_path: Path) -> None:
    token = CancelToken()
    token.stop(StopReason.CANCEL)
    with pytest.raises(JobCancelled):
        look_at(three_cards, tmp_path / "frames", token)


def test_screen_text_keeps_the_first_sighting_and_sizes_lines(tmp_path: Path) -> None:
    frames = tuple(Keyframe(t, str(tmp_path / f"{t}.jpg"), "scene", 640, 360) for t in (0.0, 2.0, 4.0, 6.0, 8.0))
    big = (100.0, 150.0, 540.0, 222.0)  # 72 px of 360
    small = (10.0, 330.0, 300.0, 348.0)  # 18 px of 360
    lines = [
        [TextLine("20% OFF", 0.97, big), TextLine("Terms apply", 0.8, small)],
        [TextLine("20%OFF", 0.95, big), TextLine("blur", 0.3, small)],  # read again, spaced differently
        [TextLine("Shop now", 0.99, big)],
        [TextLine("20% off", 0.9, big), TextLine("Terms appIy", 0.7, small)],  # back after a gap: listed again
        [TextLine("30% off", 0.9, big), TextLine("Terms apply", 0.8, small)],  # a new number is new text
    ]
    entries = screen_text(lines, frames)
    assert [(e["time_s"], e["text"]) for e in entries] == [
        (0.0, "20% OFF"),
        (0.0, "Terms apply"),
        (4.0, "Shop now"),
        (6.0, "20% off"),
        (6.0, "Terms appIy"),
        (8.0, "30% off"),  # the misread "appIy" and "apply" are one text
    ]
    assert entries[0]["height_share"] == pytest.approx(0.2) and entries[1]["height_share"] == pytest.approx(0.05)
    with pytest.raises(ValueError):
        screen_text(lines[:2], frames)
    no_size = (Keyframe(0.0, str(tmp_path / "card.jpg"), "first"),)  # a keyframe without its size: read the file
    frame_with_text("20% OFF").save(tmp_path / "card.jpg")
    assert screen_text([[TextLine("20% OFF", 0.9, big)]], no_size)[0]["height_share"] == pytest.approx(0.2)


def test_cancel_during_read_returns_within_a_second(reader: ScreenReader, offers: list[Path]) -> None:
    reader.read(offers[:1], CancelToken())  # the child is up and its models loaded: the stop lands mid-reading
    token = CancelToken()
    stopped_at: list[float] = []

    def stop() -> None:
        stopped_at.append(time.monotonic())
        token.stop(StopReason.CANCEL)

    timer = threading.Timer(0.5, stop)
    timer.start()
    try:
        with pytest.raises(JobCancelled):
            reader.read(offers * 40, token)
        returned = time.monotonic()
    finally:
        timer.cancel()
    assert stopped_at and returned - stopped_at[0] < 1.0
    assert reader.pid is None  # the child was killed; the next call starts a fresh one
    assert squashed(reader.read(offers[1:], CancelToken())[0][0].text) == "20%off"


def test_a_child_that_dies_fails_that_call_only(reader: ScreenReader, offers: list[Path]) -> None:
    reader.read(offers[:1], CancelToken())
    pid = reader.pid
    assert pid is not None
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    try:
        with pytest.raises(AdFailed) as failed:
            reader.read(offers * 40, CancelToken())
    finally:
        killer.cancel()
    assert failed.value.reason.startswith("reading the on-screen text failed")
    lines = reader.read(offers, CancelToken())
    assert [squashed(frame[0].text) for frame in lines] == ["freeshippingonordersover$50", "20%off"]
    assert reader.pid not in (None, pid)


def test_the_text_reader_ends_when_idle_and_a_later_look_starts_it_again(three_cards: Path, tmp_path: Path) -> None:
    """The OCR child gives its memory back between jobs, and the next look reads the same text with a new one."""
    visuals = VisualReader(tmp_path, idle_s=0.5)
    try:
        first = visuals.look(three_cards, "a" * 64, CancelToken())
        pid = visuals.pid
        assert pid is not None
        deadline = time.monotonic() + 10
        while visuals.pid is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert visuals.pid is None
        again = visuals.look(three_cards, "b" * 64, CancelToken())
        assert visuals.pid not in (None, pid)
        assert [e["text"] for e in again["screen_text"]] == [e["text"] for e in first["screen_text"]]
        assert len(first["screen_text"]) == len(THREE_CARDS)
    finally:
        visuals.close()


def test_the_app_process_never_loads_the_text_models(offers: list[Path]) -> None:
    """ONNX Runtime (and OpenCV, which nothing should load) stay out of the app's process: it imports the engines
    and reads text through the child."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from desktop_app.core.context import CancelToken\n"
        "from desktop_app.engines import frames, ocr\n"
        "if __name__ == '__main__':\n"
        "    screen = ocr.ScreenReader()\n"
        f"    lines = screen.read([Path({str(offers[1])!r})], CancelToken())\n"
        "    screen.close()\n"
        "    heavy = ('cv2', 'onnxruntime', 'rapidocr_onnxruntime')\n"
        "    print(len(lines[0]), sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 []"
