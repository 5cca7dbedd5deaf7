"""Runs jobs: claims pending ones atomically, executes their stages on worker threads, keeps leases
alive, coalesces progress, and turns cancel requests (from this process or another) into stops.

It runs whatever stages it is given; the composition root decides which."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import psutil

from desktop_app.core.context import (
    CancelToken,
    JobCancelled,
    JobContext,
    JobError,
    JobInterrupted,
    Stage,
    StopReason,
)
from desktop_app.core.paths import DataPaths
from desktop_app.core.recovery import Recovery
from desktop_app.core.store import JobStore
from desktop_app.core.types import Job, JobItem, JobStatus

log = logging.getLogger(__name__)

LEASE_S = 30.0
LEASE_RENEW_S = 3.0
CANCEL_POLL_S = 0.1  # a cancel from another process is one indexed read away
CLAIM_POLL_S = 1.0
RECOVER_POLL_S = 5.0
DB_WRITE_INTERVAL_S = 0.5
NOTIFY_INTERVAL_S = 0.1
TICK_S = 0.05


@dataclass(frozen=True)
class JobUpdate:
    job: Job


@dataclass(frozen=True)
class ItemUpdate:
    item: JobItem


Update = JobUpdate | ItemUpdate
Listener = Callable[[Update], None]
StagesFactory = Callable[[Job], Sequence[Stage]]
Executor = Callable[[Callable[[], None]], None]


class Listeners:
    """Thread-safe fan-out of updates. Callbacks run on the emitting thread: keep them quick."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Listener] = []

    def add(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._items.append(listener)
        return lambda: self.remove(listener)

    def remove(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._items:
                self._items.remove(listener)

    def emit(self, update: Update) -> None:
        with self._lock:
            targets = list(self._items)
        for listener in targets:
            try:
                listener(update)
            except Exception:
                log.exception("job listener failed")


def current_owner() -> str:
    """Identifies this process: host, pid and start time (pids are reused, start times are not)."""
    return f"{socket.gethostname()}|{os.getpid()}|{psutil.Process().create_time():.2f}"


def owner_alive(owner: str) -> bool:
    """On this host a process check is exact; for another host only the lease can tell."""
    try:
        host, pid, created = owner.rsplit("|", 2)
        if host != socket.gethostname():
            return True
        process = psutil.Process(int(pid))
        same_process = abs(process.create_time() - float(created)) < 0.05
        return same_process and bool(process.status() != psutil.STATUS_ZOMBIE)
    except (ValueError, psutil.Error):
        return False


def _thread_executor(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="job-worker").start()


@dataclass
class _Run:
    """A job running in this process, with its coalescing state."""

    job: Job
    token: CancelToken = field(default_factory=CancelToken)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    closed: bool = False
    label: str = "Starting"  # the stage running, as people read it in a failure or cancel message
    db_dirty: bool = False
    notify_dirty: bool = False
    last_db: float = 0.0
    last_notify: float = 0.0


class JobRunner:
    """Executes jobs from the store. `serve=True` takes any pending job (the app); `only` restricts
    it to some ids (the CLI waiting on its own job)."""

    def __init__(
        self,
        store: JobStore,
        paths: DataPaths,
        stages: StagesFactory,
        listeners: Listeners,
        *,
        parallel: int = 1,
        only: Iterable[str] | None = None,
        executor: Executor = _thread_executor,
    ) -> None:
        self.store = store
        self.paths = paths
        self.listeners = listeners
        self.parallel = max(1, parallel)
        self.owner = current_owner()
        self._stages = stages
        self._only = set(only) if only is not None else None
        self._executor = executor
        self._runs: dict[str, _Run] = {}
        self._runs_lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._monitor: threading.Thread | None = None
        self.db_writes = 0

    # ---- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Recovery:
        """Recover jobs left by dead processes, then start claiming and monitoring."""
        recovery = self.store.recover_orphans(owner_alive)
        for job_id in recovery.resumed + recovery.cancelled + recovery.failed:
            self._emit_job(job_id)
        self._monitor = threading.Thread(target=self._monitor_loop, name="job-monitor", daemon=True)
        self._monitor.start()
        return recovery

    def wake(self) -> None:
        """A job was queued in this process: claim it now rather than at the next poll."""
        self._wake.set()

    def cancel(self, job_id: str) -> None:
        """Fast path for a cancel made in this process (the store flag covers other processes)."""
        run = self._run(job_id)
        if run is not None:
            run.token.stop(StopReason.CANCEL)

    def running_ids(self) -> list[str]:
        with self._runs_lock:
            return list(self._runs)

    def is_idle(self) -> bool:
        """Nothing runs here and nothing waits that this runner may take."""
        if self.running_ids():
            return False
        if self._only is not None:
            return all(self.store.get(i).status not in (JobStatus.PENDING, JobStatus.RUNNING) for i in self._only)
        return not self.store.has_pending()

    def shutdown(self, timeout: float = 15.0) -> None:
        """Stop taking jobs and hand running ones back to the queue at their next cancellation point."""
        self._closing.set()
        with self._runs_lock:
            runs = list(self._runs.values())
        for run in runs:
            run.token.stop(StopReason.SHUTDOWN)
        deadline = time.monotonic() + timeout
        for run in runs:
            run.done.wait(max(0.0, deadline - time.monotonic()))
        if self._monitor is not None:
            self._monitor.join(timeout=2)

    # ---- the progress sink used by JobContext ----------------------------------------------------

    def report(self, job_id: str, percent: float, stage: Stage, message: str) -> None:
        run = self._run(job_id)
        if run is None:
            return
        now = time.monotonic()
        with run.lock:
            if run.closed:
                return
            stage_changed = stage.key != run.job.stage_key
            run.job = replace(run.job, progress=percent, stage=stage.label, stage_key=stage.key, message=message)
            run.db_dirty = run.notify_dirty = True
            if stage_changed or now - run.last_db >= DB_WRITE_INTERVAL_S:
                self._write(run, now, event=stage_changed)
            elif now - run.last_notify >= NOTIFY_INTERVAL_S:
                self._notify(run, now)

    def item_changed(self, item: JobItem) -> None:
        self.listeners.emit(ItemUpdate(item))

    # ---- internals -----------------------------------------------------------------------------

    def _run(self, job_id: str) -> _Run | None:
        with self._runs_lock:
            return self._runs.get(job_id)

    def _write(self, run: _Run, now: float, event: bool = False) -> None:
        """Write the coalesced progress and announce it. Caller holds run.lock, so writes of one job never
        overtake each other."""
        job = run.job
        version = self.store.write_progress(
            job.job_id, job.progress, job.stage, job.message, stage_key=job.stage_key, event=event
        )
        if version is not None:
            run.job = replace(job, version=version)
        self.db_writes += 1
        run.db_dirty = False
        run.last_db = now
        # Every version written is announced, so the window's jobs model never needs the database to learn it.
        self._notify(run, now)

    def _notify(self, run: _Run, now: float) -> None:
        run.notify_dirty = False
        run.last_notify = now
        self.listeners.emit(JobUpdate(run.job))

    def _emit_job(self, job_id: str) -> None:
        self.listeners.emit(JobUpdate(self.store.get(job_id)))

    def _monitor_loop(self) -> None:
        next_claim = next_cancel = next_lease = next_recover = 0.0
        while not self._closing.is_set():
            woke = self._wake.wait(TICK_S)
            self._wake.clear()
            if self._closing.is_set():
                break
            now = time.monotonic()
            try:
                if now >= next_recover and self._only is None:
                    next_recover = now + RECOVER_POLL_S
                    recovery = self.store.recover_orphans(owner_alive)
                    for job_id in recovery.resumed + recovery.cancelled + recovery.failed:
                        self._emit_job(job_id)
                if woke or now >= next_claim:
                    next_claim = now + CLAIM_POLL_S
                    self._claim()
                self._flush(now)
                if now >= next_cancel:
                    next_cancel = now + CANCEL_POLL_S
                    for job_id in self.store.cancel_requested(self.running_ids()):
                        self.cancel(job_id)
                if now >= next_lease:
                    next_lease = now + LEASE_RENEW_S
                    self.store.renew_leases(self.owner, self.running_ids(), LEASE_S)
            except Exception:
                log.exception("job monitor tick failed; retrying")

    def _flush(self, now: float) -> None:
        with self._runs_lock:
            runs = list(self._runs.values())
        for run in runs:
            with run.lock:
                if run.closed:
                    continue
                if run.db_dirty and now - run.last_db >= DB_WRITE_INTERVAL_S:
                    self._write(run, now)
                elif run.notify_dirty and now - run.last_notify >= NOTIFY_INTERVAL_S:
                    self._notify(run, now)

    def _claim(self) -> None:
        while not self._closing.is_set() and len(self.running_ids()) < self.parallel:
            job = self.store.claim_next(self.owner, self.parallel, LEASE_S, self._only)
            if job is None:
                return
            run = _Run(job)
            with self._runs_lock:
                self._runs[job.job_id] = run
            self.listeners.emit(JobUpdate(job))
            self._executor(lambda run=run: self._execute(run))  # type: ignore[misc]

    def _execute(self, run: _Run) -> None:
        job_id = run.job.job_id
        try:
            ctx = self._run_stages(run)
            self._close(run)
            self.store.finish(
                job_id,
                JobStatus.COMPLETED,
                stage="Completed",
                message=str(ctx.result.get("message") or "Analysis complete"),
                progress=100.0,
                result=ctx.result,
            )
        except JobCancelled:
            self._close(run)
            self.store.finish(job_id, JobStatus.CANCELLED, stage="Cancelled", message=f"Cancelled during {run.label}")
        except JobInterrupted:
            self._close(run)
            self.store.release(job_id, "Paused when the app closed; resumes at the next start")
        except JobError as exc:
            self._close(run)
            detail = {"settings_field": exc.settings_field, "detail": exc.detail, "stage": run.label}
            self.store.finish(
                job_id,
                JobStatus.FAILED,
                stage=run.label,
                message="Failed",
                error=exc.message,
                result={"error": detail},
            )
        except Exception as exc:
            self._close(run)
            self.store.add_event(job_id, "traceback", traceback.format_exc(), stage=run.job.stage_key)
            self.store.finish(
                job_id,
                JobStatus.FAILED,
                stage=run.label,
                message="Failed",
                error=f"{run.label} failed unexpectedly: {type(exc).__name__}: {exc}",
            )
        finally:
            with self._runs_lock:
                self._runs.pop(job_id, None)
            run.done.set()
            self._emit_job(job_id)
            self.wake()

    def _run_stages(self, run: _Run) -> JobContext:
        """Run the stages the job has not finished, in order; returns the context holding the result."""
        job_id = run.job.job_id
        stages = list(self._stages(run.job))
        finished = set(self.store.completed_stages(job_id))
        workdir = self.paths.job_dir(job_id)
        workdir.mkdir(parents=True, exist_ok=True)
        ctx = JobContext(job_id, run.job.source, workdir, run.token, self, self.store)
        for index, stage in enumerate(stages):
            if stage.key in finished:
                continue
            run.label = stage.label
            end = stages[index + 1].percent if index + 1 < len(stages) else 100.0
            ctx.enter(stage, end)
            stage.run(ctx)
            if not ctx.per_item_stage:
                # Per-item stages are not frozen: their items' checkpoints skip finished work, and a retry
                # can hand them items that failed before.
                self.store.complete_stage(job_id, stage.key)
        return ctx

    def _close(self, run: _Run) -> None:
        """No coalesced progress may be written once the job's final state is."""
        with run.lock:
            run.closed = True
