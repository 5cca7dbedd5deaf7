"""How bench/pipeline.py prints its figures: readable lines with their targets, then one JSON object with them."""

from __future__ import annotations

import json
import os
from typing import Any


def report(f: dict[str, Any], server_delay: float, samples: int, open_s: float) -> None:
    """The figures as lines a person reads, then as one JSON object (the last line)."""
    look, folder, remote = f["visual_look"], f["folder_job"], f["remote_transcription"]
    print(f"Pipeline benchmark ({samples} sample ads, median of {f['runs']} runs)")
    print(f"  sample job end to end     {f['sample_job_s']:6.2f} s, ratio {f['ratio']:.3f} (target <= 0.75)")
    print(f"  without the visual look   {f['sample_job_without_look_s']:6.2f} s, ratio {f['ratio_without_look']:.3f}")
    print(
        f"  without the look, app open {f['open_app_without_look_s']:5.2f} s, ratio {f['open_app_ratio']:.3f} "
        f"(started {open_s:.0f} s after the app opened: the models loaded)"
    )
    print(f"  one transcriber, look on  {f['one_transcriber_job_s']:6.2f} s  (Settings' pool size 1)")
    print(f"  bare faster-whisper       {f['bare_faster_whisper_s']:6.2f} s  (model load + the same files)")
    for name, seconds in f["stage_s"].items():
        print(f"    {name:<36} {seconds:6.3f} s")
    looks = (("with the look", "", 800), ("without it", "without_look_", 800))
    looks += (("1 transcriber", "one_transcriber_", 600),)
    for label, prefix, target in looks:
        print(
            f"  peak memory {label:<14}PSS {f[prefix + 'peak_pss_mb']:6.1f} MB (target < {target}), "
            f"RSS {f[prefix + 'peak_memory_mb']:6.1f} MB; per process RSS/PSS MB, CPU s: "
            f"{', '.join(f[prefix + 'per_process_mb'])}"
        )
    for name, ms in f["cancel_p95_ms"].items():
        print(f"  cancel p95 in {name:<11} {ms:7.1f} ms (target < 1000)")
    print(f"  visual look alone         {look['seconds']:6.2f} s for {look['video_s']} s of video: ", end="")
    print(f"{look['per_video_second_ms']} ms per second of video ({look['text_lines']} on-screen lines read)")
    print(
        f"Folder job of {folder['ads']} different videos (visual look on): {folder['job_s']:.2f} s, bare "
        f"{folder['bare_faster_whisper_s']:.2f} s, ratio {folder['ratio']:.3f}, peak PSS {folder['peak_pss_mb']:.0f} "
        f"MB (RSS {folder['peak_memory_mb']:.0f} MB); per process: {', '.join(folder['per_process_mb'])}"
    )
    one, four = remote["in_flight_1"], remote["in_flight_4"]
    print(f"Remote transcription: a folder job of {remote['ads']} ads, a loopback server taking {server_delay} s")
    for n, run in (("1", one), ("4", four)):
        print(f"  {n} in flight  {run['job_s']:6.2f} s job, {run['transcribe_s']:6.2f} s transcribing")
    print(
        f"  transcription speed-up    {remote['transcribe_speedup_4_vs_1']:6.2f}x (target >= 3; the server saw at most "
        f"{one['most_at_once']} and {four['most_at_once']} uploads at once)"
    )
    llm = f["llm_analysis"]
    print(f"LLM analysis: the sample job, a loopback LLM taking {llm['server_delay_s']} s an ad")
    runs = (("one at a time, after", llm["one_at_a_time_after_transcription"]), ("asked ahead", llm["ahead"]))
    for label, run in runs:
        print(
            f"  {label:<21} {run['job_s']:6.2f} s job: {run['transcribe_s']:5.2f} s transcribing, then "
            f"{run['analyse_s']:5.2f} s analysing ({run['most_at_once']} requests at most at once)"
        )
    print(f"  job speed-up              {llm['job_speedup']:6.2f}x")
    print(f"  load average (1 min)      {f['load_average_1min']:6.1f} on {os.cpu_count()} cores\n{json.dumps(f)}")
