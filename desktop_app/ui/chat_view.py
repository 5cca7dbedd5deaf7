"""Chat: questions about the analysed ads, answered from the ads that match them.

The answer streams from the configured chat model on the qasync loop (the window never waits for
it), cites its ads (a click opens one in Results), and is saved with the conversation. With no model,
Chat answers in search mode with the matching passages. A failed or stopped answer keeps what arrived."""

from __future__ import annotations

import asyncio
import html
import re
import time

from PySide6.QtCore import QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.composition import AppServices, make_chat_model
from desktop_app.core.chat import (
    CITATION,
    ChatMessage,
    ChatStreamer,
    ChatStreamError,
    ConversationStore,
    MessageStatus,
    Source,
    build_messages,
    mark_cited,
    retrieve,
)
from desktop_app.core.results import HIT_END, HIT_START
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.style import GRAY, RED

EXAMPLES = (
    "Which ads offer a free trial?",
    "What hooks do the ads open with?",
    "Which ads create urgency, and how?",
)
SAVE_EVERY_S = 2.0  # a streaming answer is saved this often, so a crash keeps most of it
CSS = f"""<style>
 .you {{ background: palette(alternate-base); }}
 .muted {{ color: {GRAY}; }}
 .failed {{ color: {RED}; }}
 .stopped {{ color: {GRAY}; font-style: italic; }}
 mark {{ background: #fff59d; color: black; }}
 a {{ text-decoration: none; }}
</style>"""


def highlight(snippet: str) -> str:
    """A search snippet as HTML: the text escaped, the hits marked."""
    return (
        html.escape(snippet)
        .replace(HIT_START, "<span style='background:#fff59d;color:black'>")
        .replace(HIT_END, "</span>")
    )


