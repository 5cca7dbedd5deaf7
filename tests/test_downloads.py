"""URL sources through the real pipeline: yt-dlp against a loopback video host."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from desktop_app.composition import AppServices
from desktop_app.core.context import CancelToken
from desktop_app.core.types import ItemStatus, JobStatus, SourceSpec
from desktop_app.core.updates import JobUpdate
from tests.conftest import REPO, run_job, wait_final, wait_for
from tests.servers import VideoHost, serve

SAMPLES = REPO / "resources" / "sample_ads"
FILES = {f"{n}.mp4": (SAMPLES / f"90000000000000{n}.mp4").read_bytes() for n in (1, 4, 7)}


@pytest.fixture
def host() -> Iterator[tuple[VideoHost, str]]:
    video_host = VideoHost(FILES)
    with serve(video_host.handle) as url:
        yield video_host, url


def _run(services: AppServices, urls: list[str]) -> tuple[str, dict[str, object]]:
    job = run_job(services, SourceSpec("urls", {"urls": urls}))
    items = {i.data["url"].split("/", 3)[3]: i for i in services.service.items(job.job_id)}
    assert job.status == JobStatus.COMPLETED, job
    return job.job_id, items  # type: ignore[return-value]


@pytest.mark.slow
def test_direct_links_pages_and_bad_urls(services: AppServices, host: tuple[VideoHost, str]) -> None:
    _, url = host
    urls = [f"{url}/v/1.mp4", f"{url}/page/4.mp4", f"{url}/missing.mp4", f"{url}/nothing/here", f"{url}/limited/7.mp4"]
    job_id, items = _run(services, urls)
    assert items["v/1.mp4"].status == ItemStatus.DONE
    assert items["page/4.mp4"].status == ItemStatus.DONE
    failed = {k: i.reason for k, i in items.items() if i.status == ItemStatus.FAILED}
    assert len(failed) == 3, failed
    assert any("video not found (HTTP 404)" in (e or "") for e in failed.values())
    assert any("no video found at" in (e or "") for e in failed.values())
    assert any("rate-limiting" in (e or "") for e in failed.values())
    downloaded = items["v/1.mp4"].checkpoints["download"]["videos"][0]
    assert Path(downloaded["path"]).read_bytes() == FILES["1.mp4"]
    assert Path(downloaded["path"]).parent == services.paths.job_dir(job_id) / "media"
    results = services.results.results(job_id)
    assert len(results) == 2 and all(r.transcript for r in results)


@pytest.mark.slow
def test_a_reset_stream_resumes_with_a_range_request(services: AppServices, host: tuple[VideoHost, str]) -> None:
    video_host, url = host
    _, items = _run(services, [f"{url}/reset/7.mp4"])
    item = items["reset/7.mp4"]
    assert item.status == ItemStatus.DONE, item.reason
    assert Path(item.checkpoints["download"]["videos"][0]["path"]).read_bytes() == FILES["7.mp4"]
    assert any(path == "/reset/7.mp4" and rng and rng != "bytes=0-" for path, rng in video_host.requests)


def test_oversized_videos_are_refused_not_silently_skipped(services: AppServices, host: tuple[VideoHost, str]) -> None:
    _, url = host
    services.settings.max_video_mb = 0  # every sample is larger than "0 MB"
    job = run_job(services, SourceSpec("urls", {"urls": [f"{url}/v/1.mp4", f"{url}/v/4.mp4"]}))
    assert job.status == JobStatus.FAILED, "nothing was analysed"
    assert job.error is not None and job.error.startswith("No ad could be analysed: all 2 failed. The reason:")
    assert "larger than the 0 MB limit" in job.error
    items = services.service.items(job.job_id)
    assert all(i.status == ItemStatus.FAILED and "larger than the 0 MB limit" in (i.reason or "") for i in items)


def test_cancel_reaches_inside_a_download(services: AppServices, host: tuple[VideoHost, str]) -> None:
    video_host, url = host
    video_host.slow_bps = 20_000
    runner = services.make_runner()
    runner.start()
    job_id = services.service.start_analysis(SourceSpec("urls", {"urls": [f"{url}/slow/1.mp4"]})).job_id
    wait_for(lambda: " MB" in services.service.status(job_id).message, timeout=60)
    asked = time.monotonic()
    services.service.cancel(job_id)
    job = wait_final(services, job_id)
    latency = time.monotonic() - asked
    runner.shutdown()
    assert job.status == JobStatus.CANCELLED
    assert latency < 1.0


def test_cancel_is_not_kept_waiting_by_a_server_that_never_answers(services: AppServices) -> None:
    """Resolution has no progress hook: a host that accepts the connection and then says nothing must not
    hold a cancel until the socket times out."""
    answered = threading.Event()

    def silent(request: BaseHTTPRequestHandler) -> None:
        answered.wait(20)  # bounded: the test ends it as soon as the job is cancelled

    with serve(silent) as url:
        runner = services.make_runner()
        runner.start()
        job_id = services.service.start_analysis(SourceSpec("urls", {"urls": [f"{url}/page.html"]})).job_id
        wait_for(lambda: services.service.status(job_id).stage_key == "resolve", timeout=60)
        time.sleep(0.3)
        services.service.cancel(job_id)
        job = wait_final(services, job_id, timeout=10)  # the server stays silent for 20 s, the socket for 30
        answered.set()
        runner.shutdown()
    assert job.status == JobStatus.CANCELLED


def test_only_http_urls_are_accepted() -> None:
    from desktop_app.pipeline.resolve import extract

    with pytest.raises(ValueError, match="only http and https"):
        extract("file:///etc/passwd", CancelToken())


def test_file_names_come_from_sanitised_keys() -> None:
    from desktop_app.pipeline.download import safe_name

    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("url-1a2b") == "url-1a2b"
    assert safe_name("///") == "ad"


def _start_slow_downloads(services: AppServices, url: str) -> tuple[str, threading.Event, threading.Thread]:
    """Start a job over the slow videos, and a watcher that sets its event once a transcriber child is busy while
    the job is still in its download stage."""
    job_id = services.service.start_analysis(SourceSpec("urls", {"urls": [f"{url}/slow/{n}" for n in FILES]})).job_id
    seen = threading.Event()
    pool = services.pipeline.transcriber

    def watch() -> None:
        while services.store.get(job_id).status.is_active and not seen.is_set():
            if services.store.get(job_id).stage_key == "download" and getattr(pool, "busy", 0) > 0:
                seen.set()
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return job_id, seen, thread


@pytest.mark.slow
def test_each_video_is_transcribed_while_the_next_ones_download(
    services: AppServices, host: tuple[VideoHost, str]
) -> None:
    """Ad 2 downloads while ad 1 is transcribed: a child is busy during the download stage, and the transcribe
    stage then finds the early transcripts instead of hearing the videos again."""
    video_host, url = host
    video_host.slow_bps = 40_000  # about 2.5 to 4 s per video: the first transcript ends while others download
    ahead: list[tuple[int, int]] = []  # what the job card shows of the transcribe stage during downloads
    services.listeners.add(
        lambda u: (
            ahead.append(u.job.stage_counts["transcribe"])
            if isinstance(u, JobUpdate) and u.job.stage_key == "download" and "transcribe" in u.job.stage_counts
            else None
        )
    )
    runner = services.make_runner()
    runner.start()
    try:
        job_id, seen, _ = _start_slow_downloads(services, url)
        job = wait_final(services, job_id, timeout=120)
    finally:
        runner.shutdown()
    assert job.status == JobStatus.COMPLETED and (job.result or {}).get("analysed") == 3, job
    assert seen.is_set(), "no video was transcribed while the others downloaded"
    assert ahead and all(total == 3 for _, total in ahead) and ahead[-1][0] >= 1, ahead  # "◐ Transcribing 1/3"
    # the transcribe stage took the early transcripts (bench/pipeline.py measures what that saves)
    assert any("already under way" in e.message for e in services.store.events(job_id))


@pytest.mark.slow
def test_a_cancel_during_downloads_stops_the_early_transcriptions_too(
    services: AppServices, host: tuple[VideoHost, str]
) -> None:
    video_host, url = host
    video_host.slow_bps = 60_000
    pool = services.pipeline.transcriber
    runner = services.make_runner()
    runner.start()
    try:
        job_id, seen, watcher = _start_slow_downloads(services, url)
        watcher.join(60)
        assert seen.is_set(), "no early transcription started"
        services.service.cancel(job_id)
        began = time.monotonic()
        job = wait_final(services, job_id, timeout=10)
        wait_for(lambda: getattr(pool, "busy", 0) == 0, timeout=2)
        stopped_in = time.monotonic() - began
    finally:
        runner.shutdown()
    assert job.status == JobStatus.CANCELLED
    assert stopped_in < 2.0, stopped_in  # generous on a loaded machine; bench/pipeline.py measures the latency
