"""Peak memory of a benchmark run: this process and its children sampled every 100 ms, summed RSS and PSS (PSS
splits the pages the processes share, so its sum is what a job costs), each process's peaks and CPU seconds.
Used by bench/pipeline.py; imported only by its main script, never by the children it spawns."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import psutil


class PeakMemory:
    """Samples this process and its children every 100 ms: peaks of the summed RSS and PSS, each process's peaks and
    CPU seconds (the app's from the start), by `role(pid)`. PSS makes the kernel walk every page (every 100 ms it
    took a quarter of a core from the job), so it is read near the RSS peak only, at most every PSS_EVERY_S;
    finding children reads every process on the machine, so their list is refreshed every LIST_EVERY_S."""

    PSS_EVERY_S, LIST_EVERY_S = 0.5, 1.0

    def __init__(self, role: Callable[[int], str] | None = None) -> None:
        self.peak = self.peak_pss = 0
        self.by_process: dict[int, list[Any]] = {}  # pid -> [role, peak RSS, peak PSS, CPU s at start, CPU s]
        self._role = role or (lambda pid: "other")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me, processes, listed_at, pss_at = psutil.Process(), [], -1.0, -1.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now - listed_at >= self.LIST_EVERY_S:
                processes, listed_at = [me, *me.children(recursive=True)], now
            alive = [p for p in processes if self._sample(p, p.pid == me.pid)]
            rss = sum(self.by_process[p.pid][5] for p in alive)
            self.peak = max(self.peak, rss)
            if rss >= 0.95 * self.peak and now - pss_at >= self.PSS_EVERY_S:
                pss_at, total = now, 0
                for proc in alive:
                    with suppress(psutil.Error):
                        total += (pss := int(proc.memory_full_info().pss))
                        self.by_process[proc.pid][2] = max(self.by_process[proc.pid][2], pss)
                self.peak_pss = max(self.peak_pss, total)
            self._stop.wait(0.1)

    def _sample(self, proc: psutil.Process, is_app: bool) -> bool:
        """Note the process's RSS (row[5]) and CPU time; False when it is gone."""
        try:
            rss, times = proc.memory_info().rss, proc.cpu_times()
        except psutil.Error:
            return False
        spent = times.user + times.system
        row = self.by_process.setdefault(proc.pid, ["other", 0, 0, spent if is_app else 0.0, 0.0, 0])
        if row[0] == "other":  # a child's role is known once its engine has its pid
            row[0] = "app" if is_app else self._role(proc.pid)
        row[1], row[4], row[5] = max(row[1], rss), spent - row[3], rss
        return True

    def per_process_mb(self) -> list[str]:
        """Each process's peaks and CPU time as "role rss/pss MB cpu s", the app first."""
        rows = sorted(self.by_process.values(), key=lambda r: (r[0] != "app", r[0]))
        return [f"{r[0]} {r[1] / 1e6:.0f}/{r[2] / 1e6:.0f} {r[4]:.1f}s" for r in rows]

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def memory(prefix: str, watches: list[PeakMemory]) -> dict[str, object]:
    """The peaks of several runs: summed RSS and PSS, and the processes of the run with the highest PSS."""
    worst = max(watches, key=lambda m: m.peak_pss)
    return {
        f"{prefix}peak_memory_mb": round(max(m.peak for m in watches) / 1e6, 1),
        f"{prefix}peak_pss_mb": round(worst.peak_pss / 1e6, 1),
        f"{prefix}per_process_mb": worst.per_process_mb(),
    }
