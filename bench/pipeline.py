"""Benchmark of the analysis pipeline on the sample ads, offline.

Prints: end-to-end time of the sample job (transcriber pool, visual look on), the time a plain faster-whisper
script with default threads takes on the same files with the same model and options in the same run, their
ratio (target <= 0.75 with the visual look, <= 0.6 without), time per stage, peak memory of the app and all its
children (target < 800 MB with the pool's two transcribers; < 600 MB with one, the setting #13's target was set
for), each process's peak memory and CPU seconds, cancel latency p95 in each stage (target < 1 s), and the visual
look alone per second of video. Last line: one JSON object with the figures. The sample job starts as the app
opens, its transcriber children still loading their models (as the plain script loads its own); without the look
it also runs in an app open for a few seconds, the children's models loaded, as when someone clicks Start.

Memory is printed twice. Summed RSS counts each page the processes share (Python, numpy, PyAV, ONNX Runtime) once
per process; PSS splits shared pages among them, so its sum is what the job costs: the 800 MB target is checked
against the PSS peak, the RSS peak stays beside it for older figures. The bench imports its modules only as the
main script: spawned children import that script again, and the app's entry script imports next to nothing.

Then a folder job of 24 different videos against the plain script on the same files, and remote transcription
through the whole pipeline: a folder job of 12 ads whose transcription goes to a loopback OpenAI-compatible server
answering each upload after a fixed delay, 1 and 4 uploads in flight (target: 4 at least 3x faster in the stage).
Last, the sample job analysed by an LLM behind a loopback OpenAI-compatible server that answers each ad after the
same delay: one ad at a time once every ad is transcribed (as before analyses_ahead.py), and each ad asked as soon as
it is transcribed, several at once.

Usage: python bench/pipeline.py [--runs N] [--server-delay S]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SAMPLES = REPO / "resources" / "sample_ads"

# Only as the main script: spawned children import it again, as __mp_main__ (see the module docstring).
if __name__ == "__main__":
    from peak_memory import PeakMemory, memory
    from pipeline_report import report

    from desktop_app.composition import AppServices, open_services
    from desktop_app.core.settings import Settings
    from desktop_app.core.types import JobStatus, SourceSpec
    from desktop_app.core.updates import JobUpdate
    from desktop_app.engines.transcriber import resolve_model
    from desktop_app.engines.transcriber_pool import TranscriberPool
    from desktop_app.pipeline import analyses_ahead
    from desktop_app.pipeline.analyse import AnalyseStage
    from tests.graph_double import GraphDouble
    from tests.servers import OpenAIDouble, VideoHost, serve
    from tests.test_llm import VALID
    from tests.transcription_double import TranscriptionDouble


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


def roles(app: AppServices) -> Callable[[int], str]:
    """Which engine a child process is: whisper (the pool's), ocr, or other (the multiprocessing resource tracker)."""
    pool, visuals = app.pipeline.transcriber, app.pipeline.visuals
    whisper = pool.pids if isinstance(pool, TranscriberPool) else list
    return lambda pid: "whisper" if pid in whisper() else "ocr" if visuals and pid == visuals.pid else "other"


def stage_seconds(app: AppServices, job_id: str) -> dict[str, float]:
    events = [e for e in app.store.events(job_id) if e.kind in ("stage", "completed")]
    return {here.stage: round((after.at - here.at).total_seconds(), 3) for here, after in itertools.pairwise(events)}


def sample_job(
    home: Path,
    look: bool = True,
    source: SourceSpec | None = None,
    pool: int = 0,
    open_s: float = 0.0,
    prepared: bool = False,
) -> tuple[float, dict[str, float], PeakMemory]:
    """A fresh app runs the sample job (or `source`): seconds end to end, seconds per stage, its memory. `look`
    False switches the visual look off (Settings' Frames), to see what it costs; `pool` sets the transcriber
    pool's size (0: Auto, two children here). The job starts as the app opens, while the children load their
    models, or `open_s` seconds later, as when someone clicks Start in an app already open."""
    if not prepared:
        home.mkdir(parents=True)
        Settings(look_at_videos=look, transcriber_pool=pool).save(home / "settings.json")
    with app_in(home) as app, PeakMemory(roles(app)) as memory:
        finished = threading.Event()
        app.listeners.add(lambda u: finished.set() if isinstance(u, JobUpdate) and not u.job.status.is_active else None)
        runner = app.make_runner()
        runner.start()
        time.sleep(open_s)
        began = time.perf_counter()
        job_id = app.service.start_analysis(source or SourceSpec("sample")).job_id
        finished.wait(300)  # woken by the runner, so the bench adds no polling load of its own
        elapsed = time.perf_counter() - began
        runner.shutdown()
        job = app.store.get(job_id)
        assert job.status == JobStatus.COMPLETED, job.error
        return elapsed, stage_seconds(app, job_id), memory


REMOTE_ADS, FOLDER_ADS = 12, 24
OPEN_S = 3.0  # an app open this long has its transcriber children's models loaded (they take about 1 s)


def folder_benchmark(root: Path) -> dict[str, object]:
    """A folder job of 24 different videos, visual look on, against the plain script on the same files."""
    videos = distinct_videos(root / "folder-videos", FOLDER_ADS)
    files = sorted(videos.glob("*.mp4"))
    bare = bare_whisper(files)
    elapsed, stages, watch = sample_job(root / "folder-job", source=SourceSpec("folder", {"path": str(videos)}))
    job = {"ads": FOLDER_ADS, "job_s": round(elapsed, 2), "bare_faster_whisper_s": round(bare, 2)}
    job |= {"ratio": round(elapsed / bare, 3), "per_ad_s": round(elapsed / FOLDER_ADS, 3)}
    return job | {"transcribe_s": round(stages.get("transcribe", 0.0), 2), **memory("", [watch])}


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
    figures = {"seconds": round(seconds, 2), "video_s": round(video_s, 1), "text_lines": lines}
    return figures | {"per_video_second_ms": round(1000 * seconds / video_s, 1)}


def distinct_videos(folder: Path, count: int) -> Path:
    """`count` different video files made from the samples (a few trailing bytes each, which players ignore),
    so the job uploads every one instead of sharing transcripts between identical files."""
    folder.mkdir(parents=True)
    samples = sorted(SAMPLES.glob("*.mp4"))
    for n in range(count):
        (folder / f"ad-{n:02d}.mp4").write_bytes(samples[n % len(samples)].read_bytes() + bytes(8 + n))
    return folder


def remote_job(home: Path, videos: Path, delay_s: float, in_flight: int) -> dict[str, float]:
    """A fresh app runs a folder job whose transcription goes to a loopback server: seconds end to end and in
    the transcription stage, and the most uploads the server saw at once."""
    server = TranscriptionDouble()
    server.delay_s = delay_s
    with serve(server.handle) as url:
        home.mkdir(parents=True)
        # The look off: it measures uploads in flight (12 looks on one thread would be the slower half of the stage).
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
            stages = stage_seconds(app, job_id)
    figures = {"job_s": round(elapsed, 2), "transcribe_s": stages.get("transcribe", 0.0)}
    return figures | {"most_at_once": server.most_at_once}


def remote_benchmark(root: Path, delay_s: float) -> dict[str, object]:
    videos = distinct_videos(root / "remote-videos", REMOTE_ADS)
    one = remote_job(root / "remote-1", videos, delay_s, 1)
    four = remote_job(root / "remote-4", videos, delay_s, 4)
    speedups = {"transcribe_speedup_4_vs_1": round(one["transcribe_s"] / four["transcribe_s"], 2)}
    speedups["job_speedup_4_vs_1"] = round(one["job_s"] / four["job_s"], 2)
    return {"ads": REMOTE_ADS, "server_delay_s": delay_s, "in_flight_1": one, "in_flight_4": four, **speedups}


def llm_job(home: Path, delay_s: float, ahead: bool) -> dict[str, float]:
    """A fresh app runs the sample job (look off) analysed by a loopback LLM answering each ad after `delay_s`:
    seconds end to end and in the analyse stage, and the most requests at once. Without `ahead`, as before
    analyses_ahead.py: one ad at a time, once every ad is transcribed."""
    server = OpenAIDouble(VALID)
    server.delay_s = delay_s
    home.mkdir(parents=True)
    Settings(look_at_videos=False).save(home / "settings.json")
    at_once, early = analyses_ahead.AT_ONCE, AnalyseStage.transcribed
    if not ahead:
        analyses_ahead.AT_ONCE = 1
        AnalyseStage.transcribed = lambda *args: None  # type: ignore[method-assign]
    try:
        with serve(server.handle) as url:
            os.environ.update({"OPENAI_BASE_URL": f"{url}/v1", "OPENAI_API_KEY": "bench-key"})
            elapsed, stages, _ = sample_job(home, look=False, prepared=True)
    finally:
        analyses_ahead.AT_ONCE, AnalyseStage.transcribed = at_once, early  # type: ignore[method-assign]
        for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
            os.environ.pop(name, None)
    figures = {"job_s": round(elapsed, 2), "transcribe_s": stages.get("transcribe", 0.0)}
    return figures | {"analyse_s": stages.get("analyse", 0.0), "most_at_once": server.most_at_once}


def llm_benchmark(root: Path, delay_s: float) -> dict[str, object]:
    before = llm_job(root / "llm-before", delay_s, ahead=False)
    now = llm_job(root / "llm-ahead", delay_s, ahead=True)
    return {"server_delay_s": delay_s, "one_at_a_time_after_transcription": before, "ahead": now} | {
        "job_speedup": round(before["job_s"] / now["job_s"], 2)
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
    host, llm, graph = VideoHost(files), OpenAIDouble(VALID), GraphDouble("bench-token", ads=5000)
    host.slow_bps, llm.delay_s, graph.delay_s = 30_000, 3.0, 0.5
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


def measure(runs: int, server_delay: float) -> dict[str, Any]:
    files = sorted(SAMPLES.glob("*.mp4"))
    for path in files:
        path.read_bytes()  # same disk cache for both sides
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bare, looked, unlooked, opened = [], [], [], []
        for n in range(runs):
            bare.append(bare_whisper(files))
            looked.append(sample_job(root / f"e2e-{n}"))
            unlooked.append(sample_job(root / f"e2e-unlooked-{n}", look=False))
            opened.append(sample_job(root / f"e2e-open-{n}", look=False, open_s=OPEN_S))
        single = sample_job(root / "e2e-one-transcriber", pool=1)
        cancels = cancel_benchmarks(root, max(5, runs))
        remote = remote_benchmark(root, server_delay)
        llm = llm_benchmark(root, server_delay)
        folder = folder_benchmark(root)
        look = visual_look(files, root)
    e2e_s, bare_s = statistics.median(r[0] for r in looked), statistics.median(bare)
    unlooked_s, per_stage = statistics.median(r[0] for r in unlooked), [r[1] for r in looked]
    figures = {"sample_job_s": round(e2e_s, 2), "bare_faster_whisper_s": round(bare_s, 2), "runs": runs}
    figures |= {"ratio": round(e2e_s / bare_s, 3), "sample_job_without_look_s": round(unlooked_s, 2)}
    figures |= {"ratio_without_look": round(unlooked_s / bare_s, 3), **memory("", [r[2] for r in looked])}
    figures |= memory("without_look_", [r[2] for r in unlooked])
    opened_s = statistics.median(r[0] for r in opened)
    figures |= {
        "open_app_without_look_s": round(opened_s, 2),
        "open_app_ratio": round(opened_s / bare_s, 3),
    }
    figures |= {"one_transcriber_job_s": round(single[0], 2), **memory("one_transcriber_", [single[2]])}
    figures["stage_s"] = {n: round(statistics.median(s.get(n, 0.0) for s in per_stage), 3) for n in per_stage[0]}
    figures["cancel_p95_ms"] = {name: round(p95(v) * 1000, 1) for name, v in cancels.items()}
    figures |= {"remote_transcription": remote, "llm_analysis": llm, "folder_job": folder, "visual_look": look}
    return figures | {"load_average_1min": round(os.getloadavg()[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument(
        "--server-delay", type=float, default=1.0, help="seconds the transcription server and the LLM take a request"
    )
    args = parser.parse_args()
    from installed import compile_like_an_install

    compile_like_an_install()
    report(measure(args.runs, args.server_delay), args.server_delay, len(list(SAMPLES.glob("*.mp4"))), OPEN_S)


if __name__ == "__main__":
    main()
