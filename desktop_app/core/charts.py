"""The Dashboard's charts as plain data: each answers one question a marketer asks, knows the analyses
behind every bar or point (so a click can list them), and is its own table for CSV export.

Built off the UI thread from `AdFacts`; the window only turns them into QtCharts objects."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import IO, Any, Literal

from desktop_app.core.db import Database
from desktop_app.core.estimates import stage_durations
from desktop_app.core.export import write_rows
from desktop_app.core.insights import (
    FINISHED,
    AdFacts,
    FilterChoices,
    InsightFilter,
    filter_choices,
    job_outcomes,
    load_facts,
)
from desktop_app.core.stages import stage_label
from desktop_app.core.store import JobStore
from desktop_app.core.text import one_line, readable

Kind = Literal["bar", "stacked", "scatter", "line"]
TOP = 8  # categories shown before the rest are summed up as "Other"
DAY_BUCKETS = ((0, 7, "up to a week"), (8, 30, "8-30 days"), (31, 90, "1-3 months"), (91, 180, "3-6 months"))
BAND_ENDS = [hi for _, hi, _ in DAY_BUCKETS]


@dataclass
class Series:
    name: str
    values: list[float]
    ids: list[list[int]] = field(default_factory=list)  # per category: the analyses behind the value


@dataclass
class ChartData:
    key: str
    title: str
    question: str
    kind: Kind
    categories: list[str]
    series: list[Series]
    x_label: str = ""
    y_label: str = "Ads"
    # Scatter charts: (x, y, analysis ids at that point), and a trend line through the categories.
    points: list[tuple[float, float, list[int]]] = field(default_factory=list)
    trend: list[tuple[float, float]] = field(default_factory=list)
    point_span: int = 1  # how many x units one point covers
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.points and not any(v for s in self.series for v in s.values)

    def ids_at(self, series: int, category: int) -> list[int]:
        ids = self.series[series].ids
        return ids[category] if category < len(ids) else []

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """The numbers behind the chart, as a header and rows."""
        if self.kind == "scatter":
            x_label = self.x_label if self.point_span == 1 else f"{self.x_label} (from)"
            return [x_label, self.y_label, "Ads", "Analysis ids"], [
                [_number(x), _number(y), len(ids), " ".join(map(str, ids))] for x, y, ids in self.points
            ]
        header = [self.x_label or "Category", *(s.name for s in self.series)]
        rows = [[c, *(_number(s.values[i]) for s in self.series)] for i, c in enumerate(self.categories)]
        return header, rows

    def write_csv(self, out: IO[str]) -> None:
        header, rows = self.table()
        write_rows(out, [header, *rows])  # page names come from ads: neutralised like every export


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _counts(
    facts: Sequence[AdFacts], field_name: str, top: int = TOP
) -> tuple[list[str], list[float], list[list[int]]]:
    """Count ads per value of a field (an ad counts once per value it has), most used first, the rest
    summed up as Other."""
    ids: dict[str, list[int]] = defaultdict(list)
    values = values_of(field_name)
    for f in facts:
        for value in values(f):
            ids[value].append(f.analysis_id)
    ranked = _ranked(Counter({v: len(i) for v, i in ids.items()}))
    shown, rest = ranked[:top], ranked[top:]
    categories = [readable(v) for v in shown]
    groups = [ids[v] for v in shown]
    if rest:
        categories.append(f"Other ({len(rest)})")
        groups.append([i for v in rest for i in ids[v]])
    return categories, [float(len(g)) for g in groups], groups


DIMENSIONS = {  # key: (title, question, AdFacts field)
    "hooks": ("Hook types", "Which hook types do the ads open with?", "hook_type"),
    "ctas": ("Calls to action", "Which calls to action do they use?", "cta_type"),
    "offers": ("Offers", "Which offers do they make?", "offer_types"),
    "angles": ("Angles", "Which messaging angles do they take?", "angle"),
    "tones": ("Tones", "Which tones do they strike?", "tone"),
}


def values_of(field_name: str) -> Callable[[AdFacts], Sequence[str]]:
    """An ad's values of one field: one label, or for offers every offer it makes ("no offer" if none)."""
    get = attrgetter(field_name)
    if field_name == "offer_types":
        return lambda f: get(f) or ("no offer",)
    return lambda f: (get(f),)


