"""Swipe-file boards end to end on the analysed sample ads: the store on a real SQLite file, the brief as
Markdown and as a PDF read back with Qt's PDF reader, the `board` commands, and the window's menu and filter."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.cli import main
from desktop_app.composition import AppServices, open_services, write_brief_pdf
from desktop_app.core.boards import BoardError, BoardNotFoundError
from desktop_app.core.brief import brief_html, brief_markdown, load_brief
from desktop_app.core.migrations import KNOWN_REVISIONS
from tests.conftest import child_env


def _ids(app: AppServices) -> list[int]:
    """The analysed ads' ids, oldest first."""
    return sorted(s.analysis_id for s in app.results.summaries())


def test_store_round_trip_on_a_real_database(analysed: AppServices, home: Path) -> None:
    assert "0010" in KNOWN_REVISIONS
    boards = analysed.boards
    first, second, third = _ids(analysed)[:3]
    hooks = boards.create("  Competitor   hooks ")
    assert hooks.name == "Competitor hooks"
    with pytest.raises(BoardError, match="already a board named “Competitor hooks”"):
        boards.create("competitor HOOKS")
    with pytest.raises(BoardError, match="needs a name"):
        boards.create("   ")
    offers = boards.create("Offers")

    assert boards.pin(hooks.id, [first, second], tags=["Hooks, UGC", "#hooks"], note="Open with a question") == 2
    assert boards.pin(hooks.id, [second, third], tags=["summer"]) == 1  # `second` was there: tags added, note kept
    assert boards.pin(offers.id, [third]) == 1
    with pytest.raises(BoardError, match="no analysed ad has the id 999999"):
        boards.pin(hooks.id, [999999])

    items = {i.analysis_id: i for i in boards.items(hooks.id)}
    assert list(items) == [first, second, third]
    assert items[first].tags == ["hooks", "ugc"] and items[first].note == "Open with a question"
    assert items[second].tags == ["hooks", "ugc", "summer"] and items[second].note == "Open with a question"
    assert items[third].tags == ["summer"] and items[third].note == ""
    assert [(b.name, b.count) for b in boards.boards()] == [("Competitor hooks", 3), ("Offers", 1)]

    assert boards.analysis_ids(hooks.id) == {first, second, third}
    assert boards.analysis_ids(hooks.id, "#UGC") == {first, second}
    assert boards.analysis_ids(None, "summer") == {second, third}
    assert boards.analysis_ids() == {first, second, third}
    assert boards.tags() == ["hooks", "summer", "ugc"] and boards.tags(offers.id) == []
    assert boards.boards_of(third) == {hooks.id, offers.id}

    boards.set_item(hooks.id, third, ["Best"], "Try the offer in week 2")
    assert boards.unpin(hooks.id, [first, 999999]) == 1
    assert boards.rename(offers.id, "Strong offers").name == "Strong offers"
    with pytest.raises(BoardError, match="already a board"):
        boards.rename(offers.id, "competitor hooks")

    reopened = open_services(home)  # what was written is in the file, not in this process
    try:
        again = reopened.boards
        assert again.find("COMPETITOR hooks").count == 2
        assert again.item(hooks.id, third) is not None and again.item(hooks.id, third).note == "Try the offer in week 2"
        again.delete(offers.id)
        with pytest.raises(BoardNotFoundError, match="no board named “Strong offers”"):
            again.find("Strong offers")
        with analysed.db.engine.begin() as conn:  # an analysis deleted takes its pins with it
            conn.exec_driver_sql(f"DELETE FROM analyses WHERE id = {second}")
        assert again.analysis_ids(hooks.id) == {third}
        assert len(reopened.results.summaries()) == len(_ids(analysed))  # the board's delete kept the ads
    finally:
        reopened.close()


def _board_of_two(app: AppServices) -> tuple[int, list[int]]:
    """A board with the first two sample ads, tagged and noted."""
    ids = _ids(app)[:2]
    board = app.boards.create("Spring swipe file")
    app.boards.pin(board.id, ids, tags=["hooks", "ugc"], note="Steal the opener: a question in the first second.")
    return board.id, ids


