"""The Results view on a small laptop and a wide window: the list and detail split (stacked under 860 px, each
orientation's split remembered), whole cards in as many columns as fit, the selected card scrolled fully into
view, the ad's name (not its id) in the detail, the columns the user picks, the analysis in plain words, and a
board's tags and note beside the ad."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QSplitter
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.ui.analysis_html import FORMULA_LINK, counted
from desktop_app.ui.gallery_delegate import CARD_MIN_WIDTH, card_height
from desktop_app.ui.results_boards import ResultsBoards
from desktop_app.ui.results_table import AD, COLUMNS, OFFER, OVERALL, PAGE
from desktop_app.ui.results_view import ResultsView
from tests.test_gallery import results_view, shown_rows

LAPTOP = 630  # the Results view's width in an 800 px window (the navigation takes the rest)


def test_stacked_the_gallery_shows_a_whole_row_of_cards(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results, width=LAPTOP)
    view.resize(LAPTOP, 740)
    view.set_mode("gallery")
    qtbot.wait(50)
    gallery = view.gallery
    assert view.splitter.orientation() == Qt.Orientation.Vertical
    first, second = (gallery.visualRect(view.proxy.index(n, 0)) for n in (0, 1))
    assert first.top() == second.top() and second.left() > first.left(), "two cards side by side"
    assert gallery.viewport().rect().contains(first) and gallery.viewport().rect().contains(second)
    assert view.detail.height() > 300, "the detail keeps most of the height"


def test_cards_are_tall_enough_for_their_text_at_any_font(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    gallery = view.gallery
    small = gallery.gridSize().height()
    assert small == card_height(gallery.delegate.fonts(gallery.font()))
    bigger = QFont(gallery.font())
    bigger.setPointSizeF(gallery.font().pointSizeF() * 1.5)
    gallery.setFont(bigger)
    gallery.fit_cards()
    fonts = gallery.delegate.fonts(bigger)
    assert gallery.gridSize().height() == card_height(fonts) > small
    assert fonts.text_height() + gallery.thumbnails.size.height() < gallery.gridSize().height()


def test_wide_the_cards_fill_the_pane_in_columns(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results, width=1010)
    view.set_mode("gallery")
    qtbot.wait(50)
    gallery = view.gallery
    assert view.splitter.orientation() == Qt.Orientation.Horizontal
    tops = [gallery.visualRect(view.proxy.index(n, 0)).top() for n in range(3)]
    columns = tops.count(tops[0])
    assert columns >= 2
    assert gallery.viewport().width() - columns * gallery.gridSize().width() < CARD_MIN_WIDTH, "no empty half"


def test_a_selected_card_scrolls_fully_into_view_with_whole_rows_above(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results, width=LAPTOP)
    view.resize(LAPTOP, 740)
    view.set_mode("gallery")
    qtbot.wait(50)
    gallery = view.gallery
    third = shown_rows(view)[2]  # the second row of cards, below the one row shown
    assert view.show_analysis(third.analysis_id)
    rect = gallery.visualRect(view.proxy.index(2, 0))
    assert gallery.viewport().rect().contains(rect)
    assert gallery.verticalScrollBar().value() % gallery.gridSize().height() == 0, "no card half scrolled away"


def test_the_detail_names_the_ad_and_keeps_its_id_in_the_tooltip(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    row = shown_rows(view)[0]
    view.show_analysis(row.analysis_id)
    header = view.detail.header
    page = QTextDocument()
    page.setHtml(header.text())
    shown = page.toPlainText()  # what the reader sees (the Ad Library link's address holds the id)
    assert row.name.split(": ")[-1] in shown
    assert row.ad_id not in shown and row.ad_id in header.toolTip()
    assert "heuristic" not in shown and "offline (no AI model set up)" in shown


def test_the_analysis_reads_plainly_with_the_formula_behind_a_link(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    view.show_analysis(shown_rows(view)[0].analysis_id)
    detail = view.detail
    text = detail.analysis.toPlainText()
    assert "How the overall score is worked out" in text and "0.3 x hook" not in text
    assert "(s)" not in text and "heuristic" not in text and "Confidence" not in text
    detail._link(QUrl(FORMULA_LINK))
    assert "0.3 x hook" in detail.analysis.toPlainText()
    detail._link(QUrl(FORMULA_LINK))
    assert "0.3 x hook" not in detail.analysis.toPlainText()
    assert counted("1 benefit(s) stated") == "1 benefit stated"
    assert counted("0 emotional cue(s) in copy") == "No emotional cues in copy"


def test_columns_are_chosen_from_the_header_and_remembered(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    table = view.table
    menu = table.columns_menu()
    actions = [a for a in menu.actions() if a.isCheckable()]
    assert [a.text() for a in actions] == list(COLUMNS)
    assert not actions[AD].isEnabled() and actions[OVERALL].isChecked() and not actions[PAGE].isChecked()
    with qtbot.waitSignal(table.columns_changed, timeout=1000):
        actions[PAGE].trigger()
    assert not table.isColumnHidden(PAGE)
    state = view.splitter.saveState()

    again = results_view(qtbot, analysed.results)
    assert again.table.isColumnHidden(PAGE)
    assert again.splitter.restoreState(state)
    assert not again.table.isColumnHidden(PAGE)
    plain = ResultsView(analysed.results)  # a state saved before the view saved its layout still restores
    qtbot.addWidget(plain)
    assert plain.splitter.restoreState(QSplitter.saveState(again.splitter))


def test_columns_fit_their_contents_and_elided_names_have_tooltips(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results, width=LAPTOP)
    table = view.table
    metrics = table.fontMetrics()
    for column in range(1, len(COLUMNS)):
        if table.isColumnHidden(column):
            continue
        widest = max(metrics.horizontalAdvance(view.proxy.index(r, column).data()) for r in range(7))
        assert table.columnWidth(column) >= widest, COLUMNS[column]
    assert table.columnViewportPosition(OVERALL) + table.columnWidth(OVERALL) <= table.viewport().width()
    row = shown_rows(view)[0]
    tip = view.proxy.index(0, AD).data(Qt.ItemDataRole.ToolTipRole)
    assert view.proxy.index(0, AD).data() in tip and row.ad_id in tip
    several = next(n for n, r in enumerate(shown_rows(view)) if len(r.offer_types) > 1)
    offer = view.proxy.index(several, OFFER)
    assert offer.data().endswith(f" +{len(shown_rows(view)[several].offer_types) - 1}")
    assert offer.data(Qt.ItemDataRole.ToolTipRole).count(",") == len(shown_rows(view)[several].offer_types) - 1


def test_each_orientation_keeps_the_split_the_user_chose(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results, width=LAPTOP)
    view.resize(LAPTOP, 740)
    view.splitter.moveSplitter(420, 1)
    stacked = view.splitter.sizes()
    view.resize(1010, 740)
    assert view.splitter.orientation() == Qt.Orientation.Horizontal
    view.resize(LAPTOP, 740)
    assert view.splitter.sizes() == stacked


def test_a_filtered_board_shows_its_tags_and_note_in_the_detail(qtbot: QtBot, analysed: AppServices) -> None:
    view = results_view(qtbot, analysed.results)
    boards = ResultsBoards(view, analysed.boards)
    first = shown_rows(view)[0].analysis_id
    board = analysed.boards.create("Risk-free offers")
    analysed.boards.pin(board.id, [first], ["offer"], "Strong opener to test against ours")
    assert boards.filter.label.buddy() is boards.filter.combo and "Board" in boards.filter.label.text()
    view.table.selectRow(0)
    assert not view.detail.board_note.isVisibleTo(view)
    boards.filter.refresh()
    boards.filter.combo.setCurrentIndex(boards.filter.combo.findData(board.id))
    view.table.selectRow(0)
    note = view.detail.board_note
    assert note.isVisibleTo(view) and "Strong opener" in note.text() and "#offer" in note.text()
    boards.filter.combo.setCurrentIndex(0)
    assert not note.isVisibleTo(view)
