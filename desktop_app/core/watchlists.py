"""Competitor watchlists: a Meta page or search checked on a schedule, and the life of each ad it shows.

A marketer learns what works from how long a competitor keeps an ad running, so every ad a watchlist sees
keeps its first and last sighting, whether it still runs, and its EU reach over time. A check is an ordinary
job (core/watch_checks.py); its finalise stage hands the ads it found to `record_check`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from desktop_app.core.ad_names import ad_name
from desktop_app.core.db import Database
from desktop_app.core.job_status import ACTIVE_STATUSES
from desktop_app.core.models import AdRow, JobRow, WatchedAdRow, WatchlistRow
from desktop_app.core.source_rules import MAX_TERMS_CHARS, country_problem, is_ad_id
from desktop_app.core.summaries import reach
from desktop_app.core.types import Outcome, SourceError, SourceSpec

DAY_S = 86_400.0
SCHEDULES: dict[str, float | None] = {"daily": DAY_S, "weekly": 7 * DAY_S, "manual": None}
WATCH_MAX_ADS = 1000  # a check must see every running ad, or the ones past the limit would look gone
REACH_HISTORY = 60  # reach readings kept per ad (one a check, when it changed)


@dataclass(frozen=True)
class Watchlist:
    """One tracked competitor, and where its checks stand."""

    watchlist_id: int
    name: str
    page_id: str | None
    terms: str | None
    countries: list[str]
    schedule: str
    created_at: float
    page_name: str | None = None
    last_started: float | None = None
    last_job_id: str | None = None
    last_checked: float | None = None
    checked_job_id: str | None = None

    @property
    def title(self) -> str:
        """What people call it: the name given, else the page its ads come from, else the search."""
        if self.name:
            return self.name
        if self.page_name:
            return self.page_name
        return f'"{self.terms}"' if self.terms else f"Page {self.page_id}"

    def source(self) -> SourceSpec:
        """The Meta Ad Library search a check runs, marked with this watchlist."""
        params: dict[str, Any] = {"countries": list(self.countries), "max_ads": WATCH_MAX_ADS}
        if self.page_id:
            params["page_ids"] = [self.page_id]
        if self.terms:
            params["terms"] = self.terms
        params["watchlist_id"] = self.watchlist_id
        params["watch_title"] = self.title  # what job cards and notifications call the check
        return SourceSpec("meta_search", params)

    def due_at(self) -> float | None:
        """When the next scheduled check is due (None for manual ones); counted from the last start, so a check
        that keeps failing is tried once per period instead of every minute."""
        every = SCHEDULES.get(self.schedule)
        if every is None:
            return None
        return self.created_at if self.last_started is None else self.last_started + every


@dataclass(frozen=True)
class WatchedAd:
    """One ad as a watchlist saw it."""

    ad_id: str
    name: str
    first_seen: float
    last_seen: float
    active: bool
    new: bool  # first seen in the latest completed check
    delivery_start: str | None
    outcome: str | None
    reach: list[list[float]] = field(default_factory=list)

    @property
    def latest_reach(self) -> int | None:
        return int(self.reach[-1][1]) if self.reach else None

    @property
    def started_at(self) -> float:
        """When the ad began running: its delivery start (midnight UTC), or its first sighting when that is earlier
        or the start is unknown."""
        start = self.first_seen
        if self.delivery_start:
            with contextlib.suppress(ValueError):
                start = min(start, datetime.fromisoformat(self.delivery_start[:10]).replace(tzinfo=UTC).timestamp())
        return start

    def days_running(self, now: float) -> int:
        """Days from the ad's start (started_at) to today, or to its last sighting once gone."""
        end = now if self.active else self.last_seen
        return max(0, int((end - self.started_at) // DAY_S))


@dataclass(frozen=True)
class CheckSummary:
    """What one check found, by the ads' names: kept in the job's result and told in the notification."""

    watchlist_id: int
    title: str
    new: list[str]
    still_active: list[str]
    gone: list[str]
    first: bool = False  # the watchlist's first check: every ad is new to it

    def to_dict(self) -> dict[str, Any]:
        return {
            "watchlist_id": self.watchlist_id,
            "title": self.title,
            "new": self.new,
            "still_active": self.still_active,
            "gone": self.gone,
            "first": self.first,
            "headline": self.headline(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckSummary:
        return cls(
            int(data["watchlist_id"]),
            str(data["title"]),
            list(data.get("new") or []),
            list(data.get("still_active") or []),
            list(data.get("gone") or []),
            bool(data.get("first")),
        )

    def headline(self) -> str:
        """One line for a notification: '3 new ads from Example Coffee'."""
        if self.first:
            count = len(self.new)
            return f"Now tracking {count} running ad{'' if count == 1 else 's'} from {self.title}"
        gone = len(self.gone)
        if self.new:
            head = f"{len(self.new)} new ad{'' if len(self.new) == 1 else 's'} from {self.title}"
            return head + (f", {gone} stopped running" if gone else "")
        if gone:
            return f"{gone} ad{' has' if gone == 1 else 's have'} stopped running at {self.title}"
        return f"No new ads from {self.title}; {len(self.still_active)} still running"


def check_watchlist_input(page_id: str | None, terms: str | None, countries: Sequence[str], schedule: str) -> None:
    """Refuse, in words, a watchlist no check could run."""
    if bool(page_id) == bool(terms):
        raise SourceError("a watchlist follows either one page id or search terms")
    if page_id and not is_ad_id(page_id):
        raise SourceError(f"{page_id!r} is not a page id: page ids are written with the digits 0-9")
    if terms and len(terms) > MAX_TERMS_CHARS:
        raise SourceError(f"search terms can be at most {MAX_TERMS_CHARS} characters long")
    if not countries:
        raise SourceError("a watchlist needs at least one country (such as DE)")
    for code in countries:
        if problem := country_problem(code):
            raise SourceError(problem)
    if schedule not in SCHEDULES:
        raise SourceError(f"the schedule is daily, weekly or manual, not {schedule!r}")


def _watchlist(row: WatchlistRow) -> Watchlist:
    return Watchlist(
        row.id, row.name, row.page_id, row.terms, list(row.countries), row.schedule, row.created_at,
        row.page_name, row.last_started, row.last_job_id, row.last_checked, row.checked_job_id,
    )  # fmt: skip


def stopped(meta: dict[str, Any], now: float) -> bool:
    """True when Meta gives the ad a delivery stop time that has passed."""
    value = str(meta.get("ad_delivery_stop_time") or "")
    if not value:
        return False
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() <= now


def _reach(meta: dict[str, Any]) -> float | None:
    value = reach(meta.get("eu_total_reach"))  # a number or a string of digits, as Results reads it
    return float(value) if value is not None else None


class WatchStore:
    """The watchlists and their ads' lifecycles, in the app's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, *, page_id: str | None, terms: str | None, countries: Sequence[str], schedule: str = "daily",
        name: str = "", now: float | None = None,
    ) -> Watchlist:  # fmt: skip
        page_id, terms = (page_id or "").strip() or None, (terms or "").strip() or None
        codes = [c.strip().upper() for c in countries if c.strip()]
        check_watchlist_input(page_id, terms, codes, schedule)
        row = WatchlistRow(
            name=name.strip(), page_id=page_id, terms=terms, countries=codes, schedule=schedule,
            created_at=time.time() if now is None else now,
        )  # fmt: skip
        with self.db.write() as session:
            session.add(row)
            session.flush()
            return _watchlist(row)

    def all(self) -> list[Watchlist]:
        with self.db.read() as session:
            return [_watchlist(r) for r in session.scalars(select(WatchlistRow).order_by(WatchlistRow.id))]

    def get(self, watchlist_id: int) -> Watchlist:
        with self.db.read() as session:
            row = session.get(WatchlistRow, watchlist_id)
            if row is None:
                raise SourceError(f"there is no watchlist {watchlist_id}")
            return _watchlist(row)

    def remove(self, watchlist_id: int) -> bool:
        """Forget a watchlist and its ads' lifecycles (the analyses stay in Results)."""
        with self.db.write() as session:
            session.execute(delete(WatchedAdRow).where(WatchedAdRow.watchlist_id == watchlist_id))
            removed = session.execute(delete(WatchlistRow).where(WatchlistRow.id == watchlist_id))
            return bool(getattr(removed, "rowcount", 0))

    def mark_started(self, watchlist_id: int, job_id: str, now: float) -> None:
        with self.db.write() as session:
            row = session.get(WatchlistRow, watchlist_id)
            if row is not None:
                row.last_started, row.last_job_id = now, job_id

    def due(self, now: float) -> list[Watchlist]:
        """Scheduled watchlists whose next check is due at `now` and that have no check queued or running."""
        with self.db.read() as session:
            busy = set(session.scalars(select(JobRow.id).where(JobRow.status.in_(ACTIVE_STATUSES))))
        return [
            w
            for w in self.all()
            if (at := w.due_at()) is not None and at <= now and (w.last_job_id is None or w.last_job_id not in busy)
        ]

    def settled_ids(self, watchlist_id: int) -> set[str]:
        """Ads seen by earlier checks that need no further work (all but those whose analysis failed)."""
        with self.db.read() as session:
            return set(
                session.scalars(
                    select(WatchedAdRow.ad_id).where(
                        WatchedAdRow.watchlist_id == watchlist_id,
                        (WatchedAdRow.outcome.is_(None)) | (WatchedAdRow.outcome != Outcome.FAILED.value),
                    )
                )
            )

    def ads(self, watchlist_id: int) -> list[WatchedAd]:
        """The watchlist's ads: running ones first, newest sighting first."""
        with self.db.read() as session:
            checked = session.scalar(select(WatchlistRow.checked_job_id).where(WatchlistRow.id == watchlist_id))
            rows = session.execute(
                select(WatchedAdRow, AdRow)
                .outerjoin(AdRow, AdRow.ad_id == WatchedAdRow.ad_id)
                .where(WatchedAdRow.watchlist_id == watchlist_id)
                .order_by(WatchedAdRow.active.desc(), WatchedAdRow.first_seen.desc(), WatchedAdRow.ad_id)
            ).all()
        return [
            WatchedAd(
                w.ad_id,
                ad_name(w.ad_id, ad.metadata_json if ad else None, ad.page_name if ad else None),
                w.first_seen,
                w.last_seen,
                bool(w.active),
                checked is not None and w.first_job_id == checked,
                ad.delivery_start if ad else None,
                w.outcome,
                list(w.reach or []),
            )
            for w, ad in rows
        ]

    def record_check(
        self, watchlist_id: int, job_id: str, found: Sequence[tuple[str, dict[str, Any], str | None]], *,
        complete: bool, now: float,
    ) -> CheckSummary:  # fmt: skip
        """Update the lifecycle from one check's ads (id, metadata, outcome): new ones join, seen ones are
        refreshed, and, when the search saw every running ad (`complete`), those missing are marked gone.
        Safe to repeat for the same job (a finalise run again after a crash gives the same summary)."""
        with self.db.write() as session:
            watch = session.get(WatchlistRow, watchlist_id)
            if watch is None:
                raise SourceError(f"there is no watchlist {watchlist_id}")
            query = select(WatchedAdRow).where(WatchedAdRow.watchlist_id == watchlist_id)
            rows = {r.ad_id: r for r in session.scalars(query)}
            first = watch.checked_job_id in (None, job_id)  # no check had completed before this one
            for ad_id, meta, outcome in found:
                if ad_id not in rows:
                    rows[ad_id] = WatchedAdRow(
                        watchlist_id=watchlist_id, ad_id=ad_id, first_seen=now, last_seen=now, active=True,
                        first_job_id=job_id, reach=[],
                    )  # fmt: skip
                    session.add(rows[ad_id])
                _refresh(rows[ad_id], meta, outcome, job_id, now)
            seen = {ad_id for ad_id, _, _ in found}
            if complete:
                for row in rows.values():
                    if row.ad_id not in seen:
                        _end(row, job_id, now)
            pages = (str(meta["page_name"]) for _, meta, _ in found if meta.get("page_name"))
            watch.page_name = watch.page_name or next(pages, None)
            watch.last_checked, watch.checked_job_id = now, job_id
            new = [a for a, _, _ in found if rows[a].first_job_id == job_id]
            gone = sorted(a for a, r in rows.items() if r.ended_job_id == job_id and a not in new)
            still = [a for a, _, _ in found if a not in new and rows[a].active]
            metas = {r.ad_id: r for r in session.scalars(select(AdRow).where(AdRow.ad_id.in_(list(rows))))}
            title = _watchlist(watch).title

        def names(ids: list[str]) -> list[str]:
            return [ad_name(a, metas[a].metadata_json, metas[a].page_name) if a in metas else f"Ad {a}" for a in ids]

        return CheckSummary(watchlist_id, title, names(new), names(still), names(gone), first)


def _refresh(row: WatchedAdRow, meta: dict[str, Any], outcome: str | None, job_id: str, now: float) -> None:
    """One sighting of an ad: when, whether it still runs, how it was analysed, its reach if it changed."""
    row.last_seen = max(row.last_seen, now)
    if stopped(meta, now):
        _end(row, job_id, now)
    else:
        row.active, row.ended_at, row.ended_job_id = True, None, None
    if outcome and not (outcome == Outcome.ALREADY_ANALYSED.value and row.outcome):
        row.outcome = outcome
    reach = _reach(meta)
    history = list(row.reach or [])
    if reach is not None and (not history or history[-1][1] != reach):
        row.reach = [*history, [now, reach]][-REACH_HISTORY:]


def _end(row: WatchedAdRow, job_id: str, now: float) -> None:
    """The ad stopped running: noted by the check that first saw it gone (again the same on a repeat)."""
    if row.active or row.ended_job_id == job_id:
        row.active, row.ended_at, row.ended_job_id = False, row.ended_at or now, job_id