def usage_chart(facts: Sequence[AdFacts], key: str) -> ChartData:
    title, question, field_name = DIMENSIONS[key]
    categories, counts, ids = _counts(facts, field_name)
    return ChartData(key, title, question, "bar", categories, [Series("Ads", counts, ids)])


def by_page_chart(facts: Sequence[AdFacts], key: str, pages: int = 8, shown: int = 5) -> ChartData:
    """One dimension split by page: what each competitor does, the most active pages first."""
    title, question, field_name = DIMENSIONS[key]
    values = values_of(field_name)
    page_counts = Counter(f.page or "(no page)" for f in facts)
    top_pages = _ranked(page_counts)[:pages]
    value_counts = Counter(v for f in facts for v in values(f))
    names = _ranked(value_counts)[:shown] + ([REST] if len(value_counts) > shown else [])
    cells: dict[str, list[list[int]]] = {name: [[] for _ in top_pages] for name in names}
    column = {page: i for i, page in enumerate(top_pages)}
    for f in facts:
        i = column.get(f.page or "(no page)")
        if i is not None:
            for value in values(f):
                cells[value if value in cells else REST][i].append(f.analysis_id)
    series = [Series("Other" if n == REST else readable(n), [float(len(c)) for c in cells[n]], cells[n]) for n in names]
    return ChartData(
        f"by_page_{key}",
        f"{title} by page",
        question.replace("do the ads", "does each page").replace("do they", "does each page"),
        "stacked",
        top_pages,
        series,
        x_label="Page",
        note=f"The {len(top_pages)} pages with the most ads, of {len(page_counts)}."
        if len(page_counts) > pages
        else "",
    )


REST = "\x00rest"  # the values beyond the top ones, summed up (never a real label)


def _ranked(counts: Counter[str]) -> list[str]:
    return sorted(counts, key=lambda v: (-counts[v], v))


def score_chart(facts: Sequence[AdFacts]) -> ChartData:
    categories = [str(n) for n in range(1, 6)]
    series = []
    for name, field_name in (("Overall", "overall"), ("Hook strength", "hook_strength")):
        ids: list[list[int]] = [[] for _ in categories]
        for f in facts:
            score: int = getattr(f, field_name)
            if 1 <= score <= 5:
                ids[score - 1].append(f.analysis_id)
        series.append(Series(name, [float(len(i)) for i in ids], ids))
    return ChartData("scores", "Scores", "How are the scores spread?", "bar", categories, series, x_label="Score (1-5)")


def days_chart(facts: Sequence[AdFacts], max_columns: int = 120) -> ChartData:
    """Days running against overall score, and the average score per age band: long-running ads are
    the ones advertisers keep paying for.

    One point per (days, score) with every ad at it; beyond `max_columns` distinct days, days are
    grouped into equal spans, so the chart stays readable (and quick to draw) with 10,000 ads."""
    dated = [f for f in facts if f.days_running is not None and f.overall]
    width = 1
    if len({f.days_running for f in dated}) > max_columns:
        width = math.ceil(max(f.days_running or 0 for f in dated) / max_columns)
    at: dict[tuple[int, int], list[int]] = defaultdict(list)
    bands: list[list[AdFacts]] = [[] for _ in range(len(DAY_BUCKETS) + 1)]
    for f in dated:
        days = f.days_running or 0
        at[(days - days % width, f.overall)].append(f.analysis_id)
        bands[bisect_left(BAND_ENDS, days)].append(f)
    names = [name for _, _, name in DAY_BUCKETS] + ["over 6 months"]
    averages = [round(sum(f.overall for f in b) / len(b), 2) if b else 0.0 for b in bands]
    band_ids = [[f.analysis_id for f in b] for b in bands]
    trend = [
        (sum(f.days_running or 0 for f in b) / len(b), average) for b, average in zip(bands, averages, strict=True) if b
    ]
    return ChartData(
        "days_vs_score",
        "Days running vs overall score",
        "Do the ads that keep running score higher? Running time is the only performance signal public ads"
        " carry. Click a point to list its ads.",
        "scatter",
        names,
        [Series("Average overall score", averages, band_ids)],
        x_label="Days running",
        y_label="Overall score",
        points=[(float(d), float(s), ids) for (d, s), ids in sorted(at.items())],
        trend=trend,
        point_span=width,
        note=f"Each point groups {width} days." if width > 1 else "",
    )


