"""The on-screen text child process: loads the text reader (engines/text_model.py: the PP-OCRv4 models on ONNX
Runtime) once and reads images on request.

Running apart means a cancel can kill it at once, a crash in native code fails one ad instead of the app, and the
app's own memory stays free of the models. Spawned children import this module afresh, so it imports nothing
heavy at module level. ONNX Runtime gets one thread: the reader shares the machine's cores with transcription.

Protocol, over one pipe: the child sends ("ready",) once the model is loaded, or ("fatal", message, detail) and
exits. A request is a list of image paths; the answer is ("lines", index, [(text, score, (x0, y0, x1, y1)), ...])
per image, then ("done",), or ("error", message, detail) for a request it could not finish."""

from __future__ import annotations

import os
from multiprocessing.connection import Connection
from typing import Any

from desktop_app.engines.child_process import give_back_memory
from desktop_app.engines.text_model import MIN_SCORE, THREADS, lines_of, load_reader

__all__ = ["MIN_SCORE", "THREADS", "serve"]


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
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)  # before NumPy loads: the reader shares the cores with transcription
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
