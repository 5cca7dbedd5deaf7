"""Benchmark of watchlist checks: how much a scheduled check of known competitors costs against analysing
everything from scratch.

A watchlist per page, PAGES pages (20) with KNOWN ads each (50) already checked once; then each page shows NEW
more ads (5) and every watchlist is checked again. Compared with a full first run of the same ads (KNOWN + NEW
per page, in a fresh data folder). Everything runs through the real pipeline against loopback doubles: the
Graph API, a video host standing in for facebook.com's ad pages, a transcription server answering at once;
the offline analyser, the visual look off (the fast path the tests use).

Prints readable figures; the last line is one JSON object.
Usage: python bench/watchlist.py [--pages 20] [--known 50] [--new 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.composition import AppServices, open_services  # noqa: E402
from desktop_app.core.settings import Settings  # noqa: E402
from desktop_app.core.types import JobStatus  # noqa: E402
from desktop_app.core.watch_checks import start_check, summary_of  # noqa: E402
from desktop_app.core.watchlists import WatchStore  # noqa: E402
from tests.graph_double import GraphDouble  # noqa: E402
from tests.servers import VideoHost, serve  # noqa: E402
from tests.test_watchlists import SAMPLES, loopback_stages  # noqa: E402
from tests.transcription_double import TranscriptionDouble  # noqa: E402

TOKEN = "bench-watch-token"


def page_ads(page: int, count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "id": f"6{page:04d}{n:010d}",
            "page_id": f"9{page:08d}",
            "page_name": f"Competitor {page + 1}",
            "ad_delivery_start_time": "2026-09-01",
            "ad_creative_bodies": [f"Offer {n} from competitor {page + 1}: order today"],
            "publisher_platforms": ["facebook"],
            "eu_total_reach": 1000 + n,
        }
        for n in range(start, start + count)
    ]


def show(graph: GraphDouble, host: VideoHost, pages: int, per_page: int) -> None:
    """Every page's first `per_page` ads, each with a video of its own on the host."""
    graph.ads = [ad for p in range(pages) for ad in page_ads(p, per_page)]
    for ad in graph.ads:  # trailing bytes players ignore make every ad's file its own
        host.files[f"{ad['id']}.mp4"] = SAMPLES[int(ad["id"]) % len(SAMPLES)].read_bytes() + ad["id"].encode()


@contextmanager
def app_in(home: Path, speech_url: str) -> Iterator[AppServices]:
    home.mkdir(parents=True)
    Settings(transcribe_url=f"{speech_url}/v1", look_at_videos=False).save(home / "settings.json")
    app = open_services(home)
    try:
        yield app
    finally:
        app.close()


def check_all(app: AppServices, host_url: str, ids: list[int]) -> tuple[float, list[Any]]:
    """Check every watchlist at once (queued under the parallel-jobs setting): seconds until all ended."""
    runner = app.make_runner(stages=loopback_stages(app, host_url))
    runner.start()
    began = time.perf_counter()
    watch = WatchStore(app.db)
    jobs = [start_check(app.service, watch, i).job_id for i in ids]
    while any(app.service.status(j).status.is_active for j in jobs):
        time.sleep(0.05)
    elapsed = time.perf_counter() - began
    runner.shutdown()
    ended = [app.service.status(j) for j in jobs]
    bad = [j for j in ended if j.status is not JobStatus.COMPLETED]
    assert not bad, bad[0].error
    return elapsed, ended


def watch_pages(app: AppServices, pages: int) -> list[int]:
    watch = WatchStore(app.db)
    return [
        watch.add(page_id=f"9{p:08d}", terms=None, countries=["DE"], schedule="manual").watchlist_id
        for p in range(pages)
    ]


def run(root: Path, pages: int, known: int, new: int) -> dict[str, Any]:
    graph, host, speech = GraphDouble(TOKEN, ads=0), VideoHost({}), TranscriptionDouble()
    with serve(graph.handle) as graph_url, serve(host.handle) as host_url, serve(speech.handle) as speech_url:
        graph.base = graph_url
        os.environ.update({"META_GRAPH_URL": graph_url, "META_ACCESS_TOKEN": TOKEN, "AD_ANALYSIS_TRANSCRIBE_KEY": "k"})
        show(graph, host, pages, known + new)
        with app_in(root / "full", speech_url) as app:
            full_s, _ = check_all(app, host_url, watch_pages(app, pages))
        show(graph, host, pages, known)
        with app_in(root / "watched", speech_url) as app:
            ids = watch_pages(app, pages)
            baseline_s, _ = check_all(app, host_url, ids)
            show(graph, host, pages, known + new)
            requests, uploads = len(host.requests), len(speech.requests)
            check_s, jobs = check_all(app, host_url, ids)
            found = [summary_of(j) for j in jobs]
            new_found = sum(len(s.new) for s in found if s)
            fetched, transcribed = len(host.requests) - requests, len(speech.requests) - uploads
    return {
        "pages": pages,
        "known_ads_per_page": known,
        "new_ads_per_page": new,
        "full_first_run_s": round(full_s, 2),
        "first_check_of_known_ads_s": round(baseline_s, 2),
        "check_s": round(check_s, 2),
        "check_vs_full_run": round(check_s / full_s, 3),
        "new_ads_found": new_found,
        "video_host_requests_in_check": fetched,
        "transcriptions_in_check": transcribed,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--known", type=int, default=50)
    parser.add_argument("--new", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = run(Path(tmp), args.pages, args.known, args.new)
    total = args.pages * (args.known + args.new)
    print(f"Watchlist checks: {args.pages} pages, {args.known} known + {args.new} new ads each ({total} ads)")
    print(f"  full first run of all {total} ads   {figures['full_first_run_s']:8.2f} s")
    print(f"  check finding {figures['new_ads_found']} new ads        {figures['check_s']:8.2f} s")
    print(f"  check / full run                 {figures['check_vs_full_run']:8.3f}")
    print(
        f"  during the check: {figures['video_host_requests_in_check']} video host requests, "
        f"{figures['transcriptions_in_check']} transcriptions (only the new ads')"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
