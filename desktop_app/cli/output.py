"""What the CLI prints: a job described, the jobs and results tables, JSON and CSV, and a live progress line.

Everything here passes through core/scrub.py on its way out: a job's error or an item's reason may quote
a server that echoed an API key, and a terminal or a pasted --json must never show it."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from desktop_app.core.ad_names import ad_name
from desktop_app.core.export import write_csv
from desktop_app.core.scrub import scrub, scrub_data
from desktop_app.core.types import ItemStatus, Job, JobItem, JobStatus

if TYPE_CHECKING:
    from desktop_app.core.results import AdResult


def duration(job: Job) -> str:
    if job.started_at is None:
        return "-"
    end = job.finished_at.timestamp() if job.finished_at else time.time()
    seconds = int(end - job.started_at.timestamp())
    return f"{seconds // 60}m{seconds % 60:02d}s"


def as_json(data: Any, indent: int | None = 2) -> str:
    """--json output; the strings are scrubbed before dumping, so the JSON stays valid."""
    return json.dumps(scrub_data(data), indent=indent)


def results_csv(rows: Sequence[AdResult]) -> str:
    """`results --csv`: the export's CSV (safe for spreadsheets), scrubbed."""
    out = io.StringIO()
    write_csv(rows, out)
    return scrub(out.getvalue())


def describe(job: Job) -> str:
    lines = [
        f"job {job.job_id}",
        f"  source:   {job.source.describe()}",
        f"  status:   {job.status.value}"
        + (f" (position {job.queue_position} in queue)" if job.queue_position else "")
        + (" (cancel requested)" if job.cancel_requested and job.status == JobStatus.RUNNING else ""),
        f"  progress: {job.progress:.0f}%  {job.stage}: {job.message}",
        f"  created:  {job.created_at.astimezone():%Y-%m-%d %H:%M:%S}   duration: {duration(job)}",
    ]
    if job.error:
        lines.append(f"  error:    {job.error}")
        lines.append(f"  details:  ad-analysis status {job.job_id[:8]} --details")
    if job.failed_ads:
        lines.append(
            f"  warning:  {job.failed_ads} ad{'s' if job.failed_ads > 1 else ''} failed; "
            f"see why with: ad-analysis results {job.job_id[:8]}"
        )
    return scrub("\n".join(lines))


def _status_word(job: Job) -> str:
    return f"completed, {job.failed_ads} failed" if job.failed_ads else job.status.value


def jobs_table(jobs: Sequence[Job]) -> str:
    if not jobs:
        return "No jobs yet. Start one with: ad-analysis run --sample"
    rows = [f"{'JOB':<12} {'STATUS':<19} {'PROGRESS':>8}  {'CREATED':<19}  {'DURATION':>8}  SOURCE"]
    for job in jobs:
        rows.append(
            f"{job.job_id[:12]:<12} {_status_word(job):<19} {job.progress:>7.0f}%  "
            f"{job.created_at.astimezone():%Y-%m-%d %H:%M:%S}  {duration(job):>8}  {job.source.describe()}"
        )
    return scrub("\n".join(rows))


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def results_table(rows: Sequence[AdResult], items: Sequence[JobItem]) -> str:
    lines = [f"{'AD':<40} {'HOOK':<16} {'CTA':<11} {'OFFER':<22} {'SCORE':>5}  NOTE"]
    for row in rows:
        a = row.analysis
        offer = ",".join(a.offer.types) or "-"
        note = "no speech" if not row.transcript and row.video_path else "copy only" if not row.video_path else ""
        lines.append(
            f"{fit(row.name, 40):<40} {a.hook.type:<16} {a.cta.type:<11} {offer[:22]:<22} "
            f"{a.scores.overall.score:>5}  {note}"
        )
    for item in items:
        if item.status in (ItemStatus.FAILED, ItemStatus.SKIPPED):
            lines.append(f"{fit(ad_name(item.key, item.data.get('ad')), 40):<40} {item.status.value}: {item.reason}")
    return scrub("\n".join(lines)) if len(lines) > 1 else "No analysed ads in this job yet."


class ProgressPrinter:
    """A one-line bar on a terminal; plain lines (one per change of message) otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.last = ""

    def show(self, job: Job) -> None:
        message = scrub(job.message)
        text = f"{job.progress:5.1f}%  {message or job.stage}"
        if self.tty:
            filled = int(job.progress / 100 * 30)
            self.out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {text[:70]:<70}")
            self.out.flush()
        elif message != self.last:
            self.out.write(f"{job.progress:5.1f}%  {job.stage}: {message}\n")
            self.out.flush()
        self.last = message

    def end(self) -> None:
        if self.tty:
            self.out.write("\n")
