"""The CLI as a user runs it: exit codes, JSON names, clear one-line errors, cross-process cancel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.composition import AppServices
from desktop_app.core.types import JobStatus
from tests.conftest import child_env, wait_final, wait_for

SPEC_FIELDS = {
    "job_id",
    "status",
    "progress",
    "stage",
    "message",
    "created_at",
    "started_at",
    "finished_at",
    "error",
    "result",
}


def cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_sample_wait_json_completes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli("run", "--sample", "--wait", "--json", capsys=capsys)
    assert code == 0
    job = json.loads(out)  # stdout is one JSON document, nothing before it
    assert set(job) >= SPEC_FIELDS
    assert job["status"] == "completed" and job["progress"] == 100


def test_run_without_wait_returns_at_once_and_a_worker_finishes_it(
    services: AppServices, capsys: pytest.CaptureFixture[str]
) -> None:
    began = time.monotonic()
    code, out, _ = cli("run", "--sample", "--json", capsys=capsys)
    assert time.monotonic() - began < 2
    assert code == 0
    started = json.loads(out)
    assert started["status"] == "pending"
    assert wait_final(services, started["job_id"]).status == JobStatus.COMPLETED


def test_status_jobs_cancel_retry(services: AppServices, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.core.types import SourceSpec

    job_id = services.service.start_analysis(SourceSpec("urls", {"urls": ["https://a.test/v.mp4"]})).job_id
    code, out, _ = cli("status", job_id[:8], "--json", capsys=capsys)
    assert code == 0 and json.loads(out)["queue_position"] == 1
    code, out, _ = cli("jobs", "--json", capsys=capsys)
    assert [j["job_id"] for j in json.loads(out)] == [job_id]
    assert set(json.loads(out)[0]) >= SPEC_FIELDS
    code, out, _ = cli("jobs", capsys=capsys)
    assert job_id[:12] in out and "pending" in out
    assert cli("cancel", job_id, capsys=capsys)[0] == 0
    code, out, _ = cli("cancel", job_id, capsys=capsys)
    assert code == 1 and "already cancelled" in out
    code, out, _ = cli("retry", job_id, capsys=capsys)
    assert code == 0 and out.strip() == job_id
    assert services.service.status(job_id).status in (
        JobStatus.PENDING,
        JobStatus.RUNNING,
        JobStatus.COMPLETED,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "0123456789abcdef0123456789abcdef"], "no job with id"),
        (["cancel", "nope"], "no job with id 'nope'"),
        (["run", "--urls", "ftp://x.test/a.mp4"], "not an http(s) URL"),
        (["run", "--urls", "missing-list.txt"], "neither a URL nor a readable file"),
        (["run", "--folder", "/no/such/folder"], "not a folder"),
        (["run", "--search", "shoes"], "needs at least one country"),
        (["run", "--search", "shoes", "--country", "Germany"], "two-letter country codes"),
        (["jobs", "--limit", "0"], "--limit must be at least 1"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = cli(*args, capsys=capsys)
    assert code == 2
    assert err.startswith("ad-analysis: error: ")
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unusable_data_folder_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("AD_ANALYSIS_HOME", str(blocker / "home"))
    code, _, err = cli("jobs", capsys=capsys)
    assert code == 2 and "data folder" in err and str(blocker) in err


def _running_child(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = child_env(home) | {"WORKLOAD_ITEMS": "30", "WORKLOAD_DELAY": "0.4"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.workload_cli", "run", "--sample", "--wait"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    return child, child.stdout.readline().decode().strip()


def test_cancel_from_another_process_reaches_the_job_within_a_second(services: AppServices, home: Path) -> None:
    child, job_id = _running_child(home)
    wait_for(lambda: services.service.status(job_id).stage == "Fetch")
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "cancel", job_id],
        env=child_env(home),
        capture_output=True,
        check=True,
    )
    asked = time.monotonic()
    assert b"Cancel requested" in done.stdout
    job = wait_final(services, job_id, timeout=5)
    latency = time.monotonic() - asked
    assert job.status == JobStatus.CANCELLED
    assert latency < 1.0, latency
    assert child.wait(timeout=10) == 130


def test_ctrl_c_on_wait_cancels_and_exits_130(services: AppServices, home: Path) -> None:
    child, job_id = _running_child(home)
    wait_for(lambda: services.service.status(job_id).stage == "Fetch")
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=10) == 130
    assert services.service.status(job_id).status == JobStatus.CANCELLED


def _transcriber_started(pid: int) -> bool:
    """The CLI process has started its transcriber child (multiprocessing's spawn), which is now importing."""
    import psutil

    try:
        return any("spawn_main" in " ".join(c.cmdline()) for c in psutil.Process(pid).children())
    except psutil.Error:
        return False


def test_ctrl_c_in_a_terminal_during_run_wait_is_one_line_and_exit_130(services: AppServices, home: Path) -> None:
    """A terminal sends Ctrl-C to its whole process group, the transcriber child included: the child says
    nothing (no traceback), the job is cancelled and the command exits 130."""
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "run", "--wait", "--sample"],
        env=child_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    assert child.stdout is not None
    job_id = child.stdout.readline().decode().strip()
    wait_for(lambda: _transcriber_started(child.pid))
    os.killpg(child.pid, signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130, err.decode()
    assert "Traceback" not in err.decode(), err.decode()
    assert len(err.decode().strip().splitlines()) <= 1, err.decode()
    assert "Cancelling..." in out.decode()
    assert services.service.status(job_id).status == JobStatus.CANCELLED


def test_cancel_answers_without_importing_sqlalchemy(services: AppServices, home: Path) -> None:
    from desktop_app.core.types import SourceSpec

    job_id = services.service.start_analysis(SourceSpec("urls", {"urls": ["https://a.test/v.mp4"]})).job_id
    code = (
        "import sys\nfrom desktop_app.cli import main\n"
        f"code = main(['cancel', {job_id[:8]!r}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', 'psutil'}))\n"
        "sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=child_env(home), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"Cancel requested for job {job_id}", "[]"]
    assert services.service.status(job_id).status == JobStatus.CANCELLED


def _jobs_and_events(services: AppServices, job_id: str) -> tuple[dict[str, object], list[tuple[object, ...]]]:
    """A job's row and log, without what differs between two jobs anyway (ids, source, times)."""
    varying = {"seq", "id", "source", "dedupe_key", "created_at", "finished_at"}
    with services.db.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT * FROM jobs WHERE id = ?", (job_id,)).mappings().one()
        events = conn.exec_driver_sql(
            "SELECT kind, stage, message, item_key FROM job_events WHERE job_id = ? ORDER BY id", (job_id,)
        ).all()
    return {k: v for k, v in row.items() if k not in varying}, [tuple(e) for e in events]


def test_quick_cancel_changes_the_database_as_the_job_store_does(services: AppServices) -> None:
    """`cancel` skips SQLAlchemy (core/quick_cancel.py): it must leave the rows and events JobStore leaves."""
    from desktop_app.core.quick_cancel import CancelAnswer, request_cancel
    from desktop_app.core.types import SourceSpec

    ids = [
        services.service.start_analysis(SourceSpec("urls", {"urls": [f"https://a.test/{n}.mp4"]})).job_id
        for n in range(4)
    ]
    with services.db.write_connection() as conn:  # two of them running, as a runner in another process has them
        for job_id in ids[2:]:
            conn.exec_driver_sql(
                "UPDATE jobs SET status = 'running', owner = 'elsewhere', started_at = 1.0 WHERE id = ?", (job_id,)
            )
    database = services.paths.database
    for by_store, quick, now in ((ids[0], ids[1], JobStatus.CANCELLED), (ids[2], ids[3], JobStatus.RUNNING)):
        for _ in range(2):  # asking twice changes nothing more
            asked = services.store.request_cancel(by_store)
            assert request_cancel(database, quick[:6]) == CancelAnswer(quick, asked, now)
        assert _jobs_and_events(services, quick) == _jobs_and_events(services, by_store)
    assert request_cancel(database, ids[0]) == CancelAnswer(ids[0], False, JobStatus.CANCELLED)
    assert request_cancel(database, "nope") is None  # the job store explains unknown ids
    assert request_cancel(database, "0123456789abcdef0123456789abcdef") is None


def test_the_app_runs_numpy_on_one_blas_thread_unless_told_otherwise(home: Path) -> None:
    """Set by the entry point before anything loads numpy: the analyser's reader shares the cores with the
    transcriber children (bench/reader_threads.py)."""
    code = (
        "import os, sys\nfrom desktop_app.entry import main\nsys.argv = ['ad-analysis', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules)"
    )
    env = {k: v for k, v in child_env(home).items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.splitlines()[-1].split() == ["1", "False"], done.stderr
    told = subprocess.run(
        [sys.executable, "-c", code], env=env | {"OPENBLAS_NUM_THREADS": "2"}, capture_output=True, text=True
    )
    assert told.stdout.splitlines()[-1].split() == ["2", "False"], told.stderr
