"""The Meta Ad Library client (real httpx) against a loopback Graph API double, through the real
fetch stage of a job."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from desktop_app.composition import AppServices
from desktop_app.core.types import Job, JobStatus, SourceSpec
from desktop_app.engines.meta_library import CORE_FIELDS, usage_pause
from desktop_app.pipeline.check import CheckStage
from desktop_app.pipeline.sources import FetchStage
from desktop_app.pipeline.start import StartStage
from tests.conftest import run_job, wait_final, wait_for
from tests.graph_double import GraphDouble
from tests.servers import serve

TOKEN = "EAAB-secret-token-1234567890"


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphDouble]:
    double = GraphDouble(TOKEN, ads=250)
    with serve(double.handle) as url:
        double.base = url
        monkeypatch.setenv("META_GRAPH_URL", url)
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        yield double


def search(**extra: object) -> SourceSpec:
    return SourceSpec("meta_search", {"terms": "meal kit", "countries": ["DE", "FR"], "max_ads": 300, **extra})


def fetch_only(services: AppServices, source: SourceSpec) -> Job:
    """Run the job's real first stages (start, check, fetch): the videos live on facebook.com."""
    env = services.pipeline
    stages = lambda job: [StartStage(env.settings), CheckStage(env), FetchStage(env)]  # noqa: E731
    return run_job(services, source, timeout=60, stages=stages)


def test_search_pages_through_every_ad_with_the_spec_parameters(services: AppServices, graph: GraphDouble) -> None:
    job = fetch_only(services, search(page_size=100))
    assert job.status == JobStatus.COMPLETED, job.error
    items = services.service.items(job.job_id)
    assert len(items) == 250 and len({i.key for i in items}) == 250
    first = graph.requests[0]
    assert first["auth"] == f"Bearer {TOKEN}"
    params = first["params"]
    assert "access_token" not in params
    assert json.loads(params["ad_reached_countries"]) == ["DE", "FR"]
    assert (params["search_terms"], params["search_type"]) == ("meal kit", "KEYWORD_UNORDERED")
    assert (params["ad_type"], params["ad_active_status"], params["media_type"]) == ("ALL", "ACTIVE", "VIDEO")
    assert "ad_snapshot_url" not in params["fields"] and "eu_total_reach" in params["fields"]
    assert [r["params"].get("after") for r in graph.requests] == [None, "100", "200"]
    ad = items[0].data["ad"]
    assert ad["library_url"] == f"https://www.facebook.com/ads/library/?id={items[0].key}"
    assert "ad_snapshot_url" not in ad


def test_the_token_is_stored_nowhere(services: AppServices, graph: GraphDouble) -> None:
    graph.errors.append({"error": {"message": f"Bad token {TOKEN} given", "code": 190}})
    job = fetch_only(services, search())
    assert job.status == JobStatus.FAILED
    assert TOKEN not in (job.error or "")
    graph.errors.clear()
    fetch_only(services, search(max_ads=50))
    services.db.engine.dispose()
    for path in services.paths.home.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("error", "field", "words"),
    [
        (
            {"code": 190, "message": "Error validating access token: Session has expired"},
            "meta_token",
            "invalid or has expired",
        ),
        ({"code": 102, "message": "Session key invalid"}, "meta_token", "invalid or has expired"),
        (
            {"code": 10, "error_subcode": 2332002, "message": "Application does not have permission"},
            "meta_token",
            "facebook.com/ID",
        ),
        (
            {"code": 100, "message": "(#100) Invalid parameter", "error_user_msg": "ad_reached_countries is invalid"},
            None,
            "ad_reached_countries is invalid",
        ),
    ],
)
def test_errors_that_stop_the_job_say_what_to_do(
    services: AppServices, graph: GraphDouble, error: dict, field: str | None, words: str
) -> None:
    graph.errors.extend([{"error": error}, {"error": error}])
    job = fetch_only(services, search())
    assert job.status == JobStatus.FAILED
    assert words in (job.error or "")
    assert job.result is not None
    assert job.result["error"]["settings_field"] == field
    assert job.result["error"]["detail"] == "fbtrace_id AbCdEfTrace123"


