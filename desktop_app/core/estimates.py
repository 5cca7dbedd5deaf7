"""Time-left estimates from how long each stage took in past jobs."""

from __future__ import annotations

import itertools
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence

from desktop_app.core.stages import StageInfo
from desktop_app.core.store import JobStore
from desktop_app.core.types import Job, JobStatus


def stage_durations(store: JobStore, limit: int = 10) -> dict[str, float]:
    """Median seconds per stage key over the last `limit` completed jobs."""
    samples: dict[str, list[float]] = defaultdict(list)
    completed = [j for j in store.history(100) if j.status == JobStatus.COMPLETED][:limit]
    for job in completed:
        marks = [e for e in store.events(job.job_id) if e.kind in ("stage", "completed")]
        for here, after in itertools.pairwise(marks):
            samples[here.stage].append((after.at - here.at).total_seconds())
    return {stage: statistics.median(values) for stage, values in samples.items()}


def seconds_left(
    job: Job, stages: Sequence[StageInfo], durations: dict[str, float], stage_started: float | None
) -> float | None:
    """Remaining seconds for a running job, or None without history to go by.

    `stages` are in order; the current stage counts what is left of it."""
    keys = [stage.key for stage in stages]
    if job.status != JobStatus.RUNNING or job.stage_key not in keys or not durations:
        return None
    index = keys.index(job.stage_key)
    current = durations.get(job.stage_key)
    if current is None:
        return None
    spent = time.time() - stage_started if stage_started else 0.0
    left = max(0.0, current - spent)
    left += sum(durations.get(key, 0.0) for key in keys[index + 1 :])
    return left
