"""Benchmark of the window's responsiveness while the real sample job runs in it.

Prints: event-loop stalls measured by a 5 ms timer probe while transcribing (p50, p99, max; targets
p99 < 16 ms, max < 50 ms), time from the Start click to the job visible (< 50 ms), time from a worker's
progress call to the widget showing it (< 250 ms), and cold start to the first painted window (< 1.5 s), on a
new data folder and on an existing one.
Last line: one JSON object with the figures.

Usage: python bench/ui_responsiveness.py   (offscreen unless QT_QPA_PLATFORM is set)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

COLD_START = """
import sys, time
began = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QThreadPool
from PySide6.QtWidgets import QApplication
from desktop_app.composition import open_services
from desktop_app.ui.bridge import PoolExecutor
from desktop_app.ui.main_window import MainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time() - began, flush=True)
            app.quit()
        return False

app = QApplication(sys.argv)
services = open_services()
runner = services.make_runner(executor=PoolExecutor(QThreadPool.globalInstance()), warm_up=False)
window = MainWindow(services, runner, tray_enabled=False, on_quit=lambda: None)
probe = FirstPaint()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def cold_start(home: str) -> float:
    env = dict(os.environ, AD_ANALYSIS_HOME=home, PYTHONPATH=str(REPO))
    began = time.time()
    done = subprocess.run(
        [sys.executable, "-c", COLD_START, str(began)], env=env, capture_output=True, text=True, timeout=60
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from installed import compile_like_an_install

    compile_like_an_install()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="ad-analysis-ui-bench-")
    os.environ["AD_ANALYSIS_HOME"] = home
    sys.path.insert(0, str(REPO))
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.composition import open_services
    from desktop_app.core.types import JobStatus
    from desktop_app.ui.bridge import PoolExecutor
    from desktop_app.ui.main_window import MainWindow

    app = QApplication(sys.argv)
    services = open_services()
    pool = QThreadPool()
    runner = services.make_runner(executor=PoolExecutor(pool))
    window = MainWindow(services, runner, tray_enabled=False, on_quit=lambda: None)
    window.show()
    runner.start()

    # Progress latency: when the worker called progress, and when the card showed that snapshot.
    reported: dict[float, float] = {}
    latencies: list[float] = []
    real_report = runner.report

    def report(job_id: str, percent: float, stage: str, message: str, counts: dict[str, tuple[int, int]]) -> None:
        reported[round(percent, 6)] = time.perf_counter()  # the card shows the latest call's snapshot
        real_report(job_id, percent, stage, message, counts)

    runner.report = report  # type: ignore[method-assign]

    # The 5 ms probe: how late each tick comes, and in which stage.
    stalls: dict[str, list[float]] = {}
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        stage = next((c.job.stage for c in window.analysis.cards.values()), "idle")
        stalls.setdefault(stage, []).append(max(0.0, (now - last[0]) * 1000 - 5))
        last[0] = now

    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(tick)

    began = time.perf_counter()
    window.analysis.start_button.click()
    card = next(iter(window.analysis.cards.values()))
    start_to_visible = (time.perf_counter() - began) * 1000 if card.isVisible() else float("inf")
    real_apply = card._apply

    def apply(job: object) -> None:
        real_apply(job)  # type: ignore[arg-type]
        sent = reported.get(round(card.job.progress, 6))
        if sent is not None and card.job.status == JobStatus.RUNNING:
            latencies.append((time.perf_counter() - sent) * 1000)

    card._apply = apply  # type: ignore[method-assign]
    last[0] = time.perf_counter()
    probe.start()

    def check() -> None:
        if not card.job.status.is_active:
            probe.stop()
            runner.shutdown()
            app.quit()
        else:
            QTimer.singleShot(50, check)

    check()
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    status = card.job.status
    pool.waitForDone(5000)
    window.close()
    services.close()
    cold = [cold_start(tempfile.mkdtemp(prefix="ad-analysis-cold-")) for _ in range(3)]
    warm_folder = [cold_start(home) for _ in range(3)]  # a later launch: the data folder exists, with one job

    transcribing = stalls.get("Transcribing videos", [0.0])
    everything = [s for values in stalls.values() for s in values]
    figures = {
        "job_status": status.value,
        "stall_transcribing_p50_ms": round(statistics.median(transcribing), 2),
        "stall_transcribing_p99_ms": round(pct(transcribing, 99), 2),
        "stall_transcribing_max_ms": round(max(transcribing), 2),
        "stall_whole_job_max_ms": round(max(everything), 2),
        "probe_ticks_while_transcribing": len(transcribing),
        "start_to_visible_ms": round(start_to_visible, 2),
        "progress_latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "progress_latency_p95_ms": round(pct(latencies, 95), 1) if latencies else None,
        "progress_latency_max_ms": round(max(latencies), 1) if latencies else None,
        "cold_start_to_first_paint_s": round(statistics.median(cold), 3),
        "cold_start_existing_folder_s": round(statistics.median(warm_folder), 3),
    }
    print("UI responsiveness (real window, sample job)")
    print(
        f"  event-loop stalls while transcribing: p50 {figures['stall_transcribing_p50_ms']} ms, "
        f"p99 {figures['stall_transcribing_p99_ms']} ms, max {figures['stall_transcribing_max_ms']} ms "
        f"({len(transcribing)} probes; targets p99 < 16, max < 50)"
    )
    print(f"  Start click to job visible: {figures['start_to_visible_ms']} ms (target < 50)")
    print(
        f"  worker progress call to widget: p50 {figures['progress_latency_p50_ms']} ms, "
        f"p95 {figures['progress_latency_p95_ms']} ms, max {figures['progress_latency_max_ms']} ms (target < 250)"
    )
    print(
        f"  cold start to first painted window: {figures['cold_start_to_first_paint_s']} s on a new data folder, "
        f"{figures['cold_start_existing_folder_s']} s on an existing one (target < 1.5)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
