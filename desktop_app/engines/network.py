"""One retry policy for every outside call: exponential backoff with full jitter, Retry-After
honoured (capped), no retry on client errors, a "waiting for network" message while waiting, waits
that a cancel interrupts, and a time budget after which it gives up in words."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import tenacity

from desktop_app.core.context import AdFailed, CancelToken

T = TypeVar("T")
log = logging.getLogger(__name__)

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
MAX_WAIT_S = 60.0
# What a failed name lookup says on Linux, macOS and Windows: the machine is offline (or the name is wrong).
NO_NETWORK_WORDS = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "getaddrinfo failed",
    "no address associated",
    "network is unreachable",
)


def offline(text: str) -> bool:
    """Whether an error's text says the host name could not be looked up or the network is down."""
    lowered = text.lower()
    return any(words in lowered for words in NO_NETWORK_WORDS)


class RetryableError(AdFailed):
    """A failure worth another try (a 429, a 5xx, a dropped connection), with the server's hint. Its message
    is read by people (in the "waiting for network" line and in an ad's reason): plain words only."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GaveUp(RetryableError, AdFailed):
    """The retries ran out: the last failure, with how many tries over how long, in words. An AdFailed, so an
    ad whose outside call gave up fails with this sentence; `last` is the last failure alone."""

    def __init__(self, last: str, tries: int, seconds: float) -> None:
        super().__init__(f"{last} (gave up after {tries} tries over {seconds:.0f} s)")
        self.last = last
        self.tries = tries
        self.seconds = seconds


def host_of(url: str) -> str:
    """The host name of a URL, for messages ("example.com"), or the URL itself when it has none."""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


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


def server_reason(exc: BaseException) -> str:
    """The server's own explanation, never the client's "Error code: 401 - {...}" rendering of it."""
    found = server_message(exc)
    if found:
        return found
    body = getattr(exc, "body", None)
    if isinstance(body, str) and body.strip() and "<" not in body:  # a plain-text answer, not an HTML page
        return " ".join(body.split())[:200]
    return "the server gave no reason"


def openai_client(base_url: str | None, api_key: str | None, timeout_s: float) -> Any:
    """A synchronous OpenAI-compatible client with its own retries off: the shared policy retries, and a cancel
    interrupts it."""
    from openai import OpenAI

    return OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0)


def cancellable(fn: Callable[[], T], token: CancelToken) -> T:
    """Run a blocking outside call on a helper thread; a cancel returns at once and abandons it.

    HTTP clients cannot be interrupted mid-read from another thread; an abandoned call finishes (or
    times out) in the background and its answer is dropped."""
    token.raise_if_stopped()  # a retry that begins after a stop sends nothing
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
    """`budget_s` bounds the time network trouble may take in all (attempts and backoff waits), so a connection
    that keeps dropping ends in a plain message instead of minutes of retries; the waits a server asks for
    (Retry-After, a rate-limit pause) do not count against it, only against `attempts`."""

    attempts: int = 5
    initial_s: float = 1.0
    max_wait_s: float = MAX_WAIT_S
    budget_s: float = 300.0

    def call(
        self,
        fn: Callable[[], T],
        token: CancelToken,
        on_wait: Callable[[str], None] | None = None,
        what: str = "the server",
    ) -> T:
        """Run `fn`, retrying RetryableError; other exceptions go straight through. When the tries or the
        budget run out, raises GaveUp with the last failure in words."""
        jitter = tenacity.wait_random_exponential(multiplier=self.initial_s, max=self.max_wait_s)
        began = time.monotonic()
        asked_s = [0.0]  # time spent in waits the server asked for

        def wait(state: tenacity.RetryCallState) -> float:
            hint = _hint(state)
            return min(hint, self.max_wait_s) if hint is not None else float(jitter(state))

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.attempts:
                return True
            spent = time.monotonic() - began - asked_s[0]
            return _hint(state) is None and spent + state.upcoming_sleep > self.budget_s

        def before_sleep(state: tenacity.RetryCallState) -> None:
            if state.next_action is None:
                return
            if _hint(state) is not None:
                asked_s[0] += state.next_action.sleep
            if on_wait is not None:
                exc = state.outcome.exception() if state.outcome else None
                on_wait(f"Waiting for network, retrying {what} in {state.next_action.sleep:.0f} s ({exc})")

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(RetryableError),
            wait=wait,
            stop=stop,
            sleep=token.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        tries = [0]

        def attempt() -> T:
            tries[0] += 1
            return cancellable(fn, token)

        try:
            return retrying(attempt)
        except RetryableError as exc:
            seconds = time.monotonic() - began
            log.info("gave up on %s after %d tries over %.1f s: %s", what, tries[0], seconds, exc)
            raise GaveUp(str(exc), tries[0], seconds) from exc


def _hint(state: tenacity.RetryCallState) -> float | None:
    """The wait the server asked for with the last failure, if it asked."""
    exc = state.outcome.exception() if state.outcome else None
    return exc.retry_after if isinstance(exc, RetryableError) else None
