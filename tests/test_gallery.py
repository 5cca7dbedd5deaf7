"""Results as a table or a gallery of cards, on the sample ads the real pipeline analysed: the toggle and its
memory, one filter and one selection for both, posters decoded off the UI thread, the empty states, the
default sort, readable labels and exports, and rows loaded on a pool thread."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.core.results import ResultStore
from desktop_app.core.summaries import ResultSummary
from desktop_app.ui.results_table import AD, COLUMNS, OVERALL
from desktop_app.ui.results_view import NO_ADS, NO_MATCH, ResultsView
from tests.test_ui import close_window, make_window


def results_view(qtbot: QtBot, store: ResultStore, width: int = 930) -> ResultsView:
    view = ResultsView(store)
    qtbot.addWidget(view)
    view.resize(width, 700)
    view.show()
    view.refresh()
    return view


def shown_rows(view: ResultsView) -> list[ResultSummary]:
    proxy = view.proxy
    return [proxy.data(proxy.index(r, 0), Qt.ItemDataRole.UserRole) for r in range(proxy.rowCount())]


def test_the_table_opens_best_first_with_names_and_readable_labels(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    rows = shown_rows(view)
    assert len(rows) == 7
    assert [r.overall for r in rows] == sorted((r.overall for r in rows), reverse=True)
    header = view.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (OVERALL, Qt.SortOrder.DescendingOrder)
    assert not view.table.isColumnHidden(OVERALL)
    first = view.proxy.index(0, AD)
    assert view.table.visualRect(view.proxy.index(0, OVERALL)).right() <= view.table.viewport().width()
    assert rows[0].name.split(":")[0] in first.data() and rows[0].ad_id not in first.data()
    assert rows[0].ad_id in first.data(Qt.ItemDataRole.ToolTipRole)
    cells = [view.proxy.index(r, c).data() for r in range(7) for c in range(len(COLUMNS))]
    assert not [c for c in cells if "_" in c], "labels are written as people read them"
    assert "free trial" in {view.hook.itemText(i) for i in range(view.hook.count())} | set(cells)
    jobs = [view.job.itemText(i) for i in range(1, view.job.count())]
    assert len(jobs) == 1 and jobs[0].startswith("Sample ads, "), jobs  # what it analysed and when, not an id

    view.table.sortByColumn(AD, Qt.SortOrder.AscendingOrder)  # a click on a header still sorts
    names = [view.proxy.index(r, AD).data().lower() for r in range(7)]
    assert names == sorted(names)


def test_gallery_toggle_is_remembered_and_shares_the_filter(qtbot: QtBot, analysed: AppServices) -> None:
    win, pool = make_window(analysed, None)
    results = win.results
    qtbot.waitUntil(lambda: results.model.rowCount() == 7, timeout=10000)
    assert results.mode == "table" and results.pages.currentWidget() is results.table
    results.mode_buttons.button(1).click()
    assert results.mode == "gallery" and results.pages.currentWidget() is results.gallery
    assert results.gallery.model() is results.proxy

    results.search.setText("Lumen")
    assert results.gallery.model().rowCount() == 1 == results.table.model().rowCount()
    results.min_score.setValue(5)
    assert results.pages.currentIndex() == 2 and results.empty.text() == NO_MATCH
    close_window(win, pool)

    again, pool = make_window(analysed, None)
    assert again.results.mode == "gallery" and again.results.mode_buttons.button(1).isChecked()
    close_window(again, pool)


def test_posters_are_decoded_on_a_worker_then_painted(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    view.set_mode("gallery")
    row = shown_rows(view)[0]
    assert row.picture.endswith(".jpg") and Path(row.picture).is_file()
    thumbnails = view.gallery.thumbnails
    thumbnails.wait()
    changed: list[int] = []
    view.proxy.dataChanged.connect(lambda first, _last, _roles: changed.append(first.row()))
    if thumbnails.get(row.picture) is None:  # not painted yet: asked for now, arrives from a worker
        with qtbot.waitSignal(thumbnails.ready, timeout=5000) as arrived:
            pass
        assert arrived.args == [row.picture]
        assert 0 in changed, "the card showing the picture is repainted"
    pixmap = thumbnails.get(row.picture)
    assert pixmap is not None and pixmap.size() == view.gallery.thumbnails.size


def test_cards_paint_every_kind_of_ad(qtbot: QtBot, analysed: AppServices) -> None:
    """A copy-only ad and one whose picture is missing paint placeholders instead of a poster."""
    view = results_view(qtbot, analysed.results)
    real = shown_rows(view)[0]
    copy_only = ResultSummary(**{**real.__dict__, "analysis_id": 990, "copy_only": True, "picture": ""})
    missing = ResultSummary(**{**real.__dict__, "analysis_id": 991, "picture": "/nowhere/poster.jpg"})
    view.apply([real, copy_only, missing])
    delegate = view.gallery.itemDelegate()
    image = QImage(260, 300, QImage.Format.Format_ARGB32)
    for n in range(3):
        painter = QPainter(image)
        option = QStyleOptionViewItem()
        option.rect = image.rect()
        option.palette = view.palette()
        option.font = view.font()
        delegate.paint(painter, option, view.proxy.index(n, 0))
        painter.end()
    assert view.gallery.thumbnails.wait()
    qtbot.waitUntil(lambda: view.gallery.thumbnails.failed("/nowhere/poster.jpg"), timeout=5000)


def test_a_selected_card_shows_the_ad_and_the_table_follows(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    view.set_mode("gallery")
    gallery = view.gallery
    index = view.proxy.index(1, 0)
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=gallery.visualRect(index).center())
    expected = shown_rows(view)[1]
    assert view.detail.result is not None and view.detail.result.analysis_id == expected.analysis_id
    assert view.table.currentIndex().row() == 1
    assert [r.analysis_id for r in view.visible_results()] == [expected.analysis_id]

    view.splitter.setSizes([900, 0])  # the detail pane dragged shut: a double-click opens it again
    qtbot.mouseDClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=gallery.visualRect(index).center())
    assert view.splitter.sizes()[1] > 0

    view.set_mode("table")
    view.refresh()  # a reload (an ad finished) keeps the selection and leaves the detail alone
    assert view.table.currentIndex().data(Qt.ItemDataRole.UserRole).analysis_id == expected.analysis_id


def test_before_any_analysis_results_point_to_the_analysis_view(qtbot: QtBot, services: AppServices) -> None:
    empty = results_view(qtbot, services.results)
    assert empty.pages.currentIndex() == 2 and empty.empty.text() == NO_ADS
    with qtbot.waitSignal(empty.start_requested, timeout=1000):
        empty.empty_action.click()


def test_filters_that_hide_every_ad_say_so_and_clear(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    view.set_mode("gallery")
    view.search.setText("no ad says this")
    assert view.pages.currentIndex() == 2 and view.empty.text() == NO_MATCH
    assert view.count.text() == "0 of 7 analysed ad videos shown"
    view.empty_action.click()
    assert view.search.text() == "" and view.pages.currentWidget() is view.gallery
    assert view.count.text() == "7 analysed ad videos"


def test_reload_reads_on_a_pool_thread(qtbot: QtBot, analysed: AppServices) -> None:
    threads: list[str] = []
    real = analysed.results.summaries

    def summaries() -> list[ResultSummary]:
        threads.append(threading.current_thread().name)
        return real()

    analysed.results.summaries = summaries  # type: ignore[method-assign]
    view = ResultsView(analysed.results)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.reload()
    assert view.model.rowCount() == 7
    assert threads and threads[0] != threading.main_thread().name


def test_a_slow_load_never_replaces_newer_rows(qtbot: QtBot, analysed: AppServices) -> None:
    """A pool-thread load that began before a direct refresh ends after it: its older rows are not shown."""
    real = analysed.results.summaries
    release = threading.Event()

    def slow_and_old() -> list[ResultSummary]:
        rows = real()[:3]  # what the database held when this load began
        release.wait(10)
        return rows

    view = ResultsView(analysed.results)
    qtbot.addWidget(view)
    analysed.results.summaries = slow_and_old  # type: ignore[method-assign]
    view.reload()
    analysed.results.summaries = real  # type: ignore[method-assign]
    view.refresh()  # newer: all seven
    release.set()
    qtbot.waitUntil(lambda: not view._loading, timeout=10000)
    qtbot.wait(50)
    assert view.model.rowCount() == 7


def test_the_csv_export_reads_like_the_window(qtbot: QtBot, analysed: AppServices, tmp_path: Path) -> None:
    view = results_view(qtbot, analysed.results)
    view.export("csv", str(tmp_path / "ads.csv"))
    rows = list(csv.DictReader((tmp_path / "ads.csv").open(encoding="utf-8")))
    assert len(rows) == 7 and rows[0]["Ad"] and rows[0]["Hook type"]
    assert [int(r["Overall"]) for r in rows] == sorted((int(r["Overall"]) for r in rows), reverse=True)
    labels = {r[k] for r in rows for k in ("Hook type", "CTA type", "Offer types", "Angle", "Tone")}
    assert "free trial" in labels and not [label for label in labels if "_" in label]


def test_an_index_outside_the_rows_is_no_row(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    assert view.model.data(QModelIndex()) is None