def test_markdown_brief_has_every_field_and_a_thumbnail(analysed: AppServices) -> None:
    board_id, ids = _board_of_two(analysed)
    brief = load_brief(analysed.boards, analysed.results, board_id)
    text = brief_markdown(brief)
    assert text.startswith("# Spring swipe file\n") and "2 ads" in text
    for ad, result in zip(brief.ads, analysed.results.results_by_id(ids), strict=True):
        a = result.analysis
        assert f"## {brief.ads.index(ad) + 1}. {result.name}" in text
        assert f"- **Page**: {result.page_name}" in text
        assert f"({a.hook.type.replace('_', ' ')}): “{a.hook.text}”" in text
        assert f"“{a.cta.text}”" in text
        assert a.scores.overall.rationale in text and a.scores.hook_strength.rationale in text
        assert " ".join(result.transcript.split()) in text
        assert ad.poster is not None and ad.poster.is_file()
        assert f"]({ad.poster.as_uri()})" in text
    assert text.count("- **Tags**: #hooks, #ugc") == 2
    assert text.count("> Steal the opener: a question in the first second.") == 2


def test_html_escapes_what_strangers_wrote(analysed: AppServices) -> None:
    board_id, ids = _board_of_two(analysed)
    analysed.boards.set_item(board_id, ids[0], ["<b>"], "<script>alert(1)</script>\nline two")
    page = brief_html(load_brief(analysed.boards, analysed.results, board_id))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;<br>line two" in page
    assert "#&lt;b&gt;" in page


def _pdf_text(path: Path) -> tuple[int, str]:
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    pages = document.pageCount()
    text = "\n".join(document.getAllText(page).text() for page in range(pages))
    document.close()
    return pages, " ".join(text.split())


