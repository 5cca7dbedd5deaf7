"""Benchmark of the job engine: start latency, history/status at 100,000 jobs, cancel latency
(same process and from another process) and DB writes for 100,000 progress calls.

Usage: python bench/engine.py   (prints figures, then one JSON object as the last line)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.composition import AppServices, open_services  # noqa: E402
from desktop_app.core.context import JobContext  # noqa: E402
from desktop_app.core.types import JobStatus, SourceSpec  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


class Spin:
    """Long work that reaches a cancellation point every 20 ms, like a download's progress hook."""

    key, label, percent = "spin", "Working", 5.0

    def run(self, ctx: JobContext) -> None:
        for i in range(100_000):
            ctx.stage_progress(i / 100_000, "working")
            ctx.token.sleep(0.02)


class Flood:
    key, label, percent = "flood", "Flooding", 5.0

    def run(self, ctx: JobContext) -> None:
        for i in range(100_000):
            ctx.stage_progress(i / 100_000, f"step {i}")


def wait_status(app: AppServices, job_id: str, done: set[JobStatus], timeout: float = 30) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.store.get(job_id).status in done:
            return time.monotonic()
        time.sleep(0.002)
    raise TimeoutError(job_id)


def source(n: int) -> SourceSpec:
    return SourceSpec("urls", {"urls": [f"https://bench.test/{n}"]})


def bench_start(app: AppServices, n: int = 500) -> list[float]:
    latencies = []
    for i in range(n):
        began = time.perf_counter()
        app.service.start_analysis(source(i))
        latencies.append(time.perf_counter() - began)
    return latencies


def fill(app: AppServices, total: int) -> None:
    """Bulk-insert finished jobs so history and status are measured on a large table."""
    now = time.time()
    rows = [
        (
            uuid.uuid4().hex,
            "completed",
            100.0,
            "Completed",
            "done",
            source(i).to_json(),
            f"k{i}",
            now - total + i,
        )
        for i in range(total)
    ]
    with app.db.write_connection() as conn:
        conn.exec_driver_sql(
            "INSERT INTO jobs (id, status, progress, stage, message, source, dedupe_key, created_at,"
            " attempts, crash_count, cancel_requested, completed_stages, stage_state)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, 0, '[]', '{}')",
            rows,
        )


def bench_reads(app: AppServices, n: int = 300) -> tuple[list[float], list[float]]:
    history, status = [], []
    ids = [j.job_id for j in app.service.history(200)]
    for i in range(n):
        began = time.perf_counter()
        app.service.history(20)
        history.append(time.perf_counter() - began)
        began = time.perf_counter()
        app.service.status(ids[i % len(ids)])
        status.append(time.perf_counter() - began)
    return history, status


def bench_cancel_in_process(app: AppServices, runs: int = 20) -> list[float]:
    runner = app.make_runner(stages=lambda job: [Spin()])
    runner.start()
    latencies = []
    for i in range(runs):
        job_id = app.service.start_analysis(SourceSpec("urls", {"urls": [f"https://cancel.test/{i}"]})).job_id
        wait_status(app, job_id, {JobStatus.RUNNING})
        time.sleep(0.05)
        began = time.monotonic()
        app.service.cancel(job_id)
        latencies.append(wait_status(app, job_id, {JobStatus.CANCELLED}) - began)
    runner.shutdown()
    return latencies


def bench_cancel_cross_process(app: AppServices, home: Path, runs: int = 10) -> list[float]:
    """The job runs in a child process; this process cancels through the database."""
    env = {**os.environ, "AD_ANALYSIS_HOME": str(home)}
    child = subprocess.Popen([sys.executable, __file__, "--serve"], env=env)
    latencies = []
    try:
        for i in range(runs):
            job_id = app.service.start_analysis(SourceSpec("urls", {"urls": [f"https://xcancel.test/{i}"]})).job_id
            wait_status(app, job_id, {JobStatus.RUNNING})
            time.sleep(0.3)
            began = time.monotonic()
            app.service.cancel(job_id)
            latencies.append(wait_status(app, job_id, {JobStatus.CANCELLED}) - began)
    finally:
        child.terminate()
        child.wait()
    return latencies


def bench_progress_writes(app: AppServices) -> tuple[int, float]:
    runner = app.make_runner(stages=lambda job: [Flood()])
    runner.start()
    began = time.monotonic()
    job_id = app.service.start_analysis(SourceSpec("urls", {"urls": ["https://flood.test"]})).job_id
    wait_status(app, job_id, {JobStatus.COMPLETED}, timeout=120)
    elapsed = time.monotonic() - began
    runner.shutdown()
    return runner.db_writes, elapsed


def serve() -> None:
    """Child mode: run every queued job with the Spin stage until terminated."""
    app = open_services()
    runner = app.make_runner(stages=lambda job: [Spin()])
    runner.start()
    while True:
        time.sleep(1)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        app = open_services(home)
        start = bench_start(app)
        # Clear the queue so it does not count as pending work.
        with app.db.write_connection() as conn:
            conn.exec_driver_sql("UPDATE jobs SET status='cancelled'")
        fill(app, 100_000)
        history, status = bench_reads(app)
        cancel_local = bench_cancel_in_process(app)
        cancel_remote = bench_cancel_cross_process(app, home)
        writes, flood_s = bench_progress_writes(app)
        app.close()

    figures = {
        "start_p50_ms": ms(statistics.median(start)),
        "start_p95_ms": ms(pct(start, 95)),
        "history20_p50_ms_at_100k": ms(statistics.median(history)),
        "history20_p95_ms_at_100k": ms(pct(history, 95)),
        "status_p50_ms_at_100k": ms(statistics.median(status)),
        "status_p95_ms_at_100k": ms(pct(status, 95)),
        "cancel_in_process_p95_ms": ms(pct(cancel_local, 95)),
        "cancel_cross_process_p95_ms": ms(pct(cancel_remote, 95)),
        "db_writes_for_100k_progress_calls": writes,
        "progress_flood_seconds": round(flood_s, 2),
    }
    print("Job engine benchmark")
    print(f"  start_analysis          p50 {figures['start_p50_ms']:8.2f} ms   p95 {figures['start_p95_ms']:8.2f} ms")
    print(
        f"  history(20) @100k jobs  p50 {figures['history20_p50_ms_at_100k']:8.2f} ms"
        f"   p95 {figures['history20_p95_ms_at_100k']:8.2f} ms"
    )
    print(
        f"  status     @100k jobs   p50 {figures['status_p50_ms_at_100k']:8.2f} ms"
        f"   p95 {figures['status_p95_ms_at_100k']:8.2f} ms"
    )
    print(f"  cancel -> stopped, same process      p95 {figures['cancel_in_process_p95_ms']:8.1f} ms")
    print(f"  cancel -> stopped, another process   p95 {figures['cancel_cross_process_p95_ms']:8.1f} ms")
    print(f"  DB writes for 100,000 progress calls: {writes} (over {flood_s:.1f} s)")
    print(json.dumps(figures))


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve()
    else:
        main()
