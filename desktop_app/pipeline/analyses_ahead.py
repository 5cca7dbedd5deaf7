"""Analyses asked ahead of the analyse stage's per-ad loop, which saves each one in turn.

An LLM answers one ad in seconds, nearly all of it waiting on the server: asked one ad after another, a job of
50 ads waits minutes for what a few requests at once do in a fraction of the time, and asked only once every ad is
transcribed, it waits for the transcription first. So each ad is asked as soon as it is transcribed, a few at once,
while the next ads are transcribed. Each answer is stored the moment it is in (the store keeps one analysis per ad,
video, transcript and analyser, so storing it again later changes nothing), and the loop stays the one place that
checkpoints and counts, in the ads' order. A crash or a cancel loses only the requests under way: at most AT_ONCE
ads are asked again when the job goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Generic, TypeVar

from desktop_app.core.context import CancelToken, StopReason

T = TypeVar("T")
AT_ONCE = 4  # requests in flight: as many as the transcription server's uploads (Settings' default)
WAIT_S = 0.05  # how often a wait looks at the job's cancel


Say = Callable[[str], None]


class AnalysesAhead(Generic[T]):
    """Each ad added is asked (`ask(token, say)`) on one of AT_ONCE threads, in the order added, with a token that
    stops with the job or when this is closed; `result(key, token, say)` waits for one (its error raised), passing
    on what its asking said meanwhile (a rate-limit wait, a retry); `close` ends the rest."""

    def __init__(self, token: CancelToken) -> None:
        self._token = CancelToken()
        self._said: dict[str, str] = {}  # each key's last message, until its result is waited for
        self._lock = threading.Lock()
        self._adding = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=AT_ONCE, thread_name_prefix="analysis-ahead")
        self._asked: dict[str, Future[T]] = {}
        # A job stopped between the stage that asks early and the one that waits never reaches a `close`: its stop
        # ends the asking and lets the threads go by itself.
        self._unlink = token.on_stop(lambda: self._end(token.reason or StopReason.CANCEL))

    def add(self, key: str, ask: Callable[[CancelToken, Say], T]) -> None:
        """Ask about `key` now; nothing is asked once this is closed or the job has stopped."""
        with self._adding:
            if not self._token.stopped:
                self._asked[key] = self._pool.submit(ask, self._token, partial(self._note, key))

    def has(self, key: str) -> bool:
        return key in self._asked

    def result(self, key: str, token: CancelToken, say: Say) -> T:
        """The answer for `key` once it is in, or its error raised; a stop of `token` ends the wait at once. What
        the asking said goes to `say` on this thread, where the job's progress may be written."""
        future = self._asked.pop(key)
        while True:
            token.raise_if_stopped()
            with self._lock:
                message = self._said.pop(key, None)
            if message is not None:
                say(message)
            try:
                return future.result(timeout=WAIT_S)
            except TimeoutError:
                continue

    def _note(self, key: str, message: str) -> None:
        with self._lock:
            self._said[key] = message

    def close(self) -> None:
        """Stop what is still asked or waiting (the job ended early, or the loop is done); safe to call twice."""
        self._unlink()
        self._end(StopReason.CANCEL)

    def _end(self, reason: StopReason) -> None:
        self._token.stop(reason)
        with self._adding:  # no ask slips in between the stop and the pool's end
            self._pool.shutdown(wait=False, cancel_futures=True)
