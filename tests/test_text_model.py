"""The OpenCV-free text reader (engines/text_model.py) on real rendered images with known text: what it reads,
where its boxes are, and how it fails on files that are not images."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop_app.engines import text_model
from tests.conftest import REPO
from tests.text_metrics import edit_distance
from tests.visual_clips import FONT

DARK, LIGHT, BLUE = (20, 20, 24), (245, 245, 240), (30, 60, 160)
Rect = tuple[float, float, float, float]


@pytest.fixture(scope="module")
def reader() -> text_model.Reader:
    return text_model.load_reader(1)


def _card(path: Path, lines: list[tuple[str, int]], bg: tuple[int, int, int], fg: tuple[int, int, int]) -> list[Rect]:
    """Save a 640x360 card with each (text, font size) centred on its own row; return where each text was drawn."""
    image = Image.new("RGB", (640, 360), bg)
    draw = ImageDraw.Draw(image)
    drawn = []
    for n, (text, size) in enumerate(lines, start=1):
        font = ImageFont.truetype(FONT, size)
        xy = (320, 360 * n / (len(lines) + 1))
        draw.text(xy, text, font=font, fill=fg, anchor="mm")
        drawn.append(draw.textbbox(xy, text, font=font, anchor="mm"))
    image.save(path)
    return drawn


def _assert_reads(reader: text_model.Reader, path: Path, texts: list[str], drawn: list[Rect]) -> None:
    """The lines read match `texts` (case aside; one wrong character allowed on lines over 12 characters), and each
    box holds the drawn text with a margin of at most the text's height."""
    lines = text_model.lines_of(reader, str(path))
    assert len(lines) == len(texts), lines
    for (text, score, box), want, (x0, y0, x1, y1) in zip(lines, texts, drawn, strict=True):
        allowed = 1 if len(want) > 12 else 0
        assert edit_distance(text.lower(), want.lower()) <= allowed, (text, want)
        assert text_model.MIN_SCORE <= score <= 1.0
        margin, slack = max(6.0, y1 - y0), max(2.0, (y1 - y0) / 10)  # slack: anti-aliased glyph edges
        assert x0 - margin <= box[0] <= x0 + slack and y0 - margin <= box[1] <= y0 + slack, (box, (x0, y0, x1, y1))
        assert x1 - slack <= box[2] <= x1 + margin and y1 - slack <= box[3] <= y1 + margin, (box, (x0, y0, x1, y1))


@pytest.mark.parametrize(
    ("text", "size", "bg", "fg"),
    [
        ("$19.99", 64, BLUE, (255, 255, 255)),
        ("$19.99", 20, LIGHT, DARK),
        ("50% OFF", 56, DARK, LIGHT),
        ("50% OFF", 16, LIGHT, DARK),
        ("Free shipping on orders over $50", 32, (200, 40, 40), (255, 255, 255)),
        ("Free shipping on orders over $50", 12, LIGHT, DARK),
    ],
)
def test_reads_offers_at_several_sizes_both_ways_round(
    reader: text_model.Reader,
    tmp_path: Path,
    text: str,
    size: int,
    bg: tuple[int, int, int],
    fg: tuple[int, int, int],
) -> None:
    path = tmp_path / "card.png"
    drawn = _card(path, [(text, size)], bg, fg)
    _assert_reads(reader, path, [text], drawn)


def test_reads_a_two_line_end_card_top_to_bottom(reader: text_model.Reader, tmp_path: Path) -> None:
    path = tmp_path / "end.jpg"
    drawn = _card(path, [("SHOP NOW", 48), ("example.com", 28)], BLUE, (255, 255, 255))
    _assert_reads(reader, path, ["SHOP NOW", "example.com"], drawn)


def test_an_image_without_text_has_no_lines(reader: text_model.Reader, tmp_path: Path) -> None:
    path = tmp_path / "plain.png"
    _card(path, [], (40, 90, 60), LIGHT)
    assert text_model.lines_of(reader, str(path)) == []


def test_a_missing_or_non_image_file_fails_in_plain_words(reader: text_model.Reader, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no image file"):
        text_model.lines_of(reader, str(tmp_path / "gone.jpg"))
    notes = tmp_path / "notes.jpg"
    notes.write_text("not a picture", encoding="utf-8")
    with pytest.raises(ValueError, match="not an image"):
        text_model.lines_of(reader, str(notes))


def test_a_missing_models_folder_fails_in_plain_words(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="text model"):
        text_model.load_reader(1, tmp_path)


def test_importing_loads_neither_onnxruntime_nor_opencv() -> None:
    """Spawned children import the module afresh: ONNX Runtime loads only with a reader, OpenCV never."""
    script = (
        "import sys\n"
        "from desktop_app.engines import text_model\n"
        "before = sorted(m for m in ('onnxruntime', 'cv2', 'rapidocr_onnxruntime') if m in sys.modules)\n"
        "text_model.load_reader(1)\n"
        "after = sorted(m for m in ('onnxruntime', 'cv2', 'rapidocr_onnxruntime') if m in sys.modules)\n"
        "print(before, after)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] ['onnxruntime']"
