"""Write desktop_app/core/migrations/head_schema.sql: the schema every migration builds on an empty file, which
a new data folder gets in one go (desktop_app/core/fresh_schema.py). Run it after adding a migration;
tests/test_store.py fails until the snapshot matches the migrations again.

Usage: python scripts/snapshot_schema.py
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core.fresh_schema import SNAPSHOT, dump  # noqa: E402


def migrated_with_alembic(path: Path) -> None:
    """An empty file brought to head by Alembic alone, as the app migrated new files before the snapshot."""
    from sqlalchemy import create_engine

    from desktop_app.core.db import upgrade_with_alembic

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        upgrade_with_alembic(conn)
    engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "head.sqlite3"
        migrated_with_alembic(path)
        with closing(sqlite3.connect(path)) as conn:
            SNAPSHOT.write_text(dump(conn), encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
