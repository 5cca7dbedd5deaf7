"""A full disk: the data folder on a tiny tmpfs. Downloads fail with ENOSPC and database writes with "database
or disk is full"; the job must end failed with one plain sentence, `run --wait` must return, and Retry must
finish the job once space is back. Needs root to mount a tmpfs; skipped, saying why, where it cannot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.composition import open_services
from desktop_app.core.types import JobStatus
from tests.conftest import REPO, child_env
from tests.servers import VideoHost, serve

SAMPLES = REPO / "resources" / "sample_ads"
FILES = {f"{n}.mp4": (SAMPLES / f"90000000000000{n}.mp4").read_bytes() for n in (1, 4, 7)}
LEFT_FREE = 300_000  # bytes: room for the database to start the job, not for the three videos


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Take all the free space but `leave` bytes."""
    filler = disk / "filler.bin"
    free = shutil.disk_usage(disk).free
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


def _cli(home: Path, *args: str, timeout: float = 180) -> tuple[int, dict[str, object], str]:
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", *args, "--wait", "--json"],
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,  # the bug was a wait that never returned
    )
    out = done.stdout
    return done.returncode, json.loads(out), done.stderr


@pytest.mark.slow
def test_a_full_disk_fails_the_job_plainly_and_retry_finishes_it(tiny_disk: Path) -> None:
    home = tiny_disk / "data"
    open_services(home).close()  # the database and folders exist before the disk fills up
    host = VideoHost(FILES)
    with serve(host.handle) as url:
        filler = _fill(tiny_disk, LEFT_FREE)
        code, job, err = _cli(home, "run", "--urls", *(f"{url}/v/{name}" for name in FILES))
        assert code == 1 and job["status"] == "failed", (job, err)
        assert str(job["error"]).startswith(f"The disk is full: free space in {home}"), job
        assert "Traceback" not in err and "Errno" not in str(job)
        filler.unlink()
        code, job, err = _cli(home, "retry", str(job["job_id"]))
    assert code == 0 and job["status"] == "completed", (job, err)
    app = open_services(home)
    try:
        assert app.service.status(str(job["job_id"])).status == JobStatus.COMPLETED
        assert len(app.store.items(str(job["job_id"]))) == len(FILES)
    finally:
        app.close()
    assert os.path.exists(home / "jobs.sqlite3")
