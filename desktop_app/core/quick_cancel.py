"""Cancel a job with the standard library's sqlite3 alone, for `ad-analysis cancel`.

It makes the same change to the database as JobStore.request_cancel, without importing SQLAlchemy (a
quarter of a second or more), so the command answers well within 0.3 s. It handles only the plain case,
a database at the current schema and an id (or unique prefix) that exists; for anything else it returns
None and the caller goes through the job store, which migrates and explains unknown or ambiguous ids.
tests/test_cli.py checks that both ways leave the same rows and events."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.db import BUSY_TIMEOUT_S, file_revision, read_revision
from desktop_app.core.job_status import JobStatus
from desktop_app.core.migrations import HEAD_REVISION

MIN_PREFIX = 4  # as JobStore.full_id accepts them


@dataclass(frozen=True)
class CancelAnswer:
    job_id: str
    asked: bool  # a pending or running job was asked to stop
    status: JobStatus  # its status now


def request_cancel(database: Path, id_or_prefix: str) -> CancelAnswer | None:
    """Pending jobs end at once; running ones are flagged for their runner. None: use the job store."""
    if file_revision(database) != HEAD_REVISION:
        return None
    with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_S, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        try:
            job_id = _full_id(conn, id_or_prefix)
            # Checked again under the write lock: another process may have migrated the file meanwhile.
            answer = _cancel(conn, job_id) if job_id and read_revision(conn.execute) == HEAD_REVISION else None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT" if answer else "ROLLBACK")
        return answer


def _full_id(conn: sqlite3.Connection, id_or_prefix: str) -> str | None:
    """The id itself, or the one id it is a prefix of; None for none or several."""
    needle = id_or_prefix.strip().lower()
    if conn.execute("SELECT 1 FROM jobs WHERE id = ?", (needle,)).fetchone():
        return needle
    if len(needle) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in needle):
        return None
    matches = conn.execute("SELECT id FROM jobs WHERE id LIKE ? LIMIT 2", (needle + "%",)).fetchall()
    return str(matches[0][0]) if len(matches) == 1 else None


def _cancel(conn: sqlite3.Connection, job_id: str) -> CancelAnswer:
    row = conn.execute("SELECT status, cancel_requested FROM jobs WHERE id = ?", (job_id,)).fetchone()
    status, cancel_requested = row
    now = time.time()
    if status == JobStatus.PENDING:
        message = "Cancelled before it started"
        conn.execute(
            "UPDATE jobs SET status = ?, finished_at = ?, message = ?, stage = 'Cancelled', owner = NULL,"
            " version = version + 1 WHERE id = ?",
            (JobStatus.CANCELLED.value, now, message, job_id),
        )
        _record_event(conn, job_id, now, "cancelled", message)
        return CancelAnswer(job_id, True, JobStatus.CANCELLED)
    if status == JobStatus.RUNNING:
        if not cancel_requested:
            conn.execute("UPDATE jobs SET cancel_requested = 1, version = version + 1 WHERE id = ?", (job_id,))
            _record_event(conn, job_id, now, "cancel_requested", "Cancel requested")
        return CancelAnswer(job_id, True, JobStatus.RUNNING)
    return CancelAnswer(job_id, False, JobStatus(status))


def _record_event(conn: sqlite3.Connection, job_id: str, at: float, kind: str, message: str) -> None:
    conn.execute(
        "INSERT INTO job_events (job_id, at, kind, stage, message, item_key) VALUES (?, ?, ?, '', ?, NULL)",
        (job_id, at, kind, message),
    )
