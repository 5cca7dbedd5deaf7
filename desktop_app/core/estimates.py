"""Time-left estimates, and the bar as time sees it, from how long each stage took in past jobs."""

from __future__ import annotations

import itertools
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence

from desktop_app.core.stages import StageInfo
from desktop_app.core.store import JobStore
from desktop_app.core.types import Job, JobStatus

# Seconds per stage of a typical small job on a 2-core machine, until this machine's own jobs say otherwise:
# transcription is most of the wait, so it is most of the bar.
TYPICAL_SECONDS = {
    "start": 0.2,
    "check": 0.2,
    "fetch": 0.8,
    "resolve": 0.8,
    "download": 1.5,
    "transcribe": 12.0,
    "analyse": 1.5,
    "finalise": 0.3,
}


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
    """Remaining seconds for a running job, or None before there is anything to go by.

    Past jobs' median stage times say how long the stages still ahead take; the current stage's own pace (how
    far its share of the bar has moved in the time spent) says what is left of it, so a stage running longer
    than usual is not "0 s" while it works. With no history, the job's own pace over its whole bar stands in,
    from the first job. Never below one second while work remains."""
    keys = [stage.key for stage in stages]
    if job.status != JobStatus.RUNNING or job.stage_key not in keys or job.progress >= 100:
        return None
    index = keys.index(job.stage_key)
    now = time.time()
    spent = now - stage_started if stage_started else 0.0
    end = stages[index + 1].percent if index + 1 < len(stages) else 100.0
    share = (job.progress - stages[index].percent) / max(1e-9, end - stages[index].percent)
    paced = spent * (1 - share) / share if share > 0.05 and spent > 0 else None
    typical = durations.get(job.stage_key)
    if typical is not None:
        current = paced if paced is not None and spent > typical else max(typical - spent, paced or 0.0)
        return max(1.0, current + sum(durations.get(key, 0.0) for key in keys[index + 1 :]))
    if job.started_at is None or job.progress < 10:
        return None
    elapsed = now - job.started_at.timestamp()
    return max(1.0, elapsed * (100 - job.progress) / job.progress)


def time_weighted(progress: float, stages: Sequence[StageInfo], durations: dict[str, float]) -> float:
    """The job's progress (the spec's stage percentages) re-weighted so each stage takes the share of the bar
    that it takes of the time: measured medians where known, typical ones else. Monotonic in `progress`."""
    if not stages or progress >= 100:
        return min(100.0, progress)
    weights = [max(0.05, durations.get(st.key, TYPICAL_SECONDS.get(st.key, 1.0))) for st in stages]
    ends = [st.percent for st in stages[1:]] + [100.0]
    done = 0.0
    for stage, end, weight in zip(stages, ends, weights, strict=True):
        if progress >= end:
            done += weight
        elif progress > stage.percent:
            done += weight * (progress - stage.percent) / (end - stage.percent)
    before = stages[0].percent  # the bar before the first stage (queued) stays as it is
    if progress <= before:
        return progress
    return before + (100 - before) * done / sum(weights)
