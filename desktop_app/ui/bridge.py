"""The thin adapter between the Qt-free engine and the widgets.

Jobs run on QThreadPool workers; their updates reach widgets as queued signals on the UI thread.
Changes made by other processes (the CLI) are noticed through the database files, without polling
when nothing changes."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QThreadPool, QTimer, Signal

from desktop_app.core.updates import ItemUpdate, JobUpdate, Listeners, Update


class PoolExecutor:
    """Runs each job's work on a QThreadPool thread (the runner's executor)."""

    def __init__(self, pool: QThreadPool) -> None:
        self.pool = pool

    def __call__(self, work: Callable[[], None]) -> None:
        self.pool.start(work)


class _Outcome(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    owner: QObject,
    pool: QThreadPool | None = None,
) -> None:
    """Run `work` on a pool thread; its result or error comes back to a callback on the UI thread.

    The callbacks belong to `owner`: once it is destroyed, a late result is dropped."""
    outcome = _Outcome(owner)
    outcome.succeeded.connect(on_success)
    outcome.failed.connect(on_failure)
    for signal in (outcome.succeeded, outcome.failed):
        signal.connect(outcome.deleteLater)

    def task() -> None:
        try:
            result = work()
        except Exception as exc:
            signal, value = "failed", exc
        else:
            signal, value = "succeeded", result
        # RuntimeError: the owner was destroyed while this ran, and nobody is waiting for the result.
        with contextlib.suppress(RuntimeError):
            getattr(outcome, signal).emit(value)

    (pool or QThreadPool.globalInstance()).start(task)


class JobEvents(QObject):
    """Engine updates as Qt signals. Emitted from worker threads, delivered on the UI thread."""

    job_changed = Signal(object)  # Job
    item_changed = Signal(object)  # JobItem

    def __init__(self, listeners: Listeners, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = listeners.add(self._forward)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def _forward(self, update: Update) -> None:
        # Called on whatever thread made the change; Qt queues the delivery to the receivers' thread.
        if isinstance(update, JobUpdate):
            self.job_changed.emit(update.job)
        elif isinstance(update, ItemUpdate):
            self.item_changed.emit(update.item)

    def close(self) -> None:
        self._unsubscribe()


class DatabaseWatcher(QObject):
    """Signals when the database changed, for example when another process (the CLI) committed.

    The WAL file changes on every commit and SQLite's data_version confirms a commit happened;
    nothing runs while nobody writes."""

    changed = Signal()

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False
        self._conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False)
        self._version = self._data_version()
        self._watcher = QFileSystemWatcher(self)
        self._files = [str(database), f"{database}-wal"]
        self._watch()
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._check)
        self._watcher.fileChanged.connect(lambda _path: self._debounce.start())

    def _watch(self) -> None:
        missing = [f for f in self._files if f not in self._watcher.files() and Path(f).exists()]
        if missing:
            self._watcher.addPaths(missing)

    def _data_version(self) -> int:
        row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0]) if row else 0

    def _check(self) -> None:
        if self._closed:
            return
        self._watch()  # the WAL file is recreated after checkpoints
        version = self._data_version()
        if version != self._version:
            self._version = version
            self.changed.emit()

    def close(self) -> None:
        self._closed = True
        self._debounce.stop()
        if self._watcher.files():
            self._watcher.removePaths(self._watcher.files())
        self._conn.close()
