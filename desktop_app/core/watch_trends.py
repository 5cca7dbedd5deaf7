"""How one tracked competitor's advertising moves, as chart data for the Tracking view: ads launched per week,
ads running over time, and how its hooks, offers and calls to action shift from week to week.

Weeks count from each ad's delivery start (when it began running, as the Ad Library says), else from when a
check first saw it: a competitor's ads tracked from today are not all "new this week"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from desktop_app.core.charts import ChartData, Series
from desktop_app.core.insights import AdFacts
from desktop_app.core.text import readable
from desktop_app.core.watchlists import WatchedAd

WEEKS = 12  # the span the charts show, ending this week
KINDS_SHOWN = 4  # types shown per mix chart before the rest are summed up as "Other"
NONE = {"hook_type": "No clear hook", "offer_types": "No offer", "cta_type": "No call to action"}


def started_on(ad: WatchedAd) -> date:
    """The day the ad began running: its delivery start, else its first sighting."""
    if ad.delivery_start:
        try:
            return date.fromisoformat(ad.delivery_start[:10])
        except ValueError:
            pass
    return datetime.fromtimestamp(ad.first_seen, UTC).date()


def stopped_on(ad: WatchedAd, today: date) -> date:
    """The last day the ad was seen running: today while it runs."""
    return today if ad.active else datetime.fromtimestamp(ad.last_seen, UTC).date()


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def launched_chart(ads: Sequence[WatchedAd], ids: dict[str, list[int]], today: date) -> ChartData:
    """Ads that began running each week (the analyses behind each bar, for a click)."""
    weeks = week_starts(today)
    counts: Counter[date] = Counter()
    behind: dict[date, list[int]] = {w: [] for w in weeks}
    for ad in ads:
        week = started_on(ad) - timedelta(days=started_on(ad).weekday())
        if week in behind:
            counts[week] += 1
            behind[week] += ids.get(ad.ad_id, [])
    return ChartData(
        "watch_launched",
        "New ads per week",
        "How many ads did this competitor start running each week?",
        "bar",
        [f"{w:%d %b}" for w in weeks],
        [Series("Ads started", [float(counts[w]) for w in weeks], [behind[w] for w in weeks])],
        x_label="Week of",
    )


def running_chart(ads: Sequence[WatchedAd], today: date, since: date) -> ChartData:
    """Ads running at the end of each week (from their start to their last sighting). Before tracking began
    (`since`) only the ads still running then are known, so those weeks count fewer than ran: the note says so."""
    ends = [w + timedelta(days=6) for w in week_starts(today)]
    ends[-1] = today
    values = [float(sum(started_on(ad) <= end <= stopped_on(ad, today) for ad in ads)) for end in ends]
    return ChartData(
        "watch_running",
        "Ads running over time",
        "How many of its ads were running at the end of each week?",
        "line",
        [end.isoformat() for end in ends],
        [Series("Ads running", values)],
        x_label="Week",
        note=f"Tracked since {since:%d %b %Y}: ads that stopped before then are not known." if since > ends[0] else "",
    )


def mix_chart(ads: Sequence[WatchedAd], facts: dict[str, AdFacts], field: str, today: date, title: str) -> ChartData:
    """Per week of launch, the competitor's ads by hook type, CTA or offer: how its playbook shifts (with the
    analyses behind each part of a bar, for a click)."""
    weeks = week_starts(today)
    per_week: dict[date, dict[str, list[int]]] = {w: {} for w in weeks}
    for ad in ads:
        week = started_on(ad) - timedelta(days=started_on(ad).weekday())
        fact = facts.get(ad.ad_id)
        if fact is None or week not in per_week:
            continue
        kinds = (fact.offer_types or ("none",)) if field == "offer_types" else (getattr(fact, field) or "none",)
        for kind in kinds:
            per_week[week].setdefault(kind, []).append(fact.analysis_id)
    total: Counter[str] = Counter()
    for behind in per_week.values():
        total.update({kind: len(ids) for kind, ids in behind.items()})
    shown = [kind for kind, _ in total.most_common(KINDS_SHOWN)]
    names = [NONE[field] if kind == "none" else readable(kind) for kind in shown]
    names += ["Other"] if len(total) > len(shown) else []
    series = [Series(name, [], []) for name in names]
    for week in weeks:
        behind = per_week[week]
        for n, kind in enumerate(shown):
            series[n].values.append(float(len(behind.get(kind, []))))
            series[n].ids.append(behind.get(kind, []))
        if len(names) > len(shown):
            rest = [i for kind, ids in behind.items() if kind not in shown for i in ids]
            series[-1].values.append(float(len(rest)))
            series[-1].ids.append(rest)
    return ChartData(
        f"watch_{field}",
        title,
        f"Which {title.lower()} did its new ads use, week by week?",
        "stacked",
        [f"{w:%d %b}" for w in weeks],
        series,
        x_label="Week of",
    )


def trend_charts(ads: Sequence[WatchedAd], facts: Sequence[AdFacts], today: date, since: date) -> list[ChartData]:
    """Every chart of the Tracking view's trends for one competitor, tracked since `since`."""
    by_ad = {f.ad_id: f for f in facts}
    ids: dict[str, list[int]] = {}
    for fact in facts:
        ids.setdefault(fact.ad_id, []).append(fact.analysis_id)
    return [
        launched_chart(ads, ids, today),
        running_chart(ads, today, since),
        mix_chart(ads, by_ad, "hook_type", today, "Hooks"),
        mix_chart(ads, by_ad, "offer_types", today, "Offers"),
        mix_chart(ads, by_ad, "cta_type", today, "Calls to action"),
    ]
