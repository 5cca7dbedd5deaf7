"""Atomic duplicate detection across threads and processes, and writers that never hit "locked"."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from desktop_app.composition import AppServices, open_services
from desktop_app.core.claims import Claim
from desktop_app.core.models import JobRow
from desktop_app.core.types import SourceSpec
from tests.conftest import child_env

DUPLICATE_SCRIPT = """
import sys, threading
from desktop_app.composition import open_services
from desktop_app.core.types import SourceSpec
app = open_services()
ids, errors = set(), []
def worker():
    for _ in range(int(sys.argv[1])):
        try:
            ids.add(app.service.start_analysis(SourceSpec("sample")).job_id)
        except Exception as exc:
            errors.append(repr(exc))
threads = [threading.Thread(target=worker) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(" ".join(sorted(ids)), "|", len(errors), errors[:1])
"""


def test_a_thousand_concurrent_duplicate_starts_create_one_job(services: AppServices, home: Path) -> None:
    # 2 processes x 8 threads x 63 starts ~= 1,000 identical starts.
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DUPLICATE_SCRIPT, "63"],
            env=child_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    ids: set[str] = set()
    for (out, err), proc in zip(outputs, procs, strict=True):
        assert proc.returncode == 0, err.decode()
        found, errors = out.decode().split("|")
        assert errors.strip().startswith("0"), errors
        ids |= set(found.split())
    assert len(ids) == 1
    with services.db.read() as session:
        assert session.scalar(select(func.count()).select_from(JobRow)) == 1


def test_eight_writer_threads_flooding_progress_never_fail(services: AppServices, home: Path) -> None:
    jobs = [
        services.service.start_analysis(SourceSpec("urls", {"urls": [f"https://x.test/{i}"]})).job_id for i in range(8)
    ]
    claims = []
    for _ in jobs:
        job = services.store.claim_next("test|1|1", 8, 60.0)
        assert job is not None
        claims.append(Claim(job.job_id, "test|1|1", job.claim))
    second = open_services(home)  # a second engine, as another process would have
    errors: list[BaseException] = []

    def flood(claim: Claim, app: AppServices) -> None:
        try:
            for i in range(300):
                app.store.write_progress(claim, i / 3, "Flooding", f"step {i}", event=i % 50 == 0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=flood, args=(c, services if n % 2 else second)) for n, c in enumerate(claims)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.close()
    assert errors == []
    assert {services.service.status(j).message for j in jobs} == {"step 299"}
