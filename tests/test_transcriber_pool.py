"""The transcriber pool with real faster-whisper (the bundled tiny.en) on the sample ads: several files at once,
the same transcripts as one transcriber, a child killed mid-file, a cancel with every child busy, and its size."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from desktop_app.composition import AppServices
from desktop_app.core.context import AdFailed, CancelToken, JobCancelled, StopReason
from desktop_app.core.types import JobStatus, SourceSpec
from desktop_app.engines.transcriber import Transcriber, TranscriptionError
from desktop_app.engines.transcriber_pool import RAM_PER_CHILD, TranscriberPool, pool_size, ram_per_child
from desktop_app.pipeline.download import sha256_of
from tests.conftest import REPO, wait_final

SAMPLES = sorted((REPO / "resources" / "sample_ads").glob("*.mp4"))
SPOKEN = SAMPLES[:4]  # ads 1 to 4 all have speech (ad 6 is music only)
MB = 1024 * 1024


@pytest.fixture(scope="module")
def pool() -> Iterator[TranscriberPool]:
    p = TranscriberPool("tiny.en", 2)
    yield p
    p.close()


def loaded(pool: TranscriberPool) -> None:
    """Start every child and wait until each has its model: a child started here has its "ready" message waiting
    in the pipe once it has (one that had served a file had it read then)."""
    starting = [c for c in pool._children if c._process is None or not c._process.is_alive()]
    pool.warm_up()
    for child in starting:
        assert child._conn is not None and child._conn.poll(120), "the model did not load"


def when_both_busy(pool: TranscriberPool, then: Any) -> threading.Thread:
    """Run `then()` on a thread as soon as both children are transcribing."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while pool.busy < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        then()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def run_many(pool: TranscriberPool, paths: list[Path], token: CancelToken) -> dict[int, Any]:
    outcomes: dict[int, Any] = {}
    pool.transcribe_many(paths, token, outcomes.__setitem__)
    return outcomes


@pytest.mark.slow
def test_two_children_transcribe_at_once_as_one_transcriber_would(pool: TranscriberPool) -> None:
    single = Transcriber("tiny.en")
    try:
        expected = [single.transcribe(path, CancelToken())["text"] for path in SPOKEN]
    finally:
        single.close()
    seen: list[tuple[int, int]] = []  # (children busy, child processes alive), sampled while the batch runs
    ended = threading.Event()

    def sample() -> None:
        while not ended.wait(0.005):
            seen.append((pool.busy, len(pool.pids())))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        outcomes = run_many(pool, SPOKEN, CancelToken())
    finally:
        ended.set()
        sampler.join()

    assert [outcomes[n]["text"] for n in range(len(SPOKEN))] == expected
    assert all(expected)
    assert (2, 2) in seen, "both children were never transcribing at the same moment"
    assert max(busy for busy, _ in seen) == 2 and pool.busy == 0


@pytest.mark.slow
def test_a_child_killed_mid_file_fails_that_file_only_and_is_started_again(pool: TranscriberPool) -> None:
    loaded(pool)
    killed: list[int] = []

    def kill_one() -> None:
        time.sleep(0.3)  # well inside the first files (over a second each)
        pid = pool.pids()[0]
        psutil.Process(pid).kill()
        killed.append(pid)

    killer = when_both_busy(pool, kill_one)
    outcomes = run_many(pool, SPOKEN, CancelToken())
    killer.join()

    assert sorted(outcomes) == list(range(len(SPOKEN))) and len(killed) == 1
    failed = [n for n, outcome in outcomes.items() if isinstance(outcome, Exception)]
    assert len(failed) == 1, outcomes
    error = outcomes[failed[0]]
    assert isinstance(error, TranscriptionError) and isinstance(error, AdFailed)
    assert "stopped unexpectedly" in error.reason
    assert all(outcomes[n]["text"] for n in range(len(SPOKEN)) if n != failed[0])
    # The dead child was started again at once (not when the next file came), and the file works there now.
    assert killed[0] not in pool.pids() and len(pool.pids()) == 2
    assert pool.transcribe(SPOKEN[failed[0]], CancelToken())["text"]


