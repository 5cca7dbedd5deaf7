"""On-screen text reading with ONNX Runtime, NumPy and Pillow only, so the frozen build can read text without OpenCV.

The models and the method are PaddleOCR's PP-OCRv4 (a DB text detector and a CTC text recogniser, Apache-2.0),
as packaged by RapidOCR (rapidocr-onnxruntime); this is an independent rewrite of their pre- and post-processing.
The same contract as ocr_child: `load_reader(threads)` once, then `lines_of(reader, path)` per image, giving
[(text, score, (x0, y0, x1, y1)), ...] in the image's pixels, top to bottom, left to right.

Differences from RapidOCR, chosen for horizontal ad text: boxes are axis-aligned rectangles (no rotated boxes, no
90-degree turn of tall crops, no angle classifier), regions are connected components rather than contours, the
DB unclip is the exact offset of a rectangle, line crops are enlarged with Lanczos rather than bilinear, and the
sessions keep an arena but no memory patterns (lower peak memory). Heavy modules load inside functions: spawned
children import this module afresh and ONNX Runtime must not load until a reader is needed."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

MIN_SCORE = 0.5  # lines the recogniser is less sure of than this are mostly noise
THREADS = 1
DETECT_AT_MOST = 960  # keyframes are detected at their own size, scaled down only past this long side
PIXEL_THRESHOLD = 0.3  # DB: a pixel is text when its probability is above this
BOX_THRESHOLD = 0.5  # DB: a region is text when its mean probability is above this
UNCLIP_RATIO = 1.6  # DB: regions are shrunk text; grow them back by area * ratio / perimeter
MIN_REGION_SIDE = 3
MAX_REGIONS = 1000
LINE_HEIGHT = 48  # the recogniser's input height
MIN_LINE_WIDTH = 320  # PaddleOCR pads short lines to this width; shorter inputs read worse
BATCH = 6
SAME_ROW = 10  # boxes whose tops are closer than this (pixels) are read left to right
DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"
REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"

Line = tuple[str, float, tuple[float, float, float, float]]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, end exclusive


@dataclass(frozen=True)
class Reader:
    """The two ONNX sessions and the recogniser's alphabet (index 0 is the CTC blank)."""

    detector: Any
    recogniser: Any
    alphabet: list[str]


def models_folder() -> Path:
    """RapidOCR's bundled models, located without importing the package (its __init__ imports OpenCV); in the
    frozen build, the two model files packaging/ad_analysis.spec copies to the same place inside the bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "rapidocr_onnxruntime" / "models"
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("rapidocr_onnxruntime is not installed: its PP-OCRv4 models are needed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def load_reader(threads: int = THREADS, models: str | Path | None = None) -> Reader:
    """Both PP-OCRv4 sessions on `threads` threads, from `models` or RapidOCR's package folder."""
    import onnxruntime as ort

    folder = Path(models) if models is not None else models_folder()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = threads
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Every image and line has its own shape: cached memory patterns per shape, and the allocator's fragmentation
    # without an arena, both took peak memory past 270 MB on the bench; an arena grown only as asked stays near 160.
    options.enable_mem_pattern = False
    options.log_severity_level = 3
    cpu = ("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})
    sessions = []
    for name in (DET_MODEL, REC_MODEL):
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"the text model {path} is missing")
        sessions.append(ort.InferenceSession(str(path), options, providers=[cpu]))
    characters = sessions[1].get_modelmeta().custom_metadata_map.get("character", "")
    alphabet = ["", *characters.splitlines(), " "]
    return Reader(sessions[0], sessions[1], alphabet)


def lines_of(reader: Reader, path: str) -> list[Line]:
    """The text lines read in one image, with boxes as (x0, y0, x1, y1) in the image's pixels."""
    image = _load_bgr(path)
    boxes = _sorted(_detect(reader, image))
    lines: list[Line] = []
    for box, (text, score) in zip(boxes, _recognise(reader, image, boxes), strict=True):
        text = text.strip()
        if text and score >= MIN_SCORE:
            lines.append((text, round(score, 4), (float(box[0]), float(box[1]), float(box[2]), float(box[3]))))
    return lines


