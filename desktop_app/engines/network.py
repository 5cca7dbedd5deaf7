"""One retry policy for every outside call: exponential backoff with full jitter, Retry-After
honoured, no retry on client errors, a "waiting for network" message while waiting, and waits
that a cancel interrupts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import tenacity

from desktop_app.core.context import CancelToken

T = TypeVar("T")

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
MAX_WAIT_S = 60.0


class RetryableError(Exception):
    """A failure worth another try (a 429, a 5xx, a dropped connection), with the server's hint."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds, from either of its two forms (delta seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def server_message(exc: BaseException) -> str | None:
    """The message an OpenAI-compatible server put in its error body ({"error": {"message": ...}}), if any."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return None


def cancellable(fn: Callable[[], T], token: CancelToken) -> T:
    """Run a blocking outside call on a helper thread; a cancel returns at once and abandons it.

    HTTP clients cannot be interrupted mid-read from another thread; an abandoned call finishes (or
    times out) in the background and its answer is dropped."""
    done = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="outside-call", daemon=True).start()
    unregister = token.on_stop(done.set)
    try:
        done.wait()
    finally:
        unregister()
    token.raise_if_stopped()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


@dataclass
class RetryPolicy:
    attempts: int = 5
    initial_s: float = 1.0
    max_wait_s: float = MAX_WAIT_S

    def call(
        self,
        fn: Callable[[], T],
        token: CancelToken,
        on_wait: Callable[[str], None] | None = None,
        what: str = "the server",
    ) -> T:
        """Run `fn`, retrying RetryableError; other exceptions go straight through."""
        jitter = tenacity.wait_random_exponential(multiplier=self.initial_s, max=self.max_wait_s)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, RetryableError) and exc.retry_after is not None:
                return min(exc.retry_after, self.max_wait_s)
            return float(jitter(state))

        def before_sleep(state: tenacity.RetryCallState) -> None:
            if on_wait is not None and state.next_action is not None:
                exc = state.outcome.exception() if state.outcome else None
                on_wait(f"Waiting for network, retrying {what} in {state.next_action.sleep:.0f} s ({exc})")

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(RetryableError),
            wait=wait,
            stop=tenacity.stop_after_attempt(self.attempts),
            sleep=token.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(lambda: cancellable(fn, token))
