"""Crash recovery: what happens to running jobs whose owner died (a dead process or an expired lease).

Kept apart from the store's everyday writes because its rules are the subtle part: who is to blame for a
crash (an ad in flight, or the job), when a job resumes, and when a crash loop stops it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.job_items import CRASH_LOOP_LIMIT, blame_items, record_event
from desktop_app.core.models import JobRow
from desktop_app.core.types import JobStatus


@dataclass(frozen=True)
class Recovery:
    """What start-up did with jobs whose owner had gone away."""

    resumed: list[str]
    cancelled: list[str]
    failed: list[str]


RESUMING = "Interrupted; resuming from the last checkpoint"


def _end_orphan(session: Session, row: JobRow, status: JobStatus, now: float) -> None:
    """End a job whose owner died: cancelled when that was asked, else failed after a crash loop."""
    row.status = status.value
    row.finished_at = now
    if status == JobStatus.CANCELLED:
        row.stage = "Cancelled"
        row.message = "Cancelled (the app stopped while cancelling)"
    else:
        row.error = (
            f"The app stopped unexpectedly twice in a row while running this job (during '{row.stage}'). "
            "It was not restarted again, to avoid a crash loop; finished work is kept and Retry resumes it."
        )
        row.message = "Stopped after repeated crashes"
    record_event(session, row.id, status.value, row.error or row.message, row.stage_key)


def recover_orphans(session: Session, owner_alive: Callable[[str], bool | None]) -> Recovery:
    """Deal with running jobs whose owner is gone: a dead process on this machine, or an expired lease when
    the owner cannot be checked (another machine). A live owner here is never robbed for an expired lease:
    it may only have been paused (a laptop asleep), and it renews when it wakes.

    A crash while an ad was in an item-stage counts against that ad (the second fails the ad and the
    job goes on); only crashes outside any ad count against the job (two in a row fail it)."""
    now = time.time()
    recovery = Recovery([], [], [])
    rows = session.scalars(select(JobRow).where(JobRow.status == JobStatus.RUNNING.value)).all()
    for row in rows:
        lease_ok = row.lease_expires_at is not None and row.lease_expires_at > now
        alive = owner_alive(row.owner) if row.owner else False
        if alive or (alive is None and lease_ok):
            continue
        row.owner = None
        row.lease_expires_at = None
        row.version += 1
        blamed = blame_items(session, row.id)
        if row.cancel_requested:
            _end_orphan(session, row, JobStatus.CANCELLED, now)
            recovery.cancelled.append(row.id)
        elif not blamed and row.crash_count + 1 >= CRASH_LOOP_LIMIT:
            _end_orphan(session, row, JobStatus.FAILED, now)
            recovery.failed.append(row.id)
        else:
            if not blamed:  # a crash outside any ad counts against the job
                row.crash_count += 1
            row.status = JobStatus.PENDING.value
            row.message = RESUMING
            recovery.resumed.append(row.id)
            record_event(session, row.id, "interrupted", "The app stopped while this job ran; resuming", row.stage_key)
    return recovery
