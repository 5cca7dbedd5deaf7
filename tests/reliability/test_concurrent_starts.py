"""Many `ad-analysis run --sample` started at once on one data folder (and on a fresh one, where the first
start creates and migrates the database): every one exits 0 with the job's id and nothing on stderr (or, on a
swamped machine, with the documented busy exit and one plain line), and there is one active job at a time.
bench/concurrent_starts.py runs the same with 100 and 50 processes."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from desktop_app.cli.exits import EXIT_BUSY
from desktop_app.core import paths
from desktop_app.core.db_health import BUSY_MESSAGE
from tests.conftest import child_env

EXISTING_STARTS = 12  # 100 in bench/concurrent_starts.py; fewer here to stay within a minute on 2 cores
FRESH_STARTS = 8


def start_many(home: Path, count: int) -> list[subprocess.CompletedProcess[str]]:
    """`count` CLI processes started together, each `run --sample` (returns at once; a worker runs the job)."""
    command = [sys.executable, "-m", "desktop_app", "run", "--sample"]
    procs = [
        subprocess.Popen(command, env=child_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def workers(home: Path) -> list[psutil.Process]:
    """The detached workers `run` started for this data folder, and their transcriber children."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.pid != os.getpid() and proc.environ().get("AD_ANALYSIS_HOME") == str(home):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def stop_workers(home: Path) -> None:
    """Cancel the folder's jobs and wait for the workers to leave (killed if they will not)."""
    for job in listed_jobs(home):
        subprocess.run(
            [sys.executable, "-m", "desktop_app", "cancel", job["job_id"]], env=child_env(home), capture_output=True
        )
    _, alive = psutil.wait_procs(workers(home), timeout=60)
    for proc in alive:
        proc.kill()


@pytest.fixture
def homes() -> Iterator[list[Path]]:
    """Data folders whose workers are gone when the test ends, whatever happened."""
    made: list[Path] = []
    yield made
    for home in made:
        stop_workers(home)


def listed_jobs(home: Path) -> list[dict[str, Any]]:
    """The folder's jobs, oldest first."""
    listed = subprocess.run(
        [sys.executable, "-m", "desktop_app", "jobs", "--limit", "1000", "--json"],
        env=child_env(home),
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    return sorted(json.loads(listed.stdout), key=lambda job: job["created_at"])


def overlapping(jobs: list[dict[str, Any]]) -> int:
    """How many jobs were created while an earlier identical one was still active (duplicates)."""
    return sum(
        1
        for earlier, later in itertools.pairwise(jobs)
        if earlier["finished_at"] is None or earlier["finished_at"] > later["created_at"]
    )


def assert_clean_starts(home: Path, done: list[subprocess.CompletedProcess[str]]) -> None:
    """Every start exited 0 with a job id and nothing on stderr, or exited EXIT_BUSY with the one plain line
    (the documented end of a wait for the database past its bound, when the machine is swamped); and never
    were two identical jobs active at once (a second job appears only if the first ended meanwhile)."""
    unclean = [
        (d.returncode, d.stderr[-400:])
        for d in done
        if (d.returncode, d.stderr) not in {(0, ""), (EXIT_BUSY, f"ad-analysis: error: {BUSY_MESSAGE}\n")}
    ]
    assert unclean == []
    started = [d.stdout.strip() for d in done if d.returncode == 0]
    assert len(started) * 2 >= len(done), f"only {len(started)} of {len(done)} starts got through"
    jobs = listed_jobs(home)
    assert set(started) <= {job["job_id"] for job in jobs}
    assert overlapping(jobs) == 0, jobs


@pytest.mark.slow
def test_concurrent_starts_on_one_data_folder_and_on_a_fresh_one_end_cleanly_with_one_job(
    tmp_path: Path, homes: list[Path]
) -> None:
    existing, fresh = tmp_path / "existing", tmp_path / "fresh"
    homes.extend([existing, fresh])
    ready = subprocess.run([sys.executable, "-m", "desktop_app", "jobs"], env=child_env(existing), capture_output=True)
    assert ready.returncode == 0
    began = time.monotonic()
    assert_clean_starts(existing, start_many(existing, EXISTING_STARTS))
    stop_workers(existing)  # the worker running the sample job would slow the next round
    assert_clean_starts(fresh, start_many(fresh, FRESH_STARTS))
    assert time.monotonic() - began < 120


def test_data_folder_checks_running_together_never_trip_over_each_other(tmp_path: Path) -> None:
    """Each writability check writes a file of its own name (a shared name made two of 100 starts fail)."""
    errors: list[BaseException] = []

    def check() -> None:
        try:
            for _ in range(200):
                paths.prepare(tmp_path / "home")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [p.name for p in (tmp_path / "home").iterdir() if p.name.startswith(".write-test")] == []
