"""A question on its way to a saved answer, Qt-free: the Chat view drives it, a CLI could too.

The question is saved first (the first one starts a conversation), then the ads it is about are found
(`sources`: a few queries, for a worker thread). With no model, no matching ad or a failed search, the
answer is saved at once. Otherwise it streams from the model: saved every SAVE_EVERY_S while it arrives,
so a crash keeps most of it, then saved with its status: complete, failed (the stream broke) or
cancelled (stopped). A failed or stopped answer keeps what had arrived and says so."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.chat import (
    ChatMessage,
    ChatStreamer,
    ChatStreamError,
    ConversationStore,
    Found,
    MessageStatus,
    Source,
    build_messages,
    mark_cited,
    retrieve,
)
from desktop_app.core.chat_tally import Tally
from desktop_app.core.results import ResultStore

SAVE_EVERY_S = 2.0
NO_MATCH = "No analysed ad matches that question: nothing to answer from."


@dataclass(frozen=True)
class Question:
    """A saved question, with the conversation before it (sent along for follow-up questions)."""

    conversation_id: int
    text: str
    history: list[ChatMessage]


class Answer:
    """One saved answer. `streams`: it still has to come from the model (`stream`); else it is final."""

    def __init__(
        self,
        store: ConversationStore,
        message_id: int,
        sources: list[Source],
        status: MessageStatus,
        model: ChatStreamer | None = None,
        messages: list[dict[str, str]] | None = None,
    ) -> None:
        self.store = store
        self.message_id = message_id
        self.sources = sources
        self.model = model
        self.messages = messages or []
        self.text = ""  # what has arrived so far
        self.status = status
        self._saved_at = time.monotonic()

    @property
    def streams(self) -> bool:
        return self.status == MessageStatus.STREAMING and self.model is not None

    async def stream(self, on_piece: Callable[[], None] = lambda: None) -> None:
        """Receive the answer, calling `on_piece` as each piece arrives, then save it with its status.

        Cancelling the task running this stops the answer (status cancelled); nothing is raised."""
        assert self.model is not None, "an answer saved at once has nothing to stream"
        status, note = MessageStatus.COMPLETE, ""
        try:
            async for piece in self.model.stream(self.messages):
                self.add(piece)
                on_piece()
        except asyncio.CancelledError:
            status, note = MessageStatus.CANCELLED, "You stopped this answer."
        except ChatStreamError as exc:
            status, note = MessageStatus.FAILED, str(exc)
        except Exception as exc:  # an unexpected client error still ends the answer cleanly
            status, note = MessageStatus.FAILED, f"The answer failed: {type(exc).__name__}: {exc}"
        self.finish(status, note)

    def add(self, piece: str) -> None:
        """A piece arrived: keep it, and save what has arrived every SAVE_EVERY_S."""
        self.text += piece
        if time.monotonic() - self._saved_at > SAVE_EVERY_S:
            self.store.update(self.message_id, self.text, MessageStatus.STREAMING)
            self._saved_at = time.monotonic()

    def finish(self, status: MessageStatus, note: str = "") -> None:
        """Save the answer as it ended, noting whether anything is kept, with the sources it cites."""
        if status != MessageStatus.COMPLETE:
            note += " What had arrived is kept above." if self.text else " Nothing had arrived."
        self.status = status
        self.store.update(self.message_id, self.text, status, note.strip(), mark_cited(self.sources, self.text))


class ChatSession:
    """Asks and answers questions in the saved conversations."""

    def __init__(self, store: ConversationStore, results: ResultStore) -> None:
        self.store = store
        self.results = results

    def ask(self, conversation_id: int | None, text: str, history: list[ChatMessage]) -> Question:
        """Save the question; with no conversation open, it starts one named after it."""
        if conversation_id is None:
            conversation_id = self.store.create(text)
        self.store.add(conversation_id, "user", text)
        return Question(conversation_id, text, list(history))

    def find(self, question: Question) -> Found:
        """The analysed ads the question is about, best first, or all of them counted when it asks how the
        ads split (database reads: off the UI thread)."""
        return retrieve(self.results, question.text)

    def answer(
        self,
        question: Question,
        sources: list[Source],
        model: ChatStreamer | None,
        search_error: str = "",
        counted: Tally | None = None,
    ) -> Answer:
        """Save the answer, final when it needs no model (search mode, nothing matched, the search failed),
        else empty and streaming: run its `stream`. Without a model, counts are the answer."""
        if model is None and counted is not None and not search_error:
            content = counted.text()
            cited = mark_cited(sources, content)
            message_id = self.store.add(question.conversation_id, "assistant", content, MessageStatus.COMPLETE, cited)
            return Answer(self.store, message_id, cited, MessageStatus.COMPLETE)
        if model is None or not sources:
            if search_error:
                status, content = MessageStatus.FAILED, ""
            elif model is None:
                status, content = MessageStatus.SEARCH, ""
            else:
                status, content = MessageStatus.COMPLETE, NO_MATCH
            message_id = self.store.add(question.conversation_id, "assistant", content, status, sources, search_error)
            return Answer(self.store, message_id, sources, status)
        message_id = self.store.add(question.conversation_id, "assistant", "", MessageStatus.STREAMING, sources)
        messages = build_messages(question.text, sources, question.history, counted)
        return Answer(self.store, message_id, sources, MessageStatus.STREAMING, model, messages)