def _load_bgr(path: str) -> np.ndarray:
    """The image as height x width x 3 uint8 in BGR order, the order PaddleOCR trained on (OpenCV's)."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    if not Path(path).is_file():
        raise FileNotFoundError(f"no image file at {path}")
    try:
        with Image.open(path) as opened:
            rgb = np.asarray(opened.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"{path} is not an image that can be read: {exc}") from exc
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _normalised(bgr: np.ndarray) -> np.ndarray:
    """Pixels scaled to [-1, 1] in channel-first order, as both models expect."""
    return bgr.transpose(2, 0, 1).astype("float32") * (2 / 255) - 1


def _detect(reader: Reader, image: np.ndarray) -> list[Box]:
    """Text boxes from the DB probability map, mapped back to the image's pixels."""
    from PIL import Image

    height, width = image.shape[:2]
    scale = min(1.0, DETECT_AT_MOST / max(height, width))
    size_w = max(32, round(width * scale / 32) * 32)
    size_h = max(32, round(height * scale / 32) * 32)
    same = (size_w, size_h) == (width, height)
    resized = image if same else _resize(image, size_w, size_h, Image.Resampling.BILINEAR)
    feed = {reader.detector.get_inputs()[0].name: _normalised(resized)[None]}
    prob = reader.detector.run(None, feed)[0][0, 0]
    mask = _dilated(prob > PIXEL_THRESHOLD)
    boxes: list[Box] = []
    sx, sy = width / size_w, height / size_h
    for left, top, right, bottom in _regions(prob, mask):
        x0, x1 = (min(max(round(x * sx), 0), width - 1) for x in (left, right))
        y0, y1 = (min(max(round(y * sy), 0), height - 1) for y in (top, bottom))
        if x1 - x0 > 3 and y1 - y0 > 3:
            boxes.append((x0, y0, x1, y1))
    return boxes


def _resize(image: np.ndarray, width: int, height: int, method: Any) -> np.ndarray:
    """Pillow's resampling in place of OpenCV's; it also smooths when shrinking, so shrunk text does not alias."""
    import numpy as np
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((width, height), method))


def _dilated(mask: np.ndarray) -> np.ndarray:
    """DB's 2x2 dilation: joins letters whose shrunk regions touch only at a corner."""
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    wide = grown.copy()
    wide[:, 1:] |= grown[:, :-1]
    return wide


