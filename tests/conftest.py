"""Shared fixtures: every test gets its own data folder."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.composition import AppServices, open_services
from desktop_app.core import secrets
from desktop_app.core.runner import StagesFactory
from desktop_app.core.types import Job, JobStatus, SourceSpec
from tests import user_messages

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_stored_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no stored token or key, and none reaches the user's OS keyring."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(secrets, "_session", {})


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "home"
    monkeypatch.setenv("AD_ANALYSIS_HOME", str(data))
    return data


@pytest.fixture
def services(home: Path) -> Iterator[AppServices]:
    app = open_services(home)
    yield app
    app.close()


@pytest.fixture(scope="session")
def analysed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder where the real pipeline analysed the sample ads (offline, once per test session)."""
    folder = tmp_path_factory.mktemp("analysed") / "home"
    app = open_services(folder)
    try:
        job = run_job(app, SourceSpec("sample"), timeout=180)
        assert job.status == JobStatus.COMPLETED, job.error
    finally:
        app.close()
    return folder


@pytest.fixture
def analysed(analysed_template: Path, home: Path) -> Iterator[AppServices]:
    """Services on a copy of the analysed sample ads: seven ads with transcripts, analyses and the index."""
    shutil.copytree(analysed_template, home)
    app = open_services(home)
    yield app
    app.close()


_KEPT: list[object] = []


@pytest.fixture(scope="session")
def session_loop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop for the whole session, as the app has one for its whole life.

    A loop closed after each test is left to the cyclic garbage collector, which may run on a worker
    thread: its Qt timers were then torn down from the wrong thread and fired later on freed memory
    (a segfault in QTimerInfoList::activateTimers, seen in CI). Closed at the end (which stops its
    executor's threads) and kept referenced until the interpreter exits, on the main thread."""
    import qasync

    loop = qasync.QEventLoop(qapp)
    _KEPT.append(loop)
    yield loop
    loop.close()


@pytest.fixture
def loop(session_loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:
    """The app's event loop for one test: qasync runs asyncio on Qt's loop."""
    asyncio.set_event_loop(session_loop)
    yield session_loop
    asyncio.set_event_loop(None)


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0, interval: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def wait_final(app: AppServices, job_id: str, timeout: float = 30.0) -> Job:
    wait_for(lambda: not app.service.status(job_id).status.is_active, timeout)
    return app.service.status(job_id)


def run_job(app: AppServices, source: SourceSpec, timeout: float = 120, stages: StagesFactory | None = None) -> Job:
    """Start a runner (the real pipeline unless `stages` is given), run one analysis to its end, stop."""
    runner = app.make_runner(stages=stages)
    runner.start()
    try:
        return wait_final(app, app.service.start_analysis(source).job_id, timeout)
    finally:
        runner.shutdown()


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["AD_ANALYSIS_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture(autouse=True)
def record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's notifications join the session's check of user-visible messages."""
    try:
        from desktop_app.ui.main_window import MainWindow
    except ImportError:
        return
    original = MainWindow.notify

    def notify(self: MainWindow, title: str, message: str, failed: bool = False) -> None:
        user_messages.notifications.append(f"{title}: {message}")
        original(self, title, message, failed)

    monkeypatch.setattr(MainWindow, "notify", notify)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any message a person would read looks like a raw error (see tests/user_messages.py)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return
    raw = user_messages.raw_messages(factory.getbasetemp())
    if raw:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", f"{len(raw)} user-visible messages read like raw errors", red=True)
            for line in raw[:40]:
                reporter.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
