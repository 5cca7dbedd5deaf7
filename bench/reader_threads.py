"""How many BLAS threads the offline analyser's readers should use: their time per ad with numpy's OpenBLAS on one
thread and on its default (one per core), on a quiet machine and with one or every core kept busy, as the
transcriber children keep them busy while a job analyses ads ahead.

Each setting is measured in a fresh process (OpenBLAS reads OPENBLAS_NUM_THREADS once, when numpy loads), reading
the first 40 dev.json scripts one at a time after one warm-up read, through both readers as the app averages them
(engines/heuristic/reader.py, readers()). The busy cores are spinning processes, each one core's worth of work like
one single-threaded transcriber child. Last line: one JSON object with the figures.

Usage: python bench/reader_threads.py
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = 40


def measure() -> None:
    """In the child: ms per ad, printed as the last line."""
    sys.path.insert(0, str(REPO))
    from desktop_app.engines.heuristic import reader

    texts = [e["script"] for e in json.loads((REPO / "tests/data/corpus/dev.json").read_text(encoding="utf-8"))]
    both = reader.readers()
    if both is None:
        sys.exit("The shipped readers are missing.")
    both.read(texts[:1])
    began = time.perf_counter()
    for text in texts[:SCRIPTS]:
        both.read([text])
    print(round(1000 * (time.perf_counter() - began) / SCRIPTS, 1))


def spin(stop: multiprocessing.synchronize.Event) -> None:
    while not stop.is_set():
        sum(range(10_000))


def ms_per_ad(threads: str | None, busy: int) -> float:
    """The readers' ms per ad in a fresh process with OPENBLAS_NUM_THREADS=`threads` (None: numpy's default) while
    `busy` cores spin."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = threads
    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=spin, args=(stop,)) for _ in range(busy)]
    for p in spinners:
        p.start()
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--measure"], env=env, capture_output=True, text=True, check=True
        )
    finally:
        stop.set()
        for p in spinners:
            p.join()
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    cores = os.cpu_count() or 1
    loads = sorted({0, 1, cores})
    figures: dict[str, dict[str, float]] = {}
    print(f"Offline analyser's two readers, ms an ad ({SCRIPTS} dev.json scripts, {cores} cores)")
    print(f"  {'cores busy':<12} {'default threads':>16} {'1 thread':>10}")
    for busy in loads:
        default, one = ms_per_ad(None, busy), ms_per_ad("1", busy)
        figures[str(busy)] = {"default_threads_ms": default, "one_thread_ms": one}
        print(f"  {busy:<12} {default:16.1f} {one:10.1f}")
    print(json.dumps({"cores": cores, "scripts": SCRIPTS, "ms_per_ad_by_busy_cores": figures}))


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        measure()
    else:
        main()
