"""The window's one job feed: job state reaches the widgets through the jobs model only, the database
watcher never re-reads what the app itself wrote, and no SQL runs on the UI thread while a job runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from desktop_app.composition import AppServices
from desktop_app.core.types import JobStatus, SourceSpec
from desktop_app.ui.main_window import MainWindow
from tests.test_ui import close_window, make_window
from tests.workload import FileWorkload


class UiThreadStatements:
    """Counts the SQL statements the UI thread sends to the database, by phase."""

    def __init__(self, services: AppServices) -> None:
        self.engine = services.db.engine
        self.main = threading.main_thread()
        self.statements: list[str] = []
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread() is self.main:
            self.statements.append(" ".join(statement.split()))

    def take(self) -> list[str]:
        taken, self.statements = self.statements, []
        return taken

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def counted(services: AppServices) -> Iterator[UiThreadStatements]:
    counter = UiThreadStatements(services)
    yield counter
    counter.close()


def test_a_job_runs_with_no_sql_on_the_ui_thread_and_no_watcher_refresh(
    qtbot: QtBot, services: AppServices, counted: UiThreadStatements
) -> None:
    window, pool = make_window(services, FileWorkload(items=6, delay=0.1))
    try:
        counted.take()
        window.analysis.start_button.click()
        start = counted.take()
        card = next(iter(window.analysis.cards.values()))
        updates: list[float] = []
        qtbot.waitUntil(
            lambda: updates.append(card.job.progress) or card.job.status == JobStatus.COMPLETED, timeout=20000
        )
        running = counted.take()
        qtbot.wait(800)  # the watcher's debounce and its pool-thread read have had time to land
        after = [statement[:80] for statement in counted.take() if statement != "BEGIN"]
        print(f"UI-thread SQL: start click {len(start)}; while running {len(running)}; after completion {after}")
        # The Start click stores the job (the spec's 202) in one write transaction, and reads nothing else.
        assert 1 <= len(start) <= 6 and start[0].startswith("BEGIN") and "INSERT INTO jobs" in start[1], start
        assert len(set(updates)) > 5, "progress reached the card many times"
        assert running == [], "no progress update, and no watcher firing, read the database on the UI thread"
        # At completion the Results view reloads its rows on a pool thread; job state came from the jobs model.
        assert after == [], after
        assert window.jobs.db_refreshes == 0, "the watcher skipped every version the app wrote itself"
    finally:
        close_window(window, pool)


def test_jobs_from_another_process_reach_the_model_through_the_watcher(
    qtbot: QtBot, services: AppServices, window_from_cli: MainWindow
) -> None:
    other = services.service.start_analysis(SourceSpec("urls", {"urls": ["https://other.test/v.mp4"]}))
    services.store.request_cancel(other.job_id)  # written by "someone else": no listener saw it
    qtbot.waitUntil(
        lambda: (job := window_from_cli.jobs.job(other.job_id)) is not None and job.status == JobStatus.CANCELLED,
        timeout=5000,
    )
    assert window_from_cli.jobs.db_refreshes >= 1


def test_a_stale_snapshot_never_steps_a_job_back(qtbot: QtBot, services: AppServices) -> None:
    from desktop_app.ui.jobs_model import JobsModel

    model = JobsModel()
    job = services.service.start_analysis(SourceSpec("sample")).job
    newer = services.store.claim_next("me", 1, 30.0)
    assert newer is not None and newer.version > job.version
    assert model.apply(newer)
    assert not model.apply(job), "an older version is dropped"
    assert model.job(job.job_id) == newer
    model.apply_newer([job, newer])
    assert model.db_refreshes == 0, "versions already held are not re-applied"


@pytest.fixture
def window_from_cli(qtbot: QtBot, services: AppServices) -> Iterator[MainWindow]:
    """A window whose runner ignores every job, so that changes can only arrive through the watcher."""
    window, pool = make_window(services, FileWorkload(items=1))
    window.runner.shutdown()
    yield window
    close_window(window, pool)
