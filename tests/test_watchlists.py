"""Competitor watchlists: checks are real jobs through the real pipeline against loopback doubles of Meta's
Graph API, the video host (standing in for facebook.com's ad pages) and a transcription server. A page's ads
change between two checks: new ads are analysed, gone ones marked inactive, and nothing is fetched,
downloaded, transcribed or analysed twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.composition import AppServices, open_services
from desktop_app.core.context import ItemReport, JobContext
from desktop_app.core.runner import StagesFactory
from desktop_app.core.settings import Settings
from desktop_app.core.types import JobItem, JobStatus, SourceSpec
from desktop_app.core.watch_checks import start_check, start_due, summary_of
from desktop_app.core.watchlists import DAY_S, WatchStore
from desktop_app.pipeline.checkpoints import Resolved
from desktop_app.pipeline.resolve import ResolveStage
from desktop_app.pipeline.sources import library_id
from desktop_app.pipeline.stages import build_stages
from tests.conftest import REPO, wait_final
from tests.graph_double import GraphDouble
from tests.servers import VideoHost, serve
from tests.transcription_double import TranscriptionDouble

TOKEN = "EAAB-watch-token-1234567890"
PAGE = "123456789"
SAMPLES = sorted((REPO / "resources" / "sample_ads").glob("*.mp4"))


def meta_ad(n: int, reach: int = 1000, page: str = PAGE, page_name: str = "Example Coffee") -> dict[str, Any]:
    return {
        "id": f"5{n:014d}",
        "page_id": page,
        "page_name": page_name,
        "ad_delivery_start_time": "2026-09-01",
        "ad_creative_bodies": [f"Fresh roast number {n}, delivered"],
        "publisher_platforms": ["facebook"],
        "eu_total_reach": reach,
    }


def video_of(n: int) -> bytes:
    """A distinct video per number (trailing bytes players ignore), except 3 and 4, which are the same file."""
    n = 3 if n == 4 else n
    return SAMPLES[n % len(SAMPLES)].read_bytes() + bytes(8 + n)


class FacebookDouble(ResolveStage):
    """facebook.com's Ad Library pages, stood in for by the loopback video host: an ad's Library URL resolves
    to /v/<ad id>.mp4 there, through the real yt-dlp resolution."""

    def __init__(self, base: str, real: ResolveStage) -> None:
        super().__init__(known=real.known)
        self.base = base

    def videos_of(self, ctx: JobContext, item: JobItem, report: ItemReport) -> Resolved:
        ad_id = library_id(str(item.data.get("url") or ""))
        if ad_id:
            item = replace(item, data={**item.data, "url": f"{self.base}/v/{ad_id}.mp4"})
        return super().videos_of(ctx, item, report)


@dataclass
class World:
    app: AppServices
    graph: GraphDouble
    host: VideoHost
    speech: TranscriptionDouble
    stages: StagesFactory

    def show(self, *numbers: int, reach: int = 1000) -> None:
        """The page's running ads from now on, each with its video on the host."""
        self.graph.ads = [meta_ad(n, reach + n) for n in numbers]
        for n in numbers:
            self.host.files[f"5{n:014d}.mp4"] = video_of(n)

    def downloads(self, n: int) -> int:
        return sum(1 for path, _ in self.host.requests if path == f"/v/5{n:014d}.mp4")

    def check(self, watchlist_id: int) -> Any:
        runner = self.app.make_runner(stages=self.stages)
        runner.start()
        try:
            job = wait_final(self.app, start_check(self.app.service, WatchStore(self.app.db), watchlist_id).job_id, 120)
        finally:
            runner.shutdown()
        assert job.status == JobStatus.COMPLETED, job.error
        return job


def loopback_stages(app: AppServices, base: str) -> StagesFactory:
    def make(job: Any) -> list[Any]:
        stages = list(build_stages(app.pipeline, job))
        return [FacebookDouble(base, s) if isinstance(s, ResolveStage) else s for s in stages]

    return make


