"""The spec's BackgroundJob states, in a module of their own: `ad-analysis cancel` reads them without importing the
rest of the domain types (core/quick_cancel.py must answer within 0.3 s)."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """The spec's BackgroundJob states."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_active(self) -> bool:
        return self in (JobStatus.PENDING, JobStatus.RUNNING)


ACTIVE_STATUSES = (JobStatus.PENDING.value, JobStatus.RUNNING.value)
