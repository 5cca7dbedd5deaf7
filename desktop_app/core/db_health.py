"""Keeping the job database safe: plain-language errors for a file SQLite cannot use, an integrity check at
start, a lock so that processes starting together change the file one at a time, rolling daily backups, and
the two ways out of a damaged file (restore the latest backup, or set the file aside and start fresh).

Plain sqlite3 only: it runs before SQLAlchemy is imported, and on files SQLite may refuse to read.
Nothing here deletes a database: a damaged file is renamed, and only older backups are rotated away."""

from __future__ import annotations

import logging
import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)
# Records reach the log file when the app configured one; never the terminal (Python's last-resort handler
# would print warnings on stderr, in front of the user, who gets the plain message instead).
log.addHandler(logging.NullHandler())

BACKUPS_KEPT = 3
LOCK_WAIT_S = 120.0  # a migration of a large database on a busy machine may hold the lock this long
_OPEN_TIMEOUT_S = 30.0
_STAMP = "%Y%m%d-%H%M%S"
_COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite's side files, which belong with the database file

# SQLite's primary result codes (the low byte of an extended code).
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_DAMAGED_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_UNUSABLE_REASONS = {
    3: "the app may not open it (check the file's permissions)",  # SQLITE_PERM
    8: "it is read-only (check the file's and the folder's permissions)",  # SQLITE_READONLY
    10: "reading or writing it failed (the disk may be failing or was removed)",  # SQLITE_IOERR
    13: "the disk is full (free some space)",  # SQLITE_FULL
    14: "it cannot be opened (check the file's and the folder's permissions)",  # SQLITE_CANTOPEN
}

BUSY_MESSAGE = "Another program is holding the job database; try again."


class DatabaseBusyError(RuntimeError):
    """The database stayed locked by another connection past the bounded wait."""

    def __init__(self) -> None:
        super().__init__(BUSY_MESSAGE)


class DatabaseUnusableError(RuntimeError):
    """SQLite cannot open or write the database file at all; the message names the file and the fix."""


class DatabaseDamagedError(RuntimeError):
    """The file failed SQLite's integrity check, or is not a database; `backup` is the newest backup, if any."""

    def __init__(self, path: Path, backup: Path | None) -> None:
        self.path = path
        self.backup = backup
        super().__init__(f"the job database {path} is damaged. {self.way_out()}")

    def way_out(self) -> str:
        """The commands that get out of it, as the CLI says them."""
        fresh = "`ad-analysis repair --start-fresh` sets the damaged file aside and starts with an empty job history"
        if self.backup is None:
            return f"There is no automatic backup yet: {fresh}. Nothing is deleted."
        return (
            f"`ad-analysis repair --restore-backup` goes back to the automatic backup of "
            f"{backup_time(self.backup)}, or {fresh}. Nothing is deleted."
        )


def primary_code(exc: BaseException | None) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_busy(exc: BaseException | None) -> bool:
    return primary_code(exc) in _BUSY_CODES


def is_damage(exc: BaseException | None) -> bool:
    return primary_code(exc) in _DAMAGED_CODES


@contextmanager
def plain_errors(path: Path) -> Iterator[None]:
    """sqlite3's errors about the file itself (raised directly, or wrapped by SQLAlchemy as `orig`), as errors
    whose message a user can act on; other errors pass unchanged."""
    try:
        yield
    except Exception as exc:
        cause = exc if isinstance(exc, sqlite3.Error) else getattr(exc, "orig", None)
        if not isinstance(cause, sqlite3.Error):
            raise
        code = primary_code(cause)
        log.warning("database %s: %s (%s)", path, cause, getattr(cause, "sqlite_errorname", "?"))
        if code in _BUSY_CODES:
            raise DatabaseBusyError() from exc
        if code in _DAMAGED_CODES:
            raise DatabaseDamagedError(path, latest_backup(path)) from exc
        if code in _UNUSABLE_REASONS:
            raise DatabaseUnusableError(f"the job database {path} cannot be used: {_UNUSABLE_REASONS[code]}") from exc
        raise


def refuse_non_file(path: Path) -> None:
    """A folder (or a device) where the database file should be, refused in words before SQLite sees it."""
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "a special file"
        raise DatabaseUnusableError(
            f"the job database {path} is {kind}, not a database file. Move it out of the way, "
            "or set AD_ANALYSIS_HOME to another data folder."
        )


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """SQLite's quick_check (page structure, not index contents: fast enough for every start)."""
    problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        log.error("database %s failed quick_check: %s", path, "; ".join(map(str, problems[:5])))
        raise DatabaseDamagedError(path, latest_backup(path))


