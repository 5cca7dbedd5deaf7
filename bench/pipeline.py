"""Benchmark of the analysis pipeline on the sample ads, offline.

Prints: end-to-end time of the sample job (transcriber pool, visual look on), the time a plain faster-whisper
script with default threads takes on the same files with the same model and options in the same run, their
ratio (target <= 0.75 with the visual look), time per stage, peak memory of the app and all its children
(target < 800 MB), cancel latency p95 in each stage (target < 1 s), and the visual look alone per second of
video. Last line: one JSON object with the figures.

Then a folder job of 24 different videos against the plain script on the same files, and remote transcription
through the whole pipeline: a folder job of 12 ads whose transcription goes to a
loopback OpenAI-compatible server answering each upload after a fixed delay, with 1 and 4 uploads in flight
(target: 4 in flight at least 3x faster in the transcription stage).

Usage: python bench/pipeline.py [--runs N] [--server-delay S]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


from desktop_app.composition import AppServices, open_services, resources_dir  # noqa: E402
from desktop_app.core.settings import Settings  # noqa: E402
from desktop_app.core.types import JobStatus, SourceSpec  # noqa: E402
from desktop_app.core.updates import JobUpdate  # noqa: E402
from desktop_app.engines.transcriber import resolve_model  # noqa: E402
from tests.servers import GraphDouble, OpenAIDouble, TranscriptionDouble, VideoHost, serve  # noqa: E402
from tests.test_llm import VALID  # noqa: E402

SAMPLES = resources_dir() / "sample_ads"


class PeakMemory:
    """Samples the RSS of this process and its children every 100 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


BARE = """
import os, sys, time
began = time.perf_counter()
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2)
for path in sys.argv[2:]:
    segments, _ = model.transcribe(path, word_timestamps=True, vad_filter=True, language="en")
    for _ in segments:
        pass
print(time.perf_counter() - began)
"""


