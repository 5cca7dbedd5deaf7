"""Claims and fencing: every write of a running job commits only under the claim that took it.

A runner paused past its lease (a laptop asleep, a process stopped) may find on waking that another runner
took its job over. Its writes must then change nothing: each one checks, inside its own write transaction,
that the job is still running under the same owner and claim generation, and raises ClaimLost otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.context import ClaimLost
from desktop_app.core.models import JobRow
from desktop_app.core.types import JobItem, JobStatus, Outcome

if TYPE_CHECKING:
    from desktop_app.core.store import JobStore


@dataclass(frozen=True)
class Claim:
    """Who runs a job, and under which claim generation."""

    job_id: str
    owner: str
    generation: int


def hold(session: Session, claim: Claim | None, job_id: str) -> None:
    """Raise ClaimLost unless `claim` still owns the running job (no claim: an unfenced caller)."""
    if claim is None:
        return
    row = session.execute(select(JobRow.status, JobRow.owner, JobRow.claim).where(JobRow.id == job_id)).first()
    if row is None or tuple(row) != (JobStatus.RUNNING.value, claim.owner, claim.generation):
        raise ClaimLost()


class ClaimedStore:
    """The item store a running job's stages see: the same calls, each fenced by the run's claim."""

    def __init__(self, store: JobStore, claim: Claim) -> None:
        self._store = store
        self.claim = claim

    def items(self, job_id: str) -> list[JobItem]:
        return self._store.items(job_id)

    def stage_state(self, job_id: str, stage_key: str) -> dict[str, Any]:
        return self._store.stage_state(job_id, stage_key)

    def add_items(self, job_id: str, items: Sequence[tuple[str, dict[str, Any]]]) -> int:
        return self._store.add_items(job_id, items, claim=self.claim)

    def begin_item(self, job_id: str, key: str, stage_key: str) -> None:
        self._store.begin_item(job_id, key, stage_key, claim=self.claim)

    def checkpoint_item(
        self,
        job_id: str,
        key: str,
        stage_key: str,
        data: dict[str, Any],
        outcome: Outcome | None = None,
        reason: str | None = None,
    ) -> JobItem:
        return self._store.checkpoint_item(job_id, key, stage_key, data, outcome, reason, claim=self.claim)

    def end_item(self, job_id: str, key: str, stage_key: str, outcome: Outcome, reason: str) -> JobItem:
        return self._store.end_item(job_id, key, stage_key, outcome, reason, claim=self.claim)

    def save_stage_state(self, job_id: str, stage_key: str, state: dict[str, Any]) -> None:
        self._store.save_stage_state(job_id, stage_key, state, claim=self.claim)

    def add_event(self, job_id: str, kind: str, message: str, stage: str = "", item_key: str | None = None) -> None:
        self._store.add_event(job_id, kind, message, stage, item_key, claim=self.claim)
