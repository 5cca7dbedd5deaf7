"""The analyse stage's asking ahead (pipeline/analyses_ahead.py) on its own: several at once, answers and errors
handed over in the order asked for, what the asking said passed on to the waiting thread, and a cancel that ends
the wait at once."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest

from desktop_app.core.context import AdFailed, CancelToken, JobCancelled, StopReason
from desktop_app.pipeline.analyses_ahead import AT_ONCE, AnalysesAhead, Say


def test_several_are_asked_at_once_and_each_answer_is_handed_over_with_what_was_said() -> None:
    inside, most, lock = [0], [0], threading.Lock()

    def ask(key: str, token: CancelToken, say: Say) -> str:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        say(f"waiting for {key}")
        time.sleep(0.2)
        with lock:
            inside[0] -= 1
        if key == "c":
            raise AdFailed("the server refused c")
        return key.upper()

    ahead: AnalysesAhead[str] = AnalysesAhead(CancelToken())
    for key in "abcdef":
        ahead.add(key, partial(ask, key))
    heard: list[str] = []
    try:
        assert ahead.result("a", CancelToken(), heard.append) == "A"
        assert ahead.result("b", CancelToken(), heard.append) == "B"
        with pytest.raises(AdFailed, match="refused c"):
            ahead.result("c", CancelToken(), heard.append)
        assert [ahead.result(k, CancelToken(), heard.append) for k in "def"] == ["D", "E", "F"]
    finally:
        ahead.close()
    assert most[0] == AT_ONCE
    assert heard[:2] == ["waiting for a", "waiting for b"]
    assert not ahead.has("a")


def test_a_cancel_ends_the_wait_and_reaches_the_asking() -> None:
    ended: list[str] = []

    def ask(key: str, token: CancelToken, say: Say) -> str:
        try:
            token.sleep(30)  # an answer that takes long: only the cancel ends it
        finally:
            ended.append(key)
        return key

    job = CancelToken()
    ahead: AnalysesAhead[str] = AnalysesAhead(job)
    for key in "ab":
        ahead.add(key, partial(ask, key))
    threading.Timer(0.2, job.stop, args=(StopReason.CANCEL,)).start()
    began = time.monotonic()
    with pytest.raises(JobCancelled):
        ahead.result("a", job, lambda message: None)
    ahead.close()
    assert time.monotonic() - began < 1.0
    deadline = time.monotonic() + 1.0
    while len(ended) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(ended) == ["a", "b"]


def test_a_job_stopped_before_anyone_waits_ends_the_asking_and_its_threads_without_a_close() -> None:
    """The transcribe stage asks early; a cancel before the analyse stage starts means no one ever calls `close`."""
    started: list[str] = []

    def ask(key: str, token: CancelToken, say: Say) -> str:
        started.append(key)
        token.sleep(30)
        return key

    job = CancelToken()
    ahead: AnalysesAhead[str] = AnalysesAhead(job)
    for key in "abcdefgh":
        ahead.add(key, partial(ask, key))
    deadline = time.monotonic() + 2.0
    while len(started) < AT_ONCE and time.monotonic() < deadline:
        time.sleep(0.01)
    job.stop(StopReason.CANCEL)
    ahead.add("late", partial(ask, "late"))
    deadline = time.monotonic() + 2.0
    while any(t.name.startswith("analysis-ahead") for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not [t.name for t in threading.enumerate() if t.name.startswith("analysis-ahead")]
    assert sorted(started) == list("abcd")  # the four under way were stopped; the rest and the late one never began
    assert not ahead.has("late")
