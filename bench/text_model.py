"""Benchmark of the OpenCV-free text reader (desktop_app/engines/text_model.py) against RapidOCR
(bench/rapidocr_engine.py, as the app used it before): the texts read, character error rate against the known
text, time per image and peak RSS, on rendered cards (large to 12 px print, light on dark and dark on light, plain
and textured backgrounds) and on keyframes of the bundled sample ads (their page name is drawn on each). Each
engine runs in its own subprocess so that imports and memory do not mix.

Usage: nice -n 10 python bench/text_model.py [--repeat N]   (prints figures, then one JSON object as the last line)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ENGINES = {"rapidocr": "bench.rapidocr_engine", "text_model": "desktop_app.engines.text_model"}
Color = tuple[int, int, int]
DARK, LIGHT, BLUE = (20, 20, 24), (245, 245, 240), (30, 60, 160)


def _card(lines: list[tuple[str, int]], bg: Color, fg: Color, textured: bool = False) -> Image.Image:
    """A 640x360 card with each (text, font size in px) centred on its own row."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from tests.visual_clips import FONT

    image = Image.new("RGB", (640, 360), bg)
    if textured:  # a photo-like background: smooth gradient plus grain
        rng = np.random.default_rng(7)
        ramp = np.linspace(-40, 40, 640)[None, :, None] + np.linspace(-25, 25, 360)[:, None, None]
        noisy = np.asarray(image, dtype=float) + ramp + rng.normal(0, 12, (360, 640, 3))
        image = Image.fromarray(noisy.clip(0, 255).astype("uint8"))
    draw = ImageDraw.Draw(image)
    step = 360 / (len(lines) + 1)
    for n, (text, size) in enumerate(lines, start=1):
        draw.text((320, step * n), text, font=ImageFont.truetype(FONT, size), fill=fg, anchor="mm")
    return image


def cases(folder: Path) -> list[tuple[str, list[str]]]:
    """Write the test images into `folder`: (path, the lines of text on it, in reading order)."""
    from tests.visual_clips import frame_with_text

    made: list[tuple[str, list[str]]] = []

    def save(name: str, image: Image.Image, truth: list[str]) -> None:
        path = folder / f"{name}.png"
        image.save(path)
        made.append((str(path), truth))

    for n, text in enumerate(["$19.99", "50% OFF", "Free shipping on orders over $50", "Limited time only"]):
        save(f"card{n}", frame_with_text(text), [text])
        save(f"card{n}_dark_on_light", frame_with_text(text, bg=LIGHT, fg=DARK), [text])
    save("end_card", _card([("SHOP NOW", 48), ("example.com", 28)], BLUE, (255, 255, 255)), ["SHOP NOW", "example.com"])
    small = [("Terms apply. See site for details", 12), ("Offer ends Sunday 31 May", 14), ("Cancel anytime", 16)]
    small += [("Only $4.99 per month", 20)]
    for name, bg, fg, textured in [
        ("small_light_on_dark", DARK, LIGHT, False),
        ("small_dark_on_light", LIGHT, DARK, False),
        ("small_textured", (90, 110, 140), (255, 255, 255), True),
    ]:
        save(name, _card(small, bg, fg, textured), [text for text, _ in small])
    save("blank", _card([], (40, 90, 60), LIGHT, textured=True), [])
    made += _varied_cards(folder, count=16)
    made += _sample_keyframes(folder)
    return made


PHRASES = [
    "Save 30% today",
    "Buy one get one free",
    "Free returns",
    "Order by 12/24",
    "Starting at $9.99/mo",
    "Limited stock",
    "New collection",
    "Download the app",
    "Book a free demo",
    "Rated 4.8 by 20,000 users",
    "Sign up now",
    "www.example.com",
    "Use code SAVE20",
    "Only 3 days left",
    "Get yours",
    "100% organic cotton",
]
FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansCondensed-Bold.ttf"]


def _varied_cards(folder: Path, count: int) -> list[tuple[str, list[str]]]:
    """Seeded ad-like JPEG keyframes: two or three lines of mixed fonts and sizes (12 to 56 px), left-aligned at
    random places, light on dark or dark on light, on plain or textured backgrounds."""
    import random

    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(11)
    made = []
    for n in range(count):
        light_text = rng.random() < 0.5
        bg = tuple(rng.randint(0, 90) if light_text else rng.randint(170, 255) for _ in range(3))
        fg = tuple(rng.randint(200, 255) if light_text else rng.randint(0, 60) for _ in range(3))
        pixels = np.full((360, 640, 3), bg, dtype=float)
        if n % 2:
            pixels += np.random.default_rng(n).normal(0, 10, pixels.shape) + np.linspace(-20, 20, 640)[None, :, None]
        image = Image.fromarray(pixels.clip(0, 255).astype("uint8"))
        draw = ImageDraw.Draw(image)
        truth, y = [], rng.randint(10, 40)
        for text in rng.sample(PHRASES, rng.randint(2, 3)):
            size = rng.choice([12, 14, 16, 20, 28, 40, 56])
            font = ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{rng.choice(FONTS)}", size)
            width = draw.textlength(text, font=font)
            if y + size * 1.3 > 350 or width > 620:
                continue
            draw.text((rng.randint(10, int(630 - width)), y), text, font=font, fill=fg)
            truth.append(text)
            y += int(size * 1.3) + rng.randint(20, 60)
        path = folder / f"varied{n:02d}.jpg"
        image.save(path, quality=85)
        made.append((str(path), truth))
    return made


