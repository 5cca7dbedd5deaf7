"""One SQLite engine per process: WAL, busy timeout, foreign keys, and writes that lock up front.

Readers use plain deferred transactions and never wait for writers (WAL). Writers start with
BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of failing "database is locked"
when a read transaction tries to upgrade to a write; a BEGIN that still finds the database locked is
tried again with backoff for a bounded time, then fails with one plain sentence (DatabaseBusyError).

Opening checks the file before anything writes to it (a folder, a newer schema, a damaged file are refused
with the file unchanged); the writes of start-up (WAL, the daily backup, migrations) then run under a file
lock, one process at a time (core/db_health.py).

SQLAlchemy is imported when a Database is opened and Alembic only when an older schema needs migrating, so the
schema revision can be read (with plain sqlite3) by commands that must start fast.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core import db_health, fresh_schema
from desktop_app.core.db_health import DatabaseBusyError, DatabaseDamagedError
from desktop_app.core.migrations import HEAD_REVISION, KNOWN_REVISIONS

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, RootTransaction
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_S = 30.0  # SQLite's own wait, within one attempt
WRITE_WAIT_S = 90.0  # the whole wait for the write lock, across attempts
_IMMEDIATE = "ad_analysis_immediate"


class DatabaseTooNewError(RuntimeError):
    """The database was written by a newer app version; it is refused and left untouched."""


@dataclass(frozen=True)
class FileState:
    """What an existing database file holds, read without writing to it."""

    revision: str | None
    wal: bool


class Database:
    """The engine, migrated to head, and short-lived read and write sessions."""

    def __init__(self, path: Path, *, write_wait_s: float = WRITE_WAIT_S) -> None:
        from sqlalchemy.orm import sessionmaker

        self.path = path
        self.write_wait_s = write_wait_s
        state = check_file(path)
        self.engine = _make_engine(path, min(BUSY_TIMEOUT_S, write_wait_s))
        self._writer = self.engine.execution_options(**{_IMMEDIATE: True})
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            _prepare(self, state)
        except BaseException:
            self.engine.dispose()
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._plain_errors(), self._read_sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that holds the write lock from its start and commits at the end."""
        from sqlalchemy.orm import Session

        with (
            self.write_connection() as conn,
            Session(conn, expire_on_commit=False, join_transaction_mode="rollback_only") as session,
        ):
            yield session
            session.flush()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        with self._plain_errors():
            conn, transaction = self._begin_immediate()
            with conn, transaction:
                yield conn

    def _begin_immediate(self) -> tuple[Connection, RootTransaction]:
        """A connection holding the write lock: BEGIN IMMEDIATE (which waits up to the busy timeout) tried again
        with backoff while the database stays locked, for at most write_wait_s."""
        from sqlalchemy.exc import DBAPIError

        deadline = time.monotonic() + self.write_wait_s
        pause = 0.01
        while True:
            conn = self._writer.connect()
            try:
                return conn, conn.begin()
            except DBAPIError as exc:
                conn.close()
                left = deadline - time.monotonic()
                if not db_health.is_busy(exc.orig) or left <= 0:
                    raise
            time.sleep(min(left, pause * random.uniform(0.5, 1.5)))
            pause = min(pause * 2, 1.0)

    @contextmanager
    def _plain_errors(self) -> Iterator[None]:
        """A lock that outlasted the wait, or a page found damaged while running, in words; other errors
        (a full disk among them) pass unchanged to whoever handles them."""
        from sqlalchemy.exc import DBAPIError

        try:
            yield
        except DBAPIError as exc:
            if db_health.is_busy(exc.orig):
                raise DatabaseBusyError() from exc
            if db_health.is_damage(exc.orig):
                raise DatabaseDamagedError(self.path, db_health.latest_backup(self.path)) from exc
            raise

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(path: Path, busy_timeout_s: float) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": busy_timeout_s})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself instead of the driver's implicit one.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def read_revision(execute: Callable[[str], Any]) -> str | None:
    """The schema's Alembic revision, or None before the first migration. `execute` runs one statement:
    sqlite3's Connection.execute or SQLAlchemy's Connection.exec_driver_sql."""
    if execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone() is None:
        return None
    row = execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def file_revision(path: Path) -> str | None:
    """The schema revision of a database file, read with plain sqlite3; None when there is no file yet."""
    db_health.refuse_non_file(path)
    if not path.exists():
        return None
    with db_health.plain_errors(path), closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as conn:
        return read_revision(conn.execute)


def check_file(path: Path) -> FileState | None:
    """Read-only checks before anything writes to the file: a folder, a newer schema (refused with the file
    unchanged) and a damaged file are refused in words. None when there is no file yet."""
    db_health.refuse_non_file(path)
    if not path.exists():
        return None
    with db_health.plain_errors(path), closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as conn:
        revision = read_revision(conn.execute)
        _check_known(revision, path)
        db_health.quick_check(conn, path)
        wal = conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    return FileState(revision, wal)


def _check_known(revision: str | None, path: Path) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise DatabaseTooNewError(
            f"the database {path} was written by a newer version of Ad Analysis Desktop "
            f"(schema {revision}; this version knows up to {HEAD_REVISION}). "
            "Update the app, or set AD_ANALYSIS_HOME to another data folder. The file was not changed."
        )


def _prepare(db: Database, state: FileState | None) -> None:
    """The writes of start-up, one process at a time: WAL, the day's backup, migrations. Skipped (no lock
    taken) when there is nothing to do, as for most starts."""
    now = datetime.now()
    has_data = state is not None and state.revision is not None
    ready = state is not None and state.revision == HEAD_REVISION and state.wal
    if ready and not db_health.backup_due(db.path, now):
        return
    with db_health.startup_lock(db.path), db_health.plain_errors(db.path):
        _use_wal(db.path)
        if has_data and db_health.backup_due(db.path, now):
            db_health.make_backup(db.path, now)
        migrate(db)


def _use_wal(path: Path) -> None:
    """Switch the file to WAL (a lasting setting of the file), after checking again, under the lock, that its
    schema is one this version knows: the switch is a write."""
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as conn:
        _check_known(read_revision(conn.execute), path)
        conn.execute("PRAGMA journal_mode=WAL")


def migrate(db: Database) -> None:
    """Bring the schema to head: a new file from the head snapshot (core/fresh_schema.py), an older one with
    Alembic, imported only then."""
    revision = file_revision(db.path)
    _check_known(revision, db.path)
    if revision == HEAD_REVISION:
        return
    with db.write_connection() as conn:
        # Another process may have migrated while we waited for the write lock.
        revision = read_revision(conn.exec_driver_sql)
        _check_known(revision, db.path)
        if revision == HEAD_REVISION:
            return
        if fresh_schema.snapshot_revision() == HEAD_REVISION and fresh_schema.is_empty(conn.exec_driver_sql):
            fresh_schema.create_at_head(conn.exec_driver_sql)
            return
        upgrade_with_alembic(conn)


def upgrade_with_alembic(conn: Connection) -> None:
    """Run every migration the schema lacks, on the caller's connection (scripts/snapshot_schema.py and the
    snapshot's test use it on an empty file)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
