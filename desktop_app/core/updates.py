"""What runners announce as jobs move (a job's new snapshot, an ad's new state), and the fan-out that carries
it to the window's jobs model and to waiting commands without a database read."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.types import Job, JobItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobUpdate:
    job: Job


@dataclass(frozen=True)
class ItemUpdate:
    item: JobItem


Update = JobUpdate | ItemUpdate
Listener = Callable[[Update], None]


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
