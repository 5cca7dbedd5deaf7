"""Jobs run by this process until they end (`run --wait`, `retry --wait`, `resume`), and the background
worker `run` starts otherwise.

Ctrl-C asks the followed job to cancel and the command exits 130 with one line said. A terminal sends
Ctrl-C to its whole foreground process group, so the transcriber child got it too, raised
KeyboardInterrupt wherever it was (importing faster-whisper, decoding) and printed a traceback, though
the job's cancel kills it anyway: `children_spared_ctrl_c` keeps it from reaching the children."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from desktop_app.cli.exits import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK
from desktop_app.cli.output import ProgressPrinter, as_json, describe
from desktop_app.composition import AppServices
from desktop_app.core.runner import JobRunner, StagesFactory
from desktop_app.core.scrub import scrub
from desktop_app.core.types import Job, JobStatus
from desktop_app.core.updates import JobUpdate, Update

log = logging.getLogger(__name__)

WAIT_POLL_S = 0.2
EXIT_CODES = {JobStatus.COMPLETED: EXIT_OK, JobStatus.CANCELLED: EXIT_CANCELLED}


@contextmanager
def children_spared_ctrl_c() -> Iterator[None]:
    """Threads and child processes started inside the block never receive Ctrl-C (SIGINT); this process does.

    SIGINT is blocked in this thread meanwhile: threads inherit the mask, and so do processes started from
    them (fork and exec keep it), the transcriber child included, whenever a job thread starts it. On
    leaving, this thread unblocks it, so a Ctrl-C pressed meanwhile arrives then. multiprocessing's
    resource tracker is started first: starting it unblocks SIGINT in the starting thread. POSIX only
    (Windows has no signal masks)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    _start_resource_tracker()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_resource_tracker() -> None:
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


class CtrlC:
    """While active, Ctrl-C sets `pressed` instead of raising KeyboardInterrupt (main thread only)."""

    def __init__(self) -> None:
        self.pressed = False
        self._previous: object = None

    def __enter__(self) -> CtrlC:
        self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *_exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]

    def _on_sigint(self, _sig: int, _frame: FrameType | None) -> None:
        self.pressed = True


def start_runner(app: AppServices, stages: StagesFactory | None, only: list[str] | None = None) -> JobRunner:
    with children_spared_ctrl_c():
        runner = app.make_runner(only=only, stages=stages)
        runner.start()
    return runner


def follow(app: AppServices, job_id: str, args: argparse.Namespace, stages: StagesFactory | None, ctrl_c: CtrlC) -> int:
    """Run (or watch another process run) one job to its end; Ctrl-C (caught by `ctrl_c`, which the
    caller entered before creating the job) asks it to cancel, and a second Ctrl-C leaves at once.

    The job's end comes from the runner's announcement when there is one: if the database could not take
    it (a full disk), the command still ends with it instead of waiting for a row that never changes."""
    printer = None if args.json else ProgressPrinter(sys.stdout)
    ended: list[Job] = []  # the runner's announcement of the end, the moment it happens

    def watch(update: Update) -> None:
        if isinstance(update, JobUpdate) and update.job.job_id == job_id and not update.job.status.is_active:
            ended.append(update.job)
            woken.set()

    woken = threading.Event()
    unsubscribe = app.listeners.add(watch)
    runner = start_runner(app, stages, only=[job_id])
    presses = 0
    try:
        while True:
            job = ended[-1] if ended else app.service.status(job_id)
            if printer:
                printer.show(job)
            if not job.status.is_active:
                break
            if ctrl_c.pressed:
                ctrl_c.pressed, presses = False, presses + 1
                if presses > 1:
                    return _left_while_cancelling(printer)
                _ask_cancel(app, job_id, printer)
            woken.wait(WAIT_POLL_S)
    finally:
        unsubscribe()
        runner.shutdown(timeout=1.0 if presses > 1 else 15.0)
    if printer:
        printer.end()
        print(describe(job))
    else:
        print(as_json(job.to_dict()))
    return EXIT_CODES.get(job.status, EXIT_FAILED)


def _ask_cancel(app: AppServices, job_id: str, printer: ProgressPrinter | None) -> None:
    try:
        app.service.cancel(job_id)
    except Exception:  # a database that cannot be written (a full disk) must not trap the user here
        log.warning("could not record the cancel of job %s", job_id, exc_info=True)
    if printer:
        printer.out.write("\nCancelling... (press Ctrl-C again to leave now)\n")


def _left_while_cancelling(printer: ProgressPrinter | None) -> int:
    """Leave now, whatever the job's threads are stuck in (a write to a full disk, a hung host): the cancel is
    recorded, and the next start finishes cancelling a job whose process is gone."""
    if printer:
        printer.end()
    print("Left without waiting for the job to stop; it ends as cancelled.", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_CANCELLED)


@contextmanager
def one_worker_at_a_time(app: AppServices) -> Iterator[None]:
    """Detached workers of one data folder take turns: a hundred `run` commands at once start a hundred
    workers, and all but one wait here, asleep, instead of fighting over the cores and the write lock. The
    one that finishes hands over to the next, which finds what was queued meanwhile. POSIX only."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with (app.paths.home / "worker.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def resume(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    """Run interrupted and queued jobs until none is left; Ctrl-C hands them back to the queue."""
    if args.quiet:  # the detached worker that `run` starts
        with one_worker_at_a_time(app):
            return _resume(app, args, stages)
    return _resume(app, args, stages)


def _resume(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    ran: dict[str, JobStatus] = {}

    def track(update: Update) -> None:
        if isinstance(update, JobUpdate):
            ran[update.job.job_id] = update.job.status

    app.listeners.add(track)
    with children_spared_ctrl_c():
        runner = app.make_runner(stages=stages)
        recovery = runner.start()
    if not args.quiet and recovery.resumed:
        print(f"Resuming {len(recovery.resumed)} interrupted job(s): {', '.join(recovery.resumed)}")
    for job_id in recovery.failed:
        print(f"Not resumed: {scrub(str(app.service.status(job_id).error))}", file=sys.stderr)
    try:
        while not runner.is_idle():
            time.sleep(WAIT_POLL_S)
    except KeyboardInterrupt:
        runner.shutdown()
        return EXIT_CANCELLED
    runner.shutdown()
    finals = {job_id: app.service.status(job_id) for job_id in ran}
    if not args.quiet:
        for job in finals.values():
            print(f"{job.job_id}  {job.status.value:<10} {scrub(job.message)}")
        if not finals:
            print("Nothing to resume.")
    failed = any(job.status == JobStatus.FAILED for job in finals.values()) or bool(recovery.failed)
    return EXIT_FAILED if failed else EXIT_OK


def spawn_worker(app: AppServices) -> None:
    """Run the queue in a detached process, so `run` without --wait returns at once."""
    log = (app.paths.logs / "worker-output.log").open("ab")  # what escapes logging (a crash); worker.log has the rest
    env = {**os.environ, "AD_ANALYSIS_HOME": str(app.paths.home)}
    subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "resume", "--quiet"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    log.close()
