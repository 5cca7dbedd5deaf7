"""A damaged, locked, newer or misplaced job database: refused at start in plain words (CLI and window), never
written into; rolling daily backups that pass SQLite's check; and the ways out (restore the latest backup,
or set the file aside and start fresh), which never delete the damaged file."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app.composition import open_services
from desktop_app.core import db_health
from desktop_app.core.db import Database, DatabaseTooNewError
from desktop_app.core.db_health import BUSY_MESSAGE, DatabaseBusyError, DatabaseDamagedError
from desktop_app.core.types import SourceSpec
from tests.conftest import child_env

EXIT_DAMAGED = 3


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _add_jobs(home: Path, count: int, tag: str) -> list[str]:
    """Start `count` jobs through the job service; closing the services checkpoints the WAL into the file."""
    app = open_services(home)
    try:
        sources = [SourceSpec("urls", {"urls": [f"https://ads.test/{tag}/{i}"]}) for i in range(count)]
        return [app.service.start_analysis(source).job_id for source in sources]
    finally:
        app.close()


def _listed_ids(home: Path) -> set[str]:
    done = _cli(home, "jobs", "--limit", "1000", "--json")
    assert done.returncode == 0, done.stderr
    return {job["job_id"] for job in json.loads(done.stdout)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_plain(stderr: str) -> None:
    """One line in words: no traceback, exception class, module name or errno."""
    assert not re.search(r"Traceback|\w+(Error|Exception)\b|sqlite3\.|Errno", stderr), stderr
    assert stderr.count("\n") == 1 and stderr.startswith("ad-analysis: error: "), stderr


def test_a_truncated_database_is_refused_in_words_and_the_backup_restores_it(home: Path) -> None:
    before_backup = _add_jobs(home, 5, "old")
    _add_jobs(home, 0, "none")  # the day's first start on an existing database backs it up
    assert len(db_health.backups(home / "jobs.sqlite3")) == 1
    after_backup = _add_jobs(home, 3, "new")
    database = home / "jobs.sqlite3"
    os.truncate(database, database.stat().st_size // 2)
    damaged = _digest(database)

    for command in (("jobs",), ("run", "--sample"), ("status", before_backup[0]), ("cancel", before_backup[0])):
        done = _cli(home, *command)
        assert done.returncode == EXIT_DAMAGED, (command, done.stderr)
        _assert_plain(done.stderr)
        assert str(database) in done.stderr and "repair --restore-backup" in done.stderr
    assert _digest(database) == damaged  # nothing wrote into the damaged file

    check = _cli(home, "repair")
    assert check.returncode == EXIT_DAMAGED and "is damaged" in check.stdout and "Automatic backups: 1" in check.stdout
    restored = _cli(home, "repair", "--restore-backup")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Restored the job database from the automatic backup" in restored.stdout
    assert _listed_ids(home) == set(before_backup)  # the backup's jobs; those started after it are gone
    kept = list(home.glob("jobs.damaged-*.sqlite3"))
    assert len(kept) == 1 and _digest(kept[0]) == damaged and str(kept[0]) in restored.stdout
    assert not set(after_backup) & _listed_ids(home)


def test_random_bytes_in_the_middle_are_noticed_at_start_and_start_fresh_sets_the_file_aside(home: Path) -> None:
    _add_jobs(home, 300, "many")
    database = home / "jobs.sqlite3"
    size = database.stat().st_size
    with database.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(random.Random(11).randbytes(8192))
    damaged = _digest(database)

    done = _cli(home, "jobs")
    assert done.returncode == EXIT_DAMAGED
    _assert_plain(done.stderr)
    assert "There is no automatic backup yet" in done.stderr and "repair --start-fresh" in done.stderr
    assert _cli(home, "repair", "--restore-backup").returncode == EXIT_DAMAGED  # no backup: nothing changed
    assert _digest(database) == damaged

    fresh = _cli(home, "repair", "--start-fresh")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert _listed_ids(home) == set()
    kept = list(home.glob("jobs.damaged-*.sqlite3"))
    assert len(kept) == 1 and _digest(kept[0]) == damaged
    assert len(_add_jobs(home, 1, "after")) == 1  # the fresh database takes new jobs


def test_repair_leaves_a_healthy_database_alone(home: Path) -> None:
    ids = _add_jobs(home, 2, "fine")
    done = _cli(home, "repair", "--start-fresh")
    assert done.returncode == 0 and "passed its check; nothing to repair" in done.stdout
    assert _listed_ids(home) == set(ids)
    assert not list(home.glob("jobs.damaged-*"))


def test_backups_are_daily_checked_and_only_the_last_three_are_kept(home: Path) -> None:
    _add_jobs(home, 4, "daily")
    database = home / "jobs.sqlite3"
    for _ in range(3):  # more starts the same day: still the one backup
        _add_jobs(home, 0, "none")
    assert len(db_health.backups(database)) == 1
    day = datetime.now()
    for n in range(1, 5):
        assert db_health.make_backup(database, day + timedelta(days=n)) is not None
    kept = db_health.backups(database)
    assert [p.name for p in kept] == [f"jobs-{day + timedelta(days=n):%Y%m%d}-{day:%H%M%S}.sqlite3" for n in (2, 3, 4)]
    for backup in kept:
        with sqlite3.connect(backup) as conn:
            assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM jobs").fetchone() == (4,)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file

    # A backup that went bad on disk is passed over: restore takes the newest one that passes its check.
    newest = kept[-1]
    newest.write_bytes(newest.read_bytes()[:2048])
    assert db_health.good_backup(database) == kept[-2]


def test_a_newer_database_in_rollback_journal_mode_is_refused_before_any_write(home: Path) -> None:
    _add_jobs(home, 1, "newer")
    database = home / "jobs.sqlite3"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
        conn.execute("UPDATE alembic_version SET version_num='9999'")
    before = _digest(database)

    done = _cli(home, "jobs")
    assert done.returncode == 2
    _assert_plain(done.stderr)
    assert "newer version" in done.stderr and "The file was not changed" in done.stderr
    with pytest.raises(DatabaseTooNewError):
        Database(database)
    assert _digest(database) == before
    assert not Path(f"{database}-wal").exists() and not db_health.backups(database)
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # never switched to WAL


def test_a_folder_where_the_database_should_be_is_a_plain_error(home: Path) -> None:
    (home / "jobs.sqlite3").mkdir(parents=True)
    for command in (("jobs",), ("cancel", "abcd1234"), ("repair",)):
        done = _cli(home, *command)
        assert done.returncode == 2, (command, done.stderr)
        _assert_plain(done.stderr)
        assert "is a folder, not a database file" in done.stderr


LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _hold_write_lock(database: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(database), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_write_waits_out_a_short_lock_and_says_so_plainly_after_the_bounded_wait(home: Path) -> None:
    database = home / "jobs.sqlite3"
    _add_jobs(home, 1, "lock")
    patient = Database(database, write_wait_s=15.0)
    hasty = Database(database, write_wait_s=0.4)
    try:
        holder = _hold_write_lock(database, 3.0)
        began = time.monotonic()
        with pytest.raises(DatabaseBusyError) as refused, hasty.write() as session:
            session.execute(text("UPDATE jobs SET message = 'hasty'"))
        assert str(refused.value) == BUSY_MESSAGE
        assert 0.35 < time.monotonic() - began < 2.5  # the bounded wait, not SQLite's 30 s
        with patient.write() as session:  # waits for the holder to let go, then writes
            session.execute(text("UPDATE jobs SET message = 'patient'"))
        assert time.monotonic() - began >= 2.0
        holder.wait(timeout=10)
        with patient.read() as session:
            assert session.execute(text("SELECT DISTINCT message FROM jobs")).scalars().all() == ["patient"]
    finally:
        patient.dispose()
        hasty.dispose()


def test_a_damaged_file_found_while_running_is_a_plain_error(home: Path) -> None:
    database = home / "jobs.sqlite3"
    _add_jobs(home, 300, "running")
    db = Database(database)
    try:
        with database.open("r+b") as handle:  # damaged behind the running app's back
            handle.seek(database.stat().st_size // 2)
            handle.write(random.Random(5).randbytes(8192))
        with pytest.raises(DatabaseDamagedError, match="is damaged"), db.read() as session:
            session.execute(text("SELECT count(*), max(length(source)) FROM jobs")).all()
    finally:
        db.dispose()


@pytest.mark.parametrize(("button", "jobs_after"), [("Restore the backup", 5), ("Set it aside and start fresh", 0)])
def test_the_window_asks_what_to_do_with_a_damaged_database(
    qapp: object, home: Path, button: str, jobs_after: int
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    from desktop_app.ui.app import open_services_or_ask

    _add_jobs(home, 5, "window")
    _add_jobs(home, 0, "none")  # makes the day's backup
    database = home / "jobs.sqlite3"
    os.truncate(database, database.stat().st_size // 2)
    damaged = _digest(database)
    seen: list[tuple[str, str, list[str]]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        buttons = box.findChildren(QPushButton)
        seen.append((box.text(), box.informativeText(), [b.text() for b in buttons]))
        next(b for b in buttons if b.text() == button).click()

    QTimer.singleShot(0, answer)
    services = open_services_or_ask()
    assert services is not None
    try:
        assert len(services.service.history(100)) == jobs_after
    finally:
        services.close()
    (title, detail, labels) = seen[0]
    assert title == "The job database is damaged."
    assert str(database) in detail and "not deleted" in detail
    assert labels == ["Restore the backup", "Set it aside and start fresh", "Quit"]
    kept = list(home.glob("jobs.damaged-*.sqlite3"))
    assert len(kept) == 1 and _digest(kept[0]) == damaged
