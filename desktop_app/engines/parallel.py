"""Work spread over threads for engines that wait on servers: a bounded number of tasks at once, results
handed back on the caller's thread (where progress and the store are safe to touch), and a stop that
reaches every task at once."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from desktop_app.core.context import CancelToken, JobStopped, StopReason

T = TypeVar("T")


@contextmanager
def held(semaphore: threading.BoundedSemaphore, token: CancelToken) -> Iterator[None]:
    """Hold one of the semaphore's places; waiting for it ends at once when the job is stopped, and a place
    that frees up after the stop is handed back instead of starting work."""
    while not semaphore.acquire(timeout=0.05):
        token.raise_if_stopped()
    try:
        token.raise_if_stopped()
        yield
    finally:
        semaphore.release()


def run_parallel(
    tasks: Sequence[Callable[[CancelToken], T]],
    workers: int,
    token: CancelToken,
    on_done: Callable[[int, T | Exception], None],
) -> None:
    """Run tasks on up to `workers` threads, each with a token that stops when `token` does. `on_done(index,
    result or exception)` runs on this thread as each ends; an exception out of it, or a stop, stops the rest
    at once and is raised here. A single task runs on this thread."""
    if not tasks:
        return
    if len(tasks) == 1:
        try:
            result: T | Exception = tasks[0](token)
        except Exception as exc:
            result = exc
        on_done(0, result)
        return
    batch = CancelToken()
    unlink = token.on_stop(lambda: batch.stop(token.reason or StopReason.CANCEL))
    ended: queue.Queue[tuple[int, Any]] = queue.Queue()

    def run(index: int) -> None:
        try:
            ended.put((index, tasks[index](batch)))
        except BaseException as exc:  # a JobStopped too: this thread waits for it
            ended.put((index, exc))

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="parallel-task")
    try:
        for index in range(len(tasks)):
            pool.submit(run, index)
        for _ in tasks:
            index, outcome = _next(ended, token)
            if isinstance(outcome, JobStopped):
                token.raise_if_stopped()
                raise outcome
            on_done(index, outcome)
    finally:
        batch.stop(StopReason.CANCEL)  # ends what is still running or waiting (nothing, after a success)
        unlink()
        pool.shutdown(wait=False, cancel_futures=True)


def _next(ended: queue.Queue[tuple[int, Any]], token: CancelToken) -> tuple[int, Any]:
    while True:
        token.raise_if_stopped()
        try:
            return ended.get(timeout=0.05)
        except queue.Empty:
            continue