def answer_html(text: str, sources: list[Source]) -> str:
    """A model's answer as HTML: escaped, light Markdown (bold, bullets), citations as links."""
    by_number = {s.number: s for s in sources}

    def link(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        links = [
            f"<a href='ad:{by_number[n].analysis_id}' title='{html.escape(by_number[n].page_name)}'>{n}</a>"
            if n in by_number
            else str(n)
            for n in numbers
        ]
        return "[" + ", ".join(links) + "]"

    lines = []
    for line in html.escape(text, quote=False).split("\n"):
        line = re.sub(r"^\s*[-*] ", "&#8226; ", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", line)
        lines.append(CITATION.sub(link, line))
    return "<br>".join(lines)


def message_html(message: ChatMessage, live_text: str | None = None) -> str:
    if message.role == "user":
        return (
            "<table width='100%' class='you' cellpadding='8'><tr><td>"
            f"<b>You</b><br>{html.escape(message.content)}</td></tr></table>"
        )
    if message.status == MessageStatus.SEARCH:
        return _search_html(message.sources)
    text = live_text if live_text is not None else message.content
    body = answer_html(text, message.sources) if text else ""
    if live_text is not None:
        body += " <span class='muted'>&#9612;</span>"
    notes = {
        MessageStatus.FAILED: "failed",
        MessageStatus.CANCELLED: "stopped",
        MessageStatus.INTERRUPTED: "stopped",
    }
    if message.status in notes and message.note:
        body += f"<p class='{notes[message.status]}'>{html.escape(message.note)}</p>"
    return f"<p><b>Answer</b><br>{body}</p>{_sources_html(message.sources, live_text is not None)}"


def _sources_html(sources: list[Source], streaming: bool) -> str:
    if not sources:
        return ""
    cited = [s for s in sources if s.cited]
    rest = [s for s in sources if not s.cited]

    def item(s: Source) -> str:
        return f"<a href='ad:{s.analysis_id}'>[{s.number}] {html.escape(s.page_name or s.ad_id)}</a>"

    if streaming or not cited:
        return f"<p class='muted'>Ads given to the model: {', '.join(item(s) for s in sources)}</p>"
    also = f"<br>Also given, not cited: {', '.join(item(s) for s in rest)}" if rest else ""
    return f"<p class='muted'>Cited: {', '.join(item(s) for s in cited)}{also}</p>"


def _search_html(sources: list[Source]) -> str:
    if not sources:
        return "<p><b>Search</b><br>No analysed ad mentions that. Try other words, or name a page.</p>"
    passages = "".join(
        f"<p><a href='ad:{s.analysis_id}'><b>[{s.number}] {html.escape(s.page_name or s.ad_id)}</b></a>"
        f" <span class='muted'>ad {html.escape(s.ad_id)}</span><br>{highlight(s.snippet)}</p>"
        for s in sources
    )
    return (
        "<p><b>Search</b><br>No AI model is set up, so here are the passages that match, best first.</p>"
        + passages
        + "<p class='muted'>With a model set in Settings, a model would summarise these passages into an answer.</p>"
    )


class ChatView(QWidget):
    open_ad = Signal(int)
    answered = Signal(int)  # an answer ended (completed, failed, stopped or searched): its message id

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.store = ConversationStore(services.db)
        self.store.mark_interrupted()
        self.model: ChatStreamer | None = None
        self.conversation_id: int | None = None
        self._messages: list[ChatMessage] = []
        self._streaming_id: int | None = None
        self._streaming_conversation: int | None = None
        self._retrieving = False
        self._partial = ""
        self.task: asyncio.Task[None] | None = None

        self.conversations = QListWidget()
        self.conversations.setAccessibleName("Conversations")
        self.conversations.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conversations.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.conversations.currentItemChanged.connect(self._on_pick)
        self.conversations.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.conversations.customContextMenuRequested.connect(self._menu)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.conversations)
        delete.activated.connect(self._ask_delete)
        new = QPushButton("New chat")
        new.clicked.connect(self.new_conversation)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(new)
        left_layout.addWidget(self.conversations, 1)

        self.mode = QLabel()
        self.mode.setObjectName("Muted")
        self.mode.setWordWrap(True)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._on_link)
        self.view.setAccessibleName("Conversation")
        self.question = QLineEdit(placeholderText="Ask about your analysed ads, e.g. which ads offer a free trial?")
        self.question.setAccessibleName("Question")
        self.question.returnPressed.connect(lambda: self.ask())
        self.send = QPushButton("Ask")
        self.send.clicked.connect(lambda: self.ask())
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop this answer; what has arrived is kept")
        self.stop.clicked.connect(self.cancel)
        self.stop.hide()
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.question, 1)
        ask_row.addWidget(self.send)
        ask_row.addWidget(self.stop)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.mode)
        right_layout.addWidget(self.view, 1)
        right_layout.addLayout(ask_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([220, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._render_timer = QTimer(self, singleShot=True, interval=50)
        self._render_timer.timeout.connect(self.show_messages)
        self._model_known = False  # looked up when first needed: the OS keyring is slow to ask
        self.reload_conversations()
        self.show_messages()

    # ---- model and conversations ---------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        if not self._model_known:
            self.update_model()
        super().showEvent(event)

    def update_model(self) -> None:
        """Settings changed: the next question goes to the model they name (or to search mode)."""
        self._model_known = True
        self.model = make_chat_model(self.services.settings)
        self.mode.setText(
            f"Answers come from {self.model.describe()}, using the analysed ads that match your question."
            if self.model
            else "Search mode: no AI model is set up in Settings, so answers show the matching passages."
        )

    def reload_conversations(self) -> None:
        self.conversations.blockSignals(True)
        self.conversations.clear()
        for conversation in self.store.conversations():
            item = QListWidgetItem(conversation.title)
            item.setData(Qt.ItemDataRole.UserRole, conversation.conversation_id)
            when = time.strftime("%d %b %Y %H:%M", time.localtime(conversation.updated_at))
            item.setToolTip(f"{conversation.title}\n{when}")
            self.conversations.addItem(item)
            if conversation.conversation_id == self.conversation_id:
                self.conversations.setCurrentItem(item)
        self.conversations.blockSignals(False)

    def open_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        self._messages = self.store.messages(conversation_id) if conversation_id is not None else []
        self.show_messages()

    def new_conversation(self) -> None:
        self.conversations.setCurrentRow(-1)
        self.open_conversation(None)
        self.question.setFocus()

    def delete_conversation(self, conversation_id: int) -> None:
        if self.task is not None and self._streaming_conversation == conversation_id:
            self.task.cancel()
        self.store.delete(conversation_id)
        if conversation_id == self.conversation_id:
            self.open_conversation(None)
        self.reload_conversations()

    def _on_pick(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_conversation(int(item.data(Qt.ItemDataRole.UserRole)))

    def _menu(self, at: QPoint) -> None:
        item = self.conversations.currentItem()
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction("Delete conversation", self._ask_delete)
        menu.exec(self.conversations.viewport().mapToGlobal(at))

    def _ask_delete(self) -> None:
        item = self.conversations.currentItem()
        if item is None:
            return
        answer = QMessageBox.question(self, "Delete conversation", f"Delete “{item.text()}” and its answers?")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_conversation(int(item.data(Qt.ItemDataRole.UserRole)))

    # ---- asking --------------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self.task is not None and not self.task.done()

    @property
    def busy(self) -> bool:
        """Finding the ads for a question, or streaming its answer."""
        return self._retrieving or self.streaming

    def ask(self, question: str | None = None) -> None:
        """Save the question, find the ads it is about on a pool thread, then answer."""
        text = (question if question is not None else self.question.text()).strip()
        if not text or self.busy:
            return
        if not self._model_known:
            self.update_model()
        self.question.clear()
        if self.conversation_id is None:
            self.conversation_id = self.store.create(text)
        conversation, history = self.conversation_id, list(self._messages)
        self.store.add(conversation, "user", text)
        self._after_message()
        self._retrieving = True
        self._set_busy(True)
        results = self.services.results
        run_in_background(
            lambda: retrieve(results, text),
            lambda sources: self._answer(conversation, text, history, sources),
            lambda error: self._answer(conversation, text, history, [], f"The search failed: {error}"),
            self,
        )

    def _answer(
        self, conversation: int, text: str, history: list[ChatMessage], sources: list[Source], error: str = ""
    ) -> None:
        self._retrieving = False
        if self.model is None or not sources:
            if error:
                status, content = MessageStatus.FAILED, ""
            elif self.model is None:
                status, content = MessageStatus.SEARCH, ""
            else:
                status, content = (
                    MessageStatus.COMPLETE,
                    "No analysed ad matches that question: nothing to answer from.",
                )
            message_id = self.store.add(conversation, "assistant", content, status, sources, error)
            self._set_busy(False)
            self._after_message()
            self.answered.emit(message_id)
            return
        message_id = self.store.add(conversation, "assistant", "", MessageStatus.STREAMING, sources)
        self._streaming_id, self._streaming_conversation, self._partial = message_id, conversation, ""
        self._after_message()
        self._set_busy(True)  # Stop works from here on
        model = self.model
        self.task = asyncio.ensure_future(
            self._stream(model, message_id, build_messages(text, sources, history), sources)
        )

    def _after_message(self) -> None:
        self.reload_conversations()
        self.open_conversation(self.conversation_id)

    async def _stream(
        self, model: ChatStreamer, message_id: int, messages: list[dict[str, str]], sources: list[Source]
    ) -> None:
        status, note = MessageStatus.COMPLETE, ""
        saved_at = time.monotonic()
        try:
            async for piece in model.stream(messages):
                self._partial += piece
                if not self._render_timer.isActive():
                    self._render_timer.start()
                if time.monotonic() - saved_at > SAVE_EVERY_S:
                    self.store.update(message_id, self._partial, MessageStatus.STREAMING)
                    saved_at = time.monotonic()
        except asyncio.CancelledError:
            status, note = MessageStatus.CANCELLED, "You stopped this answer."
        except ChatStreamError as exc:
            status, note = MessageStatus.FAILED, str(exc)
        except Exception as exc:  # an unexpected client error still ends the answer cleanly
            status, note = MessageStatus.FAILED, f"The answer failed: {type(exc).__name__}: {exc}"
        if status != MessageStatus.COMPLETE:
            note += " What had arrived is kept above." if self._partial else " Nothing had arrived."
        self.store.update(message_id, self._partial, status, note.strip(), mark_cited(sources, self._partial))
        self._streaming_id = None
        self._set_busy(False)
        self.open_conversation(self.conversation_id)
        self.answered.emit(message_id)

    def cancel(self) -> None:
        if self.streaming and self.task is not None:
            self.task.cancel()

    def _set_busy(self, busy: bool) -> None:
        self.send.setVisible(not busy)
        self.stop.setVisible(busy)
        self.stop.setEnabled(not self._retrieving)
        self.question.setPlaceholderText(
            "Answering... (Stop keeps what has arrived)" if busy else "Ask another question about your analysed ads"
        )

    # ---- showing -------------------------------------------------------------------------------

    def show_messages(self) -> None:
        if not self._messages:
            examples = "".join(f"<li><a href='ask:{n}'>{html.escape(q)}</a></li>" for n, q in enumerate(EXAMPLES))
            self.view.setHtml(
                f"{CSS}<h3>Ask about the ads you have analysed</h3><p class='muted'>Answers cite the ads they use;"
                f" click a citation to open the ad in Results. For example:</p><ul>{examples}</ul>"
            )
            return
        self.view.setHtml(
            CSS
            + "".join(
                message_html(m, self._partial if m.message_id == self._streaming_id else None) for m in self._messages
            )
        )
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == "ad":
            self.open_ad.emit(int(url.path()))
        elif url.scheme() == "ask":
            self.ask(EXAMPLES[int(url.path())])
