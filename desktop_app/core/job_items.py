"""All SQL about the ads inside jobs (items, with their per-stage checkpoints and outcomes) and about the
jobs' append-only event logs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop_app.core.claims import Claim, hold
from desktop_app.core.db import Database
from desktop_app.core.models import JobEventRow, JobItemRow, JobRow
from desktop_app.core.scrub import scrub
from desktop_app.core.stages import stage_label
from desktop_app.core.types import ItemStatus, JobEvent, JobItem, Outcome

CRASH_LOOP_LIMIT = 2


class JobNotFoundError(LookupError):
    """No job has that id (or the prefix matches none or several)."""


def record_event(
    session: Session, job_id: str, kind: str, message: str, stage: str = "", item_key: str | None = None
) -> None:
    """Append one line to a job's log; `stage` is a stage key."""
    row = JobEventRow(job_id=job_id, at=time.time(), kind=kind, stage=stage, message=scrub(message), item_key=item_key)
    session.add(row)


def blame_items(session: Session, job_id: str) -> bool:
    """Count a crash against the ads that were in an item-stage when it happened; True if there were any.

    An ad that has now crashed the app twice in the same place is failed, so one poison video cannot stop
    the whole job."""
    rows = session.scalars(
        select(JobItemRow).where(JobItemRow.job_id == job_id, JobItemRow.active_stage.is_not(None))
    ).all()
    for item in rows:
        item.crashes += 1
        if item.crashes >= CRASH_LOOP_LIMIT:
            label = stage_label(item.active_stage or "").lower()
            item.status = ItemStatus.FAILED.value
            item.outcome = Outcome.FAILED.value
            item.error = (
                f"The app stopped twice while this ad was at '{label}', so it was set aside "
                "and the rest of the job went on."
            )
            record_event(session, job_id, "item_failed", item.error, item.active_stage or "", item.key)
        item.active_stage = None
    return bool(rows)


def _item(row: JobItemRow) -> JobItem:
    return JobItem(
        job_id=row.job_id,
        key=row.key,
        position=row.position,
        data=row.data,
        status=ItemStatus(row.status),
        checkpoints=row.checkpoints,
        reason=row.error,
        outcome=Outcome(row.outcome) if row.outcome else None,
    )


def _item_row(session: Session, job_id: str, key: str) -> JobItemRow:
    row = session.get(JobItemRow, (job_id, key))
    if row is None:
        raise JobNotFoundError(f"job {job_id} has no item {key}")
    return row


class JobItems:
    """Items and events of the jobs in one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add_items(self, job_id: str, items: Sequence[tuple[str, dict[str, Any]]], *, claim: Claim | None = None) -> int:
        """Add ads to a job; keys already there are left alone, so a re-run stage adds nothing twice."""
        if not items:
            return 0
        now = time.time()
        with self.db.write() as session:
            hold(session, claim, job_id)
            existing = set(session.scalars(select(JobItemRow.key).where(JobItemRow.job_id == job_id)))
            fresh = [(key, data) for key, data in dict(items).items() if key not in existing]
            if not fresh:
                return 0
            start = session.scalar(
                select(func.coalesce(func.max(JobItemRow.position), -1)).where(JobItemRow.job_id == job_id)
            )
            base = int(start if start is not None else -1) + 1
            rows = [
                {
                    "job_id": job_id,
                    "key": key,
                    "position": base + i,
                    "data": data,
                    "status": ItemStatus.PENDING.value,
                    "checkpoints": {},
                    "error": None,
                    "updated_at": now,
                    "crashes": 0,
                }
                for i, (key, data) in enumerate(fresh)
            ]
            session.execute(sqlite_insert(JobItemRow), rows)
            return len(fresh)

    def items(self, job_id: str) -> list[JobItem]:
        with self.db.read() as session:
            rows = session.scalars(
                select(JobItemRow).where(JobItemRow.job_id == job_id).order_by(JobItemRow.position)
            ).all()
            return [_item(r) for r in rows]

    def begin_item(self, job_id: str, key: str, stage_key: str, *, claim: Claim | None = None) -> None:
        """Mark the item-stage in flight, so that a crash during it is counted against this ad."""
        with self.db.write() as session:
            hold(session, claim, job_id)
            session.execute(
                update(JobItemRow)
                .where(JobItemRow.job_id == job_id, JobItemRow.key == key)
                .values(active_stage=stage_key)
            )
            record_event(session, job_id, "item_started", f"{stage_label(stage_key)} started", stage_key, key)

    def checkpoint_item(
        self,
        job_id: str,
        key: str,
        stage_key: str,
        data: dict[str, Any],
        outcome: Outcome | None = None,
        reason: str | None = None,
        *,
        claim: Claim | None = None,
    ) -> JobItem:
        """Record that one item finished one stage (with an outcome, the item is over, and `reason` is what
        people read about it); this commit is what makes the stage never repeat."""
        with self.db.write() as session:
            hold(session, claim, job_id)
            row = _item_row(session, job_id, key)
            row.checkpoints = {**row.checkpoints, stage_key: data}
            if outcome is not None:
                row.status = outcome.status.value
                row.outcome = outcome.value
            if reason is not None:
                row.error = scrub(reason)
            row.active_stage = None
            row.crashes = 0
            row.updated_at = time.time()
            session.execute(update(JobRow).where(JobRow.id == job_id).values(crash_count=0))
            return _item(row)

    def end_item(
        self, job_id: str, key: str, stage_key: str, outcome: Outcome, reason: str, *, claim: Claim | None = None
    ) -> JobItem:
        """End an item other than done (failed, skipped, no video...) with its reason; the job goes on."""
        reason = scrub(reason)
        with self.db.write() as session:
            hold(session, claim, job_id)
            row = _item_row(session, job_id, key)
            row.status = outcome.status.value
            row.outcome = outcome.value
            row.error = reason
            row.active_stage = None
            row.updated_at = time.time()
            session.execute(update(JobRow).where(JobRow.id == job_id).values(crash_count=0))
            record_event(session, job_id, f"item_{outcome.status.value}", reason, stage=stage_key, item_key=key)
            return _item(row)

    def add_event(
        self,
        job_id: str,
        kind: str,
        message: str,
        stage: str = "",
        item_key: str | None = None,
        *,
        claim: Claim | None = None,
    ) -> None:
        with self.db.write() as session:
            hold(session, claim, job_id)
            record_event(session, job_id, kind, message, stage, item_key)

    def events(self, job_id: str) -> list[JobEvent]:
        with self.db.read() as session:
            rows = session.scalars(
                select(JobEventRow).where(JobEventRow.job_id == job_id).order_by(JobEventRow.id)
            ).all()
            return [
                JobEvent(r.job_id, datetime.fromtimestamp(r.at, UTC), r.kind, r.stage, r.message, r.item_key)
                for r in rows
            ]
