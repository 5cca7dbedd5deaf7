"""The job service: the spec's four endpoints (start, status, history, cancel) plus retry, as calls.

Used alike by the window, the CLI and other processes; the SQLite file is what they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from desktop_app.core.store import JobStore
from desktop_app.core.types import Job, JobEvent, JobItem, SourceSpec
from desktop_app.core.updates import JobUpdate, Listeners


class LocalRunner(Protocol):
    """The in-process runner, if any: told about new jobs and cancels without waiting for a poll."""

    def wake(self) -> None: ...

    def cancel(self, job_id: str) -> None: ...


@dataclass(frozen=True)
class Started:
    """What a start returns: the job (new, or the identical one already queued) and whether it is new."""

    job: Job
    created: bool

    @property
    def job_id(self) -> str:
        return self.job.job_id


class JobService:
    def __init__(self, store: JobStore, listeners: Listeners, runner: LocalRunner | None = None) -> None:
        self.store = store
        self.listeners = listeners
        self.runner = runner

    def start_analysis(self, source: SourceSpec) -> Started:
        """Persist a pending job and return it before any work starts (the spec's 202).

        An identical analysis that is pending or running is returned instead of a second one. Raises
        SourceError, in words, for a source no job could run."""
        source.check_new()
        job, created = self.store.create_job(source)
        if created:
            self.listeners.emit(JobUpdate(job))
            if self.runner is not None:
                self.runner.wake()
        return Started(job, created)

    def status(self, job_id: str) -> Job:
        return self.store.get(self.store.full_id(job_id))

    def history(self, limit: int = 20) -> list[Job]:
        """The most recent jobs, newest first."""
        return self.store.history(limit)

    def cancel(self, job_id: str) -> bool:
        """True when a pending or running job was asked to stop."""
        job_id = self.store.full_id(job_id)
        asked = self.store.request_cancel(job_id)
        if asked:
            if self.runner is not None:
                self.runner.cancel(job_id)
            self._announce(job_id)
        return asked

    def retry(self, job_id: str) -> str:
        """Queue a failed or cancelled job again from its checkpoints; returns the id that will run."""
        job_id = self.store.full_id(job_id)
        queued = self.store.retry(job_id)
        self._announce(queued)
        if self.runner is not None:
            self.runner.wake()
        return queued

    def items(self, job_id: str) -> list[JobItem]:
        return self.store.items(self.store.full_id(job_id))

    def events(self, job_id: str) -> list[JobEvent]:
        return self.store.events(self.store.full_id(job_id))

    def _announce(self, job_id: str) -> None:
        self.listeners.emit(JobUpdate(self.store.get(job_id)))