def _passes_check(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(path, timeout=_OPEN_TIMEOUT_S)) as conn:
            return [row[0] for row in conn.execute("PRAGMA quick_check")] == ["ok"]
    except sqlite3.Error:
        log.warning("backup %s cannot be read", path, exc_info=True)
        return False


# ---- one process at a time ----------------------------------------------------------------------


@contextmanager
def startup_lock(path: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Held while a process changes the database file as a whole (journal mode, migration, backup, repair), so
    processes that start together take turns. An OS file lock: it goes away with the process that held it."""
    lock_file = path.with_name(path.name + ".lock")
    try:
        handle = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatabaseUnusableError(f"the data folder {path.parent} cannot be written: {exc.strerror}") from exc
    try:
        deadline = time.monotonic() + wait_s
        pause = 0.005
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise DatabaseBusyError()
            time.sleep(pause * random.uniform(0.5, 1.5))  # jitter: waiters do not wake in step
            pause = min(pause * 2, 0.1)
        yield
    finally:
        os.close(handle)  # releases the lock


def _try_lock(handle: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# ---- backups -------------------------------------------------------------------------------------


def backups_dir(path: Path) -> Path:
    return path.parent / "backups"


def backups(path: Path) -> list[Path]:
    """The automatic backups of `path`, oldest first (their names sort by time)."""
    return sorted(backups_dir(path).glob(f"{path.stem}-*{path.suffix}"))


def latest_backup(path: Path) -> Path | None:
    found = backups(path)
    return found[-1] if found else None


def backup_time(backup: Path) -> str:
    """When a backup was made, as people read it ("2026-11-28 21:39")."""
    stamp = backup.stem.rsplit("-", 2)
    try:
        return datetime.strptime("-".join(stamp[-2:]), _STAMP).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return backup.name


def backup_due(path: Path, now: datetime) -> bool:
    """At most one automatic backup a day."""
    return not any(b.name.startswith(f"{path.stem}-{now:%Y%m%d}-") for b in backups(path))


def make_backup(path: Path, now: datetime) -> Path | None:
    """Copy the database with SQLite's online backup (a consistent copy while others write), keep the copy only
    if it passes quick_check, and keep the newest BACKUPS_KEPT. None when no good copy could be made: a failed
    backup is logged and never stops the app from starting."""
    target = backups_dir(path) / f"{path.stem}-{now:{_STAMP}}{path.suffix}"
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(exist_ok=True)
        with (
            closing(sqlite3.connect(path, timeout=_OPEN_TIMEOUT_S)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            healthy = [row[0] for row in copy.execute("PRAGMA quick_check")] == ["ok"]
        if not healthy:
            log.error("backup of %s failed quick_check; not kept", path)
            partial.unlink()
            return None
        os.replace(partial, target)
    except (OSError, sqlite3.Error):
        log.warning("could not back up %s", path, exc_info=True)
        partial.unlink(missing_ok=True)
        return None
    for old in backups(path)[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    log.info("backed up %s to %s", path, target)
    return target


# ---- the ways out of a damaged database -----------------------------------------------------------


def set_aside(path: Path, now: datetime | None = None) -> Path | None:
    """Rename the database and its side files to jobs.damaged-<time>.sqlite3 (never deleted), so the next start
    begins with an empty database. Returns the new name, or None when there was no file."""
    with startup_lock(path):
        return _set_aside(path, now or datetime.now())


def good_backup(path: Path) -> Path | None:
    """The newest backup that passes quick_check."""
    return next((b for b in reversed(backups(path)) if _passes_check(b)), None)


def restore_latest_backup(path: Path, now: datetime | None = None) -> tuple[Path, Path | None] | None:
    """Put the newest backup that passes quick_check in place of the database, after setting the current file
    aside. Returns the backup used and where the file went, or None (nothing changed) when no backup passes."""
    with startup_lock(path):
        chosen = good_backup(path)
        if chosen is None:
            return None
        aside = _set_aside(path, now or datetime.now())
        partial = path.with_name(path.name + ".restoring")
        shutil.copyfile(chosen, partial)
        os.replace(partial, path)
        log.info("restored %s from %s", path, chosen)
        return chosen, aside


def _set_aside(path: Path, now: datetime) -> Path | None:
    if not path.exists():
        return None
    target = path.with_name(f"{path.stem}.damaged-{now:{_STAMP}}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.damaged-{now:{_STAMP}}-{n}{path.suffix}")
    os.replace(path, target)
    for suffix in _COMPANIONS:
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))
    log.warning("set %s aside as %s", path, target)
    return target
