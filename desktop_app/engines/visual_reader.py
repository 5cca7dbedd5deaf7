"""Looking at a video: keyframes, poster and pacing (frames.py), then the on-screen text of the keyframes
(ocr.py, in its own child process). Most feed video is watched with the sound off, so offers and calls to
action are often only on screen.

A machine where the text models cannot load still gets the keyframes, the poster and the pacing, and its analyses
say the on-screen text was not read."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from desktop_app.core.context import CancelToken
from desktop_app.core.visuals import OCR_UNAVAILABLE
from desktop_app.engines.frames import look_at
from desktop_app.engines.ocr import ScreenReader, ScreenReaderUnavailable, screen_text

log = logging.getLogger(__name__)


def ocr_installed() -> bool:
    """Whether this installation can read text on frames: the text models are where the reader looks for them
    (the child would fail to load them otherwise)."""
    from desktop_app.engines.text_model import DET_MODEL, REC_MODEL, models_folder

    try:
        folder = models_folder()
    except FileNotFoundError:
        return False
    return all((folder / name).is_file() for name in (DET_MODEL, REC_MODEL))


IDLE_S = 30.0  # the OCR child ends after this long without a look: its ~150 MB back between jobs, ~0.5 s to restart


class VisualReader:
    """One per app: the OCR child starts with the first look (loading while that video's frames decode), serves
    the next ads and jobs, and ends after `idle_s` without a look."""

    def __init__(self, root: Path, idle_s: float = IDLE_S) -> None:
        self.root = root  # the data folder's visuals/: one folder of images per video content
        self.idle_s = idle_s
        self._reader: ScreenReader | None = None
        self._ocr = ocr_installed()
        self._lock = threading.Lock()  # jobs running together take turns rather than start a second OCR child
        self._idle: threading.Timer | None = None

    @property
    def pid(self) -> int | None:
        """The OCR child's process id while one runs (for measuring its memory)."""
        reader = self._reader
        return reader.pid if reader is not None else None

    def look(self, video: Path, sha256: str, token: CancelToken) -> dict[str, Any]:
        """What the video shows, as stored per content hash: keyframes, poster, pacing, on-screen text."""
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
            try:
                return self._look(video, sha256, token)
            finally:
                self._idle = threading.Timer(self.idle_s, self._end_if_idle)
                self._idle.daemon = True
                self._idle.start()

    def _look(self, video: Path, sha256: str, token: CancelToken) -> dict[str, Any]:
        if self._ocr and self._reader is None:
            self._reader = ScreenReader()
            self._reader.warm_up()  # its models load while the frames below decode
        visuals = look_at(video, self.root / sha256[:2] / sha256, token)
        data = visuals.to_dict() | {"screen_text": [], "ocr": None}
        if not visuals.keyframes:
            return data
        if not self._ocr or self._reader is None:
            return data | {"ocr": OCR_UNAVAILABLE}
        try:
            lines = self._reader.read([Path(k.path) for k in visuals.keyframes], token)
        except ScreenReaderUnavailable as exc:
            log.warning("text recognition unavailable: %s", exc)
            self._ocr = False
            return data | {"ocr": OCR_UNAVAILABLE}
        return data | {"screen_text": screen_text(lines, visuals.keyframes), "ocr": "read"}

    def _end_if_idle(self) -> None:
        """The idle timer ran out: end the OCR child, unless a look has just begun (it sets a new timer)."""
        if self._lock.acquire(blocking=False):
            try:
                self._end_reader()
            finally:
                self._lock.release()

    def close(self) -> None:
        with self._lock:  # after a look under way, and never beside the idle timer's own end
            if self._idle is not None:
                self._idle.cancel()
            self._end_reader()

    def _end_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
