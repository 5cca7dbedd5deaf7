"""A watchlist check is an ordinary job: queued, cancellable, resumable and in the history like any other.

Starting one starts a Meta Ad Library job marked with the watchlist's id; that job's finalise stage calls
`record_job` to update the lifecycle of the watchlist's ads and keeps the summary in the job's result."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desktop_app.core.db import Database
from desktop_app.core.models import AnalysisRow
from desktop_app.core.service import JobService, Started
from desktop_app.core.types import Job, JobItem, JobStatus, SourceSpec
from desktop_app.core.watchlists import WATCH_MAX_ADS, CheckSummary, WatchStore

RESULT_KEY = "watch"  # where a check's summary lives in its job's result


def watchlist_of(source: SourceSpec) -> int | None:
    """The watchlist a job checks, if it is a check."""
    value = source.params.get("watchlist_id")
    return int(value) if source.kind == "meta_search" and value is not None else None


def start_check(service: JobService, watch: WatchStore, watchlist_id: int, now: float | None = None) -> Started:
    """Queue a check of one watchlist (the check already queued or running, if there is one)."""
    started = service.start_analysis(watch.get(watchlist_id).source())
    watch.mark_started(watchlist_id, started.job_id, time.time() if now is None else now)
    return started


def start_due(service: JobService, watch: WatchStore, now: float | None = None) -> list[Started]:
    """Queue a check of every watchlist that is due; they run under the parallel-jobs setting like any job."""
    at = time.time() if now is None else now
    return [start_check(service, watch, w.watchlist_id, at) for w in watch.due(at)]


def record_job(
    db: Database, job_id: str, source: SourceSpec, items: list[JobItem], now: float | None = None
) -> dict[str, Any] | None:
    """At the end of a check: the lifecycle update from the job's ads, and its summary (None for other jobs,
    or when the watchlist was removed meanwhile)."""
    watchlist_id = watchlist_of(source)
    if watchlist_id is None:
        return None
    watch = WatchStore(db)
    try:
        watch.get(watchlist_id)
    except ValueError:
        return None
    found = [(i.key, dict(i.data.get("ad") or {}), i.outcome.value if i.outcome else None) for i in items]
    complete = len(items) < int(source.params.get("max_ads") or WATCH_MAX_ADS)
    at = time.time() if now is None else now
    return watch.record_check(watchlist_id, job_id, found, complete=complete, now=at).to_dict()


def summary_of(job: Job) -> CheckSummary | None:
    """A completed check's summary, from its job's result."""
    data = (job.result or {}).get(RESULT_KEY)
    if job.status is not JobStatus.COMPLETED or not isinstance(data, dict):
        return None
    return CheckSummary.from_dict(data)


@dataclass(frozen=True)
class KnownVideo:
    """A video of an ad downloaded by an earlier job and still on disk: used instead of downloading it again."""

    index: int
    path: str
    sha256: str


def known_videos(db: Database, ad_id: str) -> list[KnownVideo]:
    """The ad's videos as an earlier analysis stored them, when every one is still on disk (else none: the ad is
    fetched again). An ad once analysed from its copy only has none."""
    with db.read() as session:
        rows = session.execute(
            select(AnalysisRow.video_index, AnalysisRow.video_path, AnalysisRow.video_sha256)
            .where(AnalysisRow.ad_id == ad_id, AnalysisRow.video_path.is_not(None))
            .order_by(AnalysisRow.id.desc())
        ).all()
    latest: dict[int, KnownVideo] = {}
    for index, path, sha in rows:
        if index not in latest and path and sha:
            latest[int(index)] = KnownVideo(int(index), str(path), str(sha))
    videos = [latest[i] for i in sorted(latest)]
    if [v.index for v in videos] != list(range(len(videos))) or not all(Path(v.path).is_file() for v in videos):
        return []
    return videos
