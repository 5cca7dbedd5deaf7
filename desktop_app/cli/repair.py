"""`ad-analysis repair`: the way out of a damaged job database from the command line. Alone it checks the
database and says what can be done; `--restore-backup` goes back to the latest automatic backup and
`--start-fresh` begins an empty history. Either way the damaged file is set aside, never deleted."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop_app.cli.exits import EXIT_DAMAGED, EXIT_OK
from desktop_app.core import db_health


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """The `repair` command's grammar, for cli/arguments.py."""
    repair = sub.add_parser(
        "repair",
        help="check the job database; when it is damaged, restore the latest automatic backup or start fresh",
    )
    way = repair.add_mutually_exclusive_group()
    way.add_argument(
        "--restore-backup",
        action="store_true",
        help="go back to the latest automatic backup (the damaged file is kept beside it, renamed)",
    )
    way.add_argument(
        "--start-fresh",
        action="store_true",
        help="set the damaged file aside (renamed, not deleted) and start with an empty job history",
    )


def repair(args: argparse.Namespace) -> int:
    """Check the database; repair it as asked only when it is damaged (a healthy one is left alone)."""
    from desktop_app.cli.commands import user_errors
    from desktop_app.core import paths
    from desktop_app.core.db import check_file

    with user_errors():
        database = paths.prepare().database
        try:
            state = check_file(database)
        except db_health.DatabaseDamagedError as exc:
            damaged = exc
        else:
            found = "passed its check" if state is not None else "does not exist yet"
            print(f"The job database {database} {found}; nothing to repair.{_backups_note(database)}")
            return EXIT_OK
        if args.restore_backup:
            return _restore(database)
        if args.start_fresh:
            aside = db_health.set_aside(database)
            _open_fresh(database)
            print(f"Started with an empty job history. The damaged file is kept as {aside}.")
            return EXIT_OK
    print(f"The job database {database} is damaged.{_backups_note(database)}")
    print(damaged.way_out())
    return EXIT_DAMAGED


def _restore(database: Path) -> int:
    restored = db_health.restore_latest_backup(database)
    if restored is None:
        print(
            f"No automatic backup of {database} passes its check, so nothing was changed. "
            "`ad-analysis repair --start-fresh` sets the damaged file aside and starts with an empty job history."
        )
        return EXIT_DAMAGED
    backup, aside = restored
    _open_fresh(database)
    print(
        f"Restored the job database from the automatic backup of {db_health.backup_time(backup)}; "
        f"jobs since then are not in it. The damaged file is kept as {aside}."
    )
    return EXIT_OK


def _open_fresh(database: Path) -> None:
    """Open the database once, so it is checked, in WAL mode and migrated before the user's next command."""
    from desktop_app.core.db import Database

    Database(database).dispose()


def _backups_note(database: Path) -> str:
    found = db_health.backups(database)
    if not found:
        return " There is no automatic backup yet."
    return f" Automatic backups: {len(found)}, the latest of {db_health.backup_time(found[-1])}."