def bare_whisper(files: list[Path]) -> float:
    """What the pipeline cannot avoid: import faster-whisper, load the model, transcribe every file the
    same way. Timed inside its own process, so its model does not count in the app's memory."""
    args = [sys.executable, "-c", BARE, resolve_model("tiny.en", None), *map(str, files)]
    return float(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


@contextmanager
def app_in(home: Path) -> Iterator[AppServices]:
    app = open_services(home)
    try:
        yield app
    finally:
        app.close()


def wait_status(app: AppServices, job_id: str, statuses: set[JobStatus], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while app.store.get(job_id).status not in statuses:
        if time.monotonic() > deadline:
            raise TimeoutError(job_id)
        time.sleep(0.005)


def sample_job(home: Path, look: bool = True, source: SourceSpec | None = None) -> tuple[float, dict[str, float], int]:
    """A fresh app runs the sample job (or `source`): seconds end to end, seconds per stage, peak bytes. `look`
    False switches the visual look off (Settings' Frames), to see what it costs."""
    home.mkdir(parents=True)
    Settings(look_at_videos=look).save(home / "settings.json")
    with app_in(home) as app, PeakMemory() as memory:
        finished = threading.Event()
        app.listeners.add(lambda u: finished.set() if isinstance(u, JobUpdate) and not u.job.status.is_active else None)
        runner = app.make_runner()
        runner.start()
        began = time.perf_counter()
        job_id = app.service.start_analysis(source or SourceSpec("sample")).job_id
        finished.wait(300)  # woken by the runner, so the bench adds no polling load of its own
        elapsed = time.perf_counter() - began
        runner.shutdown()
        job = app.store.get(job_id)
        assert job.status == JobStatus.COMPLETED, job.error
        events = [e for e in app.store.events(job_id) if e.kind in ("stage", "completed")]
    stages = {}
    for here, after in itertools.pairwise(events):
        stages[here.stage] = round((after.at - here.at).total_seconds(), 3)
    return elapsed, stages, memory.peak


REMOTE_ADS = 12
FOLDER_ADS = 24


def folder_benchmark(root: Path) -> dict[str, float]:
    """A folder job of 24 different videos, visual look on, against the plain script on the same files."""
    videos = distinct_videos(root / "folder-videos", FOLDER_ADS)
    files = sorted(videos.glob("*.mp4"))
    bare = bare_whisper(files)
    elapsed, stages, peak = sample_job(root / "folder-job", source=SourceSpec("folder", {"path": str(videos)}))
    return {
        "ads": FOLDER_ADS,
        "job_s": round(elapsed, 2),
        "bare_faster_whisper_s": round(bare, 2),
        "ratio": round(elapsed / bare, 3),
        "per_ad_s": round(elapsed / FOLDER_ADS, 3),
        "transcribe_s": round(stages.get("transcribe", 0.0), 2),
        "peak_memory_mb": round(peak / 1e6, 1),
    }


def visual_look(files: list[Path], root: Path) -> dict[str, float]:
    """The visual look alone (keyframes, poster, pacing, OCR of the keyframes) on the sample videos: seconds
    of work per second of video, OCR child start included once."""
    import av

    from desktop_app.core.context import CancelToken
    from desktop_app.engines.visual_reader import VisualReader

    video_s = 0.0
    for path in files:
        with av.open(str(path)) as container:
            video_s += float(container.duration or 0) / 1e6
    reader = VisualReader(root / "visuals")
    began = time.perf_counter()
    lines = sum(len(reader.look(path, f"{n:064d}", CancelToken())["screen_text"]) for n, path in enumerate(files))
    seconds = time.perf_counter() - began
    reader.close()
    return {
        "seconds": round(seconds, 2),
        "video_s": round(video_s, 1),
        "per_video_second_ms": round(1000 * seconds / video_s, 1),
        "text_lines": lines,
    }


def distinct_videos(folder: Path, count: int) -> Path:
    """`count` different video files made from the samples (a few trailing bytes each, which players ignore),
    so the job uploads every one instead of sharing transcripts between identical files."""
    folder.mkdir(parents=True)
    samples = sorted(SAMPLES.glob("*.mp4"))
    for n in range(count):
        data = samples[n % len(samples)].read_bytes()
        (folder / f"ad-{n:02d}.mp4").write_bytes(data + bytes(8 + n))
    return folder


def remote_job(home: Path, videos: Path, delay_s: float, in_flight: int) -> dict[str, float]:
    """A fresh app runs a folder job whose transcription goes to a loopback server: seconds end to end and in
    the transcription stage, and the most uploads the server saw at once."""
    server = TranscriptionDouble()
    server.delay_s = delay_s
    with serve(server.handle) as url:
        home.mkdir(parents=True)
        # The visual look off: this measures how uploads in flight speed up the transcription (with it on, the
        # look of 12 videos on one thread becomes the slower half of the stage).
        Settings(transcribe_url=f"{url}/v1", transcribe_uploads=in_flight, look_at_videos=False).save(
            home / "settings.json"
        )
        os.environ["AD_ANALYSIS_TRANSCRIBE_KEY"] = "bench-key"
        with app_in(home) as app:
            runner = app.make_runner()
            runner.start()
            began = time.perf_counter()
            job_id = app.service.start_analysis(SourceSpec("folder", {"path": str(videos)})).job_id
            wait_status(app, job_id, {JobStatus.COMPLETED, JobStatus.FAILED})
            elapsed = time.perf_counter() - began
            runner.shutdown()
            job = app.store.get(job_id)
            assert job.status == JobStatus.COMPLETED and not job.failed_ads, job.error
            events = [e for e in app.store.events(job_id) if e.kind in ("stage", "completed")]
    stages = {here.stage: (after.at - here.at).total_seconds() for here, after in itertools.pairwise(events)}
    return {
        "job_s": round(elapsed, 2),
        "transcribe_s": round(stages.get("transcribe", 0.0), 2),
        "most_at_once": server.most_at_once,
    }


def remote_benchmark(root: Path, delay_s: float) -> dict[str, object]:
    videos = distinct_videos(root / "remote-videos", REMOTE_ADS)
    one = remote_job(root / "remote-1", videos, delay_s, 1)
    four = remote_job(root / "remote-4", videos, delay_s, 4)
    return {
        "ads": REMOTE_ADS,
        "server_delay_s": delay_s,
        "in_flight_1": one,
        "in_flight_4": four,
        "transcribe_speedup_4_vs_1": round(one["transcribe_s"] / four["transcribe_s"], 2),
        "job_speedup_4_vs_1": round(one["job_s"] / four["job_s"], 2),
    }


def cancel_latency(app: AppServices, source: SourceSpec, stage: str, runs: int) -> list[float]:
    latencies = []
    runner = app.make_runner()
    runner.start()
    for n in range(runs):
        spec = SourceSpec(source.kind, {**source.params, "reanalyse": True, "run": n})
        job_id = app.service.start_analysis(spec).job_id
        deadline = time.monotonic() + 120
        while app.store.get(job_id).stage != stage:
            if time.monotonic() > deadline or not app.store.get(job_id).status.is_active:
                raise RuntimeError(f"job never reached {stage}: {app.store.get(job_id)}")
            time.sleep(0.005)
        time.sleep(0.3)
        began = time.monotonic()
        app.service.cancel(job_id)
        wait_status(app, job_id, {JobStatus.CANCELLED, JobStatus.COMPLETED, JobStatus.FAILED})
        latencies.append(time.monotonic() - began)
    runner.shutdown()
    return latencies


def cancel_benchmarks(root: Path, runs: int) -> dict[str, list[float]]:
    files = {f"{n}.mp4": (SAMPLES / f"90000000000000{n}.mp4").read_bytes() for n in range(1, 8)}
    host = VideoHost(files)
    host.slow_bps = 30_000
    llm = OpenAIDouble(VALID)
    llm.delay_s = 3.0
    graph = GraphDouble("bench-token", ads=5000)
    graph.delay_s = 0.5
    out: dict[str, list[float]] = {}
    with serve(host.handle) as video_url, serve(llm.handle) as llm_url, serve(graph.handle) as graph_url:
        os.environ.update({"META_GRAPH_URL": graph_url, "META_ACCESS_TOKEN": "bench-token"})
        slow_urls = [f"{video_url}/slow/{name}" for name in files]
        fast_urls = [f"{video_url}/v/{name}" for name in files]
        meta = SourceSpec("meta_search", {"terms": "x", "countries": ["DE"], "max_ads": 5000, "page_size": 50})
        cases = [
            ("fetch", meta, "Fetching Facebook ads"),
            ("download", SourceSpec("urls", {"urls": slow_urls}), "Downloading videos"),
            ("transcribe", SourceSpec("urls", {"urls": fast_urls}), "Transcribing videos"),
        ]
        with app_in(root / "cancel") as app:
            for name, source, stage in cases:
                out[name] = cancel_latency(app, source, stage, runs)
        os.environ["OPENAI_BASE_URL"] = f"{llm_url}/v1"
        with app_in(root / "cancel-llm") as app:
            out["analyse"] = cancel_latency(app, SourceSpec("sample"), "Analyzing content with AI", runs)
        del os.environ["OPENAI_BASE_URL"]
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--server-delay", type=float, default=1.0, help="seconds the transcription server takes")
    args = parser.parse_args()
    files = sorted(SAMPLES.glob("*.mp4"))
    for path in files:
        path.read_bytes()  # same disk cache for both sides
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        e2e, bare, per_stage, peaks, unlooked, unlooked_peaks = [], [], [], [], [], []
        for n in range(args.runs):
            bare.append(bare_whisper(files))
            elapsed, stages, peak = sample_job(root / f"e2e-{n}")
            e2e.append(elapsed)
            per_stage.append(stages)
            peaks.append(peak)
            elapsed, _, peak = sample_job(root / f"e2e-unlooked-{n}", look=False)
            unlooked.append(elapsed)
            unlooked_peaks.append(peak)
        cancels = cancel_benchmarks(root, max(5, args.runs))
        remote = remote_benchmark(root, args.server_delay)
        folder = folder_benchmark(root)
        look = visual_look(files, root)

    e2e_s, bare_s = statistics.median(e2e), statistics.median(bare)
    stage_names = list(per_stage[0])
    figures = {
        "sample_job_s": round(e2e_s, 2),
        "bare_faster_whisper_s": round(bare_s, 2),
        "ratio": round(e2e_s / bare_s, 3),
        "sample_job_without_look_s": round(statistics.median(unlooked), 2),
        "ratio_without_look": round(statistics.median(unlooked) / bare_s, 3),
        "peak_memory_without_look_mb": round(max(unlooked_peaks) / 1e6, 1),
        "stage_s": {name: round(statistics.median(s.get(name, 0.0) for s in per_stage), 3) for name in stage_names},
        "peak_memory_mb": round(max(peaks) / 1e6, 1),
        "cancel_p95_ms": {name: round(p95(v) * 1000, 1) for name, v in cancels.items()},
        "runs": args.runs,
        "remote_transcription": remote,
        "folder_job": folder,
        "visual_look": look,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    print(f"Pipeline benchmark ({len(files)} sample ads, median of {args.runs} runs)")
    print(f"  sample job end to end     {figures['sample_job_s']:6.2f} s")
    print(f"  bare faster-whisper       {figures['bare_faster_whisper_s']:6.2f} s  (model load + the same files)")
    print(f"  ratio                     {figures['ratio']:6.3f}   (target <= 0.75 with the visual look, 0.6 without)")
    unlooked_mb = figures["peak_memory_without_look_mb"]
    print(
        f"  without the visual look   {figures['sample_job_without_look_s']:6.2f} s, "
        f"ratio {figures['ratio_without_look']:.3f} (target <= 0.6), peak {unlooked_mb:.0f} MB"
    )
    for name, seconds in figures["stage_s"].items():
        print(f"    {name:<36} {seconds:6.3f} s")
    print(f"  peak memory (app + all)   {figures['peak_memory_mb']:6.1f} MB (target < 800)")
    for name, ms in figures["cancel_p95_ms"].items():
        print(f"  cancel p95 in {name:<11} {ms:7.1f} ms (target < 1000)")
    print(
        f"  visual look alone         {look['seconds']:6.2f} s for {look['video_s']} s of video: "
        f"{look['per_video_second_ms']} ms per second of video ({look['text_lines']} on-screen lines read)"
    )
    print(
        f"Folder job of {folder['ads']} different videos (visual look on): {folder['job_s']:.2f} s "
        f"({folder['per_ad_s']:.2f} s per ad), bare faster-whisper {folder['bare_faster_whisper_s']:.2f} s, "
        f"ratio {folder['ratio']:.3f}, peak {folder['peak_memory_mb']:.0f} MB"
    )
    one, four = remote["in_flight_1"], remote["in_flight_4"]
    print(f"Remote transcription: a folder job of {remote['ads']} ads, a loopback server taking {args.server_delay} s")
    print(f"  1 upload in flight        {one['job_s']:6.2f} s job, {one['transcribe_s']:6.2f} s transcribing")
    print(f"  4 uploads in flight       {four['job_s']:6.2f} s job, {four['transcribe_s']:6.2f} s transcribing")
    print(f"    (the server saw at most {one['most_at_once']} and {four['most_at_once']} uploads at once)")
    print(f"  transcription speed-up    {remote['transcribe_speedup_4_vs_1']:6.2f}x (target >= 3)")
    print(f"  load average (1 min)      {figures['load_average_1min']:6.1f} on {os.cpu_count()} cores")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
