"""`ad-analysis`: the headless face of the job service (and, with no arguments, the window).

Only the database's error types are imported up front; each command imports what it needs when it runs, so
`cancel ID` answers without importing the argument parser or the job machinery (see cli/cancel.py). A
damaged or locked database ends any command with one plain line and an exit code of its own."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop_app.cli.exits import EXIT_BUSY, EXIT_CANCELLED, EXIT_DAMAGED, EXIT_USAGE, CliError
from desktop_app.core.db_health import (
    BUSY_MESSAGE,
    DatabaseBusyError,
    DatabaseDamagedError,
    DatabaseUnusableError,
    is_busy,
)

if TYPE_CHECKING:
    from desktop_app.core.runner import StagesFactory

__all__ = ["CliError", "main"]


def main(argv: Sequence[str] | None = None, *, stages: StagesFactory | None = None) -> int:
    """Entry point. `stages` lets a caller run the CLI over another pipeline (the engine tests do)."""
    try:
        return _main(argv, stages)
    except (CliError, DatabaseUnusableError) as exc:
        print(f"ad-analysis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseDamagedError as exc:
        print(f"ad-analysis: error: {exc}", file=sys.stderr)
        return EXIT_DAMAGED
    except DatabaseBusyError as exc:
        print(f"ad-analysis: error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except sqlite3.OperationalError as exc:  # `cancel`'s plain-sqlite3 path (core/quick_cancel.py) waited too
        if not is_busy(exc):
            raise
        print(f"ad-analysis: error: {BUSY_MESSAGE}", file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt:  # Ctrl-C outside a followed job (those cancel it and say so)
        print("ad-analysis: interrupted", file=sys.stderr)
        return EXIT_CANCELLED


def _main(argv: Sequence[str] | None, stages: StagesFactory | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if len(words) == 2 and words[0] == "cancel" and not words[1].startswith("-"):
        from desktop_app.cli.cancel import cancel_quickly

        code = cancel_quickly(words[1])
        if code is not None:
            return code
    from desktop_app.cli.arguments import parse
    from desktop_app.cli.repair import repair

    args = parse(argv)
    if args.self_test:
        from desktop_app.cli.commands import user_errors
        from desktop_app.cli.self_test import self_test

        with user_errors():
            return self_test(stages)
    if args.command is None:
        raise CliError("no command given: run `ad-analysis` alone to open the window, or see --help")
    if args.command == "repair":
        return repair(args)
    from desktop_app.cli.commands import run_command

    return run_command(args, stages)
