"""The Chat view with pytest-qt on a qasync loop, against a loopback OpenAI-compatible server that
streams server-sent events: a streamed answer with citations, a stream cut in the middle, a stopped
answer, search mode without a model, and conversations kept across a relaunch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QTimer, QUrl
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.core.chat import MessageStatus
from desktop_app.ui.main_window import VIEWS, MainWindow
from tests.servers import OpenAIDouble, serve
from tests.test_ui import close_window, make_window
from tests.workload import FileWorkload


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIDouble]:
    double = OpenAIDouble({})
    with serve(double.handle) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        yield double


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def window(qtbot: QtBot, analysed: AppServices) -> Iterator[MainWindow]:
    win, pool = make_window(analysed, FileWorkload(items=1, delay=0.01))
    win.nav.setCurrentRow(VIEWS.index("Chat"))
    yield win
    close_window(win, pool)


def run_until(loop: asyncio.AbstractEventLoop, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    loop.run_until_complete(asyncio.wait_for(wait(), timeout))


def ask(window: MainWindow, question: str) -> list[int]:
    """Type a question and click Ask; the list fills with the answer's id when it has ended."""
    chat = window.chat_content
    answered: list[int] = []
    chat.answered.connect(answered.append)
    chat.question.setText(question)
    chat.send.click()
    return answered


def answer(window: MainWindow, question: str, loop: asyncio.AbstractEventLoop) -> None:
    """Ask, and run the app's loop until the answer has ended (streamed, failed or stopped)."""
    answered = ask(window, question)
    run_until(loop, lambda: bool(answered))


def test_an_answer_streams_without_blocking_and_its_citation_opens_the_ad(
    model: OpenAIDouble, window: MainWindow, loop: asyncio.AbstractEventLoop
) -> None:
    chat = window.chat_content
    assert window.chat.unlocked and "gpt-4o-mini on this computer" in chat.mode.text()
    model.script.append({"stream": ["Northwind Fitness ", "offers a free 14-day ", "trial [1]."], "piece_delay_s": 0.2})
    shown: list[str] = []
    probe = QTimer(interval=10)
    probe.timeout.connect(lambda: shown.append(chat.view.toPlainText()))
    probe.start()
    answered = ask(window, "Which competitors use free-trial offers?")
    assert chat.busy and chat.stop.isVisible() and not chat.send.isVisible()
    run_until(loop, lambda: bool(answered))
    probe.stop()

    # The window kept painting while the answer arrived: part of it was on screen before the rest.
    assert any("Northwind Fitness offers a free 14-day" in t and "trial [1]." not in t for t in shown)
    text = chat.view.toPlainText()
    assert "Northwind Fitness offers a free 14-day trial [1]." in text
    assert "Cited: [1] Northwind Fitness" in text
    question, reply = chat.store.messages(chat.conversation_id or 0)
    assert question.content == "Which competitors use free-trial offers?"
    assert reply.status == MessageStatus.COMPLETE and reply.sources[0].cited
    assert reply.sources[0].ad_id == "900000000000002"
    sent = model.requests[-1]
    assert sent["stream"] is True and "<ads>" in sent["messages"][-1]["content"]
    assert not chat.stop.isVisible() and chat.send.isVisible()

    chat.view.anchorClicked.emit(QUrl(f"ad:{reply.sources[0].analysis_id}"))
    assert window.stack.currentWidget() is window.results
    assert window.results.detail.result is not None
    assert window.results.detail.result.ad_id == "900000000000002"


def test_a_stream_cut_in_the_middle_keeps_the_partial_answer_and_says_so(
    model: OpenAIDouble, window: MainWindow, loop: asyncio.AbstractEventLoop
) -> None:
    chat = window.chat_content
    model.script.append({"stream": ["Lumen Skincare ", "gives a 60-day ", "guarantee [1]."], "cut_after": 2})
    answer(window, "Which ads offer a money-back guarantee?", loop)
    _, reply = chat.store.messages(chat.conversation_id or 0)
    assert reply.status == MessageStatus.FAILED
    assert reply.content == "Lumen Skincare gives a 60-day "
    assert "broke after 30 characters" in reply.note and "What had arrived is kept above." in reply.note
    text = chat.view.toPlainText()
    assert "Lumen Skincare gives a 60-day" in text and "broke after 30 characters" in text
    assert "Ads given to the model: [1] Lumen Skincare" in text  # nothing cited: the sources are still listed

    # The next question works as usual.
    model.script.append({"stream": ["Acme Books [1]."]})
    answer(window, "Who targets small business owners?", loop)
    assert chat.store.messages(chat.conversation_id or 0)[-1].status == MessageStatus.COMPLETE


def test_stop_keeps_what_arrived(model: OpenAIDouble, window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    chat = window.chat_content
    model.script.append({"stream": [f"word{n} " for n in range(40)], "piece_delay_s": 0.1})
    answered = ask(window, "What hooks does Example Meals open with?")
    run_until(loop, lambda: "word2" in chat._partial)
    chat.stop.click()
    run_until(loop, lambda: bool(answered))
    _, reply = chat.store.messages(chat.conversation_id or 0)
    assert reply.status == MessageStatus.CANCELLED
    assert reply.content.startswith("word0 word1 word2") and "word39" not in reply.content
    assert "You stopped this answer. What had arrived is kept above." in chat.view.toPlainText()


def test_a_question_no_ad_matches_is_answered_without_the_model(
    model: OpenAIDouble, window: MainWindow, loop: asyncio.AbstractEventLoop
) -> None:
    answer(window, "xylophone zeppelin", loop)
    assert model.requests == []
    assert "No analysed ad matches that question" in window.chat_content.view.toPlainText()


def test_search_mode_shows_highlighted_passages_and_conversations_survive_a_relaunch(
    qtbot: QtBot, analysed: AppServices, no_model: None
) -> None:
    win, pool = make_window(analysed, FileWorkload(items=1, delay=0.01))
    win.nav.setCurrentRow(VIEWS.index("Chat"))
    chat = win.chat_content
    assert chat.model is None and "Search mode" in chat.mode.text()
    with qtbot.waitSignal(chat.answered, timeout=10000):
        ask(win, "Which ads offer a money-back guarantee?")
    html = chat.view.toHtml()
    assert "background-color:#fff59d" in html and ">guarantee<" in html
    text = chat.view.toPlainText()
    assert "[1] Lumen Skincare" in text and "Passages that match" in text
    assert "900000000000003" not in text and text.count("AI model") == 0  # the header says search mode, once
    _, reply = chat.store.messages(chat.conversation_id or 0)
    assert reply.status == MessageStatus.SEARCH and reply.sources[0].ad_id == "900000000000003"
    chat.view.anchorClicked.emit(QUrl(f"ad:{reply.sources[0].analysis_id}"))
    assert win.results.detail.result is not None and win.results.detail.result.ad_id == "900000000000003"
    close_window(win, pool)

    again, pool = make_window(analysed, FileWorkload(items=1, delay=0.01))
    chat = again.chat_content
    assert chat.conversations.count() == 1
    assert chat.conversations.item(0).text() == "Which ads offer a money-back guarantee?"
    chat.conversations.setCurrentRow(0)
    assert "[1] Lumen Skincare" in chat.view.toPlainText()
    chat.new_conversation()
    assert chat.conversation_id is None and "For example" in chat.view.toPlainText()
    chat.delete_conversation(chat.store.conversations()[0].conversation_id)
    assert chat.conversations.count() == 0
    close_window(again, pool)
