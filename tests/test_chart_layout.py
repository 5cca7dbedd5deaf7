"""The Dashboard and the Tracking trends on a small laptop screen: no sideways scrolling, one column of cards
where two do not fit, the ad list below the charts when narrow, axis labels inside their cards, the clicked
bar marked, and a plain hint before any click."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCharts import QBarCategoryAxis
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.core.insights import AdFacts
from desktop_app.core.watch_trends import trend_charts
from desktop_app.core.watchlists import WatchedAd
from desktop_app.ui.ad_list import AdList
from desktop_app.ui.chart_card import ChartCard
from desktop_app.ui.dashboard_view import DashboardView, grid_cells
from desktop_app.ui.main_window import VIEWS, MainWindow
from desktop_app.ui.watch_trends import WatchTrends
from tests.synthetic import add_analysed_ads
from tests.test_ui import close_window, make_window
from tests.workload import FileWorkload


@pytest.fixture
def window(qtbot: QtBot, services: AppServices) -> Iterator[MainWindow]:
    add_analysed_ads(services.db, 60, pages=7)
    win, pool = make_window(services, FileWorkload(items=2, delay=0.05))
    yield win
    close_window(win, pool)


def dashboard_at(qtbot: QtBot, window: MainWindow, width: int) -> DashboardView:
    window.resize(width, 780)
    view = window.dashboard_content
    if view.data is None:
        with qtbot.waitSignal(view.refreshed, timeout=20000):
            window.nav.setCurrentRow(VIEWS.index("Dashboard"))
    qtbot.wait(50)  # the resize's layout
    return view


def category_axes(card: ChartCard) -> list[QBarCategoryAxis]:
    return [a for a in card.view.chart().axes() if isinstance(a, QBarCategoryAxis)]


def assert_labels_inside(card: ChartCard) -> None:
    """The plot and the axis labels under it fit in the chart, and the chart in its card."""
    plot = card.view.chart().plotArea()
    assert plot.height() > 100 and plot.bottom() + 30 < card.view.height(), card.title.text()
    assert card.view.geometry().bottom() <= card.contentsRect().bottom()


def test_at_800_px_the_dashboard_never_scrolls_sideways(qtbot: QtBot, window: MainWindow) -> None:
    view = dashboard_at(qtbot, window, 800)
    area = view.charts_area
    assert area.horizontalScrollBar().maximum() == 0 and not area.horizontalScrollBar().isVisible()
    assert view.columns == 1 and len({card.x() for card in view.cards}) == 1, "one column"
    assert all(card.geometry().right() <= area.viewport().width() for card in view.cards)
    splitter = view.ads.parentWidget()
    assert splitter.orientation() == Qt.Orientation.Vertical, "the ad list below the charts"
    by_page = next(c for c in view.cards if c.data and c.data.key == "by_page_hooks")
    assert not any(axis.labelsTruncated() for axis in category_axes(by_page)), "page names whole"
    assert by_page.legend.isVisible() and "&nbsp;" in by_page.legend.text(), "a legend that wraps by name"
    for card in view.cards:
        assert_labels_inside(card)


def test_at_1180_px_two_columns_and_the_list_beside_them(qtbot: QtBot, window: MainWindow) -> None:
    view = dashboard_at(qtbot, window, 1180)
    assert view.columns == 2 and len({card.x() for card in view.cards}) == 2
    assert view.charts_area.horizontalScrollBar().maximum() == 0
    splitter = view.ads.parentWidget()
    assert splitter.orientation() == Qt.Orientation.Horizontal
    assert view.ads.width() <= 0.3 * splitter.width()
    by_page = next(c for c in view.cards if c.data and c.data.key == "by_page_hooks")
    assert view.grid.getItemPosition(view.grid.indexOf(by_page))[3] == 2, "the chart by page spans both columns"
    assert not any(axis.labelsTruncated() for axis in category_axes(by_page)), "page names whole"
    view = dashboard_at(qtbot, window, 800)
    assert view.columns == 1, "narrowing the window reflows the cards"


def test_a_click_marks_its_bar_and_lists_its_ads_under_a_short_heading(qtbot: QtBot, window: MainWindow) -> None:
    view = dashboard_at(qtbot, window, 1180)
    assert view.ads.hint.isVisible() and view.ads.hint.text() == "Click a bar or point to list its ads"
    assert not view.ads.count.isVisible() and not view.ads.list.isVisible() and not view.ads.open_button.isVisible()
    hooks, scores = view.cards[0], next(c for c in view.cards if c.data and c.data.key == "days_vs_score")
    assert hooks.data is not None and scores.data is not None
    bars = hooks.view.chart().series()[0].barSets()[0]  # type: ignore[attr-defined]
    bars.clicked.emit(0)  # the bottom bar: the last category
    assert bars.selectedBars() == [0]
    assert (view.ads.context.text(), view.ads.heading.text()) == ("Hook types", hooks.data.categories[-1])
    assert view.ads.list.isVisible() and not view.ads.hint.isVisible()
    x, y, _ = scores.data.points[0]
    scores.clicks.point(scores.view.chart().series()[0].points()[0])  # type: ignore[attr-defined]
    assert bars.selectedBars() == [], "only the chart clicked last keeps a mark"
    assert scores.view.chart().series()[0].selectedPoints() == [0]  # type: ignore[attr-defined]
    assert view.ads.heading.text() == f"{x:.0f} days running, overall score {y:.0f}"


def test_a_tracked_competitors_week_labels_show_in_a_short_pane(qtbot: QtBot) -> None:
    today = date(2026, 11, 25)
    seen = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
    ads = [
        WatchedAd(f"a{n}", "X", seen, seen, True, False, (today - timedelta(days=6 * n)).isoformat(), "analysed")
        for n in range(14)
    ]
    facts = [
        AdFacts(n, f"a{n}", None, "meta_search", "P", "question", "", "shop_now", (), "", "", 3, 3, "", None, "")
        for n in range(14)
    ]
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    trends = WatchTrends()
    tabs.addTab(trends, "Trends")
    tabs.resize(600, 400)  # the Trends tab of a 800 px window
    tabs.show()
    trends.show_charts(trend_charts(ads, facts, today, today), facts)
    qtbot.wait(50)
    assert trends.charts_area.horizontalScrollBar().maximum() == 0
    weeks = trends.cards[0]
    assert weeks.view.height() >= 260 and weeks.height() <= trends.charts_area.viewport().height() + 40
    assert_labels_inside(weeks)
    assert not any(axis.labelsTruncated() for axis in category_axes(weeks)), "every week named"
    assert trends.ads.hint.text() == "Click a bar to list the analysed ads behind it"


def test_the_ad_list_says_what_it_lists() -> None:
    ads = AdList()
    ads.show_ads("Started that week", [], {})
    assert (ads.context.text(), ads.heading.text(), ads.count.text()) == ("", "Started that week", "No ads.")
    assert ads.list.isHidden() and ads.open_button.isHidden()
    ads.reset()
    assert not ads.hint.isHidden() and ads.heading.isHidden() and ads.count.isHidden()


def test_a_wide_card_takes_a_row_after_the_pair_it_would_split() -> None:
    assert grid_cells([False, True, False, False], 2) == [(0, 0, 1), (1, 0, 2), (0, 1, 1), (2, 0, 1)]
    assert grid_cells([False, False, True], 2) == [(0, 0, 1), (0, 1, 1), (1, 0, 2)]
    assert grid_cells([False, False], 1) == [(0, 0, 1), (1, 0, 1)]
