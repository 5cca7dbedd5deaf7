"""Analysed ads reduced to the few facts the Dashboard charts, loaded in one query.

The facts come from the analyses' summary columns, never from parsing the documents, so 10,000
analyses load in tens of milliseconds; filters run in SQL. Qt-free: the window loads on a worker thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import text

from desktop_app.core.db import Database
from desktop_app.core.types import SourceSpec

# The day an ad counts for in date filters: when it started running, else when it was analysed.
AD_DAY = "coalesce(substr(d.delivery_start, 1, 10), date(a.created_at, 'unixepoch'))"


@dataclass(frozen=True)
class InsightFilter:
    """Which analysed ads the Dashboard looks at; empty fields match everything."""

    job_id: str = ""
    source_kind: str = ""
    page: str = ""
    since: str = ""  # ISO date, inclusive, on the ad's day (AD_DAY)


class AdFacts(NamedTuple):
    """One analysed ad video, as the charts need it (a tuple: 10,000 of them are made per refresh)."""

    analysis_id: int
    ad_id: str
    job_id: str | None
    source_kind: str
    page: str
    hook_type: str
    hook_text: str
    cta_type: str
    offer_types: tuple[str, ...]
    angle: str
    tone: str
    overall: int
    hook_strength: int
    started: str  # ISO date or ""
    days_running: int | None
    analysed_on: str  # ISO date


@dataclass(frozen=True)
class FilterChoices:
    """What the Dashboard's filters offer: (value, label) pairs."""

    jobs: list[tuple[str, str]]
    sources: list[tuple[str, str]]
    pages: list[tuple[str, str]]


SOURCE_LABELS = {
    "sample": "Sample ads",
    "meta_search": "Meta Ad Library",
    "urls": "Ad or video URLs",
    "folder": "Local folders",
}


def load_facts(db: Database, where: InsightFilter = InsightFilter(), today: date | None = None) -> list[AdFacts]:
    """Every analysed ad video that passes the filter, oldest analysis first."""
    conditions, params = [], {}
    for column, key, value in (
        ("a.job_id", "job", where.job_id),
        ("d.source_kind", "source", where.source_kind),
        ("coalesce(d.page_name, '')", "page", where.page),
    ):
        if value:
            conditions.append(f"{column} = :{key}")
            params[key] = value
    if where.since:
        conditions.append(f"{AD_DAY} >= :since")
        params["since"] = where.since
    statement = (
        "SELECT a.id, a.ad_id, a.job_id, d.source_kind, coalesce(d.page_name, ''), a.hook_type, a.hook_text,"
        " a.cta_type, a.offer_types, a.angle, a.tone, a.overall_score, a.hook_score, d.delivery_start,"
        " d.delivery_stop, date(a.created_at, 'unixepoch') FROM analyses a JOIN ads d ON d.ad_id = a.ad_id"
        + (" WHERE " + " AND ".join(conditions) if conditions else "")
        + " ORDER BY a.id"
    )
    today = today or datetime.now(UTC).date()
    with db.read() as session:
        rows = session.execute(text(statement), params).all()
    days = lru_cache(maxsize=4096)(lambda start, stop: _days_between(start, stop, today))
    return [
        AdFacts(
            analysis_id, ad_id, job_id, source_kind, page, hook or "none", hook_text or "", cta or "none",
            _offers(offers), angle or "other", tone or "unknown", int(overall or 0), int(strength or 0),
            (start or "")[:10], days((start or "")[:10], (stop or "")[:10]), analysed_on,
        )
        for (
            analysis_id, ad_id, job_id, source_kind, page, hook, hook_text, cta, offers, angle, tone, overall,
            strength, start, stop, analysed_on,
        ) in rows
    ]  # fmt: skip


@lru_cache(maxsize=1024)
def _offers(stored: str | None) -> tuple[str, ...]:
    return tuple(json.loads(stored or "[]"))


def _days_between(start: str, stop: str, today: date) -> int | None:
    try:
        began = date.fromisoformat(start)
    except ValueError:
        return None
    try:
        ended = date.fromisoformat(stop)
    except ValueError:
        ended = today
    return max(0, (ended - began).days)


def filter_choices(db: Database) -> FilterChoices:
    """Jobs that produced analyses (newest first), the sources and the pages seen."""
    with db.read() as session:
        jobs = session.execute(
            text(
                "SELECT j.id, j.source, j.created_at, count(a.id) FROM jobs j JOIN analyses a ON a.job_id = j.id"
                " GROUP BY j.id ORDER BY j.seq DESC"
            )
        ).all()
        sources = session.scalars(text("SELECT DISTINCT source_kind FROM ads ORDER BY source_kind")).all()
        pages = session.scalars(
            text("SELECT DISTINCT page_name FROM ads WHERE page_name IS NOT NULL AND page_name != '' ORDER BY 1")
        ).all()
    job_choices = [
        (job_id, f"{SourceSpec.from_json(source).describe()}, {datetime.fromtimestamp(created):%d %b %H:%M} ({count})")
        for job_id, source, created, count in jobs
    ]
    return FilterChoices(
        jobs=job_choices,
        sources=[(s, SOURCE_LABELS.get(s, s)) for s in sources],
        pages=[(p, p) for p in pages],
    )


def job_outcomes(db: Database) -> dict[str, int]:
    """How many jobs ended in each state (running and queued ones are left out)."""
    with db.read() as session:
        rows = session.execute(
            text("SELECT status, count(*) FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') GROUP BY 1")
        ).all()
    return {str(status): int(count) for status, count in rows}
