"""The on-screen text engine: the PP-OCRv4 reader (text_model.py) in a child process (ocr_child.py), and the merge of
what it read on each keyframe into one list of texts over time.

Like the transcriber, the child loads its models once and serves requests across ads and jobs; a cancel kills it
at once and the next request starts a fresh one; a child that dies fails the one ad it was reading. Nothing here
imports ONNX Runtime: it lives only in the child."""

from __future__ import annotations

import difflib
import logging
import multiprocessing
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from desktop_app.core.context import AdFailed, CancelToken, JobError, JobStopped
from desktop_app.engines.child_process import OwnsChild
from desktop_app.engines.frames import Keyframe
from desktop_app.engines.ocr_child import MIN_SCORE, THREADS, serve

POLL_S = 0.05
SAME_TEXT = 0.9  # texts this similar (after dropping case, spaces and punctuation) are one text read twice
FUZZY_FROM = 8  # shorter texts must match exactly: one letter is too much of them

log = logging.getLogger(__name__)


class ScreenReaderUnavailable(JobError):
    """The OCR models could not be loaded at all (a broken install): no ad can be read, so the caller decides
    whether the job stops or goes on without on-screen text."""


@dataclass(frozen=True)
class TextLine:
    """One line of text read on an image; `box` is (x0, y0, x1, y1) in the image's pixels, so a big headline can
    be told from small print."""

    text: str
    score: float
    box: tuple[float, float, float, float]


class ScreenReader(OwnsChild):
    """One child process per app, started on first use and reused; thread-safe (one request at a time)."""

    def __init__(self, threads: int = THREADS) -> None:
        self.threads = threads
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id while one runs (for diagnostics and tests)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def warm_up(self) -> None:
        """Start the child so its models load in the background of other work."""
        with self._lock:
            self._ensure_started()

    def read(
        self, images: list[Path], token: CancelToken, on_progress: Callable[[int, int], None] | None = None
    ) -> list[list[TextLine]]:
        """The text lines on each image, in order (lines scoring under 0.5 dropped). Raises AdFailed when reading
        fails for these images, ScreenReaderUnavailable when the models cannot load, JobStopped as soon as the
        job stops (the child is killed at once and the next call starts a new one). `on_progress(done, total)`
        is called after each image."""
        if not images:
            return []
        with self._lock:
            token.raise_if_stopped()
            unregister = token.on_stop(self._kill)
            try:
                conn = self._ensure_started()
                conn.send([str(p) for p in images])
                return self._receive(conn, len(images), token, on_progress)
            except JobStopped:
                self._discard()  # before the lock is released, so the next call gets a fresh child
                raise
            except OSError:  # the pipe broke: the child died before it took the request
                self._discard()
                raise AdFailed("reading the on-screen text failed: the text reader stopped unexpectedly") from None
            finally:
                unregister()

    def close(self) -> None:
        """End the child at once: it holds nothing but the loaded models."""
        with self._lock:
            self._discard()

    def _ensure_started(self) -> Connection:
        return self._start_child(serve, (self.threads,), "screen-reader")

    def _receive(
        self, conn: Connection, total: int, token: CancelToken, on_progress: Callable[[int, int], None] | None
    ) -> list[list[TextLine]]:
        found: list[list[TextLine]] = []
        while True:
            token.raise_if_stopped()
            try:
                if not conn.poll(POLL_S):
                    if self._process is not None and not self._process.is_alive():
                        raise EOFError
                    continue
                message = conn.recv()
            except (EOFError, OSError):
                token.raise_if_stopped()
                self._discard()
                raise AdFailed("reading the on-screen text failed: the text reader stopped unexpectedly") from None
            kind = message[0]
            if kind == "lines":
                found.append([TextLine(text, score, (x0, y0, x1, y1)) for text, score, (x0, y0, x1, y1) in message[2]])
                if on_progress is not None:
                    on_progress(len(found), total)
            elif kind == "done":
                return found
            elif kind == "error":
                log.warning("on-screen text: %s (%s)", message[1], message[2])
                raise AdFailed(f"reading the on-screen text failed: {message[1]}")
            elif kind == "fatal":
                self._discard()
                raise ScreenReaderUnavailable(message[1], detail=message[2])


def screen_text(lines_per_frame: list[list[TextLine]], keyframes: tuple[Keyframe, ...]) -> list[dict[str, Any]]:
    """One entry per text as it appears: {"time_s", "text", "score", "height_share"}, in time order, where
    height_share is the line's height over the picture's (how big it is on screen). Text still on screen from
    the keyframe before is not repeated; text that comes back after a gap is listed again."""
    if len(lines_per_frame) != len(keyframes):
        raise ValueError("one list of lines per keyframe is needed")
    entries: list[dict[str, Any]] = []
    before: list[str] = []
    for lines, keyframe in zip(lines_per_frame, keyframes, strict=True):
        height = keyframe.height or _image_height(Path(keyframe.path))
        now: list[str] = []
        for line in lines:
            if line.score < MIN_SCORE:
                continue
            key = _key(line.text)
            if not key or _seen(key, now):
                continue
            now.append(key)
            if _seen(key, before):
                continue
            share = (line.box[3] - line.box[1]) / height if height else 0.0
            entries.append(
                {
                    "time_s": keyframe.time_s,
                    "text": line.text,
                    "score": round(line.score, 3),
                    "height_share": round(min(1.0, max(0.0, share)), 3),
                }
            )
        before = now
    return entries


def _key(text: str) -> str:
    """What two readings of the same text share: OCR varies in case, spacing and punctuation between frames."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _seen(key: str, keys: list[str]) -> bool:
    """Whether `key` is one of `keys`, allowing a misread letter in longer texts but never a different number
    ("20% OFF" then "30% OFF" is new text)."""
    for other in keys:
        if key == other:
            return True
        if min(len(key), len(other)) < FUZZY_FROM or _digits(key) != _digits(other):
            continue
        if difflib.SequenceMatcher(None, key, other).ratio() >= SAME_TEXT:
            return True
    return False


def _digits(key: str) -> str:
    return "".join(c for c in key if c.isdigit())


def _image_height(path: Path) -> int:
    """The picture's height read from the file's header, for keyframes that do not carry their size."""
    try:
        from PIL import Image

        with Image.open(path) as image:
            return int(image.height)
    except (OSError, ValueError):
        return 0