def test_a_cancel_kills_every_busy_child_within_a_second(pool: TranscriberPool) -> None:
    loaded(pool)
    token = CancelToken()
    stopped: dict[str, Any] = {}

    def cancel() -> None:
        time.sleep(0.3)  # in the middle of the first two files
        stopped["pids"] = pool.pids()
        stopped["at"] = time.monotonic()
        token.stop(StopReason.CANCEL)

    canceller = when_both_busy(pool, cancel)
    with pytest.raises(JobCancelled):
        run_many(pool, SPOKEN, token)
    took = time.monotonic() - stopped["at"]
    canceller.join()

    assert took < 1.0
    assert len(stopped["pids"]) == 2
    assert not any(psutil.pid_exists(pid) for pid in stopped["pids"]), "a child outlived the cancel"
    assert pool.busy == 0 and pool.pids() == []


def test_pool_size_follows_the_setting_cores_and_memory() -> None:
    cores = os.cpu_count() or 1
    budget = psutil.virtual_memory().available // 2
    assert pool_size("tiny.en") == max(1, min(cores, budget // (300 * MB)))  # 2 on a 2-core machine with 1 GB free
    assert pool_size("tiny.en", memory_budget=64 * 1024 * MB) == cores
    assert pool_size("tiny.en", 3) == 3  # the user's setting wins
    assert pool_size("medium", memory_budget=3000 * MB) == 1
    assert pool_size("medium", memory_budget=100 * MB) == 1  # never none
    assert pool_size("large-v3", memory_budget=8000 * MB) == min(cores, 2)
    # Distil models count as what they were distilled from; a local folder as a small model.
    assert ram_per_child("distil-large-v3") == ram_per_child("large-v2") == RAM_PER_CHILD["large"]
    assert ram_per_child("distil-small.en") == ram_per_child("small") == RAM_PER_CHILD["small"]
    assert ram_per_child("large-v3-turbo") == ram_per_child("turbo") == RAM_PER_CHILD["turbo"]
    assert ram_per_child("base.en") == RAM_PER_CHILD["base"] and ram_per_child("tiny") == RAM_PER_CHILD["tiny"]
    assert ram_per_child("/models/whisper-ct2") == RAM_PER_CHILD["small"]


@pytest.mark.slow
def test_two_concurrent_jobs_share_the_pool_and_never_transcribe_a_video_twice(
    services: AppServices, tmp_path: Path
) -> None:
    """Two folder jobs at once over four videos, two of them in both folders (same content, other paths): one pool
    serves both jobs at the same time (a file of each job in a child at once), and each video's content is
    transcribed once; a job that needs a video the other is transcribing waits for its transcript."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, videos in ((first, SPOKEN[:3]), (second, SPOKEN[1:4])):
        folder.mkdir()
        for video in videos:
            shutil.copy(video, folder / f"{folder.name}-{video.name}")
    services.settings.parallel_jobs = 2
    pool = services.pipeline.transcriber
    assert isinstance(pool, TranscriberPool)
    heard: Counter[str] = Counter()
    transcribe = pool.transcribe
    inside: Counter[str] = Counter()  # the job folders of the files in a child now
    both_at_once = threading.Event()
    lock = threading.Lock()

    def counted(path: Path, token: CancelToken, on_progress: Any = None) -> dict[str, Any]:
        folder = Path(path).parent.name
        with lock:
            heard[sha256_of(Path(path))] += 1
            inside[folder] += 1
            if all(inside[name] for name in ("first", "second")):
                both_at_once.set()
        try:
            return transcribe(path, token, on_progress)
        finally:
            with lock:
                inside[folder] -= 1

    pool.transcribe = counted  # type: ignore[method-assign]  # counts, then the real pool transcribes
    runner = services.make_runner()
    runner.start()
    try:
        jobs = [services.service.start_analysis(SourceSpec("folder", {"path": str(f)})).job_id for f in (first, second)]
        ended = [wait_final(services, job_id, timeout=240) for job_id in jobs]
    finally:
        runner.shutdown()
    assert [job.status for job in ended] == [JobStatus.COMPLETED, JobStatus.COMPLETED]
    assert [(job.result or {}).get("analysed") for job in ended] == [3, 3]
    assert len(heard) == 4 and set(heard.values()) == {1}, heard
    assert both_at_once.is_set(), "the two jobs never had a file in the pool at the same time"
