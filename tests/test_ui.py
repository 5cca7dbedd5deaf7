"""The window with pytest-qt (offscreen): start, progress, completion, cancel, duplicates, colours,
retry, resume on relaunch, unlocking, auth failures, cross-process updates, closing."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.core.stages import ANALYSIS_STAGES
from desktop_app.core.types import Job, JobStatus, SourceSpec
from desktop_app.ui.bridge import PoolExecutor
from desktop_app.ui.job_progress import JobProgress
from desktop_app.ui.main_window import VIEWS, CloseChoice, MainWindow
from desktop_app.ui.style import BLUE, GRAY, GREEN, RED, YELLOW, status_color
from tests.conftest import child_env
from tests.workload import FileWorkload


@pytest.fixture
def workload() -> FileWorkload:
    return FileWorkload(items=4, delay=0.05)


@pytest.fixture
def window(qtbot: QtBot, services: AppServices, workload: FileWorkload) -> Iterator[MainWindow]:
    win, pool = make_window(services, workload)
    yield win
    close_window(win, pool)


def make_window(services: AppServices, workload: FileWorkload | None) -> tuple[MainWindow, QThreadPool]:
    """The window as the app builds it; `workload` None runs the real pipeline."""
    pool = QThreadPool()
    runner = services.make_runner(executor=PoolExecutor(pool), stages=workload)
    # Not handed to qtbot: closing must come after the runner stops (see close_window).
    win = MainWindow(services, runner, tray_enabled=False, on_quit=lambda: None)
    win.show()
    win.show_recovery(runner.start())
    return win, pool


def close_window(win: MainWindow, pool: QThreadPool) -> None:
    """What quitting does: jobs pause at their next cancellation point, then the window goes."""
    win.runner.shutdown()
    pool.waitForDone(5000)
    win.close()
    win.deleteLater()


def start_running_job(qtbot: QtBot, window: MainWindow) -> tuple[str, JobProgress]:
    """Click Start and wait until the job runs; returns its id and card."""
    window.analysis.start_button.click()
    job_id, card = next(iter(window.analysis.cards.items()))
    qtbot.waitUntil(lambda: card.job.status == JobStatus.RUNNING, timeout=10000)
    return job_id, card


def card_status(win: MainWindow, job_id: str) -> JobStatus:
    return win.analysis.cards[job_id].job.status


def test_start_shows_the_job_at_once_then_progress_and_completion(qtbot: QtBot, window: MainWindow) -> None:
    assert window.analysis.empty.isVisible()
    window.analysis.start_button.click()
    # The spec's 202: the card is there in the same event-loop turn, before any work.
    assert len(window.analysis.cards) == 1
    _, card = next(iter(window.analysis.cards.items()))
    assert card.isVisible() and not window.analysis.empty.isVisible()
    seen: list[float] = []
    qtbot.waitUntil(lambda: seen.append(card.job.progress) or card.job.status == JobStatus.COMPLETED, timeout=20000)
    assert any(0 < p < 100 for p in seen), "progress was shown while running"
    assert card.bar.value() == 1000 and card.close_button.isVisible() and not card.cancel_button.isVisible()
    assert "4 of 4 ads analysed" in card.message.text() and not card.details.isVisible()  # said once
    history = window.analysis.history.model()
    qtbot.waitUntil(lambda: history.index(0, 0).data() == "Completed", timeout=2000)
    assert history.rowCount() == 1


def test_cancel_asks_first(
    qtbot: QtBot, window: MainWindow, workload: FileWorkload, monkeypatch: pytest.MonkeyPatch
) -> None:
    workload.delay = 0.5
    job_id, card = start_running_job(qtbot, window)
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    card.cancel_button.click()
    qtbot.wait(300)
    assert window.services.service.status(job_id).status == JobStatus.RUNNING, "No keeps it running"
    card.cancel_button.click()
    qtbot.waitUntil(lambda: card.job.status == JobStatus.CANCELLED, timeout=5000)
    assert GRAY in card.bar.styleSheet()
    assert card.retry_button.isVisible()


def test_a_second_identical_start_brings_the_first_forward(
    qtbot: QtBot, window: MainWindow, workload: FileWorkload
) -> None:
    workload.delay = 0.5
    window.analysis.start_button.click()
    window.analysis.start_button.click()
    assert len(window.analysis.cards) == 1
    assert "already" in window.analysis.notice.text()
    assert len(window.services.service.history()) == 1


def test_colours_per_state(qtbot: QtBot) -> None:
    now = datetime.now(UTC)
    base = Job(
        "j" * 32, 1, JobStatus.PENDING, 0.0, "Queued", "", SourceSpec("sample"), now, None, None, None, None, 0, False
    )
    cases = [
        (replace(base, status=JobStatus.RUNNING, progress=20.0, stage="Fetching Facebook ads"), YELLOW),
        (replace(base, status=JobStatus.RUNNING, progress=65.0, stage="Transcribing videos"), BLUE),
        (replace(base, status=JobStatus.COMPLETED, progress=100.0, stage="Completed"), GREEN),
        (replace(base, status=JobStatus.FAILED, progress=40.0, error="boom"), RED),
        (replace(base, status=JobStatus.CANCELLED, progress=40.0), GRAY),
    ]
    card = JobProgress(base, ANALYSIS_STAGES)
    qtbot.addWidget(card)
    for job, colour in cases:
        assert status_color(job) == colour
        card.show_job(job)
        qtbot.waitUntil(lambda job=job: card.job is job, timeout=1000)
        assert colour in card.bar.styleSheet()
        assert card.icon.accessibleName() == f"Status: {job.status.value}"


def test_repaints_are_coalesced(qtbot: QtBot) -> None:
    now = datetime.now(UTC)
    job = Job(
        "k" * 32,
        1,
        JobStatus.RUNNING,
        0.0,
        "Transcribing videos",
        "",
        SourceSpec("sample"),
        now,
        now,
        None,
        None,
        None,
        1,
        False,
    )
    card = JobProgress(job, ANALYSIS_STAGES)
    qtbot.addWidget(card)
    before = card.repaints
    for i in range(2000):
        card.show_job(replace(job, progress=i / 20))
        if i % 200 == 0:
            qtbot.wait(50)
    qtbot.wait(150)
    assert card.job.progress == 1999 / 20, "the latest snapshot wins"
    assert card.repaints - before <= 12, card.repaints - before


def test_failed_job_offers_settings_and_retry_resumes(qtbot: QtBot, window: MainWindow, workload: FileWorkload) -> None:
    workload.fail_job = True
    window.analysis.start_button.click()
    job_id, card = next(iter(window.analysis.cards.items()))
    qtbot.waitUntil(lambda: card.job.status == JobStatus.FAILED, timeout=10000)
    assert RED in card.bar.styleSheet()
    assert "The access token is invalid" in card.details.text()
    assert card.retry_button.isVisible() and card.settings_button.isVisible()
    card.settings_button.click()
    assert window.stack.currentWidget() is window.settings
    assert window.focusWidget() is window.settings.meta_token or window.settings.meta_token.styleSheet()
    workload.fail_job = False
    window.nav.setCurrentRow(0)
    card.retry_button.click()
    qtbot.waitUntil(lambda: card.job.status == JobStatus.COMPLETED, timeout=10000)
    assert window.services.service.status(job_id).error is None


def test_dashboard_and_chat_unlock_at_the_first_completion(qtbot: QtBot, window: MainWindow) -> None:
    assert not window.dashboard.unlocked and not window.chat.unlocked
    window.nav.setCurrentRow(VIEWS.index("Dashboard"))
    window.dashboard.start_button.click()  # a locked view leads to where an analysis starts
    assert window.stack.currentWidget() is window.analysis
    window.analysis.start_button.click()
    job_id = next(iter(window.analysis.cards))
    qtbot.waitUntil(lambda: window.dashboard.unlocked and window.chat.unlocked, timeout=15000)
    assert window.services.service.status(job_id).status == JobStatus.COMPLETED
    assert "Analysis complete" in window.analysis.notice.text(), "in-window notification without a tray"


def test_relaunch_resumes_an_interrupted_job(qtbot: QtBot, services: AppServices, workload: FileWorkload) -> None:
    import socket

    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    services.store.claim_next(f"{socket.gethostname()}|999999|1.00", 1, 30.0)  # a crashed app's job
    win, pool = make_window(services, workload)
    assert "Resumed 1" in win.analysis.notice.text()
    qtbot.waitUntil(lambda: job_id in win.analysis.cards, timeout=5000)
    qtbot.waitUntil(lambda: card_status(win, job_id) == JobStatus.COMPLETED, timeout=15000)
    close_window(win, pool)


def test_a_job_started_by_another_process_shows_up(qtbot: QtBot, window: MainWindow, home: Path) -> None:
    code = (
        "from desktop_app.composition import open_services\n"
        "from desktop_app.core.types import SourceSpec\n"
        "print(open_services().service.start_analysis(SourceSpec('urls', {'urls': ['https://x.test/v.mp4']})).job_id)"
    )
    job_id = subprocess.run(
        [sys.executable, "-c", code], env=child_env(home), capture_output=True, text=True, check=True
    ).stdout.strip()
    qtbot.waitUntil(lambda: job_id in window.analysis.cards, timeout=2000)


def test_closing_with_a_running_job_can_pause_it(
    qtbot: QtBot, window: MainWindow, workload: FileWorkload, monkeypatch: pytest.MonkeyPatch
) -> None:
    workload.delay = 0.5
    job_id, _ = start_running_job(qtbot, window)
    monkeypatch.setattr(MainWindow, "ask_close", lambda self: CloseChoice.STAY)
    window.close()
    assert window.isVisible(), "Cancel in the dialog keeps the window"
    monkeypatch.setattr(MainWindow, "ask_close", lambda self: CloseChoice.PAUSE)
    began = time.monotonic()
    window.close()
    assert time.monotonic() - began < 0.2, "closing never waits for the workers on the UI thread"
    assert "Stopping" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    job = window.services.service.status(job_id)
    assert job.status == JobStatus.PENDING and "resumes" in job.message


def test_keyboard_shortcuts_and_narrow_width(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    window.resize(800, 600)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentIndex() == VIEWS.index("Results")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.results.search.hasFocus() or window.focusWidget() is window.results.search
    assert window.analysis.start_button.accessibleName() == "Start Analysis"
    assert window.width() <= 820


def test_a_finished_card_names_the_ads_that_failed(qtbot: QtBot, window: MainWindow, workload: FileWorkload) -> None:
    workload.fail = frozenset({1, 2})
    window.analysis.start_button.click()
    card = next(iter(window.analysis.cards.values()))
    qtbot.waitUntil(lambda: card.job.status == JobStatus.COMPLETED, timeout=10000)
    qtbot.waitUntil(lambda: "Ads that failed" in card.details.text(), timeout=2000)
    assert "ad001: Fetch: item ad001 is broken" in card.details.text()
    assert "ad002" in card.details.text() and "2 failed" in card.message.text()
    assert not card.technical.isVisible() and card.details_button.isVisible()
    card.details_button.click()
    qtbot.waitUntil(lambda: "Log files:" in card.technical.toPlainText(), timeout=5000)
    technical = card.technical.toPlainText()
    assert "ad001" in technical and "[Errno 104] Connection reset by peer" in technical
    assert "Errno" not in card.details.text(), "the library's words stay behind the toggle"
    card.details_button.click()
    assert not card.technical.isVisible() and card.details_button.text() == "Details"


def test_a_failed_job_keeps_its_technical_detail_behind_the_toggle(
    qtbot: QtBot, window: MainWindow, workload: FileWorkload
) -> None:
    workload.fail_job = True
    window.analysis.start_button.click()
    card = next(iter(window.analysis.cards.values()))
    qtbot.waitUntil(lambda: card.job.status == JobStatus.FAILED, timeout=10000)
    detail = (card.job.result or {})["error"]["detail"]
    assert detail and detail not in card.details.text()
    card.details_button.click()
    qtbot.waitUntil(lambda: detail in card.technical.toPlainText(), timeout=5000)


def test_the_stage_breakdown_follows_stage_keys_not_labels(qtbot: QtBot) -> None:
    """A renamed label must not break the card: the current stage is found by its key."""
    now = datetime.now(UTC)
    job = Job("s" * 32, 1, JobStatus.RUNNING, 70.0, "Listening to the videos", "", SourceSpec("sample"), now, now,
              None, None, None, 1, False, stage_key="transcribe")  # fmt: skip
    card = JobProgress(job, ANALYSIS_STAGES)
    qtbot.addWidget(card)
    text = card.breakdown.text()
    assert "<b>&#9679;&nbsp;Transcribing</b>" in text
    assert "&#10003;&nbsp;Downloading" in text and "&#9675;&nbsp;Analysing" in text
    assert "&#10003;&nbsp;Video&nbsp;URLs" in text  # the row wraps between stages only, never after a mark

    for status, mark in (
        (JobStatus.CANCELLED, "&#9632;&nbsp;Transcribing"),
        (JobStatus.FAILED, "&#10007;&nbsp;Transcribing"),
    ):
        card.show_job(replace(job, status=status, version=job.version + 1))
        qtbot.waitUntil(lambda s=status: card.job.status == s, timeout=2000)
        stopped = card.breakdown.text()
        assert "&#10003;&nbsp;Downloading" in stopped and mark in stopped  # stages done stay ticked


def test_the_breakdown_shows_each_stages_ads_and_work_running_ahead(qtbot: QtBot) -> None:
    """Stages overlap: while videos download, the ones already downloaded are transcribed. The card says both:
    the current stage (the earliest unfinished) with its ads done so far, and the later stage running ahead."""
    now = datetime.now(UTC)
    job = Job("o" * 32, 1, JobStatus.RUNNING, 40.0, "Downloading videos", "", SourceSpec("sample"), now, now,
              None, None, None, 1, False, stage_key="download",
              stage_counts={"download": (4, 7), "transcribe": (2, 7)})  # fmt: skip
    card = JobProgress(job, ANALYSIS_STAGES)
    qtbot.addWidget(card)
    text = card.breakdown.text()
    assert "<b>&#9679;&nbsp;Downloading</b>" in text  # its message says which ad it is on: "(5/7)"
    assert "&#9680;&nbsp;Transcribing&nbsp;2/7" in text and "&#9675;&nbsp;Analysing" in text
    card.show_job(replace(job, status=JobStatus.COMPLETED, progress=100.0, version=job.version + 1))
    qtbot.waitUntil(lambda: card.job.status == JobStatus.COMPLETED, timeout=2000)
    assert "4/7" not in card.breakdown.text() and "&#9680;" not in card.breakdown.text()


def test_a_completed_card_shows_its_results(qtbot: QtBot, analysed: AppServices) -> None:
    """'Show results' opens Results filtered to the ads that job analysed; the card does not repeat its counts."""
    window, pool = make_window(analysed, FileWorkload())
    try:
        qtbot.waitUntil(lambda: window.results.model.rowCount() == 7, timeout=10000)
        job = analysed.service.history(1)[0]
        card = window.analysis.show_job(job)
        assert card.results_button.isVisibleTo(card) and not card.details.isVisibleTo(card)
        card.results_button.click()
        assert window.stack.currentWidget() is window.results
        assert window.results.job.currentData() == job.job_id
        assert window.results.proxy.rowCount() == 7
    finally:
        close_window(window, pool)
