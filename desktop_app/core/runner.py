"""Runs jobs: claims pending ones atomically, executes their stages on worker threads, keeps leases
alive, coalesces progress, and turns cancel requests (from this process or another) into stops.

It runs whatever stages it is given; the composition root decides which."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from desktop_app.core.claims import Claim, ClaimedStore
from desktop_app.core.context import (
    ClaimLost,
    JobCancelled,
    JobContext,
    JobError,
    JobInterrupted,
    Stage,
    StopReason,
)
from desktop_app.core.failures import disk_full_message, is_disk_full
from desktop_app.core.owners import current_owner, owner_alive
from desktop_app.core.paths import DataPaths
from desktop_app.core.recovery import Recovery
from desktop_app.core.runs import Run, RunEnd
from desktop_app.core.store import JobStore
from desktop_app.core.types import Job, JobItem, JobStatus
from desktop_app.core.updates import ItemUpdate, JobUpdate, Listeners

log = logging.getLogger(__name__)

LEASE_S = 30.0
LEASE_RENEW_S = 3.0
CANCEL_POLL_S = 0.1  # a cancel from another process is one indexed read away
CLAIM_POLL_S = 1.0
RECOVER_POLL_S = 5.0
DB_WRITE_INTERVAL_S = 0.5
NOTIFY_INTERVAL_S = 0.1
TICK_S = 0.05
# A monitor tick this late means the process was paused (suspended laptop, SIGSTOP): renew before anything.
PAUSE_GAP_S = 5.0
UNWRITTEN_RETRY_S = 30.0  # how long the end of a job refused by the database (a full disk) is tried again


StagesFactory = Callable[[Job], Sequence[Stage]]
Executor = Callable[[Callable[[], None]], None]


def _thread_executor(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="job-worker").start()


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
        self._runs: dict[str, Run] = {}
        self._runs_lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._monitor: threading.Thread | None = None
        self._unwritten: dict[str, tuple[Run, RunEnd, float]] = {}
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
            return list(self._runs) + [job_id for job_id in self._unwritten if job_id not in self._runs]

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

    def report(
        self, job_id: str, percent: float, stage: Stage, message: str, counts: dict[str, tuple[int, int]]
    ) -> None:
        run = self._run(job_id)
        if run is None:
            return
        now = time.monotonic()
        with run.lock:
            if run.closed:
                return
            stage_changed = stage.key != run.job.stage_key
            # Never backwards: a resumed job re-enters its early stages, but the bar keeps what was done.
            progress = max(run.job.progress, percent)
            run.job = replace(
                run.job, progress=progress, stage=stage.label, stage_key=stage.key, message=message, stage_counts=counts
            )
            run.db_dirty = run.notify_dirty = True
            if stage_changed or now - run.last_db >= DB_WRITE_INTERVAL_S:
                self._write(run, now, event=stage_changed)
            elif now - run.last_notify >= NOTIFY_INTERVAL_S:
                self._notify(run, now)

    def item_changed(self, item: JobItem) -> None:
        self.listeners.emit(ItemUpdate(item))

    # ---- internals -----------------------------------------------------------------------------

    def _run(self, job_id: str) -> Run | None:
        with self._runs_lock:
            return self._runs.get(job_id)

    def _write(self, run: Run, now: float, event: bool = False) -> None:
        """Write the coalesced progress and announce it. Caller holds run.lock, so writes of one job never
        overtake each other."""
        job = run.job
        try:
            version = self.store.write_progress(
                run.claim, job.progress, job.stage, job.message, stage_key=job.stage_key, event=event
            )
        except ClaimLost:
            run.closed = True
            run.token.stop(StopReason.LOST)
            return
        run.job = replace(job, version=version)
        self.db_writes += 1
        run.db_dirty = False
        run.last_db = now
        # Every version written is announced, so the window's jobs model never needs the database to learn it.
        self._notify(run, now)

    def _notify(self, run: Run, now: float) -> None:
        run.notify_dirty = False
        run.last_notify = now
        self.listeners.emit(JobUpdate(run.job))

    def _emit_job(self, job_id: str) -> None:
        self.listeners.emit(JobUpdate(self.store.get(job_id)))

    def _monitor_loop(self) -> None:
        next_claim = next_cancel = next_lease = next_recover = 0.0
        last_tick, last_wall = time.monotonic(), time.time()
        while not self._closing.is_set():
            woke = self._wake.wait(TICK_S)
            self._wake.clear()
            if self._closing.is_set():
                break
            now, wall = time.monotonic(), time.time()
            if max(now - last_tick, wall - last_wall) > PAUSE_GAP_S:
                next_lease = 0.0  # woken from a pause: renew, or learn what was lost, before anything else
            last_tick, last_wall = now, wall
            try:
                if now >= next_lease:
                    next_lease = now + LEASE_RENEW_S
                    self._renew()
                    self._retry_unwritten()
                if now >= next_recover:
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
            except Exception:
                log.exception("job monitor tick failed; retrying")

    def _renew(self) -> None:
        """Extend this runner's leases; a run whose job another runner holds now stops without writing."""
        with self._runs_lock:
            runs = [run for run in self._runs.values() if not run.closed]
        lost = set(self.store.renew_leases([run.claim for run in runs], LEASE_S))
        for run in runs:
            if run.job.job_id in lost:
                log.warning("job %s is held by another runner now; this run stops", run.job.job_id)
                with run.lock:
                    run.closed = True
                run.token.stop(StopReason.LOST)

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
            run = Run(job, Claim(job.job_id, self.owner, job.claim))
            with self._runs_lock:
                self._runs[job.job_id] = run
            self.listeners.emit(JobUpdate(job))
            self._executor(lambda run=run: self._execute(run))  # type: ignore[misc]

    def _execute(self, run: Run) -> None:
        job_id = run.job.job_id
        try:
            end = self._run_to_end(run)
            self._close(run)
            if end is not None and not self._write_end(run, end):
                self._hold_unwritten(run, end)
        finally:
            with self._runs_lock:
                self._runs.pop(job_id, None)
            run.done.set()
            if job_id not in self._unwritten:
                self._emit_job(job_id)
            self.wake()

    def _run_to_end(self, run: Run) -> RunEnd | None:
        """Run the stages and decide how the job ends; nothing is written here. None: the job is no longer
        this run's to end."""
        try:
            ctx = self._run_stages(run)
        except ClaimLost:
            log.warning("job %s was taken over by another runner; this run stopped", run.job.job_id)
            return None
        except JobCancelled:
            return RunEnd(JobStatus.CANCELLED, "Cancelled", f"Cancelled during {run.label}")
        except JobInterrupted:
            return RunEnd(JobStatus.PENDING, run.label, "Paused when the app closed; resumes at the next start")
        except JobError as exc:
            detail = {"settings_field": exc.settings_field, "detail": exc.detail, "stage": run.label}
            return RunEnd(JobStatus.FAILED, run.label, "Failed", error=exc.message, result={"error": detail})
        except Exception as exc:
            log.exception("job %s failed during %s", run.job.job_id, run.label)
            if is_disk_full(exc):
                error = disk_full_message(self.paths.home)
            else:
                error = f"{run.label} stopped because of an unexpected error. The details are in the job's log."
            return RunEnd(JobStatus.FAILED, run.label, "Failed", error=error, log=traceback.format_exc())
        message = str(ctx.result.get("message") or "Analysis complete")
        return RunEnd(JobStatus.COMPLETED, "Completed", message, progress=100.0, result=ctx.result)

    def _write_end(self, run: Run, end: RunEnd) -> bool:
        """Write how the job ended, under this run's claim; False when the database refused the write (a full
        disk), so that it can be tried again."""
        job_id = run.job.job_id
        try:
            if end.log:
                self.store.add_event(job_id, "traceback", end.log, stage=run.job.stage_key, claim=run.claim)
        except ClaimLost:
            return True
        except Exception:
            log.warning("could not log the failure of job %s", job_id, exc_info=True)
        try:
            if end.status is JobStatus.PENDING:
                self.store.release(job_id, end.message, claim=run.claim)
            else:
                self.store.finish(
                    job_id,
                    end.status,
                    stage=end.stage,
                    message=end.message,
                    progress=end.progress,
                    error=end.error,
                    result=end.result,
                    claim=run.claim,
                )
        except ClaimLost:
            log.warning("job %s was taken over by another runner before it ended here", job_id)
        except Exception:
            log.exception("could not record the end of job %s; trying again", job_id)
            return False
        return True

    def _hold_unwritten(self, run: Run, end: RunEnd) -> None:
        """The end could not be written (a full disk): say it to listeners now, and keep trying to write it
        for a while, so that waiting commands and the window learn it at once."""
        with self._runs_lock:
            self._unwritten[run.job.job_id] = (run, end, time.monotonic() + UNWRITTEN_RETRY_S)
        self.listeners.emit(JobUpdate(end.applied_to(run.job)))

    def _retry_unwritten(self) -> None:
        with self._runs_lock:
            waiting = list(self._unwritten.items())
        for job_id, (run, end, give_up_at) in waiting:
            written = self._write_end(run, end)
            if written or time.monotonic() > give_up_at:
                with self._runs_lock:
                    self._unwritten.pop(job_id, None)
            if written:
                self._emit_job(job_id)

    def _run_stages(self, run: Run) -> JobContext:
        """Run the stages the job has not finished, in order; returns the context holding the result."""
        job_id = run.job.job_id
        stages = list(self._stages(run.job))
        finished = set(self.store.completed_stages(job_id))
        workdir = self.paths.job_dir(job_id)
        workdir.mkdir(parents=True, exist_ok=True)
        ctx = JobContext(job_id, run.job.source, workdir, run.token, self, ClaimedStore(self.store, run.claim))
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
                self.store.complete_stage(job_id, stage.key, claim=run.claim)
        return ctx

    def _close(self, run: Run) -> None:
        """No coalesced progress may be written once the job's final state is."""
        with run.lock:
            run.closed = True
