"""Hostile or careless input (issue #11): a stream with no length under a size limit, a malformed URL among
good ones, empty and oversized CLI values, devices as URL lists, folders whose entries vanish, and downloaded
files deleted before transcription. Each is refused in words or fails only its own ad."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.composition import AppServices
from desktop_app.core.context import JobContext, JobError, Stage
from desktop_app.core.runner import StagesFactory
from desktop_app.core.types import ItemStatus, Job, JobItem, JobStatus, SourceError, SourceSpec
from desktop_app.pipeline.check import CheckStage
from desktop_app.pipeline.download import DownloadStage
from desktop_app.pipeline.resolve import ResolveStage
from desktop_app.pipeline.sources import FetchStage, library_id, pseudo_mounts, video_files
from desktop_app.pipeline.start import StartStage
from tests.conftest import REPO, run_job, wait_final
from tests.graph_double import GraphDouble
from tests.servers import VideoHost, serve

SAMPLE = (REPO / "resources" / "sample_ads" / "900000000000001.mp4").read_bytes()
BIG = os.urandom(3_000_000)


@pytest.fixture
def host() -> Iterator[tuple[VideoHost, str]]:
    video_host = VideoHost({"small.mp4": SAMPLE, "big.mp4": BIG})
    with serve(video_host.handle) as url:
        yield video_host, url


class StopHere:
    """A last stage that fails the job, leaving its items part-way (as a crash or a cancel would)."""

    key, label, percent = "stop_here", "Stopping here", 60.0

    def run(self, ctx: JobContext) -> None:
        raise JobError("stopped by the test after the downloads")


def up_to_download(services: AppServices, then_stop: bool = False) -> StagesFactory:
    env = services.pipeline

    def stages(job: Job) -> list[Stage]:
        chain: list[Stage] = [StartStage(env.settings), CheckStage(env), FetchStage(env), ResolveStage()]
        chain.append(DownloadStage(env.settings.max_video_mb))
        return [*chain, StopHere()] if then_stop else chain

    return stages


def by_path(services: AppServices, job_id: str) -> dict[str, JobItem]:
    return {i.data["url"].split("/", 3)[3]: i for i in services.service.items(job_id)}


def test_a_stream_without_length_stops_at_the_size_limit(services: AppServices, host: tuple[VideoHost, str]) -> None:
    _, url = host
    services.settings.max_video_mb = 1
    urls = [f"{url}/chunked/big.mp4", f"{url}/chunked/small.mp4"]
    job = run_job(services, SourceSpec("urls", {"urls": urls}), timeout=60, stages=up_to_download(services))
    assert job.status == JobStatus.COMPLETED, job.error
    items = by_path(services, job.job_id)
    big, small = items["chunked/big.mp4"], items["chunked/small.mp4"]
    assert big.status == ItemStatus.FAILED
    assert big.reason == "Downloading videos: the video is larger than the 1 MB limit and was not downloaded"
    saved = Path(small.checkpoints["download"]["videos"][0]["path"])
    assert saved.read_bytes() == SAMPLE, "a chunked stream under the limit is saved whole"
    left = [p.name for p in saved.parent.iterdir()]
    assert left == [saved.name], f"nothing of the oversized stream is kept: {left}"


def test_a_malformed_url_is_refused_with_its_line_or_fails_only_its_own_ad(
    services: AppServices, host: tuple[VideoHost, str]
) -> None:
    _, url = host
    urls = [f"{url}/v/small.mp4", "http://[::1:18081/x", "https://١٢٣"]
    with pytest.raises(SourceError, match=r"^Line 2 is not a web address: http://\[::1:18081/x$"):
        services.service.start_analysis(SourceSpec("urls", {"urls": urls}))
    # A job stored before this check (or by another version) still fails only the bad ad.
    stored, _ = services.store.create_job(SourceSpec("urls", {"urls": urls}))
    runner = services.make_runner(stages=up_to_download(services))
    runner.start()
    job = wait_final(services, stored.job_id, timeout=60)
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED, job.error
    items = {i.data["url"]: i for i in services.service.items(job.job_id)}
    assert items[f"{url}/v/small.mp4"].done("download")
    assert items["http://[::1:18081/x"].status == ItemStatus.FAILED
    assert items["http://[::1:18081/x"].reason == "Getting video URLs: not a valid web address: http://[::1:18081/x"
    assert items["https://١٢٣"].status == ItemStatus.FAILED


def test_ad_ids_are_ascii_digits() -> None:
    assert library_id("123456") == "123456"
    assert library_id("١٢٣") is None
    assert library_id("https://www.facebook.com/ads/library/?id=١٢٣") is None
    assert library_id("https://www.facebook.com/ads/library/?id=42") == "42"
    assert library_id("https://evil-facebook.com/ads/library/?id=42") is None
    assert library_id("http://[::1:18081/x") is None


def test_deleted_downloads_are_fetched_again_on_retry(services: AppServices, host: tuple[VideoHost, str]) -> None:
    video_host, url = host
    urls = [f"{url}/v/small.mp4", f"{url}/v/big.mp4"]
    job = run_job(services, SourceSpec("urls", {"urls": urls}), stages=up_to_download(services, then_stop=True))
    assert job.status == JobStatus.FAILED
    items = by_path(services, job.job_id)
    paths = {k: Path(i.checkpoints["download"]["videos"][0]["path"]) for k, i in items.items()}
    for path in paths.values():
        path.unlink()
    video_host.files["big.mp4"] = b"another video" + BIG  # changed on its host since the first download
    services.service.retry(job.job_id)
    runner = services.make_runner(stages=up_to_download(services))
    runner.start()
    try:
        job = wait_final(services, job.job_id, timeout=60)
    finally:
        runner.shutdown()
    assert job.status == JobStatus.COMPLETED, job.error
    items = by_path(services, job.job_id)
    assert hashlib.sha256(paths["v/small.mp4"].read_bytes()).hexdigest() == hashlib.sha256(SAMPLE).hexdigest()
    assert items["v/small.mp4"].status == ItemStatus.PENDING
    assert items["v/big.mp4"].status == ItemStatus.FAILED
    assert "changed on its host" in (items["v/big.mp4"].reason or "")
    assert not paths["v/big.mp4"].exists()


def test_a_folder_walk_skips_what_vanishes_or_loops(tmp_path: Path) -> None:
    root = tmp_path / "videos"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "one.mp4").write_bytes(SAMPLE)
    (root / "b" / "two.mp4").write_bytes(SAMPLE)
    (root / "broken.mp4").symlink_to(root / "nowhere.mp4")
    (root / "loop").symlink_to(root)  # a link back up: never followed
    (root / "proc").symlink_to("/proc")
    visited: list[str] = []

    def vanish_b(folder: str) -> None:  # b disappears between being listed and being walked
        visited.append(folder)
        shutil.rmtree(root / "b", ignore_errors=True)

    found = video_files(root, vanish_b)
    assert found == [root / "a" / "one.mp4"]
    assert not any(v.startswith("/proc") or "loop" in v for v in visited)
    if Path("/proc/self/mounts").exists():
        assert {"/proc", "/sys"} <= pseudo_mounts()


def test_a_meta_search_with_endless_terms_is_refused_in_words(
    services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = GraphDouble("EAAB-hostile-token-1234567890", ads=5)
    with serve(graph.handle) as url:
        monkeypatch.setenv("META_GRAPH_URL", url)
        monkeypatch.setenv("META_ACCESS_TOKEN", graph.token)
        env = services.pipeline
        stages: StagesFactory = lambda job: [StartStage(env.settings), CheckStage(env), FetchStage(env)]  # noqa: E731
        source = SourceSpec("meta_search", {"terms": "x" * 100_000, "countries": ["DE"]})
        with pytest.raises(SourceError, match="at most 100 characters"):
            services.service.start_analysis(source)  # a new job is refused up front
        stored, _ = services.store.create_job(source)  # one stored by an older version fails in words
        runner = services.make_runner(stages=stages)
        runner.start()
        job = wait_final(services, stored.job_id, timeout=30)
        runner.shutdown()
    assert job.status == JobStatus.FAILED
    assert "accepts at most 100" in (job.error or "") and "InvalidURL" not in (job.error or "")
    assert graph.requests == []


def cli_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the CLI, expecting a refusal: exit 2 and one plain line."""
    code = main(list(args))
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("ad-analysis: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_empty_sources_are_refused_not_replaced_by_the_samples(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--search needs search terms" in cli_error(capsys, "run", "--search", "", "--country", "DE")
    assert "--folder needs a folder" in cli_error(capsys, "run", "--folder", "")
    assert "empty value" in cli_error(capsys, "run", "--urls", "")


def test_url_lists_are_checked_line_by_line(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("# ads\nhttps://a.test/v.mp4\nhttp://[::1:18081/x\n", encoding="utf-8")
    err = cli_error(capsys, "run", "--urls", str(listing))
    assert "line 3 is not a web address: http://[::1:18081/x" in err
    assert "not a regular file" in cli_error(capsys, "run", "--urls", "/dev/zero")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"https://a.test/v.mp4\n" * 60_000)
    assert "larger than 1 MB" in cli_error(capsys, "run", "--urls", str(huge))
    assert "digits 0-9" in cli_error(capsys, "run", "--urls", "١٢٣")
    assert "digits 0-9" in cli_error(capsys, "run", "--page-id", "١٢٣", "--country", "DE")


def test_search_options_are_checked(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no country has the code XX" in cli_error(capsys, "run", "--search", "shoes", "--country", "XX")
    assert "the United Kingdom is GB" in cli_error(capsys, "run", "--search", "shoes", "--country", "uk")
    err = cli_error(capsys, "run", "--search", "x" * 100_000, "--country", "DE")
    assert "100000 characters" in err and "at most 100" in err and len(err) < 200
    assert "at most 100,000" in cli_error(capsys, "jobs", "--limit", str(10**30))
