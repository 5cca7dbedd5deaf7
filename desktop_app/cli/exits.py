"""How a command ends: its exit code, or a user-facing error on one line (exit code 2)."""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


class CliError(Exception):
    """A user-facing problem: one line, exit code 2."""
