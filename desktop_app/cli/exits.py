"""How a command ends: its exit code, or a user-facing error on one line (exit code 2)."""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130
EXIT_DAMAGED = 3  # the job database is damaged: `ad-analysis repair` says what can be done
EXIT_BUSY = 75  # another program held the job database past the wait (sysexits' EX_TEMPFAIL): try again


class CliError(Exception):
    """A user-facing problem: one line, exit code 2."""
