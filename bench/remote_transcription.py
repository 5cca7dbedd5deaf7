"""Benchmark of remote transcription: 12 ads (the 7 bundled sample videos, reused) through a loopback
OpenAI-compatible transcription server that answers each upload after a fixed delay, as a busy server farm
would. Wall time one file after another (today's stage), then with 1 and 4 uploads in flight.

Usage: python bench/remote_transcription.py [--delay 1.0]   (prints figures, then one JSON object as the last line)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core.context import CancelToken  # noqa: E402
from desktop_app.engines.audio_extract import extract_chunks  # noqa: E402
from desktop_app.engines.remote_transcriber import RemoteTranscriber  # noqa: E402
from tests.servers import serve  # noqa: E402
from tests.transcription_double import TranscriptionDouble  # noqa: E402

ADS = 12
TARGET_SPEEDUP = 3.0


def run(paths: list[Path], delay_s: float, in_flight: int, batch: bool) -> dict[str, float]:
    """Transcribe every path against a fresh server: wall time, CPU time of this process (extraction, the client
    and the server double alike), peak uploads at once, and how many transcripts came back complete."""
    fake = TranscriptionDouble()
    fake.delay_s = delay_s
    with serve(fake.handle) as url:
        engine = RemoteTranscriber(f"{url}/v1", "bench-key", uploads_in_flight=in_flight)
        engine.warm_up()
        transcripts: list[object] = []
        began, cpu = time.monotonic(), time.process_time()
        if batch:
            engine.transcribe_many(paths, CancelToken(), lambda index, outcome: transcripts.append(outcome))
        else:
            transcripts = [engine.transcribe(path, CancelToken()) for path in paths]
        seconds, cpu_s = time.monotonic() - began, time.process_time() - cpu
        engine.close()
    complete = sum(isinstance(t, dict) and bool(t["segments"]) for t in transcripts)
    return {
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu_s, 2),
        "most_at_once": fake.most_at_once,
        "transcribed": complete,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=1.0, help="seconds the server takes per upload")
    delay_s = parser.parse_args().delay
    samples = sorted((REPO / "resources" / "sample_ads").glob("*.mp4"))
    paths = [samples[n % len(samples)] for n in range(ADS)]
    began = time.monotonic()
    for path in samples:  # PyAV and the encoder loaded once, and the cost of extraction alone measured
        extract_chunks(path, CancelToken())
    extract_s = (time.monotonic() - began) / len(samples)

    sequential = run(paths, delay_s, 1, batch=False)
    one = run(paths, delay_s, 1, batch=True)
    four = run(paths, delay_s, 4, batch=True)
    speedup = one["seconds"] / four["seconds"]
    figures = {
        "ads": ADS,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cores": os.cpu_count(),
        "server_delay_s": delay_s,
        "extract_s_per_ad": round(extract_s, 3),
        "one_after_another_s": sequential["seconds"],
        "in_flight_1_s": one["seconds"],
        "in_flight_4_s": four["seconds"],
        "in_flight_4_cpu_s": four["cpu_s"],
        "most_at_once_1": one["most_at_once"],
        "most_at_once_4": four["most_at_once"],
        "speedup_4_vs_1": round(speedup, 2),
        "speedup_4_vs_one_after_another": round(sequential["seconds"] / four["seconds"], 2),
        "all_transcribed": all(r["transcribed"] == ADS for r in (sequential, one, four)),
        "target_met": speedup >= TARGET_SPEEDUP,
    }
    print(f"Remote transcription: {ADS} ads, a loopback server answering each upload after {delay_s:.1f} s")
    print(f"  audio extraction alone: {figures['extract_s_per_ad']} s per ad (PyAV, mono 16 kHz MP3)")
    print(f"  one after another (transcribe per ad): {sequential['seconds']} s")
    print(f"  1 upload in flight (transcribe_many):  {one['seconds']} s (at most {one['most_at_once']} at once)")
    print(f"  4 uploads in flight (transcribe_many): {four['seconds']} s (at most {four['most_at_once']} at once)")
    print(
        f"  CPU time in the 4-in-flight run: {four['cpu_s']} s; load average {figures['load_average_1min']} on "
        f"{figures['cores']} cores (a busy machine starves extraction and narrows the speed-up)"
    )
    print(f"  speed-up 4 vs 1 in flight: {figures['speedup_4_vs_1']}x (target at least {TARGET_SPEEDUP:.0f}x)")
    print(f"  every ad transcribed in every run: {figures['all_transcribed']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