def _regions(prob: np.ndarray, mask: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Text regions as expanded rectangles in map coordinates: components of `mask` that are big enough and whose
    bounding box has a mean probability of at least BOX_THRESHOLD."""
    import numpy as np

    left, top, right, bottom = _components(mask)
    if left.size == 0:
        return []
    order = np.argsort(-(right - left + 1) * (bottom - top + 1), kind="stable")[:MAX_REGIONS]
    left, top, right, bottom = left[order], top[order], right[order], bottom[order]
    # Like OpenCV's contours, sides run between the outer pixels' centres.
    w, h = (right - left).astype(float), (bottom - top).astype(float)
    integral = np.zeros((prob.shape[0] + 1, prob.shape[1] + 1))
    integral[1:, 1:] = prob.cumsum(0).cumsum(1)
    total = (
        integral[bottom + 1, right + 1] - integral[top, right + 1] - integral[bottom + 1, left] + integral[top, left]
    )
    score = total / ((w + 1) * (h + 1))
    grow = np.where(w + h > 0, w * h * UNCLIP_RATIO / np.maximum(2 * (w + h), 1e-9), 0.0)
    keep = (np.minimum(w, h) >= MIN_REGION_SIDE) & (score >= BOX_THRESHOLD)
    keep &= np.minimum(w, h) + 2 * grow >= MIN_REGION_SIDE + 2
    return [
        (float(left[i] - grow[i]), float(top[i] - grow[i]), float(right[i] + grow[i]), float(bottom[i] + grow[i]))
        for i in np.flatnonzero(keep)
    ]


def _components(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bounding boxes (left, top, right, bottom, inclusive) of the 8-connected components of `mask`: runs of set
    pixels per row, joined across neighbouring rows with a vectorised union-find over the runs."""
    import numpy as np

    rows, cols = mask.shape
    stride = cols + 2  # a clear pixel each side of every row, so runs never cross rows
    padded = np.zeros((rows, stride), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded.ravel())
    starts = np.flatnonzero(edges == 1) + 1  # flat index of a run's first pixel
    ends = np.flatnonzero(edges == -1) + 1  # flat index just past its last pixel
    row = starts // stride
    # Runs of the row above that touch [start, end) with 8-connectivity: end >= start - stride, start <= end - stride.
    first = np.searchsorted(ends, starts - stride, side="left")
    last = np.searchsorted(starts, ends - stride, side="right")
    count = np.maximum(last - first, 0)
    below = np.repeat(np.arange(starts.size), count)
    above = np.repeat(first, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    root = _union(starts.size, above, below)
    labels, index = np.unique(root, return_inverse=True)
    left = np.full(labels.size, cols, dtype=np.int64)
    right = np.full(labels.size, -1, dtype=np.int64)
    top = np.full(labels.size, rows, dtype=np.int64)
    bottom = np.full(labels.size, -1, dtype=np.int64)
    np.minimum.at(left, index, starts - row * stride - 1)
    np.maximum.at(right, index, ends - row * stride - 2)
    np.minimum.at(top, index, row)
    np.maximum.at(bottom, index, row)
    return left, top, right, bottom


def _union(size: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The root of each of `size` nodes joined by the edges (first[i], second[i]): hook the larger root under the
    smaller one, then halve paths until every node points at its root, until no edge joins two roots."""
    import numpy as np

    parent = np.arange(size)
    while True:
        a, b = parent[first], parent[second]
        apart = a != b
        if not apart.any():
            return parent
        np.minimum.at(parent, np.maximum(a, b)[apart], np.minimum(a, b)[apart])
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def _sorted(boxes: list[Box]) -> list[Box]:
    """Reading order: rows of boxes whose tops are within SAME_ROW pixels, each row left to right."""
    ordered: list[Box] = []
    row: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        if row and box[1] - row[0][1] >= SAME_ROW:
            ordered += sorted(row)
            row = []
        row.append(box)
    return ordered + sorted(row)


def _recognise(reader: Reader, image: np.ndarray, boxes: list[Box]) -> list[tuple[str, float]]:
    """(text, score) per box: crops scaled to the model's height, batched with crops of similar width."""
    import numpy as np

    crops = [image[y0:y1, x0:x1] for x0, y0, x1, y1 in boxes]
    ratios = np.array([c.shape[1] / c.shape[0] for c in crops])
    found: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    order = np.argsort(ratios, kind="stable")
    name = reader.recogniser.get_inputs()[0].name
    for begin in range(0, len(order), BATCH):
        chosen = order[begin : begin + BATCH]
        width = max(MIN_LINE_WIDTH, int(LINE_HEIGHT * ratios[chosen].max()))
        batch = np.stack([_line_input(crops[i], width) for i in chosen])
        probs = reader.recogniser.run(None, {name: batch})[0]
        for i, decoded in zip(chosen, _decode(probs, reader.alphabet), strict=True):
            found[i] = decoded
    return found


def _line_input(crop: np.ndarray, width: int) -> np.ndarray:
    """One crop resized to LINE_HEIGHT keeping its aspect, normalised, and padded with zeros to `width`. Lanczos, not
    bilinear as in RapidOCR: small print enlarged 3-4x stays sharp, and the recogniser then keeps the spaces between
    words (bilinear lost a space on one line in three on the bench's mixed cards)."""
    import math

    import numpy as np
    from PIL import Image

    fitted = min(width, math.ceil(LINE_HEIGHT * crop.shape[1] / crop.shape[0]))
    line = np.zeros((3, LINE_HEIGHT, width), dtype=np.float32)
    line[:, :, :fitted] = _normalised(_resize(crop, fitted, LINE_HEIGHT, Image.Resampling.LANCZOS))
    return line


def _decode(probs: np.ndarray, alphabet: list[str]) -> list[tuple[str, float]]:
    """Greedy CTC: the likeliest symbol per step, repeats merged, blanks dropped; the score is the mean
    probability of the symbols kept."""
    best = probs.argmax(axis=2)
    sure = probs.max(axis=2)
    decoded = []
    for symbols, certainty in zip(best, sure, strict=True):
        keep = symbols != 0
        keep[1:] &= symbols[1:] != symbols[:-1]
        text = "".join(alphabet[s] for s in symbols[keep])
        decoded.append((text, float(certainty[keep].mean()) if keep.any() else 0.0))
    return decoded