def strongest_hooks_chart(facts: Sequence[AdFacts], top: int = 10) -> ChartData:
    best = sorted(facts, key=lambda f: (-f.hook_strength, -f.overall, f.analysis_id))[:top]
    return ChartData(
        "strongest_hooks",
        "Strongest hooks",
        "Which ads open best?",
        "bar",
        [f"{f.page or f.ad_id}: {one_line(f.hook_text, 42) or readable(f.hook_type)}" for f in best],
        [Series("Hook strength", [float(f.hook_strength) for f in best], [[f.analysis_id] for f in best])],
        x_label="Ad",
        y_label="Hook strength (1-5)",
    )


def over_time_chart(facts: Sequence[AdFacts]) -> ChartData:
    by_day: dict[str, list[int]] = defaultdict(list)
    for f in facts:
        by_day[f.analysed_on].append(f.analysis_id)
    days = sorted(by_day)
    return ChartData(
        "ads_over_time",
        "Ads analysed over time",
        "How much has been analysed, and when?",
        "line",
        days,
        [Series("Ads analysed", [float(len(by_day[d])) for d in days], [by_day[d] for d in days])],
        x_label="Day",
    )


def stage_chart(durations: dict[str, float]) -> ChartData:
    stages = list(durations)
    return ChartData(
        "stage_durations",
        "Time per stage",
        "Where does an analysis spend its time? (median of recent completed jobs)",
        "bar",
        [stage_label(s) for s in stages],
        [Series("Seconds", [round(durations[s], 1) for s in stages])],
        x_label="Stage",
        y_label="Seconds",
    )


def outcome_chart(outcomes: dict[str, int]) -> ChartData:
    total = sum(outcomes.values())
    rate = f"{100 * outcomes.get('completed', 0) / total:.0f} % of jobs completed" if total else "No finished jobs yet"
    names = [s for s in FINISHED if outcomes.get(s)]
    return ChartData(
        "job_outcomes",
        "Job outcomes",
        rate,
        "bar",
        [s.title() for s in names],
        [Series("Jobs", [float(outcomes[s]) for s in names])],
        x_label="Outcome",
        y_label="Jobs",
    )


def build_charts(
    facts: Sequence[AdFacts], durations: dict[str, float], outcomes: dict[str, int], by_page: str = "hooks"
) -> list[ChartData]:
    """Every Dashboard chart, in the order the Dashboard shows them."""
    return [
        usage_chart(facts, "hooks"),
        by_page_chart(facts, by_page),
        usage_chart(facts, "ctas"),
        usage_chart(facts, "offers"),
        usage_chart(facts, "angles"),
        usage_chart(facts, "tones"),
        score_chart(facts),
        days_chart(facts),
        strongest_hooks_chart(facts),
        over_time_chart(facts),
        stage_chart(durations),
        outcome_chart(outcomes),
    ]


@dataclass
class DashboardData:
    """Everything one Dashboard refresh shows, prepared off the UI thread."""

    charts: list[ChartData]
    facts: dict[int, AdFacts]
    choices: FilterChoices


def load_dashboard(db: Database, store: JobStore, where: InsightFilter, by_page: str = "hooks") -> DashboardData:
    facts = load_facts(db, where)
    return DashboardData(
        build_charts(facts, stage_durations(store), job_outcomes(db), by_page),
        {f.analysis_id: f for f in facts},
        filter_choices(db),
    )
