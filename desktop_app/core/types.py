"""Plain, immutable domain types shared by the store, the runner, the CLI and the window.

They cross threads freely: nothing here is bound to a database session.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from desktop_app.core.job_status import JobStatus as JobStatus  # re-exported: every domain type from here
from desktop_app.core.source_rules import MAX_TERMS_CHARS, country_problem, is_ad_id, url_list_problems


class ItemStatus(StrEnum):
    """Where one ad stands inside its job."""

    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


class Outcome(StrEnum):
    """How one ad ended, as people read it in cards, Results and the CLI. Never parsed back from text."""

    ANALYSED = "analysed"
    COPY_ONLY = "copy_only"  # no usable video: analysed from the ad's copy
    NO_SPEECH = "no_speech"
    LANGUAGE_UNSUPPORTED = "language_unsupported"
    NO_VIDEO = "no_video"
    ALREADY_ANALYSED = "already_analysed"
    SKIPPED = "skipped"
    FAILED = "failed"

    @property
    def status(self) -> ItemStatus:
        """The lifecycle state an ad with this outcome ends in."""
        if self in (Outcome.ANALYSED, Outcome.COPY_ONLY, Outcome.NO_SPEECH):
            return ItemStatus.DONE
        return ItemStatus.FAILED if self is Outcome.FAILED else ItemStatus.SKIPPED


SOURCE_KINDS = ("sample", "meta_search", "urls", "folder")
LIBRARY_URL = "https://www.facebook.com/ads/library/?id={}"
META_COVERAGE_NOTE = (
    "The Ad Library API covers political and social-issue ads worldwide, and other ads only when they were "
    "delivered to the EU or the UK in the past year: pick EU/UK countries for commercial research."
)


class SourceError(ValueError):
    """A source spec that cannot be analysed, with a message fit for the user."""


@dataclass(frozen=True)
class SourceSpec:
    """What to analyse: a kind plus its parameters, compared by value for duplicate detection."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise SourceError(f"unknown source kind {self.kind!r} (expected one of {', '.join(SOURCE_KINDS)})")
        if self.kind == "meta_search":
            if not self.params.get("countries"):
                raise SourceError("a Meta Ad Library search needs at least one country (--country DE)")
            if not (self.params.get("terms") or self.params.get("page_ids")):
                raise SourceError("a Meta Ad Library search needs search terms or page ids")
            bad = [c for c in self.params["countries"] if len(c) != 2 or not c.isalpha()]
            if bad:
                raise SourceError(f"countries are two-letter country codes such as DE or FR, not {bad[0]!r}")
        if self.kind == "urls":
            if not self.params.get("urls"):
                raise SourceError("the URL list is empty")
            # Only http(s) links or Ad Library ids: never file:// or other schemes from user input.
            bad = [u for u in self.params["urls"] if not (u.isdigit() or u.startswith(("http://", "https://")))]
            if bad:
                raise SourceError(f"{bad[0]!r} is not an http(s) URL or an Ad Library id")
        if self.kind == "folder" and not self.params.get("path"):
            raise SourceError("no folder given")

    def check_new(self) -> None:
        """The stricter rules a new job must meet (stored jobs are read back without them): ISO country codes,
        Ad Library ids in ASCII digits, search terms Meta accepts, web addresses that parse."""
        p = self.params
        if self.kind == "meta_search":
            for code in p["countries"]:
                if problem := country_problem(code):
                    raise SourceError(problem)
            if len(p.get("terms") or "") > MAX_TERMS_CHARS:
                raise SourceError(f"search terms can be at most {MAX_TERMS_CHARS} characters long")
            if bad := [i for i in p.get("page_ids") or [] if not is_ad_id(i)]:
                raise SourceError(f"{bad[0]!r} is not a page id: page ids are written with the digits 0-9")
        if self.kind == "urls" and (bad := url_list_problems(p["urls"])):
            raise SourceError(bad[0][1])

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "params": self.params}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> SourceSpec:
        data = json.loads(text)
        return cls(kind=data["kind"], params=dict(data.get("params") or {}))

    @property
    def dedupe_key(self) -> str:
        """Identical analyses share this key; the store allows one active job per key."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def describe(self) -> str:
        """A short human label for lists and notifications."""
        p = self.params
        if self.kind == "sample":
            return "Sample ads"
        if self.kind == "meta_search" and p.get("watch_title"):
            return f"Check of {p['watch_title']}"
        if self.kind == "meta_search":
            what = p.get("terms") or ", ".join(p.get("page_ids", []))
            return f"Meta Ad Library: {what} ({', '.join(p['countries'])})"
        if self.kind == "urls":
            n = len(p["urls"])
            return f"{n} URL" + ("" if n == 1 else "s")
        return f"Folder {p['path']}"


@dataclass(frozen=True)
class Job:
    """A snapshot of one job row, with the spec's field names."""

    job_id: str
    seq: int
    status: JobStatus
    progress: float
    stage: str
    message: str
    source: SourceSpec
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    result: dict[str, Any] | None
    attempts: int
    cancel_requested: bool
    queue_position: int | None = None
    version: int = 0
    stage_key: str = ""
    claim: int = 0  # the claim generation of the run that owns it (never shown)
    # While it runs, per stage key: (ads done, of how many), a later stage's too when its work runs ahead (videos
    # transcribed while others download). From the runner, in memory: not stored.
    stage_counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def failed_ads(self) -> int:
        """Ads that failed in a job that completed anyway: the job is shown as completed with problems."""
        if self.status != JobStatus.COMPLETED or not self.result:
            return 0
        return int(self.result.get("failed") or 0)

    def to_dict(self) -> dict[str, Any]:
        """The spec's BackgroundJob object, as the CLI's --json prints it."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "job_id": self.job_id,
            "status": self.status.value,
            "progress": round(self.progress, 1),
            "stage": self.stage,
            "message": self.message,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "error": self.error,
            "result": self.result,
            "source": {"kind": self.source.kind, "params": self.source.params},
            "queue_position": self.queue_position,
            "cancel_requested": self.cancel_requested,
        }


@dataclass(frozen=True)
class JobItem:
    """One ad inside a job, with the checkpoint of every stage it has finished."""

    job_id: str
    key: str
    position: int
    data: dict[str, Any]
    status: ItemStatus
    checkpoints: dict[str, Any]
    reason: str | None  # why it ended other than analysed, in plain words
    outcome: Outcome | None = None

    def done(self, stage_key: str) -> bool:
        return stage_key in self.checkpoints

    def awaits(self, stage_key: str) -> bool:
        """Still in the job and not yet through this stage: what a stage has left to do."""
        return self.status == ItemStatus.PENDING and not self.done(stage_key)


@dataclass(frozen=True)
class JobEvent:
    """One line of a job's append-only log, for the details view."""

    job_id: str
    at: datetime
    kind: str
    stage: str
    message: str
    item_key: str | None = None
