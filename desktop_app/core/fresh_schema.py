"""A new database gets the head schema in one go, from a snapshot of what the migrations build.

Running every Alembic migration on an empty file costs a fifth of a second (Alembic's import alone is most
of it), all of it before the first window paints. The snapshot (migrations/head_schema.sql) is the
`sqlite_master` of a file migrated to head, so the result is the same file; tests/test_store.py migrates an
empty file with Alembic and compares, so a new migration without a new snapshot fails the tests.
Regenerate it with `python scripts/snapshot_schema.py`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "migrations" / "head_schema.sql"
_REVISION_LINE = "-- revision: "
_SEPARATOR = "\n-- next statement\n"


def snapshot_revision() -> str | None:
    """The revision the snapshot was taken at (None when there is no snapshot)."""
    if not SNAPSHOT.exists():
        return None
    first = SNAPSHOT.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.removeprefix(_REVISION_LINE) if first.startswith(_REVISION_LINE) else None


def is_empty(execute: Callable[[str], Any]) -> bool:
    """Whether a database holds nothing at all yet (no table, index, view or trigger)."""
    return execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None


def create_at_head(execute: Callable[[str], Any]) -> None:
    """Build the snapshot's schema and record its revision, inside the caller's write transaction."""
    text = SNAPSHOT.read_text(encoding="utf-8")
    _, body = text.split("\n", 1)
    for statement in body.split(_SEPARATOR):
        if statement.strip():
            execute(statement)


def dump(conn: sqlite3.Connection) -> str:
    """The snapshot text of a migrated database: its revision, then every schema statement in creation
    order and the revision row. Tables a virtual table makes for itself (FTS5's shadow tables) are left out:
    creating the virtual table makes them again."""
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    statements = [sql for (sql,) in conn.execute(_SCHEMA_QUERY)]
    statements.append(f"INSERT INTO alembic_version (version_num) VALUES ('{revision}')")
    return f"{_REVISION_LINE}{revision}\n" + _SEPARATOR.join(statements) + "\n"


def schema_of(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, name, sql) of every schema object, for comparing two databases."""
    return sorted(conn.execute("SELECT type, name, COALESCE(sql, '') FROM sqlite_master"))


_SCHEMA_QUERY = """
SELECT sql FROM sqlite_master
WHERE sql IS NOT NULL
  AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')
ORDER BY rowid
"""
