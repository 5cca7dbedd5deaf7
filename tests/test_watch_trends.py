"""A competitor's trends: the weekly charts of the Tracking view, computed from the watched ads and their
analyses (Qt-free)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desktop_app.core.insights import AdFacts
from desktop_app.core.watch_trends import trend_charts
from desktop_app.core.watchlists import WatchedAd


def test_a_competitors_trends_count_launches_running_ads_and_the_hook_mix() -> None:
    """Weeks count from the ads' delivery start; an ad stopped last week no longer runs this week; the hook mix
    counts each new ad under its analysed hook type."""
    today = date(2026, 11, 25)  # a Wednesday
    seen = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
    ads = [
        WatchedAd("a1", "A", seen, seen, True, False, "2026-11-24", "analysed"),  # this week
        WatchedAd("a2", "B", seen, seen, True, True, "2026-11-23", "analysed"),  # this week (Monday)
        WatchedAd("a3", "C", seen, seen, False, False, "2026-11-10", "analysed"),  # two weeks ago, stopped on the 20th
    ]

    def facts(ad_id: str, analysis_id: int, hook: str) -> AdFacts:
        return AdFacts(
            analysis_id, ad_id, None, "meta_search", "P", hook, "", "shop_now", (), "", "", 3, 3, "", None, ""
        )

    launched, running, hooks, _offers, _ctas = trend_charts(
        ads, [facts("a1", 1, "question"), facts("a2", 2, "question"), facts("a3", 3, "bold_claim")], today, today
    )
    assert running.note.startswith("Tracked since 25 Nov 2026")
    assert launched.series[0].values[-1] == 2 and launched.series[0].values[-3] == 1
    assert launched.series[0].ids[-1] == [1, 2]
    assert running.series[0].values[-3:] == [1, 0, 2]  # a3 ran from the 10th to the 20th; a1 and a2 run now
    assert [s.name for s in hooks.series] == ["question", "bold claim"] and hooks.series[0].values[-1] == 2
    assert hooks.ids_at(0, len(hooks.categories) - 1) == [1, 2] and hooks.ids_at(1, len(hooks.categories) - 3) == [3]
