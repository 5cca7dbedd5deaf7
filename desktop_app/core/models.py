"""ORM tables. Rows never leave the store: it converts them to the plain types in `types.py`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class JobRow(Base):
    __tablename__ = "jobs"

    # seq orders jobs by start; the public id is a uuid hex.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str] = mapped_column(Text, default="")
    # The stable key of the stage (core/stages.py); `stage` is its label, shown to people.
    stage_key: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    started_at: Mapped[float | None] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    owner: Mapped[str | None] = mapped_column(Text)
    lease_expires_at: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Crashes since the job last made progress; two in a row stop a crash loop.
    crash_count: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Integer, default=0)
    completed_stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    stage_state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped by every write a person could see (status, progress, stage, message, error, result), so a
    # reader that saw version N of a job skips it until the version moves.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped by every claim: a write of a running job commits only under the owner and claim that took it,
    # so a process that lost the job while paused cannot write over the new owner's work.
    claim: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index(
            "ux_jobs_active_dedupe",
            "dedupe_key",
            unique=True,
            sqlite_where=text("status IN ('pending', 'running')"),
        ),
        Index("ix_jobs_status_seq", "status", "seq"),
    )


class JobItemRow(Base):
    __tablename__ = "job_items"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    checkpoints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)  # the reason, for an item that ended other than done
    updated_at: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(24))  # an Outcome, once the item has ended
    # The item-stage in flight, and how often the app died during one: a crash loop fails the ad, not the job.
    active_stage: Mapped[str | None] = mapped_column(Text)
    crashes: Mapped[int] = mapped_column(Integer, default=0)


class JobEventRow(Base):
    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(24))
    stage: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    item_key: Mapped[str | None] = mapped_column(Text)


class AdRow(Base):
    """One ad as its source described it, kept across jobs (the Library id is the key for Meta ads)."""

    __tablename__ = "ads"

    ad_id: Mapped[str] = mapped_column(Text, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    page_id: Mapped[str | None] = mapped_column(Text)
    page_name: Mapped[str | None] = mapped_column(Text)
    delivery_start: Mapped[str | None] = mapped_column(Text)
    delivery_stop: Mapped[str | None] = mapped_column(Text)
    library_url: Mapped[str | None] = mapped_column(Text)
    metadata_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[float] = mapped_column(Float)
    last_seen: Mapped[float] = mapped_column(Float)


class VideoRow(Base):
    """A transcribed video, by content hash: identical videos are transcribed once."""

    __tablename__ = "videos"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    whisper_model: Mapped[str] = mapped_column(Text, primary_key=True)
    duration_s: Mapped[float] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(Text)
    language_probability: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)
    # The English-only model's language check (engines/speech_language.py); None before the check existed.
    speech_check: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class VisualRow(Base):
    """What a video shows, by content hash (looked at once, like transcripts): keyframes, the poster, pacing
    and the on-screen text read from the keyframes."""

    __tablename__ = "visuals"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)


class BoardRow(Base):
    """A swipe-file board: a named collection of analysed ads (core/boards.py). Names are unique, ignoring case."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text(collation="NOCASE"), unique=True)
    created_at: Mapped[float] = mapped_column(Float)


class BoardItemRow(Base):
    """An analysed ad pinned to a board, with the board's own tags and note for it."""

    __tablename__ = "board_items"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[float] = mapped_column(Float)


class AnalysisRow(Base):
    """One ad video's analysis. The unique key is the spec's cache key."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ad_id: Mapped[str] = mapped_column(ForeignKey("ads.ad_id", ondelete="CASCADE"))
    video_index: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    video_path: Mapped[str | None] = mapped_column(Text)
    video_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    whisper_model: Mapped[str | None] = mapped_column(Text)
    transcript_hash: Mapped[str] = mapped_column(String(64))
    analyser: Mapped[str] = mapped_column(Text)  # "heuristic" or "llm:<model>"
    model: Mapped[str | None] = mapped_column(Text)
    base_url: Mapped[str | None] = mapped_column(Text)
    prompt_version: Mapped[str] = mapped_column(Text)
    schema_version: Mapped[str] = mapped_column(Text)
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    # Copies of the fields lists and charts read, so they load without parsing the documents.
    hook_type: Mapped[str | None] = mapped_column(Text)
    hook_text: Mapped[str | None] = mapped_column(Text)
    cta_type: Mapped[str | None] = mapped_column(Text)
    offer_types: Mapped[list[str] | None] = mapped_column(JSON)
    angle: Mapped[str | None] = mapped_column(Text)
    tone: Mapped[str | None] = mapped_column(Text)
    overall_score: Mapped[int | None] = mapped_column(Integer)
    hook_score: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index(
            "ux_analyses_cache",
            "ad_id",
            "video_index",
            "transcript_hash",
            "analyser",
            "prompt_version",
            unique=True,
        ),
    )


class ConversationRow(Base):
    """A Chat conversation; its title is the first question."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class ChatMessageRow(Base):
    """One question or answer. An answer keeps what arrived even when its stream failed or was stopped."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # "user" or "assistant"
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # see chat.MessageStatus
    note: Mapped[str] = mapped_column(Text)  # what happened, when it did not simply complete
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the ads retrieved for it, cited or not
    created_at: Mapped[float] = mapped_column(Float)


class WatchlistRow(Base):
    """A competitor checked on a schedule (core/watchlists.py): a Meta page or a search, in some countries."""

    __tablename__ = "watchlists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text, default="")  # empty: named after the page its ads come from
    page_id: Mapped[str | None] = mapped_column(Text)
    terms: Mapped[str | None] = mapped_column(Text)
    countries: Mapped[list[str]] = mapped_column(JSON)
    schedule: Mapped[str] = mapped_column(String(16))  # daily, weekly or manual
    created_at: Mapped[float] = mapped_column(Float)
    page_name: Mapped[str | None] = mapped_column(Text)  # learned from the ads of the first check
    last_started: Mapped[float | None] = mapped_column(Float)  # when a check was last started (the schedule's clock)
    last_job_id: Mapped[str | None] = mapped_column(Text)
    last_checked: Mapped[float | None] = mapped_column(Float)  # when a check last completed its lifecycle update
    checked_job_id: Mapped[str | None] = mapped_column(Text)


class WatchedAdRow(Base):
    """One ad's life as a watchlist saw it: when it appeared, when it was last running, its EU reach over time."""

    __tablename__ = "watched_ads"

    watchlist_id: Mapped[int] = mapped_column(ForeignKey("watchlists.id", ondelete="CASCADE"), primary_key=True)
    ad_id: Mapped[str] = mapped_column(Text, primary_key=True)
    first_seen: Mapped[float] = mapped_column(Float)
    last_seen: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Integer, default=1)
    ended_at: Mapped[float | None] = mapped_column(Float)
    first_job_id: Mapped[str] = mapped_column(Text)
    ended_job_id: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(24))  # how its analysis ended, in the check that had it
    reach: Mapped[list[list[float]]] = mapped_column(JSON, default=list)  # [[checked at, EU reach], ...]
