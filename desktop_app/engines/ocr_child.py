"""The on-screen text child process: loads RapidOCR (ONNX Runtime and OpenCV) once and reads images on request.

Running apart means a cancel can kill it at once, a crash in native code fails one ad instead of the app, and
OpenCV never loads into the app's process (its bundled Qt clashes with PySide6). Spawned children import this
module afresh, so it imports nothing heavy at module level. ONNX Runtime and OpenCV get one thread each: the
reader shares the machine's cores with transcription.

Protocol, over one pipe: the child sends ("ready",) once the model is loaded, or ("fatal", message, detail) and
exits. A request is a list of image paths; the answer is ("lines", index, [(text, score, (x0, y0, x1, y1)), ...])
per image, then ("done",), or ("error", message, detail) for a request it could not finish."""

from __future__ import annotations

import os
from multiprocessing.connection import Connection
from typing import Any

from desktop_app.engines.child_process import give_back_memory

MIN_SCORE = 0.5  # lines the recogniser is less sure of than this are mostly noise
THREADS = 1
# Keyframes are at most 640 wide: detect text at their own size (RapidOCR's default enlarges every image to 736 on
# its short side, which took 4x the time and twice the memory and found no more text on test cards, down to 9 px).
DETECT_AT_MOST = 960

Line = tuple[str, float, tuple[float, float, float, float]]


def load_reader(threads: int = THREADS) -> Any:
    """RapidOCR with its bundled models, limited to `threads` threads."""
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
    """The text lines RapidOCR finds in one image, with boxes as (x0, y0, x1, y1) in the image's pixels."""
    found, _ = reader(path)
    lines: list[Line] = []
    for points, text, score in found or []:
        text = str(text).strip()
        if not text or float(score) < MIN_SCORE:
            continue
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        lines.append((text, round(float(score), 4), (min(xs), min(ys), max(xs), max(ys))))
    return lines


def _answer(reader: Any, paths: list[str], conn: Connection) -> None:
    for index, path in enumerate(paths):
        if not os.path.isfile(path):
            conn.send(("error", "a keyframe image is missing", path))
            return
        try:
            lines = lines_of(reader, path)
        except Exception as exc:
            conn.send(("error", "a keyframe image could not be read", f"{path}: {type(exc).__name__}: {exc}"))
            return
        conn.send(("lines", index, lines))
    conn.send(("done",))


def serve(threads: int, conn: Connection) -> None:
    """Child process main: load the reader once, then answer requests until the pipe closes."""
    try:
        reader = load_reader(threads)
    except Exception as exc:
        conn.send(("fatal", "The on-screen text reader could not be loaded.", f"{type(exc).__name__}: {exc}"))
        return
    try:
        conn.send(("ready",))
        while True:
            try:
                request = conn.recv()
            except (EOFError, ConnectionError):
                return  # the app closed the pipe
            try:
                _answer(reader, [str(p) for p in request], conn)
            finally:
                give_back_memory()
    except (ConnectionError, EOFError):
        return  # the app closed the pipe: nothing is waiting for an answer
