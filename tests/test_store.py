"""The SQLite store: migrations, pragmas, the service's endpoints and their edge cases."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from desktop_app.composition import AppServices, open_services
from desktop_app.core.db import Database, DatabaseTooNewError
from desktop_app.core.migrations import HEAD_REVISION, KNOWN_REVISIONS
from desktop_app.core.store import JobNotFoundError, JobStateError
from desktop_app.core.types import JobStatus, SourceError, SourceSpec


def test_empty_database_upgrades_to_head(tmp_path: Path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import desktop_app.core.migrations as migrations

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    script = ScriptDirectory.from_config(config)
    assert script.get_current_head() == HEAD_REVISION
    assert [r.revision for r in reversed(list(script.walk_revisions()))] == list(KNOWN_REVISIONS)

    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    Database(path).dispose()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"jobs", "job_items", "job_events"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    Database(path).dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num='9999'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseTooNewError, match="newer version"):
        Database(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_connection_pragmas(services: AppServices) -> None:
    with services.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_start_returns_pending_job_and_duplicate_returns_same(services: AppServices) -> None:
    service = services.service
    first = service.start_analysis(SourceSpec("sample")).job_id
    job = service.status(first)
    assert job.status == JobStatus.PENDING
    assert job.queue_position == 1
    assert job.started_at is None
    assert service.start_analysis(SourceSpec("sample")).job_id == first
    other = service.start_analysis(SourceSpec("urls", {"urls": ["https://example.test/a.mp4"]})).job_id
    assert other != first
    assert service.status(other).queue_position == 2
    assert [j.job_id for j in service.history()] == [other, first]


def test_identical_source_after_a_finished_job_starts_a_new_one(services: AppServices) -> None:
    first = services.service.start_analysis(SourceSpec("sample")).job_id
    assert services.service.cancel(first)
    second = services.service.start_analysis(SourceSpec("sample")).job_id
    assert second != first


def test_history_limit_and_order(services: AppServices) -> None:
    ids = [
        services.service.start_analysis(SourceSpec("urls", {"urls": [f"https://x.test/{i}"]})).job_id for i in range(25)
    ]
    history = services.service.history()
    assert len(history) == 20
    assert [j.job_id for j in history] == ids[::-1][:20]
    assert [j.queue_position for j in history] == list(range(25, 5, -1))


def test_cancel_pending_ends_it_and_second_cancel_is_false(services: AppServices) -> None:
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    assert services.service.cancel(job_id) is True
    job = services.service.status(job_id)
    assert job.status == JobStatus.CANCELLED
    assert job.finished_at is not None
    assert services.service.cancel(job_id) is False


def test_unknown_ids_and_prefixes(services: AppServices) -> None:
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    assert services.service.status(job_id[:8]).job_id == job_id
    with pytest.raises(JobNotFoundError):
        services.service.status("does-not-exist")
    with pytest.raises(JobNotFoundError):
        services.service.cancel("ffffffffffffffffffffffffffffffff")


def test_retry_rules(services: AppServices) -> None:
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    assert services.service.retry(job_id) == job_id  # already queued: nothing to do
    services.service.cancel(job_id)
    assert services.service.retry(job_id) == job_id
    assert services.service.status(job_id).status == JobStatus.PENDING
    services.store.finish(job_id, JobStatus.COMPLETED, stage="Completed", message="done")
    with pytest.raises(JobStateError, match="completed"):
        services.service.retry(job_id)


def test_retry_returns_the_active_duplicate(services: AppServices) -> None:
    old = services.service.start_analysis(SourceSpec("sample")).job_id
    services.service.cancel(old)
    active = services.service.start_analysis(SourceSpec("sample")).job_id
    assert services.service.retry(old) == active
    assert services.service.status(old).status == JobStatus.CANCELLED


def test_malformed_sources_are_refused() -> None:
    with pytest.raises(SourceError, match="country"):
        SourceSpec("meta_search", {"terms": "shoes", "countries": []})
    with pytest.raises(SourceError, match="unknown source"):
        SourceSpec("ftp")
    with pytest.raises(SourceError, match="empty"):
        SourceSpec("urls", {"urls": []})
    with pytest.raises(SourceError, match="two-letter country codes"):
        SourceSpec("meta_search", {"terms": "shoes", "countries": ["GERMANY"]})
    with pytest.raises(SourceError, match="not an http"):
        SourceSpec("urls", {"urls": ["https://ok.test/a.mp4", "file:///etc/passwd"]})


def test_items_are_added_once_and_keep_order(services: AppServices) -> None:
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    assert services.store.add_items(job_id, [("a", {}), ("b", {})]) == 2
    assert services.store.add_items(job_id, [("b", {}), ("c", {})]) == 1
    assert [i.key for i in services.store.items(job_id)] == ["a", "b", "c"]
    assert [i.position for i in services.store.items(job_id)] == [0, 1, 2]


def test_unusable_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    from desktop_app.core.paths import DataFolderError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DataFolderError, match=str(blocker)):
        open_services(blocker / "home")


def test_new_database_from_the_snapshot_matches_the_migrations(tmp_path: Path) -> None:
    """A new data folder gets the head schema from a snapshot (core/fresh_schema.py), without Alembic: the
    file must be the one every migration builds, so a new migration needs a new snapshot."""
    import sys

    from desktop_app.core.fresh_schema import schema_of, snapshot_revision

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from snapshot_schema import migrated_with_alembic

    assert snapshot_revision() == HEAD_REVISION, "run scripts/snapshot_schema.py after adding a migration"
    migrated, fresh = tmp_path / "migrated.sqlite3", tmp_path / "fresh.sqlite3"
    migrated_with_alembic(migrated)
    Database(fresh).dispose()
    with sqlite3.connect(migrated) as a, sqlite3.connect(fresh) as b:
        assert schema_of(b) == schema_of(a)
        assert b.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
        assert b.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        # the search index (an FTS5 table) works on the new file
        b.execute("INSERT INTO search_index (analysis_id, ad_id, transcript) VALUES (1, 'a', 'free shipping today')")
        assert b.execute("SELECT ad_id FROM search_index WHERE search_index MATCH 'shipping'").fetchall() == [("a",)]


def test_a_new_data_folder_opens_without_importing_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from desktop_app.core.db import Database; "
        f"Database(Path({str(tmp_path / 'new.sqlite3')!r})).dispose(); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
