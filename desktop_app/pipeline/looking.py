"""Looking at an ad's videos (keyframes, poster, pacing, on-screen text) on a thread while the transcriber
child listens to them: frames decode here and text is read in the OCR child, so the work runs beside the
transcription instead of after it. Each video content is looked at once; the result is stored by hash."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.context import CancelToken
from desktop_app.core.visuals import VisualStore
from desktop_app.engines.visual_reader import VisualReader
from desktop_app.pipeline.checkpoints import StoredVideo


@dataclass(frozen=True)
class Looking:
    reader: VisualReader
    store: VisualStore


class Seen:
    """The look under way for one ad: `wait` returns when it is done, raising what it raised."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, looking: Looking, videos: Sequence[StoredVideo], token: CancelToken) -> None:
        def run() -> None:
            try:
                for video in videos:
                    if looking.store.get(video.sha256) is None:
                        looking.store.save(video.sha256, looking.reader.look(Path(video.path), video.sha256, token))
            except BaseException as exc:  # handed to the stage's thread, which fails the ad or stops the job
                self._error = exc

        self._thread = threading.Thread(target=run, name="look-at-videos", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error


@contextlib.contextmanager
def look_beside(looking: Looking | None, videos: Sequence[StoredVideo], token: CancelToken) -> Iterator[Seen]:
    """Start looking at `videos` (those not looked at before); the block transcribes, then calls `wait`. A
    block that fails leaves the look to end on its own (a cancel stops it through the token)."""
    seen = Seen()
    if looking is not None and videos:
        seen.start(looking, videos, token)
    yield seen
