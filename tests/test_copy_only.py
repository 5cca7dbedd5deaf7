"""Ads without a usable video, through the real pipeline: Meta ads whose video host cannot be reached are
analysed from the copy the Graph API gave (outcome copy_only, with why), and a carousel is analysed video by
video under its one ad, going on without a video that cannot be fetched."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from desktop_app.composition import AppServices
from desktop_app.core.ad_names import ad_name
from desktop_app.core.export import job_report
from desktop_app.core.types import ItemStatus, JobStatus, Outcome, SourceSpec
from desktop_app.pipeline.missing_video import COPY_ONLY_LIMITATION
from desktop_app.ui.results_table import ad_label
from tests.conftest import REPO, child_env, run_job
from tests.graph_double import GraphDouble
from tests.servers import VideoHost, serve
from tests.test_downloads import FILES

TOKEN = "EAAB-copy-only-token-0987654321"
COPY = [
    ["Meal kits from 4.99 a serving. Save 50% on your first box. Order today!"],
    ["Train at home with coaches who care. Start your free 14-day trial now."],
    [],  # an ad Meta gave no copy for: with no video either, nothing is left to analyse
    ["Unser Serum macht Ihre Haut in 7 Tagen sichtbar glatter. Jetzt bestellen!"],
]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable_videos(monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphDouble]:
    """A Graph API double with four ads, and every https host (Facebook's video pages) unreachable: the
    proxy all https traffic must go through refuses connections."""
    double = GraphDouble(TOKEN, ads=len(COPY))
    for ad, bodies in zip(double.ads, COPY, strict=True):
        ad["ad_creative_bodies"] = bodies
    double.ads[3]["languages"] = ["de"]
    with serve(double.handle) as url:
        monkeypatch.setenv("META_GRAPH_URL", url)
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield double


SEARCH = SourceSpec("meta_search", {"terms": "meal kit", "countries": ["DE"], "max_ads": 10})


@pytest.mark.slow
def test_meta_ads_without_reachable_videos_are_analysed_from_their_copy(
    services: AppServices, unreachable_videos: GraphDouble
) -> None:
    job = run_job(services, SEARCH)
    assert job.status == JobStatus.COMPLETED, job
    items = {item.data["ad"]["ad_creative_bodies"][0][:4] if item.data["ad"].get("ad_creative_bodies") else "": item
             for item in services.service.items(job.job_id)}  # fmt: skip
    meals, training, nothing, german = items["Meal"], items["Trai"], items[""], items["Unse"]
    for item in (meals, training):
        assert item.outcome is Outcome.COPY_ONLY and item.status is ItemStatus.DONE
        assert item.reason == (
            "Analysed from the ad's copy only: the video could not be fetched "
            "(the video host www.facebook.com refused the connection)."
        )
    assert nothing.outcome is Outcome.FAILED
    assert nothing.reason == "Getting video URLs: the video host www.facebook.com refused the connection"
    assert german.outcome is Outcome.LANGUAGE_UNSUPPORTED
    assert "copy is in German" in (german.reason or "") and "Settings" in (german.reason or "")

    results = {r.ad_id: r for r in services.results.results(job.job_id)}
    assert set(results) == {meals.key, training.key}
    meal = results[meals.key]
    assert meal.video_path is None and meal.transcript == ""
    assert COPY_ONLY_LIMITATION in meal.analysis.scores.limitations
    assert "no usable video" in meal.analysis.summary
    assert meal.analysis.offer.present and meal.analysis.cta.type != "none"  # read from the copy
    assert "2 from their copy only" in (job.message or "")
    assert {ad_label(row) for row in services.results.summaries()} == {
        "Meal kits from 4.99 a serving. Save... (copy only, no video)",
        "Train at home with coaches who care.... (copy only, no video)",
    }
    assert ad_name(meals.key, meals.data["ad"]).startswith("Example Meals: Meal kits from 4.99")
    assert job.result["copy_only"] == 2

    report = {entry["ad_id"]: entry for entry in job_report(list(results.values()), services.service.items(job.job_id))}
    assert report[meals.key]["outcome"] == "copy_only" and report[meals.key]["analysis"]
    assert report[nothing.key]["outcome"] == "failed" and report[nothing.key]["analysis"] is None
    assert report[german.key]["outcome"] == "language_unsupported"


def cli(services: AppServices, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        env=child_env(services.paths.home),
        cwd=REPO,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.slow
def test_the_cli_reports_copy_only_ads(services: AppServices, unreachable_videos: GraphDouble) -> None:
    job = run_job(services, SEARCH)
    shown = cli(services, "results", job.job_id, "--json")
    outcomes = sorted(entry["outcome"] for entry in json.loads(shown))
    assert outcomes == ["copy_only", "copy_only", "failed", "language_unsupported"]
    details = cli(services, "status", job.job_id[:8], "--details")
    assert "failed: Getting video URLs: the video host www.facebook.com refused the connection" in details
    assert "DownloadError" in details, "the library's own words, behind --details"
    assert f"Log files: {services.paths.logs}" in details


@pytest.fixture
def host() -> Iterator[str]:
    with serve(VideoHost(FILES).handle) as url:
        yield url


@pytest.mark.slow
def test_a_carousel_is_analysed_video_by_video_under_its_ad(services: AppServices, host: str) -> None:
    job = run_job(services, SourceSpec("urls", {"urls": [f"{host}/carousel/1.mp4,4.mp4"]}))
    assert job.status == JobStatus.COMPLETED, job
    (item,) = services.service.items(job.job_id)
    assert item.outcome is Outcome.ANALYSED and item.reason is None
    results = services.results.results(job.job_id)
    assert sorted(r.video_index for r in results) == [0, 1]
    assert {r.ad_id for r in results} == {item.key}
    assert results[0].transcript != results[1].transcript  # two different videos, each transcribed
    labels = sorted(ad_label(row) for row in services.results.summaries())
    name = ad_name(item.key, item.data["ad"])
    assert name == "127.0.0.1/carousel/1.mp4,4.mp4"
    assert labels == [f"{name} (video 1 of 2)", f"{name} (video 2 of 2)"]


@pytest.mark.slow
def test_a_carousel_goes_on_without_a_video_it_cannot_fetch(services: AppServices, host: str) -> None:
    job = run_job(services, SourceSpec("urls", {"urls": [f"{host}/carousel/1.mp4,gone.mp4"]}))
    assert job.status == JobStatus.COMPLETED, job
    (item,) = services.service.items(job.job_id)
    assert item.outcome is Outcome.ANALYSED
    missing = "video 2 of 2 could not be fetched (video not found (HTTP 404): "
    assert (item.reason or "").startswith(f"Not every video of this ad could be used: {missing}")
    (result,) = services.results.results(job.job_id)
    assert result.video_index == 0 and result.transcript
    assert any(note.startswith("Not every video") for note in result.analysis.scores.limitations)
