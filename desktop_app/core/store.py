"""All SQL about jobs: create, claim, progress, finish, cancel, retry and crash recovery. Every method is one
short unit of work returning plain data."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop_app.core.claims import Claim, hold
from desktop_app.core.context import ClaimLost
from desktop_app.core.job_items import JobItems, record_event
from desktop_app.core.job_items import JobNotFoundError as JobNotFoundError  # part of this module's API
from desktop_app.core.job_status import ACTIVE_STATUSES
from desktop_app.core.models import JobItemRow, JobRow
from desktop_app.core.recovery import Recovery, recover_orphans
from desktop_app.core.scrub import scrub, scrub_data
from desktop_app.core.types import (
    ItemStatus,
    Job,
    JobStatus,
    SourceSpec,
)


class JobStateError(RuntimeError):
    """The job is not in a state that allows the request."""


def _ts(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _job(row: JobRow, queue_position: int | None = None) -> Job:
    return Job(
        job_id=row.id,
        seq=row.seq,
        status=JobStatus(row.status),
        progress=row.progress,
        stage=row.stage,
        message=row.message,
        source=SourceSpec.from_json(row.source),
        created_at=datetime.fromtimestamp(row.created_at, UTC),
        started_at=_ts(row.started_at),
        finished_at=_ts(row.finished_at),
        error=row.error,
        result=row.result,
        attempts=row.attempts,
        cancel_requested=bool(row.cancel_requested),
        queue_position=queue_position,
        version=row.version,
        stage_key=row.stage_key,
        claim=row.claim,
    )


class JobStore(JobItems):
    """The job tables of one database (the items and events of jobs come from JobItems)."""

    # ---- the spec's four endpoints -------------------------------------------------------------

    def create_job(self, source: SourceSpec) -> tuple[Job, bool]:
        """Insert a pending job, or return the active identical one: (job, created), in one transaction."""
        job_id = uuid.uuid4().hex
        now = time.time()
        with self.db.write() as session:
            stmt = (
                sqlite_insert(JobRow)
                .values(
                    id=job_id,
                    status=JobStatus.PENDING.value,
                    progress=0.0,
                    stage="Queued",
                    message="Waiting to start",
                    source=source.to_json(),
                    dedupe_key=source.dedupe_key,
                    created_at=now,
                    attempts=0,
                    crash_count=0,
                    cancel_requested=0,
                    completed_stages=[],
                    stage_state={},
                    version=1,
                    stage_key="",
                )
                .on_conflict_do_nothing()
            )
            created = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
            if created:
                record_event(session, job_id, "created", f"Started analysis of {source.describe()}")
            row = session.scalars(
                select(JobRow).where(JobRow.dedupe_key == source.dedupe_key, JobRow.status.in_(ACTIVE_STATUSES))
            ).one()
            position = self._queue_position(session, row) if row.status == JobStatus.PENDING else None
            return _job(row, position), created

    def get(self, job_id: str) -> Job:
        with self.db.read() as session:
            row = session.scalars(select(JobRow).where(JobRow.id == job_id)).first()
            if row is None:
                raise JobNotFoundError(f"no job with id {job_id}")
            position = self._queue_position(session, row) if row.status == JobStatus.PENDING else None
            return _job(row, position)

    def full_id(self, id_or_prefix: str) -> str:
        """Accept a full id or a unique prefix of at least 4 characters, as people type them."""
        needle = id_or_prefix.strip().lower()
        with self.db.read() as session:
            if session.scalars(select(JobRow.id).where(JobRow.id == needle)).first():
                return needle
            if len(needle) >= 4 and all(c in "0123456789abcdef" for c in needle):
                matches = session.scalars(select(JobRow.id).where(JobRow.id.startswith(needle)).limit(2)).all()
                if len(matches) == 1:
                    return matches[0]
                if len(matches) > 1:
                    raise JobNotFoundError(f"job id prefix {id_or_prefix!r} matches several jobs; type more of it")
        raise JobNotFoundError(f"no job with id {id_or_prefix!r}")

    def history(self, limit: int = 20) -> list[Job]:
        with self.db.read() as session:
            rows = session.scalars(select(JobRow).order_by(JobRow.seq.desc()).limit(limit)).all()
            return self._jobs(session, rows)

    def changed_jobs(self, known: dict[str, int], limit: int = 20) -> list[Job]:
        """The recent (and all active) jobs whose version moved past `known`: one light query for the
        versions, then full rows only for those that changed."""
        with self.db.read() as session:
            latest = select(JobRow.seq).order_by(JobRow.seq.desc()).limit(limit)
            versions = session.execute(
                select(JobRow.id, JobRow.version).where(JobRow.seq.in_(latest) | JobRow.status.in_(ACTIVE_STATUSES))
            ).all()
            moved = [job_id for job_id, version in versions if version > known.get(job_id, 0)]
            if not moved:
                return []
            rows = session.scalars(select(JobRow).where(JobRow.id.in_(moved))).all()
            return self._jobs(session, rows)

    def request_cancel(self, job_id: str) -> bool:
        """Pending jobs end at once; running ones are flagged for their runner. False if already over."""
        with self.db.write() as session:
            row = self._row(session, job_id)
            if row.status == JobStatus.PENDING:
                row.status = JobStatus.CANCELLED.value
                row.finished_at = time.time()
                row.message = "Cancelled before it started"
                row.stage = "Cancelled"
                row.owner = None
                row.version += 1
                record_event(session, job_id, "cancelled", row.message)
                return True
            if row.status == JobStatus.RUNNING:
                if not row.cancel_requested:
                    row.cancel_requested = True
                    row.version += 1
                    record_event(session, job_id, "cancel_requested", "Cancel requested")
                return True
            return False

    def retry(self, job_id: str) -> str:
        """Queue a failed or cancelled job again; its finished stages and items are kept."""
        with self.db.write() as session:
            row = self._row(session, job_id)
            if row.status in ACTIVE_STATUSES:
                return row.id
            if row.status == JobStatus.COMPLETED:
                raise JobStateError(f"job {job_id} completed; start a new analysis to run it again")
            active = session.scalars(
                select(JobRow.id).where(JobRow.dedupe_key == row.dedupe_key, JobRow.status.in_(ACTIVE_STATUSES))
            ).first()
            if active is not None:
                return active
            row.status = JobStatus.PENDING.value
            row.error = None
            row.finished_at = None
            row.cancel_requested = False
            row.crash_count = 0
            row.owner = None
            row.lease_expires_at = None
            row.message = "Waiting to resume"
            row.version += 1
            session.execute(
                update(JobItemRow)
                .where(JobItemRow.job_id == job_id, JobItemRow.status == ItemStatus.FAILED.value)
                .values(status=ItemStatus.PENDING.value, error=None, outcome=None, crashes=0, active_stage=None)
            )
            record_event(session, job_id, "retry", "Retry requested: resuming from the last checkpoints")
            return row.id

    # ---- runner side ---------------------------------------------------------------------------

    def claim_next(self, owner: str, parallel: int, lease_s: float, only: Iterable[str] | None = None) -> Job | None:
        """Atomically move the oldest pending job to running for this owner, within the parallel bound."""
        now = time.time()
        with self.db.write() as session:
            running = session.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(JobRow.status == JobStatus.RUNNING.value, JobRow.lease_expires_at > now)
            )
            if (running or 0) >= parallel:
                return None
            query = select(JobRow).where(JobRow.status == JobStatus.PENDING.value)
            if only is not None:
                query = query.where(JobRow.id.in_(list(only)))
            row = session.scalars(query.order_by(JobRow.seq).limit(1)).first()
            if row is None:
                return None
            resumed = bool(row.completed_stages) or row.attempts > 0
            row.status = JobStatus.RUNNING.value
            row.owner = owner
            row.lease_expires_at = now + lease_s
            row.attempts += 1
            row.claim += 1
            row.started_at = row.started_at or now
            row.message = "Resuming from the last checkpoint" if resumed else "Starting"
            row.version += 1
            record_event(session, row.id, "claimed", f"Run {row.attempts} started ({owner})")
            session.flush()
            return _job(row)

    def renew_leases(self, claims: Sequence[Claim], lease_s: float) -> list[str]:
        """Extend the leases this runner still holds; returns the ids of jobs it no longer owns."""
        lost: list[str] = []
        if not claims:
            return lost
        with self.db.write() as session:
            for claim in claims:
                renewed = session.execute(
                    update(JobRow)
                    .where(
                        JobRow.id == claim.job_id,
                        JobRow.status == JobStatus.RUNNING.value,
                        JobRow.owner == claim.owner,
                        JobRow.claim == claim.generation,
                    )
                    .values(lease_expires_at=time.time() + lease_s)
                ).rowcount  # type: ignore[attr-defined]
                if not renewed:
                    lost.append(claim.job_id)
        return lost

    def cancel_requested(self, job_ids: Sequence[str]) -> set[str]:
        if not job_ids:
            return set()
        with self.db.read() as session:
            return set(session.scalars(select(JobRow.id).where(JobRow.id.in_(job_ids), JobRow.cancel_requested == 1)))

    def has_pending(self) -> bool:
        with self.db.read() as session:
            return (
                session.scalars(select(JobRow.seq).where(JobRow.status == JobStatus.PENDING.value).limit(1)).first()
                is not None
            )

    def write_progress(
        self, claim: Claim, progress: float, stage: str, message: str, *, stage_key: str = "", event: bool = False
    ) -> int:
        """Record progress and return the job's new version; `event` also appends a stage-transition line to
        the job's log. Raises ClaimLost when the job is no longer this claim's."""
        job_id = claim.job_id
        with self.db.write() as session:
            version = session.scalar(
                update(JobRow)
                .where(
                    JobRow.id == job_id,
                    JobRow.status == JobStatus.RUNNING.value,
                    JobRow.owner == claim.owner,
                    JobRow.claim == claim.generation,
                )
                .values(
                    progress=progress,
                    stage=stage,
                    stage_key=stage_key,
                    message=scrub(message),
                    version=JobRow.version + 1,
                )
                .returning(JobRow.version)
            )
            if version is None:
                raise ClaimLost()
            if event:
                record_event(session, job_id, "stage", message, stage=stage_key or stage)
            return int(version)

    def complete_stage(self, job_id: str, stage_key: str, *, claim: Claim | None = None) -> None:
        with self.db.write() as session:
            hold(session, claim, job_id)
            row = self._row(session, job_id)
            if stage_key not in row.completed_stages:
                row.completed_stages = [*row.completed_stages, stage_key]
            row.crash_count = 0

    def save_stage_state(
        self, job_id: str, stage_key: str, state: dict[str, Any], *, claim: Claim | None = None
    ) -> None:
        """Resumable state of a job-level stage (for example a pagination cursor)."""
        with self.db.write() as session:
            hold(session, claim, job_id)
            row = self._row(session, job_id)
            row.stage_state = {**row.stage_state, stage_key: state}
            row.crash_count = 0

    def stage_state(self, job_id: str, stage_key: str) -> dict[str, Any]:
        with self.db.read() as session:
            state = session.scalar(select(JobRow.stage_state).where(JobRow.id == job_id)) or {}
            return dict(state.get(stage_key) or {})

    def completed_stages(self, job_id: str) -> list[str]:
        with self.db.read() as session:
            return list(session.scalar(select(JobRow.completed_stages).where(JobRow.id == job_id)) or [])

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        stage: str,
        message: str,
        progress: float | None = None,
        error: str | None = None,
        result: dict[str, Any] | None = None,
        claim: Claim | None = None,
    ) -> None:
        with self.db.write() as session:
            hold(session, claim, job_id)
            row = self._row(session, job_id)
            row.status = status.value
            row.stage = stage
            row.message = scrub(message)
            row.error = scrub(error) if error else None
            if progress is not None:
                row.progress = progress
            if result is not None:
                row.result = scrub_data(result)
            row.finished_at = time.time()
            row.owner = None
            row.lease_expires_at = None
            row.version += 1
            record_event(session, job_id, status.value, error or message, stage=row.stage_key)

    def release(self, job_id: str, message: str, *, claim: Claim | None = None) -> None:
        """Hand a running job back to the queue (the app is quitting); it resumes at the next start."""
        with self.db.write() as session:
            hold(session, claim, job_id)
            row = self._row(session, job_id)
            row.status = JobStatus.PENDING.value
            row.owner = None
            row.lease_expires_at = None
            row.message = scrub(message)
            row.version += 1
            record_event(session, job_id, "paused", message, stage=row.stage_key)

    def recover_orphans(self, owner_alive: Callable[[str], bool | None]) -> Recovery:
        """Deal with running jobs whose owner is gone (see core/recovery.py)."""
        with self.db.write() as session:
            return recover_orphans(session, owner_alive)

    # ---- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _row(session: Session, job_id: str) -> JobRow:
        row = session.scalars(select(JobRow).where(JobRow.id == job_id)).first()
        if row is None:
            raise JobNotFoundError(f"no job with id {job_id}")
        return row

    @staticmethod
    def _queue_position(session: Session, row: JobRow) -> int:
        ahead = session.scalar(
            select(func.count())
            .select_from(JobRow)
            .where(JobRow.status == JobStatus.PENDING.value, JobRow.seq < row.seq)
        )
        return int(ahead or 0) + 1

    @classmethod
    def _jobs(cls, session: Session, rows: Sequence[JobRow]) -> list[Job]:
        """Rows as Jobs, pending ones with their queue positions (read in one query)."""
        positions = cls._queue_positions(session, [r.seq for r in rows if r.status == JobStatus.PENDING])
        return [_job(r, positions.get(r.seq)) for r in rows]

    @staticmethod
    def _queue_positions(session: Session, seqs: list[int]) -> dict[int, int]:
        if not seqs:
            return {}
        all_pending = session.scalars(
            select(JobRow.seq)
            .where(JobRow.status == JobStatus.PENDING.value, JobRow.seq <= max(seqs))
            .order_by(JobRow.seq)
        ).all()
        rank = {seq: i + 1 for i, seq in enumerate(all_pending)}
        return {seq: rank[seq] for seq in seqs}
