"""Failures that are about the machine, not about an ad: a full disk must stop the job with one plain sentence
instead of failing every remaining ad with a raw error."""

from __future__ import annotations

import errno
from pathlib import Path

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk quota exceeded")


def is_disk_full(exc: BaseException) -> bool:
    """True when `exc`, or anything it was raised from, says the disk is full (an OSError from a file write,
    SQLite's "database or disk is full", or a library's message that wraps either)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return True
        if any(words in str(current).lower() for words in _FULL_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def disk_full_message(folder: Path) -> str:
    return f"The disk is full: free space in {folder}, then press Retry to go on from where the job stopped."