def test_pdf_brief_reads_back_with_names_hooks_tags_note_and_a_thumbnail(
    qapp: object, analysed: AppServices, tmp_path: Path
) -> None:
    board_id, ids = _board_of_two(analysed)
    brief = load_brief(analysed.boards, analysed.results, board_id)
    pdf = tmp_path / "brief.pdf"
    write_brief_pdf(brief, pdf)
    pages, text = _pdf_text(pdf)
    assert pages == 2  # one ad a page
    for result in analysed.results.results_by_id(ids):
        assert result.name in text
        assert " ".join((result.analysis.hook.text or "").split()) in text
    assert "Steal the opener: a question in the first second." in text
    assert "#hooks" in text and "#ugc" in text
    assert pdf.read_bytes().count(b"/Subtype /Image") >= 2

    # No poster (a video not looked at, or its files cleaned away): the brief is written, without images. (The
    # posters themselves are the session's analysed template's, so they are left in place.)
    bare = tmp_path / "bare.pdf"
    write_brief_pdf(replace(brief, ads=[replace(ad, poster=None) for ad in brief.ads]), bare)
    assert b"/Subtype /Image" not in bare.read_bytes()
    assert "Steal the opener" in _pdf_text(bare)[1]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_board_commands_end_to_end(analysed: AppServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _ids(analysed)[:2]
    assert cli(capsys, "board", "list") == (0, "No boards yet. Make one with: ad-analysis board add NAME\n", "")
    assert cli(capsys, "board", "add", "Hooks to steal")[0] == 0
    code, out, _ = cli(capsys, "board", "pin", "hooks TO steal", str(first), str(second), "--tag", "ugc", "--note", "Q")
    assert code == 0 and "Pinned 2 ads to “Hooks to steal”" in out
    code, out, _ = cli(capsys, "board", "list", "--json")
    assert code == 0 and [(b["name"], b["ads"]) for b in json.loads(out)] == [("Hooks to steal", 2)]
    code, out, _ = cli(capsys, "board", "show", "Hooks to steal", "--json")
    shown = json.loads(out)["items"]
    assert [(i["analysis_id"], i["tags"], i["note"]) for i in shown] == [(first, ["ugc"], "Q"), (second, ["ugc"], "Q")]
    assert all(i["name"] for i in shown)

    md, pdf = tmp_path / "brief.md", tmp_path / "brief.pdf"
    assert cli(capsys, "board", "export", "Hooks to steal", "--format", "md", "-o", str(md))[0] == 0
    assert md.read_text(encoding="utf-8").startswith("# Hooks to steal")
    # PDF from a process of its own with no Qt application: the writer makes one without a display.
    env = child_env(Path(analysed.paths.home)) | {"QT_QPA_PLATFORM": ""}
    args = [sys.executable, "-m", "desktop_app", "board", "export", "Hooks to steal", "-o", str(pdf)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and b"/Subtype /Image" in pdf.read_bytes()

    assert cli(capsys, "board", "unpin", "Hooks to steal", str(first))[1].startswith("Took 1 ad off")
    assert cli(capsys, "board", "remove", "Hooks to steal")[0] == 0
    for args, message in [
        (("board", "pin", "Nope", "1"), "there is no board named “Nope”; `ad-analysis board list` shows the boards"),
        (("board", "export", "Nope", "-o", str(md)), "there is no board named “Nope”"),
        (("board", "add", " "), "a board needs a name"),
        (("board", "pin", "x", "12a"), "an analysis id is a number"),
    ]:
        code, out, err = cli(capsys, *args)
        assert code == 2 and out == "" and message in err and err.count("\n") == 1, err
    cli(capsys, "board", "add", "Empty")
    code, _, err = cli(capsys, "board", "export", "Empty", "--format", "pdf")
    assert code == 2 and "a PDF needs a file to go to" in err


def _answer_dialog(qtbot: QtBot, fill: object) -> None:
    """Answer the next modal dialog from inside its exec() loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, answer)
            return
        fill(dialog)  # type: ignore[operator]

    QTimer.singleShot(0, answer)


def test_add_to_board_menu_and_filter(qtbot: QtBot, analysed: AppServices) -> None:
    from PySide6.QtWidgets import QInputDialog, QWidget

    from desktop_app.ui.board_actions import BoardFilter, ItemDialog, board_menu

    boards, (first, second, third) = analysed.boards, _ids(analysed)[:3]
    host = QWidget()
    qtbot.addWidget(host)
    board_filter = BoardFilter(boards, host)
    changes: list[int] = []
    menu = board_menu(boards, [first, second], host, changed=lambda: changes.append(1))
    assert [a.text() for a in menu.actions()] == ["New board…"]

    def name_it(dialog: QInputDialog) -> None:
        dialog.setTextValue("Hooks to steal")
        dialog.accept()

    _answer_dialog(qtbot, name_it)
    menu.actions()[0].trigger()
    board = boards.find("Hooks to steal")
    assert boards.analysis_ids(board.id) == {first, second} and changes == [1]

    board_filter.refresh()  # the lead's wiring calls this after `changed`
    with qtbot.waitSignal(board_filter.ids_changed) as shown:
        board_filter.combo.setCurrentIndex(board_filter.combo.findData(board.id))
    assert shown.args == [{first, second}]
    assert board_filter.combo.currentText() == "Hooks to steal (2)"

    menu = board_menu(boards, [second, third], host, changed=lambda: changes.append(2))
    action = next(a for a in menu.actions() if a.data() == board.id)
    assert not action.isChecked()  # `third` is not on it
    action.trigger()
    assert boards.analysis_ids(board.id) == {first, second, third}

    menu = board_menu(boards, [third], host)
    notes = next(a.menu() for a in menu.actions() if a.text() == "Tags and note")

    def tag_it(dialog: ItemDialog) -> None:
        dialog.tags.setText("UGC, #summer")
        dialog.note.setPlainText("Try this offer")
        dialog.accept()

    _answer_dialog(qtbot, tag_it)
    notes.actions()[0].trigger()
    assert boards.item(board.id, third) is not None and boards.item(board.id, third).tags == ["ugc", "summer"]
    with qtbot.waitSignal(board_filter.ids_changed) as shown:
        board_filter.tag.setText("summer")
    assert shown.args == [{third}]
    with qtbot.waitSignal(board_filter.ids_changed) as shown:
        board_filter.combo.setCurrentIndex(0)  # all ads: the tag on any board
    assert shown.args == [{third}]
    with qtbot.waitSignal(board_filter.ids_changed) as shown:
        board_filter.tag.clear()
    assert shown.args == [None] and board_filter.ids() is None  # no filter at all

    # Several ads at once: the dialog shows what they share; a tag only one has, and differing notes left
    # empty, stay as they were on each ad.
    boards.set_item(board.id, second, ["ugc", "spring"], "Keep the voice-over")
    notes = next(a.menu() for a in board_menu(boards, [second, third], host).actions() if a.text() == "Tags and note")
    shown_in_dialog: list[tuple[str, str]] = []

    def retag_both(dialog: ItemDialog) -> None:
        shown_in_dialog.append((dialog.tags.text(), dialog.note.toPlainText()))
        dialog.tags.setText("ugc, winner")
        dialog.accept()

    _answer_dialog(qtbot, retag_both)
    notes.actions()[0].trigger()
    assert shown_in_dialog == [("ugc", "")]
    two, three = boards.item(board.id, second), boards.item(board.id, third)
    assert two is not None and (two.tags, two.note) == (["ugc", "spring", "winner"], "Keep the voice-over")
    assert three is not None and (three.tags, three.note) == (["ugc", "summer", "winner"], "Try this offer")

    menu = board_menu(boards, [third], host)
    next(a for a in menu.actions() if a.data() == board.id).trigger()  # ticked: a click takes it off
    assert boards.analysis_ids(board.id) == {first, second}


def test_results_filter_by_board_and_tag_and_export_its_brief(
    qtbot: QtBot, analysed: AppServices, tmp_path: Path
) -> None:
    """In Results, a board (or a tag) narrows the table and the gallery to its ads, Export brief appears for a
    board, clearing the filters shows every ad again, and a right-click offers Add to board for the selection."""
    from PySide6.QtCore import Qt

    from desktop_app.ui.board_actions import board_menu, save_brief
    from desktop_app.ui.results_boards import ResultsBoards
    from desktop_app.ui.results_view import ResultsView

    board_id, pinned = _board_of_two(analysed)
    analysed.boards.set_item(board_id, pinned[0], ["winner"], "")
    view = ResultsView(analysed.results)
    qtbot.addWidget(view)
    boards = ResultsBoards(view, analysed.boards)
    view.refresh()
    everything = view.proxy.rowCount()
    assert everything == 7 and not boards.brief.isVisibleTo(view)

    boards.filter.combo.setCurrentIndex(boards.filter.combo.findData(board_id))
    shown = {view.proxy.data(view.proxy.index(r, 0), Qt.ItemDataRole.UserRole).analysis_id for r in range(2)}
    assert view.proxy.rowCount() == 2 and shown == set(pinned)
    assert boards.brief.isVisibleTo(view)
    boards.filter.combo.setCurrentIndex(0)
    boards.filter.tag.setText("winner")
    assert view.proxy.rowCount() == 1 and not boards.brief.isVisibleTo(view)
    view.clear_filters()
    assert view.proxy.rowCount() == everything and boards.filter.tag.text() == ""

    view.table.selectRow(0)
    menu = board_menu(analysed.boards, boards.selected_ids())
    assert next(a.text() for a in menu.actions()) == "New board…" and len(boards.selected_ids()) == 1
    save_brief(analysed.boards, analysed.results, board_id, tmp_path / "brief.pdf")
    assert (tmp_path / "brief.pdf").stat().st_size > 1000
