"""A pool of local transcribers: N faster-whisper children, each single-threaded, each on its own file.

Whisper on short clips keeps several cores busy poorly: a 20-second ad is decoded, checked for speech and
transcribed in steps too small to split well over threads, so several files at once, one thread each, get more done
than one file on every thread. Each child is an ordinary Transcriber (the model loaded once and kept across jobs,
a crash failing one file, a cancel killing the child at once); the pool hands files to free children and keeps as
many alive as the machine has cores and memory for (`pool_size`)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from desktop_app.core.context import AdFailed, CancelToken, JobError
from desktop_app.core.whisper_catalogue import BUNDLED_MODEL, is_local_folder
from desktop_app.engines.parallel import run_parallel
from desktop_app.engines.transcriber import Transcriber
from desktop_app.engines.transcript_batch import OnEach

log = logging.getLogger(__name__)

MB = 1024 * 1024
# Resident memory of one child with its model loaded (int8 on the CPU, Python and PyAV included), by model family:
# the figure Auto divides the memory budget by. Distil models count as the model they were distilled from.
RAM_PER_CHILD: dict[str, int] = {
    "tiny": 300 * MB,
    "base": 400 * MB,
    "small": 900 * MB,
    "medium": 2200 * MB,
    "turbo": 3500 * MB,
    "large": 4000 * MB,
}
UNKNOWN_FAMILY = "small"  # a local model folder says nothing of its size: a middling guess
# After a stop, how long transcribe_many waits for its killed children to be reaped: well inside the 1 s a cancel
# may take, and enough for a kill and a join (a few milliseconds on an idle machine).
SETTLE_S = 0.6


def ram_per_child(model_name: str) -> int:
    """Bytes one child needs for this model (see RAM_PER_CHILD)."""
    if is_local_folder(model_name):
        return RAM_PER_CHILD[UNKNOWN_FAMILY]
    name = model_name.removeprefix("distil-").removesuffix(".en")
    family = "turbo" if "turbo" in name else name.split("-")[0]
    return RAM_PER_CHILD.get(family, RAM_PER_CHILD[UNKNOWN_FAMILY])


def pool_size(model_name: str, setting: int = 0, memory_budget: int | None = None) -> int:
    """How many children to run: `setting` when above 0 (the user's choice), else Auto: one per core, as many as
    half the memory now available holds (the rest is for the app, the other stages and the user's own programs),
    at least one. `memory_budget` (bytes) replaces that half, for tests."""
    if setting > 0:
        return setting
    if memory_budget is None:
        import psutil

        memory_budget = psutil.virtual_memory().available // 2
    return max(1, min(os.cpu_count() or 1, memory_budget // ram_per_child(model_name)))


class TranscriberPool:
    """Several Transcriber children behind the Transcriber interface, plus transcribe_many (which a TranscriptBatch
    drives) for the transcribe stage; thread-safe, one instance per app (its children and their models outlive jobs)."""

    def __init__(self, model_name: str = BUNDLED_MODEL, size: int = 0, models: Path | None = None) -> None:
        self.model_name = model_name
        self.models = models  # where downloaded models live (the data folder's models/)
        self.size = pool_size(model_name, size)
        self._children = [Transcriber(model_name, cpu_threads=1, models=models) for _ in range(self.size)]
        # Free children, the next one to use last: used children go back on top, so files one after another keep
        # to one child and the others start only when several files are wanted at once (or on warm_up).
        self._idle = list(reversed(self._children))
        self._free = threading.Condition()
        self._busy = 0

    @property
    def english_only(self) -> bool:
        """Whether the model knows only English (Whisper's ".en" models); see Transcriber.english_only."""
        return self.model_name.endswith(".en")

    @property
    def busy(self) -> int:
        """How many children are transcribing a file right now."""
        with self._free:
            return self._busy

    def pids(self) -> list[int]:
        """The process ids of the children now running, for measuring their memory (and for tests)."""
        processes = [child._process for child in self._children]  # Transcriber keeps its child to itself
        return [p.pid for p in processes if p is not None and p.pid is not None and p.is_alive()]

    def warm_up(self) -> None:
        """Start every free child, so the models load in parallel while other work goes on (a busy child has its
        model already). Not before the model is downloaded: Transcriber.warm_up waits for that, too."""
        with self._free:
            idle, self._idle = self._idle, []
        try:
            for child in idle:
                child.warm_up()
        finally:
            with self._free:
                self._idle.extend(idle)
                self._free.notify_all()

    def transcribe(
        self, path: Path, token: CancelToken, on_progress: Callable[[float, float], None] | None = None
    ) -> dict[str, Any]:
        """Transcribe one file on the next free child (waiting for one, until the job is stopped). Raises as
        Transcriber.transcribe does: TranscriptionError for this file, JobError if no model can load, JobStopped
        at once when the job is stopped (the child is killed)."""
        child = self._take(token)
        try:
            return child.transcribe(path, token, on_progress)
        except AdFailed:
            self._restart(child)
            raise
        finally:
            self._give_back(child)

    def transcribe_many(self, paths: Sequence[Path], token: CancelToken, on_each: OnEach) -> None:
        """Transcribe several files, one per child at once. `on_each(index, transcript or the file's error)` runs
        on this thread as each file ends, in the order they end. A JobError (no model loads) or a stop ends the
        whole batch and is raised here, once the children it was using are killed."""
        inside = _Tally()

        def one(path: Path, batch: CancelToken) -> dict[str, Any]:
            with inside:
                return self.transcribe(path, batch)

        def done(index: int, outcome: dict[str, Any] | Exception) -> None:
            if isinstance(outcome, JobError):
                raise outcome
            on_each(index, outcome)

        try:
            run_parallel([partial(one, path) for path in paths], self.size, token, done)
        finally:
            # After a stop or a JobError the batch's children are being killed on the worker threads; waiting
            # for them means the caller finds them gone, and a next batch finds them free.
            inside.wait_empty(SETTLE_S)

    def close(self) -> None:
        """End every child at once (see Transcriber.close); the pool starts them again if used after."""
        for child in self._children:
            child.close()

    def _take(self, token: CancelToken) -> Transcriber:
        """The next free child, marked busy; a stop of `token` ends the wait at once (JobStopped)."""
        with self._free:
            token.wait_for(self._free, lambda: bool(self._idle))
            self._busy += 1
            return self._idle.pop()

    def _give_back(self, child: Transcriber) -> None:
        with self._free:
            self._busy -= 1
            self._idle.append(child)
            self._free.notify_all()

    def _restart(self, child: Transcriber) -> None:
        """After a file failed: a child that died with it is started again now, so its model loads while the
        other children work, not when the next file is already waiting (a child still alive is left as it is)."""
        try:
            child.warm_up()
        except Exception:
            log.warning("the transcriber could not be started again; it is tried with the next file", exc_info=True)


class _Tally:
    """How many of one batch's tasks are inside a child, and a wait for none to be."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def __enter__(self) -> None:
        with self._changed:
            self._count += 1

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_empty(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while self._count and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