def _sample_keyframes(folder: Path) -> list[tuple[str, list[str]]]:
    """The middle frame of each bundled sample ad, with the page name drawn on it as the known text."""
    import av

    ads = json.loads((REPO / "resources" / "sample_ads" / "ads.json").read_text(encoding="utf-8"))
    made = []
    for ad in ads:
        with av.open(str(REPO / "resources" / "sample_ads" / ad["video"])) as container:
            stream = container.streams.video[0]
            middle = (stream.frames or 1) // 2
            frame = next(f for n, f in enumerate(container.decode(stream)) if n >= middle)
        path = folder / f"ad_{ad['id']}.png"
        frame.to_image().save(path)  # type: ignore[no-untyped-call]
        made.append((str(path), [ad["page_name"]]))
    return made


def worker(module: str, paths: list[str], repeat: int) -> None:
    """Child: load one engine, read every image `repeat` times, print texts, best time per image and peak RSS."""
    import importlib

    engine = importlib.import_module(module)
    start = time.perf_counter()
    reader = engine.load_reader(1)
    load_s = time.perf_counter() - start
    engine.lines_of(reader, paths[0])  # warm up: first-run allocations are not per-image cost
    results = []
    for path in paths:
        wall, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            lines = engine.lines_of(reader, path)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        results.append({"texts": [line[0] for line in lines], "seconds": min(wall), "cpu_seconds": min(cpu)})
    peak_mb = _peak_rss_mb()
    print(json.dumps({"load_s": load_s, "peak_rss_mb": peak_mb, "results": results}))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: after exec, ru_maxrss still counts the parent's
    pages from before the fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(name: str, paths: list[str], repeat: int) -> dict[str, Any]:
    args = [sys.executable, __file__, "--worker", ENGINES[name], "--repeat", str(repeat), *paths]
    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.paths, args.repeat)
        return
    from tests.text_metrics import edit_distance  # here, not at the top: the workers import this module afresh

    with tempfile.TemporaryDirectory() as tmp:
        images = cases(Path(tmp))
        paths = [path for path, _ in images]
        figures = {name: run_engine(name, paths, args.repeat) for name in ENGINES}
    summary: dict[str, dict[str, float]] = {}
    for name, got in figures.items():
        errors = chars = 0
        print(f"== {name}: load {got['load_s']:.2f} s, peak RSS {got['peak_rss_mb']:.0f} MB")
        for (path, truth), result in zip(images, got["results"], strict=True):
            want, read = " ".join(truth), " ".join(result["texts"])
            wrong = edit_distance(want, read)
            errors, chars = errors + wrong, chars + max(len(want), 1)
            mark = "ok " if wrong == 0 else f"{wrong:>3}"
            print(f"  {mark} {Path(path).stem:<24} {result['seconds'] * 1000:6.0f} ms  {result['texts']}")
        per_image = sum(r["seconds"] for r in got["results"]) / len(got["results"])
        cpu_per_image = sum(r["cpu_seconds"] for r in got["results"]) / len(got["results"])
        summary[name] = {
            "cer": round(errors / chars, 4),
            "char_errors": errors,
            "ms_per_image": round(per_image * 1000, 1),
            "cpu_ms_per_image": round(cpu_per_image * 1000, 1),
            "peak_rss_mb": round(got["peak_rss_mb"], 1),
            "load_s": round(got["load_s"], 2),
        }
        print(
            f"  CER {summary[name]['cer']:.2%} ({errors}/{chars} chars), {per_image * 1000:.0f} ms per image"
            f" ({cpu_per_image * 1000:.0f} ms CPU)"
        )
    own, rapid = summary["text_model"], summary["rapidocr"]
    summary["ratios"] = {
        "time": round(own["ms_per_image"] / rapid["ms_per_image"], 3),
        "cpu_time": round(own["cpu_ms_per_image"] / rapid["cpu_ms_per_image"], 3),
        "memory": round(own["peak_rss_mb"] / rapid["peak_rss_mb"], 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
