"""A laptop that sleeps: runners frozen (SIGSTOP) past their 30 s lease, then thawed, must neither do work
twice nor end a job twice; and a runner that did lose its job must stop without writing anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import update

from desktop_app.composition import AppServices
from desktop_app.core.models import JobRow
from desktop_app.core.runner import LEASE_S
from desktop_app.core.types import JobStatus, SourceSpec
from tests.conftest import child_env, wait_final, wait_for
from tests.workload import FileWorkload

FROZEN_S = LEASE_S + 4  # past the lease, whatever was left of it at the freeze


def _runner_process(home: Path, items: int, delay: float) -> subprocess.Popen[bytes]:
    """`resume` runs the queue until it is empty, like a detached worker or an open window."""
    env = child_env(home) | {"WORKLOAD_ITEMS": str(items), "WORKLOAD_DELAY": str(delay)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workload_cli", "resume"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def _starts_by_pid(workdir: Path) -> Counter[tuple[str, str]]:
    lines = (workdir / "starts.log").read_text().splitlines()
    return Counter((line.split()[0], line.split()[1]) for line in lines if line.strip())


def _frozen(processes: list[subprocess.Popen[bytes]], seconds: float) -> None:
    for process in processes:
        os.kill(process.pid, signal.SIGSTOP)
    time.sleep(seconds)
    for process in processes:
        os.kill(process.pid, signal.SIGCONT)


@pytest.mark.slow
def test_runners_frozen_past_their_lease_never_run_a_job_twice(services: AppServices, home: Path) -> None:
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    worker = _runner_process(home, items=24, delay=0.6)
    wait_for(lambda: services.service.status(job_id).status == JobStatus.RUNNING, timeout=30)
    # A second runner on the same data folder, waiting for a job of its own (the open window's role).
    services.service.start_analysis(SourceSpec("folder", {"path": str(home)}))
    window = _runner_process(home, items=2, delay=0.01)
    try:
        wait_for(lambda: services.store.items(job_id) and any(i.checkpoints for i in services.store.items(job_id)))
        _frozen([worker], FROZEN_S)  # the worker alone: it must not hand its own job back on waking
        _frozen([worker, window], FROZEN_S)  # both: the window must not take over the worker's job
        job = wait_final(services, job_id, timeout=120)
    finally:
        for process in (worker, window):
            process.kill()
            process.wait()
    assert job.status == JobStatus.COMPLETED, job
    events = services.service.events(job_id)
    assert [e.kind for e in events].count("completed") == 1
    assert not any(e.kind in ("interrupted", "paused") for e in events), [e.message for e in events]
    assert [e.kind for e in events].count("claimed") == 1, "one claim: the worker kept its job throughout"
    twice = [key for key, n in _starts_by_pid(services.paths.job_dir(job_id)).items() if n > 1]
    assert twice == [], f"item-stages run twice: {twice}"


def test_a_runner_that_lost_its_job_stops_without_writing(services: AppServices) -> None:
    """Another machine's runner took the job over (a new claim): this one's next write is refused, it stops,
    and the job's row and log keep only the new owner's state."""
    runner = services.make_runner(stages=FileWorkload(items=30, delay=0.4))
    runner.start()
    job_id = services.service.start_analysis(SourceSpec("sample")).job_id
    wait_for(lambda: services.service.status(job_id).status == JobStatus.RUNNING)
    with services.db.write() as session:
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(owner="another-host|1|1.00", claim=JobRow.claim + 1, lease_expires_at=time.time() + 60)
        )
    taken = services.service.status(job_id)
    events_then = len(services.service.events(job_id))
    wait_for(lambda: runner.running_ids() == [], timeout=5)
    runner.shutdown()
    now = services.service.status(job_id)
    assert now.status == JobStatus.RUNNING and now.version == taken.version, "nothing overwrote the new owner"
    assert len(services.service.events(job_id)) == events_then
