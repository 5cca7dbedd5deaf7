"""Where technical detail goes: one rotating log file in the data folder, never the user's terminal.

Without this, Python prints warnings and tracebacks on stderr, where they end up in front of a marketer in
the CLI; and a log write that fails (a full disk) would print a logging error there too."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_BYTES = 2_000_000
LOG_FILES = 3
_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"


def configure_logging(logs: Path, name: str) -> Path:
    """Send this process's log records (INFO and up) to `logs/<name>.log`; returns the file. Calling it again
    re-points the one handler (tests open many data folders in one process)."""
    logging.raiseExceptions = False  # a log write that fails must never reach the user's screen
    path = logs / f"{name}.log"
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "ad_analysis", False):
            root.removeHandler(old)
            old.close()
    try:
        logs.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_FILES, encoding="utf-8", delay=True
        )
    except OSError:
        handler = logging.NullHandler()  # no log beats a crash; the app says what it must in words
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.ad_analysis = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    return path
