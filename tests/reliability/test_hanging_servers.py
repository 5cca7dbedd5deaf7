"""Servers that hang or keep failing (issue #11): every outside read has a timeout, a cancel cuts any wait
within a second, a stalled ad fails alone with a plain reason, and Meta's retries are bounded in time and end
in words. Real loopback servers, real yt-dlp and httpx, real jobs."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from desktop_app.composition import AppServices
from desktop_app.core.context import CancelToken
from desktop_app.core.runner import StagesFactory
from desktop_app.core.types import ItemStatus, JobStatus, SourceSpec
from desktop_app.engines import meta_library
from desktop_app.engines.meta_library import MetaAdLibrary
from desktop_app.engines.network import GaveUp, RetryableError, RetryPolicy
from desktop_app.pipeline.check import CheckStage
from desktop_app.pipeline.download import DownloadStage
from desktop_app.pipeline.resolve import ResolveStage
from desktop_app.pipeline.sources import FetchStage
from desktop_app.pipeline.start import StartStage
from tests.conftest import REPO, run_job, wait_final, wait_for
from tests.graph_double import GraphDouble
from tests.servers import VideoHost, serve

FILES = {"1.mp4": (REPO / "resources" / "sample_ads" / "900000000000001.mp4").read_bytes()}
TOKEN = "EAAB-hanging-token-1234567890"
CANCEL_WITHIN_S = 1.5


@pytest.fixture
def host() -> Iterator[tuple[VideoHost, str]]:
    video_host = VideoHost(FILES)
    with serve(video_host.handle) as url:
        yield video_host, url
        video_host.release.set()  # the stalled handlers end with the test


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphDouble]:
    double = GraphDouble(TOKEN, ads=30)
    with serve(double.handle) as url:
        double.base = url
        monkeypatch.setenv("META_GRAPH_URL", url)
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        yield double


def cancel_latency(services: AppServices, source: SourceSpec, stage_key: str) -> tuple[JobStatus, float]:
    """Start a real job, wait until it is inside `stage_key`, cancel it: its final status and how long the
    cancel took to end it."""
    runner = services.make_runner()
    runner.start()
    try:
        job_id = services.service.start_analysis(source).job_id
        wait_for(lambda: services.service.status(job_id).stage_key == stage_key, timeout=60)
        time.sleep(0.5)  # well inside the hanging read
        asked = time.monotonic()
        services.service.cancel(job_id)
        job = wait_final(services, job_id, timeout=30)
        return job.status, time.monotonic() - asked
    finally:
        runner.shutdown()


def test_cancel_cuts_a_download_whose_body_never_comes(services: AppServices, host: tuple[VideoHost, str]) -> None:
    video_host, url = host
    status, latency = cancel_latency(services, SourceSpec("urls", {"urls": [f"{url}/stall/1.mp4"]}), "download")
    assert ("/stall/1.mp4", None) in video_host.requests
    assert status == JobStatus.CANCELLED
    assert latency < CANCEL_WITHIN_S, f"cancel took {latency:.2f} s"


def test_cancel_cuts_a_resolution_the_host_never_answers(services: AppServices, host: tuple[VideoHost, str]) -> None:
    _, url = host
    status, latency = cancel_latency(services, SourceSpec("urls", {"urls": [f"{url}/silent/1.mp4"]}), "resolve")
    assert status == JobStatus.CANCELLED
    assert latency < CANCEL_WITHIN_S, f"cancel took {latency:.2f} s"


def test_a_stalled_host_fails_only_its_ad_with_a_plain_reason(
    services: AppServices, host: tuple[VideoHost, str]
) -> None:
    """With a 1 s socket timeout: a body that stops, and a host that never answers, each fail their own ad in
    words once the timeout (and yt-dlp's two retries) pass; the good ad is downloaded."""
    _, url = host
    env = services.pipeline
    short: StagesFactory = lambda job: [  # noqa: E731
        StartStage(env.settings),
        CheckStage(env),
        FetchStage(env),
        ResolveStage(socket_timeout_s=1.0),
        DownloadStage(env.settings.max_video_mb, socket_timeout_s=1.0),
    ]
    urls = [f"{url}/stall/1.mp4", f"{url}/silent/1.mp4", f"{url}/v/1.mp4"]
    began = time.monotonic()
    job = run_job(services, SourceSpec("urls", {"urls": urls}), timeout=60, stages=short)
    took = time.monotonic() - began
    assert job.status == JobStatus.COMPLETED, job.error
    items = {i.data["url"].rsplit("/", 2)[1]: i for i in services.service.items(job.job_id)}
    assert items["stall"].status == ItemStatus.FAILED
    assert items["stall"].reason == "Downloading videos: The video host stopped sending data"
    assert items["silent"].status == ItemStatus.FAILED
    assert items["silent"].reason == "Getting video URLs: The video host stopped answering"
    assert items["v"].status == ItemStatus.PENDING and items["v"].done("download")
    assert took < 20, f"the timeouts took {took:.1f} s"


def test_a_connection_that_keeps_dropping_ends_in_words_within_the_budget(
    services: AppServices, graph: GraphDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph.drop_connections = True
    monkeypatch.setattr(meta_library, "NETWORK_BUDGET_S", 2.0)  # the real budget is a minute
    env = services.pipeline
    stages: StagesFactory = lambda job: [StartStage(env.settings), CheckStage(env), FetchStage(env)]  # noqa: E731
    source = SourceSpec("meta_search", {"terms": "meal kit", "countries": ["DE"], "max_ads": 10})
    began = time.monotonic()
    job = run_job(services, source, timeout=30, stages=stages)
    took = time.monotonic() - began
    assert job.status == JobStatus.FAILED
    assert (job.error or "").startswith("Cannot reach Meta: the connection to Meta dropped. Gave up after"), job.error
    assert "Error" not in (job.error or "") and "failed unexpectedly" not in (job.error or "")
    assert 2 <= len(graph.requests) <= 6
    assert took < 8, f"the retries took {took:.1f} s"


def test_a_plain_429_is_retried_after_its_retry_after(services: AppServices, graph: GraphDouble) -> None:
    graph.errors.append({"status": 429, "text": "Too Many Requests", "headers": {"Retry-After": "1"}})
    env = services.pipeline
    stages: StagesFactory = lambda job: [StartStage(env.settings), CheckStage(env), FetchStage(env)]  # noqa: E731
    source = SourceSpec("meta_search", {"terms": "meal kit", "countries": ["DE"], "max_ads": 10})
    job = run_job(services, source, timeout=30, stages=stages)
    assert job.status == JobStatus.COMPLETED, job.error
    assert len(services.service.items(job.job_id)) == 10
    first, second = graph.requests[0]["at"], graph.requests[1]["at"]
    assert second - first >= 0.95, "Retry-After: 1 was honoured"


def test_a_long_retry_after_is_capped_by_the_policy(graph: GraphDouble) -> None:
    graph.errors.append({"status": 429, "text": "slow down", "headers": {"Retry-After": "3600"}})
    api = MetaAdLibrary(TOKEN, base_url=graph.base, policy=RetryPolicy(attempts=3, max_wait_s=0.5))
    waits: list[str] = []
    began = time.monotonic()
    try:
        page, _ = api.page({"limit": "5", "fields": "id"}, CancelToken(), waits.append)
    finally:
        api.close()
    assert len(page["data"]) == 5
    assert time.monotonic() - began < 3
    assert waits and "Meta is limiting requests (HTTP 429)" in waits[0]


def test_cancel_cuts_a_meta_request_that_never_answers(services: AppServices, graph: GraphDouble) -> None:
    graph.delay_s = 20.0
    source = SourceSpec("meta_search", {"terms": "meal kit", "countries": ["DE"], "max_ads": 10})
    status, latency = cancel_latency(services, source, "fetch")
    assert status == JobStatus.CANCELLED
    assert latency < CANCEL_WITHIN_S, f"cancel took {latency:.2f} s"


def test_the_retry_budget_bounds_attempts_that_each_fail_fast() -> None:
    """The policy alone: failures that never end stop once the budget is spent, with the tries and the time."""

    calls: list[float] = []

    def failing() -> None:
        calls.append(time.monotonic())
        raise RetryableError("the connection dropped")

    policy = RetryPolicy(attempts=100, initial_s=0.05, max_wait_s=0.2, budget_s=1.0)
    with pytest.raises(GaveUp) as gave_up:
        policy.call(failing, CancelToken())
    assert calls[-1] - calls[0] <= 1.0
    assert 3 <= gave_up.value.tries == len(calls) < 100
    assert str(gave_up.value).startswith("the connection dropped (gave up after")
