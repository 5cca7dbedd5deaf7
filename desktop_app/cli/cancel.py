"""`ad-analysis cancel`: straight through sqlite3 when it can (core/quick_cancel.py), which keeps the
command well within 0.3 s; else the commands module goes through the job service."""

from __future__ import annotations

from desktop_app.cli.exits import EXIT_FAILED, EXIT_OK, CliError
from desktop_app.core import paths
from desktop_app.core.quick_cancel import request_cancel


def cancel_quickly(id_or_prefix: str) -> int | None:
    """The exit code, or None when the job service must answer (see quick_cancel.request_cancel)."""
    try:
        database = paths.prepare().database
    except paths.DataFolderError as exc:
        raise CliError(str(exc)) from exc
    answer = request_cancel(database, id_or_prefix)
    if answer is None:
        return None
    return report(answer.job_id, answer.asked, answer.status.value)


def report(job_id: str, asked: bool, status: str) -> int:
    if asked:
        print(f"Cancel requested for job {job_id}")
        return EXIT_OK
    print(f"Job {job_id} is already {status}; nothing to cancel")
    return EXIT_FAILED