@pytest.fixture
def world(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    graph, host, speech = GraphDouble(TOKEN, ads=0), VideoHost({}), TranscriptionDouble()
    with serve(graph.handle) as graph_url, serve(host.handle) as host_url, serve(speech.handle) as speech_url:
        graph.base = graph_url
        monkeypatch.setenv("META_GRAPH_URL", graph_url)
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("AD_ANALYSIS_TRANSCRIBE_KEY", "watch-key")
        home.mkdir(parents=True, exist_ok=True)
        Settings(transcribe_url=f"{speech_url}/v1", look_at_videos=False).save(home / "settings.json")
        app = open_services(home)
        try:
            yield World(app, graph, host, speech, loopback_stages(app, host_url))
        finally:
            app.close()


def analyses_per_ad(app: AppServices) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in app.results.results():
        counts[result.ad_id] = counts.get(result.ad_id, 0) + 1
    return counts


def test_a_page_that_changes_between_two_checks(world: World) -> None:
    watch = WatchStore(world.app.db)
    coffee = watch.add(page_id=PAGE, terms=None, countries=["DE"], schedule="daily")
    world.show(1, 2, 3, 4)
    first = summary_of(world.check(coffee.watchlist_id))
    assert first is not None and first.first and len(first.new) == 4 and not first.gone
    assert first.headline() == "Now tracking 4 running ads from Example Coffee"
    assert world.graph.requests[-1]["params"]["search_page_ids"] == json.dumps([PAGE])
    fetched = [world.downloads(n) for n in (1, 2, 3, 4)]
    assert fetched == [3, 3, 3, 3]  # resolution reads the file once, the download extracts then fetches it
    assert len(world.speech.requests) == 3, "ads 3 and 4 share one video: transcribed once"
    assert analyses_per_ad(world.app) == {f"5{n:014d}": 1 for n in (1, 2, 3, 4)}

    world.show(2, 3, 4, 5, 6, reach=5000)  # ad 1 stopped; 5 and 6 are new; the others reach more people
    job = world.check(coffee.watchlist_id)
    second = summary_of(job)
    assert second is not None and not second.first
    assert second.new == [
        "Example Coffee: Fresh roast number 5, delivered",
        "Example Coffee: Fresh roast number 6, delivered",
    ]
    assert second.gone == ["Example Coffee: Fresh roast number 1, delivered"]
    assert len(second.still_active) == 3
    assert second.headline() == "2 new ads from Example Coffee, 1 stopped running"
    assert [world.downloads(n) for n in (1, 2, 3, 4, 5, 6)] == [*fetched, 3, 3], "nothing fetched twice"
    assert len(world.speech.requests) == 5, "only the two new videos were transcribed"
    assert analyses_per_ad(world.app) == {f"5{n:014d}": 1 for n in range(1, 7)}, "nothing analysed twice"
    assert job.result is not None and job.result["already_analysed"] == 3
    assert job.message == "2 new ads from Example Coffee, 1 stopped running (2 of 5 ads analysed, 3 already known)"

    ads = {ad.ad_id[-1]: ad for ad in watch.ads(coffee.watchlist_id)}
    assert not ads["1"].active and ads["1"].last_seen < ads["2"].last_seen
    assert all(ads[n].active for n in "23456")
    assert [ads[n].new for n in "123456"] == [False, False, False, False, True, True]
    assert [r[1] for r in ads["2"].reach] == [1002, 5002], "EU reach over time"
    assert ads["2"].days_running(ads["2"].last_seen) >= 1  # delivered since 2026-09-01
    assert watch.get(coffee.watchlist_id).title == "Example Coffee"


def test_a_check_that_fails_leaves_its_watchlist_as_it_was(world: World) -> None:
    """Every ad of a check fails (no video on the host, no copy to read): the check fails and the watchlist learns
    nothing from it, so the next check that ends well still reports those ads as new."""
    watch = WatchStore(world.app.db)
    coffee = watch.add(page_id=PAGE, terms=None, countries=["DE"], schedule="daily")
    world.graph.ads = [{k: v for k, v in meta_ad(n).items() if k != "ad_creative_bodies"} for n in (1, 2)]
    runner = world.app.make_runner(stages=world.stages)
    runner.start()
    try:
        failed = wait_final(world.app, start_check(world.app.service, watch, coffee.watchlist_id).job_id, 120)
    finally:
        runner.shutdown()
    assert failed.status == JobStatus.FAILED and summary_of(failed) is None, failed
    assert watch.ads(coffee.watchlist_id) == [] and watch.get(coffee.watchlist_id).last_checked is None
    world.show(1, 2)
    again = summary_of(world.check(coffee.watchlist_id))
    assert again is not None and again.first and len(again.new) == 2


def test_an_ad_analysed_before_is_not_downloaded_again(world: World) -> None:
    """Analysed again (another analyser, or --reanalyse): its video still on disk is used, not fetched."""
    watch = WatchStore(world.app.db)
    coffee = watch.add(page_id=PAGE, terms=None, countries=["DE"])
    world.show(1)
    world.check(coffee.watchlist_id)
    before = len(world.host.requests)
    runner = world.app.make_runner(stages=world.stages)
    runner.start()
    try:
        source = SourceSpec("urls", {"urls": [f"5{1:014d}"], "reanalyse": True})
        job = wait_final(world.app, world.app.service.start_analysis(source).job_id, 120)
    finally:
        runner.shutdown()
    assert job.status == JobStatus.COMPLETED and job.result is not None and job.result["analysed"] == 1
    assert len(world.host.requests) == before
    assert len(world.speech.requests) == 1, "the transcript is reused by the video's hash"


def test_a_check_where_every_ad_stopped_completes(world: World) -> None:
    watch = WatchStore(world.app.db)
    coffee = watch.add(page_id=PAGE, terms=None, countries=["DE"])
    world.show(1)
    world.check(coffee.watchlist_id)
    world.show()
    summary = summary_of(world.check(coffee.watchlist_id))
    assert summary is not None and len(summary.gone) == 1
    assert summary.headline() == "1 ad has stopped running at Example Coffee"
    assert [ad.active for ad in watch.ads(coffee.watchlist_id)] == [False]


def test_scheduled_checks_fire_under_a_fake_clock(services: AppServices) -> None:
    watch = WatchStore(services.db)
    t0 = 1_900_000_000.0
    daily = watch.add(page_id=PAGE, terms=None, countries=["DE"], schedule="daily", now=t0)
    weekly = watch.add(page_id=None, terms="oat milk", countries=["FR"], schedule="weekly", now=t0)
    watch.add(page_id="42", terms=None, countries=["DE"], schedule="manual", now=t0)
    assert [w.watchlist_id for w in watch.due(t0)] == [daily.watchlist_id, weekly.watchlist_id]
    started = start_due(services.service, watch, now=t0)
    assert len(started) == 2 and all(s.created for s in started)
    job = services.service.status(started[0].job_id)
    assert job.source.params["watchlist_id"] == daily.watchlist_id and job.source.params["page_ids"] == [PAGE]
    assert watch.due(t0 + 60) == [], "queued checks are not started twice"
    for s in started:
        services.service.cancel(s.job_id)
    assert watch.due(t0 + DAY_S - 1) == [], "a check that did not complete is tried again next period"
    assert [w.watchlist_id for w in watch.due(t0 + DAY_S)] == [daily.watchlist_id]
    assert [w.watchlist_id for w in watch.due(t0 + 7 * DAY_S)] == [daily.watchlist_id, weekly.watchlist_id]


def test_watchlist_input_is_checked(services: AppServices) -> None:
    watch = WatchStore(services.db)
    with pytest.raises(ValueError, match="either one page id or search terms"):
        watch.add(page_id=PAGE, terms="coffee", countries=["DE"])
    with pytest.raises(ValueError, match="no country has the code XX"):
        watch.add(page_id=PAGE, terms=None, countries=["XX"])
    with pytest.raises(ValueError, match="daily, weekly or manual"):
        watch.add(page_id=PAGE, terms=None, countries=["DE"], schedule="hourly")
    assert watch.all() == []


def cli(capsys: pytest.CaptureFixture[str], *args: str, stages: StagesFactory | None = None) -> tuple[int, str]:
    code = main(["watch", *args], stages=stages)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_watch_commands(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # The CLI opens the data folder itself; the checks it runs use the world's stages (the same data folder).
    world.show(1, 2)
    code, out = cli(capsys, "add", "--page-id", PAGE, "--country", "de", "--every", "weekly")
    assert code == 0 and "watchlist 1" in out.lower()
    code, out = cli(capsys, "add", "--search", "oat milk", "--country", "FR", "--name", "Oat milk", "--every", "manual")
    assert code == 0
    code, out = cli(capsys, "list", "--json")
    listed = json.loads(out)
    assert [(w["id"], w["title"], w["schedule"]) for w in listed] == [
        (1, f"Page {PAGE}", "weekly"),
        (2, "Oat milk", "manual"),
    ]
    code, out = cli(capsys, "run", "1", "--wait", stages=world.stages)
    assert code == 0, out
    assert (
        "Now tracking 2 running ads from Example Coffee" in out
        and "Example Coffee: Fresh roast number 1, delivered" in out
    )
    world.show(2, 3)
    code, out = cli(capsys, "run", "1", "--wait", "--json", stages=world.stages)
    assert code == 0, out
    checks = json.loads(out)
    assert checks[0]["status"] == "completed"
    assert checks[0]["new"] == ["Example Coffee: Fresh roast number 3, delivered"]
    assert checks[0]["gone"] == ["Example Coffee: Fresh roast number 1, delivered"]
    assert checks[0]["still_active"] == ["Example Coffee: Fresh roast number 2, delivered"]
    code, out = cli(capsys, "list")
    assert "Example Coffee" in out and "weekly" in out
    code, out = cli(capsys, "run", "--due", "--json", stages=world.stages)
    assert code == 0 and json.loads(out) == [], "the weekly one was checked just now, the manual one never is"
    code, out = cli(capsys, "remove", "2")
    assert code == 0
    code, out = cli(capsys, "remove", "2")
    assert code == 2 and "no watchlist 2" in out
    code, out = cli(capsys, "add", "--page-id", PAGE, "--search", "x", "--country", "DE")
    assert code == 2

    # A page found by its name: the pages behind the ads that mention it, the one named so chosen.
    world.graph.ads = [meta_ad(1), meta_ad(7, page="987654321", page_name="Example Coffee Roasters")]
    code, out = cli(capsys, "add", "--page-name", "example coffee", "--country", "DE", "--every", "manual")
    assert code == 0 and f"Found Example Coffee (page {PAGE})" in out, out
    asked = world.graph.requests[-1]
    assert "example coffee" in json.dumps(asked) and "page_id" in json.dumps(asked)
    world.graph.ads = [meta_ad(7, page="987654321", page_name="Example Coffee Roasters"),
                       meta_ad(8, page="555", page_name="Example Coffee Club")]  # fmt: skip
    code, out = cli(capsys, "add", "--page-name", "example coffee", "--country", "DE")
    assert code == 2 and "several pages match" in out and "--page-id 987654321" in out, out


def test_the_tracking_view_runs_due_checks_and_notifies(qtbot: Any, world: World) -> None:
    """The window's scheduler under a fake clock: the first check at once, the next a day later; a check that
    found new ads says so (in the window's banner, as there is no tray here)."""
    from tests.test_ui import close_window, make_window

    window, pool = make_window(world.app, world.stages)
    try:
        now = [1_900_000_000.0]
        view = window.watch
        view.clock = lambda: now[0]
        world.show(1, 2)
        coffee = view.add(page_id=PAGE, terms=None, countries=["DE"], schedule="daily")
        messages: list[str] = []
        window.notified.connect(lambda title, message: messages.append(f"{title}: {message}"))

        def run_due() -> list[str]:
            with qtbot.waitSignal(view.due_checked, timeout=10000) as due:
                view.run_due()  # the scheduler's reads and starts run on a pool thread
            return list(due.args[0])

        first = run_due()
        assert len(first) == 1 and first[0] in window.analysis.cards, "a check is an ordinary job card"
        qtbot.waitUntil(lambda: bool(messages), timeout=60000)
        assert messages == ["New competitor ads: Now tracking 2 running ads from Example Coffee"]
        now[0] += 3600
        assert run_due() == [], "not due again within the day"
        world.show(1, 2, 3)
        now[0] += DAY_S
        assert len(run_due()) == 1
        qtbot.waitUntil(lambda: len(messages) == 2, timeout=60000)
        assert messages[1] == "New competitor ads: 1 new ad from Example Coffee"
        assert "1 new ad from Example Coffee" in window.analysis.notice.text()
        window.nav.setCurrentRow(window.stack.indexOf(view))
        qtbot.waitUntil(lambda: view.lists.rowCount() == 1 and view.lists.item(0, 4).text() == "1 new", timeout=5000)
        assert view.lists.item(0, 0).text() == "Example Coffee"
        statuses = [view.ads.item(r, 4).text() for r in range(3)]
        assert view.ads.rowCount() == 3 and sorted(statuses) == ["New, running", "Running", "Running"]
        new_row = statuses.index("New, running")
        assert view.ads.item(new_row, 0).font().bold() and view._shown[new_row].new
        shown = [card.data for card in view.trends.cards if card.isVisibleTo(view.trends)]
        assert [c.title for c in shown if c] == [
            "New ads per week", "Ads running over time", "Hooks", "Offers", "Calls to action"
        ]  # fmt: skip
        assert shown[1] is not None and shown[1].series[0].values[-1] == 3  # the three ads run this week
        # (the fake clock is years after the ads began, so no bar has ads: the ids a bar carries are checked
        # in the trends test below; here, that a click on a card lists them and Open goes to Results)
        view.trends.cards[0].selected.emit("Started that week", sorted(view.trends.facts))
        assert view.trends.ads.list.count() == 3, "a click on a bar lists the analysed ads behind it"
        ids = view.analysis_ids([0, 1, 2])
        assert len(ids) == 3, "each tracked ad leads to its analysis: for a board, or Results"
        window.services.boards.pin(window.services.boards.create("Coffee").id, ids[:2])
        assert window.services.boards.analysis_ids(None, None) == set(ids[:2])
        view.ads.cellDoubleClicked.emit(0, 0)
        detail = window.results.detail.result
        assert (
            detail is not None
            and detail.ad_id == view._shown[0].ad_id
            and window.stack.currentWidget() is window.results
        )
        window.nav.setCurrentRow(window.stack.indexOf(view))
        job_id = view.check_selected()
        assert job_id and f"href='{job_id}'" in view.banner.text()
        view.banner.linkActivated.emit(job_id)  # "Follow it there"
        assert window.stack.currentWidget() is window.analysis
        window.nav.setCurrentRow(window.stack.indexOf(view))
        window.resize(800, 600)
        window.grab().save(str(world.app.paths.home.parent / "tracking.png"))
        assert coffee.watchlist_id == view.selected().watchlist_id  # type: ignore[union-attr]
    finally:
        close_window(window, pool)
