"""The one place the window keeps job state: a Qt item model of the recent jobs, newest first.

Two feeds write to it: the runner's listener (jobs running in this process, live) and the database watcher
(jobs other processes changed). Every job row in the database carries a version that each visible write
bumps; the model keeps the version it holds per job, so a snapshot it has already seen is skipped and a
stale one never steps a card backwards. Like calibre's job manager, views only read the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from desktop_app.core.types import Job, JobStatus
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.job_progress import format_duration
from desktop_app.ui.style import status_icon

COLUMNS = ("Status", "Started", "Duration", "Source", "Summary", "")  # the last holds Retry buttons
RETRY_COLUMN = len(COLUMNS) - 1
JOB_ID_ROLE = Qt.ItemDataRole.UserRole
AnyIndex = QModelIndex | QPersistentModelIndex


class JobsModel(QAbstractTableModel):
    """Recent jobs (at most `limit`, plus any still active) as rows of the history table."""

    job_changed = Signal(object)  # Job, after it was applied
    status_changed = Signal(object, object)  # Job, its previous JobStatus (None for a job new to the model)

    def __init__(self, limit: int = 20, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self._jobs: list[Job] = []
        self.db_refreshes = 0  # times the watcher found a job version this model had not seen

    # ---- feeding ------------------------------------------------------------------------------

    def load(self, jobs: list[Job]) -> None:
        self.beginResetModel()
        self._jobs = sorted(jobs, key=lambda j: j.seq, reverse=True)[: self.limit]
        self.endResetModel()

    def apply(self, job: Job) -> bool:
        """Take a snapshot of a job unless the model holds a newer one; True when it was applied.

        Snapshots of the same version are applied: the listener's carry progress newer than the database."""
        row = self._row_of(job.job_id)
        if row is None:
            position = next((i for i, j in enumerate(self._jobs) if j.seq < job.seq), len(self._jobs))
            self.beginInsertRows(QModelIndex(), position, position)
            self._jobs.insert(position, job)
            self.endInsertRows()
            self._trim()
            previous = None
        else:
            held = self._jobs[row]
            if job.version < held.version:
                return False
            self._jobs[row] = job
            if replace(held, version=job.version) == job:
                return True  # only the version moved (the runner wrote what it had shown): nothing to redraw
            previous = held.status
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self.job_changed.emit(job)
        if previous != job.status:
            self.status_changed.emit(job, previous)
        return True

    def apply_newer(self, jobs: list[Job]) -> None:
        """Jobs read from the database: only versions this model has not seen are applied."""
        fresh = [j for j in jobs if j.version > self.version_of(j.job_id)]
        if fresh:
            self.db_refreshes += 1
        for job in sorted(fresh, key=lambda j: j.seq):
            self.apply(job)

    def versions(self) -> dict[str, int]:
        return {j.job_id: j.version for j in self._jobs}

    def version_of(self, job_id: str) -> int:
        row = self._row_of(job_id)
        return self._jobs[row].version if row is not None else 0

    def job(self, job_id: str) -> Job | None:
        row = self._row_of(job_id)
        return self._jobs[row] if row is not None else None

    def jobs(self) -> list[Job]:
        return list(self._jobs)

    def _row_of(self, job_id: str) -> int | None:
        return next((i for i, j in enumerate(self._jobs) if j.job_id == job_id), None)

    def _trim(self) -> None:
        """Keep `limit` rows, but never drop a job that is still active."""
        while len(self._jobs) > self.limit:
            last = max((i for i, j in enumerate(self._jobs) if not j.status.is_active), default=None)
            if last is None:
                return
            self.beginRemoveRows(QModelIndex(), last, last)
            del self._jobs[last]
            self.endRemoveRows()

    # ---- the item model -----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        job = self._jobs[index.row()]
        if role == JOB_ID_ROLE:
            return job.job_id
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return status_icon(job)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _cell(job, index.column())
        return None


def _cell(job: Job, column: int) -> str:
    if column == 0:
        return f"Completed, {job.failed_ads} failed" if job.failed_ads else job.status.value.title()
    if column == 1:
        return f"{(job.started_at or job.created_at).astimezone():%d %b %H:%M}"
    if column == 2:
        if job.started_at and job.finished_at:
            return format_duration(job.finished_at.timestamp() - job.started_at.timestamp())
        return "running" if job.status == JobStatus.RUNNING else "-"
    if column == 3:
        return job.source.describe()
    return job.error or job.message if column == 4 else ""


class DatabaseFeed(QObject):
    """Feeds the model from the database when the watcher says another process wrote: the version check
    and the read run on a pool thread, and only jobs whose version moved are read in full."""

    def __init__(self, model: JobsModel, changed_jobs: Callable[[dict[str, int], int], list[Job]]) -> None:
        super().__init__(model)
        self.model = model
        self._changed_jobs = changed_jobs
        self._busy = False
        self._again = False

    def refresh(self) -> None:
        if self._busy:
            self._again = True  # one more read once this one lands, never two at once
            return
        self._busy = True
        known = self.model.versions()
        run_in_background(lambda: self._changed_jobs(known, self.model.limit), self._landed, self._failed, self)

    def _landed(self, jobs: list[Job]) -> None:
        self._busy = False
        self.model.apply_newer(jobs)
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, _error: BaseException) -> None:
        self._busy = False  # the database was busy or locked: the next change tries again
