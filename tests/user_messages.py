"""Every message a person reads, from every database the test session wrote, checked for the marks of raw
errors: exception class names, Python reprs, `Errno`, tracebacks. Run at the end of the session (see
conftest.py), so every test's jobs, ads and window notifications count, not just the ones a test looks at."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

RAW = re.compile(
    r"Traceback|Errno|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\b[A-Z][A-Za-z]+\((?:'|\"|\.\.\.)"
    r"|<[a-z_.]+ object at 0x"
)
# What the jobs and ads tables show people: the status line, the failure, each ad's reason.
QUERIES = (
    "SELECT 'job message', message FROM jobs",
    "SELECT 'job error', error FROM jobs WHERE error IS NOT NULL",
    "SELECT 'ad reason', error FROM job_items WHERE error IS NOT NULL",
)

notifications: list[str] = []  # filled by the window's notify() during the session


def _database_messages(path: Path) -> Iterator[tuple[str, str]]:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as conn:
            for query in QUERIES:
                yield from conn.execute(query).fetchall()
    except sqlite3.Error:
        return  # not one of the app's databases (or one a test damaged on purpose)


def raw_messages(root: Path) -> list[str]:
    """Messages under `root` (databases) and from notifications that read like raw errors."""
    found = [f"notification: {text}" for text in notifications if RAW.search(text)]
    for path in sorted(root.rglob("jobs.sqlite3")):
        for where, text in _database_messages(path):
            if text and RAW.search(text):
                found.append(f"{where} in {path.parent.name}: {text}")
    return found
