"""One SQLite engine per process: WAL, busy timeout, foreign keys, and writes that lock up front.

Readers use plain deferred transactions and never wait for writers (WAL). Writers start with
BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of failing "database is locked"
when a read transaction tries to upgrade to a write.

SQLAlchemy is imported when a Database is opened and Alembic only when the schema needs migrating, so the
schema revision can be read (with plain sqlite3) by commands that must start fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.migrations import HEAD_REVISION, KNOWN_REVISIONS

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_S = 30.0
_IMMEDIATE = "ad_analysis_immediate"


class DatabaseTooNewError(RuntimeError):
    """The database was written by a newer app version; it is refused and left untouched."""


class Database:
    """The engine, migrated to head, and short-lived read and write sessions."""

    def __init__(self, path: Path) -> None:
        from sqlalchemy.orm import sessionmaker

        self.path = path
        self.engine = _make_engine(path)
        self._writer = self.engine.execution_options(**{_IMMEDIATE: True})
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)
        migrate(self)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that holds the write lock from its first statement and commits at the end."""
        with self._write_sessions.begin() as session:
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself instead of the driver's implicit one.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
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
    if not path.exists():
        return None
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as conn:
        return read_revision(conn.execute)


def _check_known(revision: str | None, path: Path) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise DatabaseTooNewError(
            f"the database {path} was written by a newer version of Ad Analysis Desktop "
            f"(schema {revision}; this version knows up to {HEAD_REVISION}). "
            "Update the app, or set AD_ANALYSIS_HOME to another data folder. The file was not changed."
        )


def migrate(db: Database) -> None:
    """Bring the schema to head; Alembic is imported only when there is something to do."""
    revision = file_revision(db.path)
    _check_known(revision, db.path)
    if revision == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    with db.write_connection() as conn:
        # Another process may have migrated while we waited for the write lock.
        revision = read_revision(conn.exec_driver_sql)
        _check_known(revision, db.path)
        if revision == HEAD_REVISION:
            return
        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
