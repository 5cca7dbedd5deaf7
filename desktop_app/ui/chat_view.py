"""Chat: questions about the analysed ads, answered from the ads that match them.

The answer streams from the configured chat model on the qasync loop (the window never waits for
it), cites its ads (a click opens one in Results), and is saved with the conversation. With no model,
Chat answers in search mode with the matching passages. A failed or stopped answer keeps what arrived."""

from __future__ import annotations

import asyncio
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
from desktop_app.core.chat import ChatMessage, ChatStreamer, ConversationStore, Source
from desktop_app.core.chat_session import Answer, ChatSession, Question
from desktop_app.core.chat_tally import Tally
from desktop_app.ui.bridge import run_in_background
from desktop_app.ui.chat_html import conversation_html, welcome_html

EXAMPLES = (
    "Which ads offer a free trial?",
    "What hooks do the ads open with?",
    "Which ads create urgency, and how?",
)


class ChatView(QWidget):
    open_ad = Signal(int)
    answered = Signal(int)  # an answer ended (completed, failed, stopped or searched): its message id

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.store = ConversationStore(services.db)
        self.store.mark_interrupted()
        self.session = ChatSession(self.store, services.results)
        self.model: ChatStreamer | None = None
        self.conversation_id: int | None = None
        self._messages: list[ChatMessage] = []
        self._streaming: Answer | None = None  # the answer arriving now
        self._streaming_conversation: int | None = None
        self._retrieving = False
        self.task: asyncio.Task[None] | None = None

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._conversation_list())
        splitter.addWidget(self._conversation_pane())
        splitter.setSizes([220, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._render_timer = QTimer(self, singleShot=True, interval=50)
        self._render_timer.timeout.connect(self.show_messages)
        self._model_known = False  # looked up when first needed: the OS keyring is slow to ask
        self.reload_conversations()
        self.show_messages()

    def _conversation_list(self) -> QWidget:
        """New chat, and the saved conversations (Delete or the context menu removes one)."""
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
        return left

    def _conversation_pane(self) -> QWidget:
        """Which model answers, the conversation, and the question box with Ask and Stop."""
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
        return right

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

    @property
    def _partial(self) -> str:
        """What has arrived of the answer streaming now."""
        return self._streaming.text if self._streaming is not None else ""

    def ask(self, question: str | None = None) -> None:
        """Save the question, find the ads it is about on a pool thread, then answer."""
        text = (question if question is not None else self.question.text()).strip()
        if not text or self.busy:
            return
        if not self._model_known:
            self.update_model()
        self.question.clear()
        asked = self.session.ask(self.conversation_id, text, self._messages)
        self.conversation_id = asked.conversation_id
        self._after_message()
        self._retrieving = True
        self._set_busy(True)
        session = self.session
        run_in_background(
            lambda: session.find(asked),
            lambda found: self._answer(asked, found.sources, counted=found.tally),
            lambda error: self._answer(asked, [], f"The search failed: {error}"),
            self,
        )

    def _answer(
        self, question: Question, sources: list[Source], search_error: str = "", counted: Tally | None = None
    ) -> None:
        self._retrieving = False
        answer = self.session.answer(question, sources, self.model, search_error, counted)
        if not answer.streams:
            self._set_busy(False)
            self._after_message()
            self.answered.emit(answer.message_id)
            return
        self._streaming, self._streaming_conversation = answer, question.conversation_id
        self._after_message()
        self._set_busy(True)  # Stop works from here on
        self.task = asyncio.ensure_future(self._stream(answer))

    def _after_message(self) -> None:
        self.reload_conversations()
        self.open_conversation(self.conversation_id)

    async def _stream(self, answer: Answer) -> None:
        await answer.stream(on_piece=self._render_soon)
        self._streaming = None
        self._set_busy(False)
        self.open_conversation(self.conversation_id)
        self.answered.emit(answer.message_id)

    def _render_soon(self) -> None:
        if not self._render_timer.isActive():
            self._render_timer.start()

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
            self.view.setHtml(welcome_html(EXAMPLES))
            return
        live = self._streaming
        self.view.setHtml(conversation_html(self._messages, live.message_id if live else None, self._partial))
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == "ad":
            self.open_ad.emit(int(url.path()))
        elif url.scheme() == "ask":
            self.ask(EXAMPLES[int(url.path())])
