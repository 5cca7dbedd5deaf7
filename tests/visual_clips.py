"""Test pictures and videos with known text and known cut times, rendered with Pillow and encoded with PyAV, so
the visual engines are tested on real decoding and real OCR without shipping media files."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
AUDIO_RATE = 44100
# Card backgrounds that differ in brightness as well as hue, so every change of card is a hard cut.
BACKGROUNDS = [(200, 40, 40), (30, 60, 160), (240, 200, 40), (20, 120, 60), (120, 40, 140), (235, 235, 235)]
Color = tuple[int, int, int]


def frame_with_text(
    text: str, size: tuple[int, int] = (640, 360), bg: Color = (30, 60, 160), fg: Color = (255, 255, 255)
) -> Image.Image:
    """A solid card with `text` centred, as large as fits in 90 % of the width (at most a fifth of the height)."""
    image = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(image)
    font_size = max(10, size[1] // 5)
    while True:
        font = ImageFont.truetype(FONT, font_size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if right - left <= size[0] * 0.9 or font_size <= 10:
            break
        font_size -= 2
    draw.text((size[0] / 2, size[1] / 2), text, font=font, fill=fg, anchor="mm")
    return image


def video_of_frames(path: Path, frames: Iterable[Image.Image], fps: int = 10, audio: bool = False) -> Path:
    """Encode `frames` (all one size) as an MP4: H.264, or MPEG-4 part 2 where libx264 is missing; with
    `audio`, a silent AAC track as long as the picture."""
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    count = 0
    with av.open(str(path), "w") as container:
        video = None
        sound = container.add_stream("aac", rate=AUDIO_RATE, layout="mono") if audio else None
        for image in frames:
            if video is None:
                video = container.add_stream(codec, rate=fps)
                video.width, video.height, video.pix_fmt = image.width, image.height, "yuv420p"
            frame = av.VideoFrame.from_image(image)
            frame.pts, frame.time_base = count, Fraction(1, fps)
            container.mux(video.encode(frame))
            count += 1
        assert video is not None, "no frames to encode"
        container.mux(video.encode(None))
        if sound is not None:
            _silence(container, sound, count / fps)
    return path


def video_of_cards(
    path: Path, cards: list[tuple[str, float]], fps: int = 10, size: tuple[int, int] = (640, 360), audio: bool = False
) -> Path:
    """A video of text cards, each on its own background colour for the given seconds: the cuts come exactly at
    the running sums of the durations."""

    def frames() -> Iterable[Image.Image]:
        for n, (text, seconds) in enumerate(cards):
            image = frame_with_text(text, size, BACKGROUNDS[n % len(BACKGROUNDS)])
            for _ in range(round(seconds * fps)):
                yield image

    return video_of_frames(path, frames(), fps, audio)


def video_of_fade(path: Path, seconds: float, fade_s: float, fps: int = 10, size: tuple[int, int] = (640, 360)) -> Path:
    """A card that dissolves slowly (over `fade_s`) into another, held still before and after: no cut."""
    first = np.asarray(frame_with_text("Before", size, BACKGROUNDS[0]), dtype=np.float32)
    second = np.asarray(frame_with_text("After", size, BACKGROUNDS[1]), dtype=np.float32)
    hold = (seconds - fade_s) / 2

    def frames() -> Iterable[Image.Image]:
        for n in range(round(seconds * fps)):
            mix = min(1.0, max(0.0, (n / fps - hold) / fade_s))
            yield Image.fromarray(((1 - mix) * first + mix * second).astype(np.uint8))

    return video_of_frames(path, frames(), fps)


def audio_only(path: Path, seconds: float) -> Path:
    """An M4A file with a silent AAC track and no picture."""
    with av.open(str(path), "w", format="mp4") as container:
        _silence(container, container.add_stream("aac", rate=AUDIO_RATE, layout="mono"), seconds)
    return path


def _silence(container: av.container.OutputContainer, stream: av.AudioStream, seconds: float) -> None:
    block = 1024
    for start in range(0, round(seconds * AUDIO_RATE), block):
        frame = av.AudioFrame.from_ndarray(np.zeros((1, block), dtype=np.float32), format="fltp", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, start, Fraction(1, AUDIO_RATE)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
