"""RapidOCR (rapidocr-onnxruntime with OpenCV) behind the same two calls as desktop_app/engines/text_model.py, as the
app used it before its own reader: only for bench/text_model.py's comparison (needs OpenCV installed)."""

from __future__ import annotations

import os
from typing import Any

MIN_SCORE = 0.5
DETECT_AT_MOST = 960  # keyframes are detected at their own size, as the app does

Line = tuple[str, float, tuple[float, float, float, float]]


def load_reader(threads: int = 1) -> Any:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    import cv2

    cv2.setNumThreads(threads)
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(
        intra_op_num_threads=threads,
        inter_op_num_threads=threads,
        text_score=MIN_SCORE,
        det_limit_type="max",
        det_limit_side_len=DETECT_AT_MOST,
    )


def lines_of(reader: Any, path: str) -> list[Line]:
    found, _ = reader(path)
    lines: list[Line] = []
    for points, text, score in found or []:
        text = str(text).strip()
        if text and float(score) >= MIN_SCORE:
            xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
            lines.append((text, round(float(score), 4), (min(xs), min(ys), max(xs), max(ys))))
    return lines
