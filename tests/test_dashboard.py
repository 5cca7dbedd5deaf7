"""The Dashboard: its charts as data (sample ads and 10,000 synthetic ones), and the view with pytest-qt:
charts for the sample ads, filters, a click that lists ads and opens one in Results, exports, and a
refresh when a job completes."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCharts import QAbstractBarSeries, QScatterSeries
from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.core.charts import build_charts, load_dashboard
from desktop_app.core.estimates import stage_durations
from desktop_app.core.insights import InsightFilter, job_outcomes, load_facts
from desktop_app.core.schema import AdAnalysis
from desktop_app.core.text import readable
from desktop_app.core.types import JobStatus
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.dashboard_view import ChartCard, DashboardView
from desktop_app.ui.main_window import VIEWS, MainWindow
from tests.synthetic import TEMPLATE, add_analysed_ads
from tests.test_ui import close_window, make_window
from tests.workload import FileWorkload


def charts_by_key(view: DashboardView) -> dict[str, ChartCard]:
    return {card.data.key: card for card in view.cards if card.data is not None}


def test_sample_ads_reduce_to_the_charts_a_marketer_reads(analysed: AppServices) -> None:
    facts = load_facts(analysed.db)
    assert len(facts) == 7 and {f.page for f in facts} >= {"Example Meals", "Lumen Skincare"}
    charts = {c.key: c for c in build_charts(facts, stage_durations(analysed.store), job_outcomes(analysed.db))}
    assert len(charts) == 12
    hooks = charts["hooks"]
    assert sum(hooks.series[0].values) == 7
    meals = next(f for f in facts if f.ad_id == "900000000000001")  # its hook type is the analyser's to decide
    opening = hooks.categories.index(readable(meals.hook_type))
    sharing = [f.ad_id for f in facts if f.hook_type == meals.hook_type]
    assert [f.ad_id for f in facts if f.analysis_id in hooks.ids_at(0, opening)] == sharing
    offers = charts["offers"]
    assert offers.series[0].values[offers.categories.index("free trial")] == 1
    assert sum(charts["scores"].series[0].values) == 7
    days = charts["days_vs_score"]
    assert sum(len(ids) for *_, ids in days.points) == 7 and days.trend
    assert charts["job_outcomes"].question == "100 % of jobs completed"
    assert "Transcribing videos" in charts["stage_durations"].categories
    header, rows = charts["by_page_hooks"].table()
    assert header[0] == "Page" and len(rows) == 7
    assert load_facts(analysed.db, InsightFilter(page="Lumen Skincare"))[0].ad_id == "900000000000003"
    assert load_facts(analysed.db, InsightFilter(since="2026-09-01")) == [f for f in facts if f.started >= "2026-09-01"]


def test_ten_thousand_ads_make_every_chart(services: AppServices) -> None:
    AdAnalysis.model_validate(TEMPLATE)  # the synthetic ads are real analysis documents
    add_analysed_ads(services.db, 10_000)
    data = load_dashboard(services.db, services.store, InsightFilter())
    assert len(data.facts) == 10_000
    charts = {c.key: c for c in data.charts}
    assert sum(charts["scores"].series[0].values) == 10_000
    stacked = charts["by_page_hooks"]
    assert len(stacked.categories) == 8 and "of 40" in stacked.note
    assert [s.name for s in stacked.series][-1] == "Other"
    assert len(charts["hooks"].categories) == 8


@pytest.fixture
def window(qtbot: QtBot, analysed: AppServices) -> Iterator[MainWindow]:
    win, pool = make_window(analysed, FileWorkload(items=2, delay=0.05))
    yield win
    close_window(win, pool)


def open_dashboard(qtbot: QtBot, window: MainWindow) -> DashboardView:
    view = window.dashboard_content
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        window.nav.setCurrentRow(VIEWS.index("Dashboard"))
    return view


def test_a_click_on_a_bar_lists_its_ads_and_opens_one_in_results(
    qtbot: QtBot, window: MainWindow, analysed: AppServices
) -> None:
    facts = load_facts(analysed.db)
    meals = next(f for f in facts if f.ad_id == "900000000000001")  # its hook type is the analyser's to decide
    opening = readable(meals.hook_type)
    view = open_dashboard(qtbot, window)
    cards = charts_by_key(view)
    assert len(cards) == 12 and all(card.view.chart().series() for card in cards.values())
    assert view.summary.text().startswith("7 analysed ad videos from 7 pages")

    hooks = cards["hooks"]
    assert hooks.data is not None
    bars = hooks.view.chart().series()[0]
    assert isinstance(bars, QAbstractBarSeries)
    # Horizontal bars are drawn bottom-up, so the chart holds the categories in reverse.
    position = len(hooks.data.categories) - 1 - hooks.data.categories.index(opening)
    bars.barSets()[0].clicked.emit(position)
    assert (view.ads.context.text(), view.ads.heading.text()) == ("Hook types", opening)
    listed = [view.ads.list.item(row).text() for row in range(view.ads.list.count())]
    assert len(listed) == sum(f.hook_type == meals.hook_type for f in facts)
    row = next((row for row, text in enumerate(listed) if text.startswith("Example Meals: ")), None)
    assert row is not None, f"listed by name, not by id: {listed}"
    view.ads.list.setCurrentRow(row)
    view.ads.open_button.click()
    assert window.stack.currentWidget() is window.results
    assert window.results.detail.result is not None and window.results.detail.result.ad_id == "900000000000001"

    window.nav.setCurrentRow(VIEWS.index("Dashboard"))
    scatter = cards["days_vs_score"]
    points = next(s for s in scatter.view.chart().series() if isinstance(s, QScatterSeries))
    assert scatter.data is not None
    x, y, ids = scatter.data.points[0]
    points.clicked.emit(QPointF(x + 0.2, y - 0.1))
    assert view.ads.list.count() == len(ids)


def test_filters_narrow_every_chart(qtbot: QtBot, window: MainWindow) -> None:
    view = open_dashboard(qtbot, window)
    assert view.page.count() == 8 and view.source.findData("sample") > 0 and view.job.count() == 2
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.page.setCurrentIndex(view.page.findData("Lumen Skincare"))
    assert view.summary.text().startswith("1 analysed ad video from 1 page")
    hooks = charts_by_key(view)["hooks"].data
    lumen = next(r for r in window.services.results.summaries() if r.page_name == "Lumen Skincare")
    assert hooks is not None and hooks.categories == [lumen.hook_type.replace("_", " ")]
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.by_page.setCurrentIndex(view.by_page.findData("offers"))
    assert charts_by_key(view)["by_page_offers"].title.text() == "Offers by page"


def test_a_chart_exports_as_png_and_its_numbers_as_csv(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    card = charts_by_key(open_dashboard(qtbot, window))["offers"]
    png = card.save_png(str(tmp_path / "offers.png"))
    assert png is not None
    image = QImage(str(png))
    assert image.width() > 200 and image.height() > 150
    saved = card.save_csv(str(tmp_path / "offers.csv"))
    assert saved is not None
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0] == ["Category", "Ads"]
    assert {r[0]: int(r[1]) for r in rows[1:]}["guarantee"] == 1


def test_the_dashboard_refreshes_when_a_job_completes(qtbot: QtBot, window: MainWindow) -> None:
    view = open_dashboard(qtbot, window)
    add_analysed_ads(window.services.db, 50)  # analyses written while a job runs
    with qtbot.waitSignal(view.refreshed, timeout=20000):
        window.analysis.start_button.click()
        assert view.summary.text().startswith("7 ")  # nothing is reloaded before the job completes
    assert window.services.service.history(1)[0].status == JobStatus.COMPLETED
    assert view.summary.text().startswith("57 analysed ad videos")


def test_background_work_answers_on_the_ui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    seen: list[object] = []
    run_in_background(
        threading.get_ident, lambda worker: seen.append((worker, threading.get_ident())), seen.append, owner
    )
    qtbot.waitUntil(lambda: len(seen) == 1)
    worker, receiver = seen[0]  # type: ignore[misc]
    assert worker != receiver == threading.main_thread().ident
    run_in_background(lambda: 1 / 0, seen.append, seen.append, owner)
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert isinstance(seen[1], ZeroDivisionError)
