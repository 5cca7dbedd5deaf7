"""SIGKILL the process running a job at 20 random moments; `resume` must finish it without ever
repeating an item-stage whose checkpoint had been committed, and the database must stay intact."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from desktop_app.composition import AppServices
from desktop_app.core.types import JobStatus, SourceSpec
from tests.conftest import child_env, wait_for
from tests.workload import STAGE_KEYS, starts

KILLS = 20
ITEMS = 40


def _committed(app: AppServices, job_id: str) -> set[tuple[str, str]]:
    return {(i.key, stage) for i in app.store.items(job_id) for stage in i.checkpoints}


def _resume(home: Path) -> subprocess.Popen[bytes]:
    env = child_env(home) | {"WORKLOAD_ITEMS": str(ITEMS), "WORKLOAD_DELAY": "0.03"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workload_cli", "resume"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume(services: AppServices, home: Path) -> None:
    rng = random.Random(20261128)
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    workdir = services.paths.job_dir(job_id)
    # After kill k: what was committed, and how many item-stages had started by then.
    kills: list[tuple[set[tuple[str, str]], int]] = []
    while len(kills) < KILLS:
        seen = len(_committed(services, job_id))
        child = _resume(home)
        try:
            # A random moment once the run has made progress (a kill before any progress is
            # the crash-loop case, tested on its own).
            def progressed(seen: int = seen, child: subprocess.Popen[bytes] = child) -> bool:
                return len(_committed(services, job_id)) > seen or child.poll() is not None

            wait_for(progressed, timeout=30)
            time.sleep(rng.uniform(0.0, 0.12))
        finally:
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
            child.wait()
        if services.service.status(job_id).status == JobStatus.COMPLETED:
            break
        kills.append((_committed(services, job_id), len(starts(workdir))))

    assert len(kills) == KILLS, "the job finished before it could be killed 20 times"
    final = _resume(home)
    output = final.communicate(timeout=120)[0].decode()
    assert final.returncode == 0, output
    job = services.service.status(job_id)
    assert job.status == JobStatus.COMPLETED, job

    log = starts(workdir)
    for committed, position in kills:
        again = committed & set(log[position:])
        assert not again, f"item-stages repeated after their checkpoint was committed: {sorted(again)[:5]}"
    counts = Counter(log)
    expected = {(f"ad{i:03d}", k) for i in range(ITEMS) for k in STAGE_KEYS}
    assert set(counts) == expected
    assert sum(counts.values()) - len(expected) <= KILLS, "only an item-stage in flight at a kill may rerun"
    assert all((workdir / f"{key}.{stage}").read_text() == f"{key} {stage}\n" for key, stage in expected)
    conn = sqlite3.connect(services.paths.database)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


@pytest.mark.slow
def test_an_ad_that_kills_the_app_every_time_fails_alone(services: AppServices, home: Path) -> None:
    """A poison ad kills the worker each time it reaches transcription, and the worker is also killed
    from outside three times mid-ad: the poison ad fails on its own, the job completes with the others."""
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    env = child_env(home) | {"WORKLOAD_ITEMS": "5", "WORKLOAD_DELAY": "0.2", "WORKLOAD_POISON": "2"}

    def resume() -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "tests.workload_cli", "resume"]
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    outside_kills = 0
    for _run in range(12):
        seen = len(_committed(services, job_id))
        child = resume()
        if outside_kills < 3:
            wait_for(
                lambda seen=seen, child=child: len(_committed(services, job_id)) > seen or child.poll() is not None
            )
            time.sleep(0.1)  # the next item-stage is under way
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                outside_kills += 1
        child.wait(timeout=120)
        if services.service.status(job_id).status == JobStatus.COMPLETED:
            break
    job = services.service.status(job_id)
    assert job.status == JobStatus.COMPLETED, job
    assert outside_kills == 3
    items = {item.key: item for item in services.store.items(job_id)}
    poison = items.pop("ad002")
    assert poison.outcome is not None and poison.outcome.value == "failed"
    assert poison.reason is not None and "stopped twice" in poison.reason
    assert all(item.outcome is not None and item.outcome.value == "analysed" for item in items.values()), items
    assert job.result is not None and job.result["failed"] == 1 and job.result["analysed"] == 4
