"""A job running in this process (its claim, cancel token and coalescing state) and how a run ends."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from desktop_app.core.claims import Claim
from desktop_app.core.context import CancelToken
from desktop_app.core.types import Job, JobStatus


@dataclass(frozen=True)
class RunEnd:
    """How a run ends, decided before anything is written. PENDING: handed back to the queue."""

    status: JobStatus
    stage: str
    message: str
    progress: float | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    log: str | None = None  # technical detail for the job's log (a traceback)

    def applied_to(self, job: Job) -> Job:
        progress = job.progress if self.progress is None else self.progress
        return replace(
            job,
            status=self.status,
            stage=self.stage,
            message=self.message,
            error=self.error,
            progress=progress,
            result=self.result if self.result is not None else job.result,
        )


@dataclass
class Run:
    """A job running in this process, with its coalescing state."""

    job: Job
    claim: Claim
    token: CancelToken = field(default_factory=CancelToken)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    closed: bool = False
    label: str = "Starting"  # the stage running, as people read it in a failure or cancel message
    db_dirty: bool = False
    notify_dirty: bool = False
    last_db: float = 0.0
    last_notify: float = 0.0
