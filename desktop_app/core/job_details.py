"""The technical side of a job's problems, for the Details toggle and `status --details`: what people read
first is plain language (the card, the history, the CLI error line); the library errors and tracebacks behind
it are kept here, for whoever wants them or is asked for them by support."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from desktop_app.core.ad_names import ad_name
from desktop_app.core.types import ItemStatus, Job, JobEvent, JobItem

TECHNICAL_EVENTS = ("detail", "traceback")


def technical_details(job: Job, items: Sequence[JobItem], events: Sequence[JobEvent], logs: Path) -> str:
    """Plain text: the job's error with its detail, then every ad that did not end well with its reason and
    the technical record the run kept for it, then where the log files are."""
    lines = [f"Job {job.job_id}: {job.source.describe()} ({job.status.value})"]
    error = (job.result or {}).get("error") or {}
    if job.error:
        lines += ["", f"Error: {job.error}"]
    if error.get("detail"):
        lines += [str(error["detail"]).rstrip()]
    for event in events:
        if event.kind in TECHNICAL_EVENTS and event.item_key is None:
            lines += ["", f"{event.stage or 'job'}: {event.message.rstrip()}"]
    by_item: dict[str, list[str]] = {}
    for event in events:
        if event.kind in TECHNICAL_EVENTS and event.item_key is not None:
            by_item.setdefault(event.item_key, []).append(event.message.rstrip())
    troubled = [i for i in items if i.status in (ItemStatus.FAILED, ItemStatus.SKIPPED) or i.reason]
    if troubled:
        lines += ["", "Ads:"]
    for item in troubled:
        outcome = item.outcome.value if item.outcome else item.status.value
        name = ad_name(item.key, item.data.get("ad"))
        lines.append(f"- {name} (ad {item.key}), {outcome}: {item.reason or 'no reason recorded'}")
        lines += [f"    {line}" for text in by_item.get(item.key, []) for line in text.splitlines()]
    lines += ["", f"Log files: {logs}"]
    return "\n".join(lines)
