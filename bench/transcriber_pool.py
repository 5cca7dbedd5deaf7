"""Benchmark of the local transcriber pool: 12 files (the 7 bundled sample videos, then 5 of them again) through
the bundled tiny.en, (i) one Transcriber with its default threads, one file after another (today's stage), then
(ii) a TranscriberPool of single-threaded children with transcribe_many. Model loads are left out of both timings
(every child is started and has its model loaded before the clock starts); the first file in each child still pays
for its own first-use costs (PyAV, the voice detectors), as it would in the app. (iii) the peak resident memory of
all the children together, sampled every 20 ms.

Usage: python bench/transcriber_pool.py [--size 2] [--model tiny.en]   (prints figures, then one JSON object)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core.context import CancelToken  # noqa: E402
from desktop_app.engines.transcriber import Transcriber  # noqa: E402
from desktop_app.engines.transcriber_pool import TranscriberPool  # noqa: E402

FILES = 12
LOAD_TIMEOUT_S = 300.0


def wait_loaded(transcriber: Transcriber) -> None:
    """Block until the child has loaded its model: its "ready" message is waiting in the pipe (left there for
    Transcriber._receive to skip)."""
    conn = transcriber._conn
    if conn is None or not conn.poll(LOAD_TIMEOUT_S):
        raise RuntimeError("the transcriber child did not load its model")


@contextmanager
def peak_rss(pids: Callable[[], list[int]]) -> Iterator[dict[str, int]]:
    """Sample the summed resident memory of the processes `pids()` names while the block runs."""
    peak = {"bytes": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            total = 0
            for pid in pids():
                with suppress(psutil.Error):
                    total += psutil.Process(pid).memory_info().rss
            peak["bytes"] = max(peak["bytes"], total)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def one_after_another(paths: list[Path], model: str) -> dict[str, Any]:
    """(i) One Transcriber with its default threads."""
    transcriber = Transcriber(model)
    try:
        transcriber.warm_up()
        wait_loaded(transcriber)
        process = transcriber._process
        assert process is not None and process.pid is not None
        pid = process.pid
        with peak_rss(lambda: [pid]) as peak:
            began = time.monotonic()
            texts = [transcriber.transcribe(path, CancelToken())["text"] for path in paths]
            seconds = time.monotonic() - began
        return {"seconds": seconds, "texts": texts, "peak_rss": peak["bytes"], "threads": transcriber.cpu_threads}
    finally:
        transcriber.close()


def pooled(paths: list[Path], model: str, size: int) -> dict[str, Any]:
    """(ii) A pool of single-threaded children, transcribe_many over every file."""
    pool = TranscriberPool(model, size)
    try:
        pool.warm_up()
        for child in pool._children:
            wait_loaded(child)
        texts: dict[int, Any] = {}
        most = {"busy": 0}

        def on_each(index: int, outcome: dict[str, Any] | Exception) -> None:
            texts[index] = outcome["text"] if isinstance(outcome, dict) else outcome

        def watch_busy() -> list[int]:
            most["busy"] = max(most["busy"], pool.busy)
            return pool.pids()

        with peak_rss(watch_busy) as peak:
            began = time.monotonic()
            pool.transcribe_many(paths, CancelToken(), on_each)
            seconds = time.monotonic() - began
        return {
            "seconds": seconds,
            "texts": [texts[n] for n in range(len(paths))],
            "peak_rss": peak["bytes"],
            "most_busy": most["busy"],
            "size": pool.size,
        }
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2, help="children in the pool (0: Auto)")
    parser.add_argument("--model", default="tiny.en", help="a Whisper model on this machine (default the bundled one)")
    args = parser.parse_args()
    samples = sorted((REPO / "resources" / "sample_ads").glob("*.mp4"))
    paths = [samples[n % len(samples)] for n in range(FILES)]
    single = one_after_another(paths, args.model)
    pool = pooled(paths, args.model, args.size)
    same = sum(a == b for a, b in zip(single["texts"], pool["texts"], strict=True))
    mb = 1024 * 1024
    figures = {
        "files": FILES,
        "model": args.model,
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "single_threads": single["threads"],
        "single_s": round(single["seconds"], 2),
        "pool_size": pool["size"],
        "pool_s": round(pool["seconds"], 2),
        "speedup": round(single["seconds"] / pool["seconds"], 2),
        "pool_most_busy": pool["most_busy"],
        "single_peak_rss_mb": round(single["peak_rss"] / mb),
        "pool_peak_rss_mb": round(pool["peak_rss"] / mb),
        "same_text": same,
    }
    print(f"Local transcription: {FILES} files (7 sample ads, then 5 again), {args.model}, {os.cpu_count()} cores")
    print(f"  (i)  one transcriber, {single['threads']} threads, one file after another: {figures['single_s']} s")
    print(
        f"  (ii) pool of {pool['size']} single-threaded children, transcribe_many: {figures['pool_s']} s "
        f"({figures['speedup']}x; at most {pool['most_busy']} children busy at once)"
    )
    print(
        f"  (iii) peak resident memory: the pool's children together {figures['pool_peak_rss_mb']} MB "
        f"(one transcriber: {figures['single_peak_rss_mb']} MB)"
    )
    print(f"  transcripts with the same text in both runs: {same} of {FILES}")
    print(f"  load average {figures['load_average_1min']} (a busy machine narrows the difference)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