def test_a_missing_token_opens_settings(
    services: AppServices, graph: GraphDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("META_ACCESS_TOKEN")
    job = fetch_only(services, search())
    assert job.status == JobStatus.FAILED and job.result is not None
    assert job.result["error"]["settings_field"] == "meta_token"
    assert graph.requests == []


def test_refused_fields_fall_back_to_the_core_list(services: AppServices, graph: GraphDouble) -> None:
    graph.refused_fields = {"eu_total_reach"}
    job = fetch_only(services, search(max_ads=50))
    assert job.status == JobStatus.COMPLETED
    assert graph.requests[-1]["params"]["fields"] == ",".join(CORE_FIELDS)
    assert len(services.service.items(job.job_id)) == 50


def test_too_much_data_halves_the_page(services: AppServices, graph: GraphDouble) -> None:
    graph.max_limit = 60
    job = fetch_only(services, search(max_ads=120, page_size=200))
    assert job.status == JobStatus.COMPLETED
    limits = [int(r["params"]["limit"]) for r in graph.requests]
    assert limits[:3] == [120, 100, 50], "200 asked, capped at the 120 wanted, then halved until Meta accepts"
    assert all(limit <= 60 for limit in limits[2:])
    assert len(services.service.items(job.job_id)) == 120


def test_transient_errors_and_rate_limits_wait_then_resume(services: AppServices, graph: GraphDouble) -> None:
    buc = json.dumps({"123": [{"type": "ads_archive", "call_count": 100, "estimated_time_to_regain_access": 0.02}]})
    graph.errors.extend(
        [
            {"error": {"code": 2, "message": "An unexpected error has occurred", "is_transient": True}, "status": 500},
            {
                "error": {"code": 613, "message": "Calls to this api have exceeded the rate limit"},
                "headers": {"X-Business-Use-Case-Usage": buc},
            },
        ]
    )
    job = fetch_only(services, search(max_ads=50))
    assert job.status == JobStatus.COMPLETED, job.error
    assert len(graph.requests) == 3
    assert len(services.service.items(job.job_id)) == 50


def test_too_many_page_ids(services: AppServices, graph: GraphDouble) -> None:
    job = fetch_only(
        services, SourceSpec("meta_search", {"page_ids": [str(i) for i in range(11)], "countries": ["DE"]})
    )
    assert job.status == JobStatus.FAILED and "at most 10 page ids" in (job.error or "")


def test_an_interrupted_search_resumes_from_its_cursor(services: AppServices, graph: GraphDouble) -> None:
    graph.delay_s = 0.3
    env = services.pipeline
    stages = lambda job: [StartStage(env.settings), CheckStage(env), FetchStage(env)]  # noqa: E731
    runner = services.make_runner(stages=stages)
    runner.start()
    job_id = services.service.start_analysis(search(page_size=100)).job_id
    wait_for(lambda: len(services.store.items(job_id)) >= 100, timeout=30)
    runner.shutdown()
    assert services.service.status(job_id).status == JobStatus.PENDING
    seen = len(graph.requests)
    runner = services.make_runner(stages=stages)
    runner.start()
    job = wait_final(services, job_id, timeout=60)
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED
    resumed = [r["params"].get("after") for r in graph.requests[seen:]]
    assert resumed and resumed[0] is not None, "the second run starts from the saved cursor"
    assert len(services.service.items(job_id)) == 250


def test_usage_headers() -> None:
    assert usage_pause(httpx.Headers({"X-App-Usage": '{"call_count": 28, "total_time": 25, "total_cputime": 25}'})) == 0
    assert usage_pause(httpx.Headers({"X-App-Usage": '{"call_count": 85, "total_time": 25, "total_cputime": 25}'})) == 5
    assert (
        usage_pause(httpx.Headers({"X-App-Usage": '{"call_count": 99, "total_time": 25, "total_cputime": 25}'})) == 60
    )
    buc = '{"1": [{"call_count": 50, "total_time": 10, "total_cputime": 10, "estimated_time_to_regain_access": 3}]}'
    assert usage_pause(httpx.Headers({"X-Business-Use-Case-Usage": buc})) == 180
    assert usage_pause(httpx.Headers({"X-App-Usage": "garbage"})) == 0
