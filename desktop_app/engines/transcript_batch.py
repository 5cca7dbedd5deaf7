"""Files being transcribed in the background for the transcribe stage's per-ad loop, on any engine that can take
several files at once (the transcription server's RemoteTranscriber, the local TranscriberPool): the stage asks for
each ad's videos in its own order while the engine works through all of them in the order it likes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from desktop_app.core.context import CancelToken, JobStopped, StopReason

OnEach = Callable[[int, dict[str, Any] | Exception], None]
OnDone = Callable[[Path, dict[str, Any] | Exception], None]
log = logging.getLogger(__name__)


class BatchEngine(Protocol):
    """What a batch needs of an engine: several files at once, each reported as it ends (`on_each(index,
    transcript or the file's error)` on the calling thread); a JobError or a stop ends the call and is raised."""

    def transcribe_many(self, paths: Sequence[Path], token: CancelToken, on_each: OnEach) -> None: ...


class TranscriptBatch:
    """Files being transcribed in the background, several at once, for the transcribe stage's per-ad loop: each ad
    waits only for its own videos, is checkpointed as soon as they are in, and the bar moves ad by ad."""

    def __init__(
        self, engine: BatchEngine, paths: Sequence[Path], token: CancelToken, on_done: OnDone | None = None
    ) -> None:
        """`on_done(path, transcript or error)` runs on the batch's thread as each file ends, before its `result`
        is given: the stage stores each transcript the moment it is in, whatever order it asks for them in."""
        self._on_done = on_done
        self._token = CancelToken()  # stops with the job, or when the batch is closed
        self._unlink = token.on_stop(lambda: self._token.stop(token.reason or StopReason.CANCEL))
        self._index = {path: n for n, path in enumerate(dict.fromkeys(Path(p) for p in paths))}
        self._ended: dict[int, dict[str, Any] | Exception] = {}
        self._fatal: Exception | None = None
        self._changed = threading.Condition()
        threading.Thread(
            target=self._run, args=(engine, list(self._index)), name="transcript-batch", daemon=True
        ).start()

    def has(self, path: Path) -> bool:
        """Whether the batch carries this file (one transcribed before the batch started does not)."""
        return Path(path) in self._index

    def result(self, path: Path, token: CancelToken) -> dict[str, Any]:
        """The file's transcript once it is in, or its error raised; a stop of `token` ends the wait at once."""
        index = self._index[Path(path)]
        with self._changed:
            while index not in self._ended and self._fatal is None:
                token.raise_if_stopped()
                self._changed.wait(0.05)
            outcome = self._ended.get(index, self._fatal)
        if isinstance(outcome, Exception):
            raise outcome
        assert outcome is not None
        return outcome

    def close(self) -> None:
        """Stop what is still under way (the job ended early, or the loop is done); safe to call twice."""
        self._token.stop(StopReason.CANCEL)
        self._unlink()

    def _run(self, engine: BatchEngine, paths: list[Path]) -> None:
        def on_each(index: int, outcome: dict[str, Any] | Exception) -> None:
            if self._on_done is not None:
                try:
                    self._on_done(paths[index], outcome)
                except Exception:  # the transcript is still handed over; storing it is tried again by its caller
                    log.exception("handling the end of %s failed", paths[index])
            with self._changed:
                self._ended[index] = outcome
                self._changed.notify_all()

        try:
            engine.transcribe_many(paths, self._token, on_each)
        except JobStopped:
            pass  # closed, or the job stopped: its own token tells every waiting caller
        except (
            Exception
        ) as exc:  # no file can succeed (a refused key, no model loads): every file still waiting gets it
            with self._changed:
                self._fatal = exc
                self._changed.notify_all()
