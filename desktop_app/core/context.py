"""What a running stage sees: progress reporting that doubles as a cancellation point, per-item
checkpoints, and a token that long work (hooks, child processes, backoff waits) can watch."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, TypeVar

from desktop_app.core.failures import disk_full_message, is_disk_full
from desktop_app.core.scrub import scrub
from desktop_app.core.types import ItemStatus, JobItem, Outcome, SourceSpec

T = TypeVar("T")
log = logging.getLogger(__name__)


class StopReason(Enum):
    CANCEL = "cancel"  # the user asked: the job ends cancelled
    SHUTDOWN = "shutdown"  # the app is quitting: the job resumes at the next start
    LOST = "lost"  # another runner holds the job now: stop without writing anything


class JobStopped(BaseException):
    """Raised at a cancellation point. A BaseException so that `except Exception` in stage code
    cannot swallow it."""


class JobCancelled(JobStopped):
    """The user cancelled the job."""


class JobInterrupted(JobStopped):
    """The app is shutting down; the job is handed back to the queue."""


class ClaimLost(JobStopped):
    """This run no longer owns its job (it was paused past its lease and another runner took the job over):
    it stops at once and writes nothing more."""


class JobError(Exception):
    """A failure that stops the whole job (nothing can proceed), with a message for the user.

    `settings_field` names the setting to open when the user can fix it there (an invalid token)."""

    def __init__(self, message: str, *, settings_field: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.settings_field = settings_field
        self.detail = detail


class AdFailed(Exception):
    """This ad failed for a reason people can read: `reason` is a plain sentence ("the video host answered
    404: video not found"). Engines raise it (or subclasses) for every failure they understand."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ItemSkipped(Exception):
    """This ad cannot go further for an ordinary reason ("no video"); not a failure. `reason` is a plain
    sentence for people; `outcome` is what the job counts."""

    def __init__(self, reason: str, outcome: Outcome = Outcome.SKIPPED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome


class Checkpoint(Protocol):
    """What an item-stage hands the next one (a frozen dataclass per stage, stored as JSON).

    `outcome` is set by the stage that ends the item (the analysis), None before; `reason` is what people
    should read about how it ended, if anything."""

    @property
    def outcome(self) -> Outcome | None: ...

    @property
    def reason(self) -> str | None: ...

    def to_dict(self) -> dict[str, Any]: ...


class CancelToken:
    """A thread-safe stop flag with interruptible waits and callbacks for work that must be killed."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._reason: StopReason | None = None
        self._callbacks: list[Callable[[], None]] = []

    @property
    def reason(self) -> StopReason | None:
        return self._reason

    @property
    def stopped(self) -> bool:
        return self._event.is_set()

    def stop(self, reason: StopReason) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._reason = reason
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def raise_if_stopped(self) -> None:
        if self._event.is_set():
            if self._reason is StopReason.LOST:
                raise ClaimLost()
            raise JobCancelled() if self._reason is StopReason.CANCEL else JobInterrupted()

    def sleep(self, seconds: float) -> None:
        """Wait (for a backoff, say), returning early by raising when the job is stopped."""
        self._event.wait(max(0.0, seconds))
        self.raise_if_stopped()

    def call(self, work: Callable[[], T]) -> T:
        """Run blocking work that has no cancellation point of its own (a network call in a library) on a
        helper thread, and wait for it here: a stop raises at once, and the abandoned work ends by its own
        timeout. Its result or exception is returned or raised as if it ran here."""
        done = threading.Event()
        outcome: list[Any] = []

        def run() -> None:
            try:
                outcome.append((True, work()))
            except BaseException as exc:
                outcome.append((False, exc))
            finally:
                done.set()

        threading.Thread(target=run, name="cancellable-call", daemon=True).start()
        while not done.wait(0.05):
            self.raise_if_stopped()
        ok, value = outcome[0]
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def wait_for(self, condition: threading.Condition, ready: Callable[[], bool]) -> None:
        """Wait on `condition` (the caller holds it) until `ready()`; a stop wakes the wait at once and raises
        JobStopped. The condition must be reentrant (threading.Condition's default), for a stop that comes first."""

        def wake() -> None:
            with condition:
                condition.notify_all()

        unregister = self.on_stop(wake)
        try:
            while not ready():
                self.raise_if_stopped()
                condition.wait()
            self.raise_if_stopped()
        finally:
            unregister()

    def on_stop(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run `callback` (from the stopping thread) when the job stops; returns an unregister function."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._discard(callback)
        callback()
        return lambda: None

    def _discard(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)


class ProgressSink(Protocol):
    """Where a context sends progress (the runner, which coalesces it)."""

    def report(
        self, job_id: str, percent: float, stage: Stage, message: str, counts: dict[str, tuple[int, int]]
    ) -> None: ...

    def item_changed(self, item: JobItem) -> None: ...


class ItemStore(Protocol):
    """The part of the store a context needs for checkpoints."""

    def items(self, job_id: str) -> list[JobItem]: ...

    def add_items(self, job_id: str, items: Sequence[tuple[str, dict[str, Any]]]) -> int: ...

    def begin_item(self, job_id: str, key: str, stage_key: str) -> None: ...

    def checkpoint_item(
        self,
        job_id: str,
        key: str,
        stage_key: str,
        data: dict[str, Any],
        outcome: Outcome | None = None,
        reason: str | None = None,
    ) -> JobItem: ...

    def end_item(self, job_id: str, key: str, stage_key: str, outcome: Outcome, reason: str) -> JobItem: ...

    def save_stage_state(self, job_id: str, stage_key: str, state: dict[str, Any]) -> None: ...

    def stage_state(self, job_id: str, stage_key: str) -> dict[str, Any]: ...

    def add_event(self, job_id: str, kind: str, message: str, stage: str = "", item_key: str | None = None) -> None: ...


class Stage(Protocol):
    """One step of a job. `percent` is where the bar stands when the stage starts (the spec's figures)."""

    key: str
    label: str
    percent: float

    def run(self, ctx: JobContext) -> None: ...


@dataclass
class ItemReport:
    """Lets per-item work move the bar inside its slot, e.g. per downloaded byte or transcribed second."""

    ctx: JobContext
    index: int
    total: int
    message: str

    def progress(self, fraction: float, detail: str | None = None) -> None:
        fraction = min(1.0, max(0.0, fraction))
        text = f"{self.message} - {detail}" if detail else self.message
        self.ctx.stage_progress((self.index + fraction) / self.total, text)


ItemWork = Callable[[JobItem, ItemReport], Checkpoint]


class JobContext:
    """Handed to every stage of one job run."""

    def __init__(
        self,
        job_id: str,
        source: SourceSpec,
        workdir: Path,
        token: CancelToken,
        sink: ProgressSink,
        store: ItemStore,
    ) -> None:
        self.job_id = job_id
        self.source = source
        self.workdir = workdir
        self.token = token
        self.result: dict[str, Any] = {}
        self._sink = sink
        self._store = store
        self._stage: Stage | None = None
        self._stage_end = 100.0
        self.per_item_stage = False
        self._counts: dict[str, tuple[int, int]] = {}  # stage key: ads done, of how many (see count)
        self._counts_lock = threading.Lock()

    def enter(self, stage: Stage, end_percent: float) -> None:
        """Called by the runner as each stage begins."""
        self._stage = stage
        self._stage_end = end_percent
        self.per_item_stage = False
        self.stage_progress(0.0, stage.label)

    def stage_progress(self, fraction: float, message: str) -> None:
        """Progress inside the current stage, mapped onto the stage's slice of the bar; also a cancellation
        point (raises JobStopped once the job is stopped)."""
        stage = self._require_stage()
        self.token.raise_if_stopped()
        span = self._stage_end - stage.percent
        with self._counts_lock:
            counts = dict(self._counts)
        self._sink.report(self.job_id, stage.percent + span * min(1.0, max(0.0, fraction)), stage, message, counts)

    def count(self, stage_key: str, done: int, total: int) -> None:
        """How many ads a stage has finished so far, for the job's breakdown; sent with the next progress report.
        Work of a later stage that runs ahead (transcription while videos download) reports here, from its own
        threads, so the breakdown shows both stages moving."""
        with self._counts_lock:
            self._counts[stage_key] = (done, total)

    def log(self, kind: str, message: str, item_key: str | None = None) -> None:
        stage = self._stage.key if self._stage else ""
        self._store.add_event(self.job_id, kind, message, stage, item_key)

    # ---- items ---------------------------------------------------------------------------------

    def items(self) -> list[JobItem]:
        return self._store.items(self.job_id)

    def add_items(self, items: Sequence[tuple[str, dict[str, Any]]]) -> int:
        return self._store.add_items(self.job_id, items)

    @property
    def stage_state(self) -> dict[str, Any]:
        return self._store.stage_state(self.job_id, self._require_stage().key)

    def skip_item(self, key: str, outcome: Outcome, reason: str) -> None:
        """End an item with an ordinary outcome ("already analysed") before it reaches item stages."""
        stage = self._require_stage()
        self._sink.item_changed(self._store.end_item(self.job_id, key, stage.key, outcome, reason))

    def save_stage_state(self, state: dict[str, Any]) -> None:
        self._store.save_stage_state(self.job_id, self._require_stage().key, state)

    def each_item(self, work: ItemWork) -> None:
        """Run `work` on every live item that has not finished this stage, checkpointing each one.

        A finished item-stage is never repeated. An exception from one item marks that item failed
        (ItemSkipped ends it with its outcome) and the loop goes on; JobError and JobStopped end the job.
        The item-stage is marked in flight first, so a crash during it is counted against this ad."""
        stage = self._require_stage()
        self.per_item_stage = True
        live = [i for i in self.items() if i.status == ItemStatus.PENDING or i.done(stage.key)]
        todo = [i for i in live if i.awaits(stage.key)]
        total = max(1, len(live))
        done = len(live) - len(todo)
        self.count(stage.key, done, len(live))
        for item in todo:
            report = ItemReport(self, done, total, f"{stage.label} ({done + 1}/{len(live)})")
            report.progress(0.0)
            self._store.begin_item(self.job_id, item.key, stage.key)
            try:
                output = work(item, report)
            except ItemSkipped as skipped:
                changed = self._store.end_item(self.job_id, item.key, stage.key, skipped.outcome, skipped.reason)
            except (JobError, JobStopped):
                raise
            except Exception as exc:
                if is_disk_full(exc):  # not this ad's fault: stop the job before every other ad fails too
                    raise JobError(disk_full_message(self.workdir.parent.parent)) from exc
                changed = self._fail_item(item, stage, exc)
            else:
                data = output.to_dict()
                changed = self._store.checkpoint_item(
                    self.job_id, item.key, stage.key, data, output.outcome, output.reason
                )
            self._sink.item_changed(changed)
            done += 1
            self.count(stage.key, done, len(live))
        self.stage_progress(1.0, f"{stage.label} ({len(live)}/{len(live)})")

    def _fail_item(self, item: JobItem, stage: Stage, exc: Exception) -> JobItem:
        """End one ad as failed. An AdFailed says why in words; anything else is a bug or a library's raw
        error, so people read one plain sentence and the technical detail goes to the job's log."""
        if isinstance(exc, AdFailed):
            reason = f"{stage.label}: {scrub(exc.reason)}"
            cause = exc.__cause__ or exc.__context__
            if cause is not None:  # the library's own words, for the Details toggle
                detail = "".join(traceback.format_exception_only(cause)).strip()
                self._store.add_event(self.job_id, "detail", scrub(detail), stage.key, item.key)
        else:
            log.error("%s failed for ad %s", stage.label, item.key, exc_info=exc)
            detail = "".join(traceback.format_exception(exc))
            self._store.add_event(self.job_id, "traceback", detail, stage.key, item.key)
            reason = f"{stage.label} failed because of an unexpected error; the details are in the job's log."
        return self._store.end_item(self.job_id, item.key, stage.key, Outcome.FAILED, reason)

    def _require_stage(self) -> Stage:
        if self._stage is None:
            raise RuntimeError("no stage is running")
        return self._stage
