"""The runner over a real file workload: progress, coalescing, cancel, parallelism, resume, failures."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import event

from desktop_app.composition import AppServices
from desktop_app.core.types import ItemStatus, JobStatus, Outcome, SourceSpec
from desktop_app.core.updates import ItemUpdate, JobUpdate, Update
from tests.conftest import wait_final, wait_for
from tests.workload import STAGE_KEYS, FileMade, FileWorkload, starts

SAMPLE = SourceSpec("sample")


def urls(n: int) -> SourceSpec:
    return SourceSpec("urls", {"urls": [f"https://ads.test/{n}"]})


def test_job_runs_every_stage_and_completes(services: AppServices) -> None:
    updates: list[Update] = []
    services.listeners.add(updates.append)
    runner = services.make_runner(stages=FileWorkload(items=5, delay=0.01))
    runner.start()
    job_id = services.service.start_analysis(SAMPLE).job_id
    job = wait_final(services, job_id)
    runner.shutdown()

    assert job.status == JobStatus.COMPLETED
    assert job.progress == 100
    assert job.result is not None
    assert job.result["analysed"] == 5
    assert job.started_at is not None and job.finished_at is not None
    workdir = services.paths.job_dir(job_id)
    assert sorted(starts(workdir)) == sorted((f"ad{i:03d}", k) for i in range(5) for k in STAGE_KEYS)
    assert all((workdir / f"ad{i:03d}.{k}").exists() for i in range(5) for k in STAGE_KEYS)
    items = services.service.items(job_id)
    assert {i.status for i in items} == {ItemStatus.DONE}

    job_updates = [u.job for u in updates if isinstance(u, JobUpdate) and u.job.job_id == job_id]
    stages_seen = [j.stage for j in job_updates]
    for label in ("Listing items", "Fetch", "Transcribe", "Analyse", "Finalizing results", "Completed"):
        assert label in stages_seen
    running = [j.progress for j in job_updates if j.status == JobStatus.RUNNING]
    assert running == sorted(running), "progress never goes backwards within a run"
    assert sum(isinstance(u, ItemUpdate) for u in updates) == 5 * len(STAGE_KEYS)
    kinds = [e.kind for e in services.service.events(job_id)]
    assert kinds[0] == "created" and kinds[-1] == "completed" and "stage" in kinds


def test_progress_is_coalesced_for_db_and_listeners(services: AppServices) -> None:
    """100,000 progress calls cost a few DB writes a second and at most ~10 notifications a second."""
    from desktop_app.core.context import JobContext

    class Flood:
        key, label, percent = "flood", "Flooding", 5.0

        def run(self, ctx: JobContext) -> None:
            for i in range(100_000):
                ctx.stage_progress(i / 100_000, f"step {i}")

    writes = Counter[str]()

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE JOBS"):
            writes["update"] += 1

    event.listen(services.db.engine, "before_cursor_execute", count)
    notes: list[float] = []
    services.listeners.add(lambda u: notes.append(time.monotonic()) if isinstance(u, JobUpdate) else None)
    runner = services.make_runner(stages=lambda job: [Flood()])
    runner.start()
    started = time.monotonic()
    job = wait_final(services, services.service.start_analysis(SAMPLE).job_id, timeout=60)
    elapsed = time.monotonic() - started
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED
    # Leases and state changes add a handful; progress itself adds at most ~2 per second.
    assert writes["update"] <= 10 + 3 * elapsed, (writes, elapsed)
    assert len(notes) <= 8 + 11 * elapsed, (len(notes), elapsed)


def test_ads_done_per_stage_reach_listeners_with_progress(services: AppServices) -> None:
    """A stage's ads done so far, and a later stage's work running ahead of it, travel with the progress the
    window shows (Job.stage_counts), from any thread; they are not stored."""
    from desktop_app.core.context import JobContext

    class Overlapping:
        key, label, percent = "download", "Downloading", 5.0

        def run(self, ctx: JobContext) -> None:
            ahead = threading.Thread(target=ctx.count, args=("transcribe", 1, 3))  # early work's own thread
            ahead.start()
            ahead.join()
            ctx.count("download", 2, 3)
            ctx.stage_progress(0.6, "Downloading (3/3)")
            time.sleep(0.3)  # past the notification interval

    seen: list[dict[str, tuple[int, int]]] = []
    services.listeners.add(lambda u: seen.append(u.job.stage_counts) if isinstance(u, JobUpdate) else None)
    runner = services.make_runner(stages=lambda job: [Overlapping()])
    runner.start()
    job = wait_final(services, services.service.start_analysis(SAMPLE).job_id, timeout=30)
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED
    assert {"download": (2, 3), "transcribe": (1, 3)} in seen
    assert services.service.status(job.job_id).stage_counts == {}  # in memory only


def test_cancel_in_process_stops_within_a_cancellation_point(services: AppServices) -> None:
    runner = services.make_runner(stages=FileWorkload(items=50, delay=0.2))
    runner.start()
    job_id = services.service.start_analysis(SAMPLE).job_id
    wait_for(lambda: services.service.status(job_id).stage == "Fetch")
    asked = time.monotonic()
    assert services.service.cancel(job_id) is True
    job = wait_final(services, job_id)
    latency = time.monotonic() - asked
    runner.shutdown()
    assert job.status == JobStatus.CANCELLED
    assert job.message.startswith("Cancelled during Fetch")
    assert latency < 1.0
    assert services.service.cancel(job_id) is False


def test_parallel_bound_and_queue_order(services: AppServices) -> None:
    services.settings.parallel_jobs = 2
    peak = 0
    lock = threading.Lock()
    active: set[str] = set()

    def track(update: Update) -> None:
        nonlocal peak
        if isinstance(update, JobUpdate):
            with lock:
                if update.job.status == JobStatus.RUNNING:
                    active.add(update.job.job_id)
                else:
                    active.discard(update.job.job_id)
                peak = max(peak, len(active))

    services.listeners.add(track)
    ids = [services.service.start_analysis(urls(i)).job_id for i in range(5)]
    assert [services.service.status(i).queue_position for i in ids] == [1, 2, 3, 4, 5]
    runner = services.make_runner(stages=FileWorkload(items=3, delay=0.05))
    runner.start()
    finals = [wait_final(services, i) for i in ids]
    runner.shutdown()
    assert all(j.status == JobStatus.COMPLETED for j in finals)
    assert peak == 2
    started = sorted(finals, key=lambda j: j.started_at or j.created_at)
    assert [j.job_id for j in started] == ids


def test_shutdown_pauses_and_next_start_resumes_without_repeating(services: AppServices) -> None:
    workload = FileWorkload(items=8, delay=0.05)
    runner = services.make_runner(stages=workload)
    runner.start()
    job_id = services.service.start_analysis(SAMPLE).job_id
    wait_for(lambda: services.service.status(job_id).stage == "Transcribe")
    runner.shutdown()
    paused = services.service.status(job_id)
    assert paused.status == JobStatus.PENDING
    assert "resumes" in paused.message
    before = starts(services.paths.job_dir(job_id))

    runner = services.make_runner(stages=workload)
    runner.start()
    job = wait_final(services, job_id)
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED
    after = starts(services.paths.job_dir(job_id))
    assert after[: len(before)] == before
    assert not {s for s in after[len(before) :] if s[1] == "fetch"}, "finished fetch items were not redone"
    counts = Counter(after)
    assert all(n == 1 for key, n in counts.items() if key != before[-1])


def test_one_bad_item_never_fails_the_job(services: AppServices) -> None:
    runner = services.make_runner(stages=FileWorkload(items=5, delay=0.01, fail=frozenset({1}), skip=frozenset({3})))
    runner.start()
    job = wait_final(services, services.service.start_analysis(SAMPLE).job_id)
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED
    assert job.result is not None
    assert (job.result["analysed"], job.result["failed"], job.result["skipped"]) == (3, 1, 1)
    items = {i.key: i for i in services.service.items(job.job_id)}
    assert items["ad001"].status == ItemStatus.FAILED
    assert items["ad001"].reason is not None and "ad001 is broken" in items["ad001"].reason
    assert items["ad003"].status == ItemStatus.SKIPPED and items["ad003"].reason == "no video"
    assert not items["ad001"].done("transcribe")


def test_an_unexpected_error_in_one_ad_reads_plainly_and_keeps_its_detail(services: AppServices) -> None:
    """A bug or a library's raw error (not an AdFailed): the ad fails with one plain sentence, and the
    traceback goes to the job's log under that ad."""
    from desktop_app.core.context import ItemReport, JobContext
    from desktop_app.core.types import JobItem

    class Buggy:
        key, label, percent = "transcribe", "Transcribing videos", 65.0

        def run(self, ctx: JobContext) -> None:
            ctx.add_items([("ad-1", {}), ("ad-2", {})])
            ctx.each_item(self.work)

        def work(self, item: JobItem, report: ItemReport) -> FileMade:
            if item.key == "ad-1":
                raise KeyError("segments")
            return FileMade("ok", Outcome.ANALYSED)

    runner = services.make_runner(stages=lambda job: [Buggy()])
    runner.start()
    job = wait_final(services, services.service.start_analysis(SAMPLE).job_id)
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED and job.failed_ads == 0  # no finalise stage in this job
    failed = services.service.items(job.job_id)[0]
    assert (
        failed.reason == "Transcribing videos failed because of an unexpected error; the details are in the job's log."
    )
    logged = [e for e in services.service.events(job.job_id) if e.kind == "traceback" and e.item_key == "ad-1"]
    assert len(logged) == 1 and "KeyError: 'segments'" in logged[0].message


def test_job_error_fails_keeps_partial_results_and_retry_resumes(services: AppServices) -> None:
    runner = services.make_runner(stages=FileWorkload(items=4, delay=0.01, fail_job=True, fail=frozenset({2})))
    runner.start()
    job = wait_final(services, services.service.start_analysis(SAMPLE).job_id)
    assert job.status == JobStatus.FAILED
    assert job.error == "The access token is invalid"
    assert job.result is not None and job.result["error"]["settings_field"] == "meta_token"
    done_before = starts(services.paths.job_dir(job.job_id))
    assert len(done_before) == 4 * 3 - 2  # item 2 failed at fetch, so it never reached the other two
    runner.shutdown()

    runner = services.make_runner(stages=FileWorkload(items=4, delay=0.01))
    seen: list[float] = []
    services.listeners.add(lambda u: seen.append(u.job.progress) if isinstance(u, JobUpdate) else None)
    runner.start()
    assert services.service.retry(job.job_id) == job.job_id
    retried = wait_final(services, job.job_id)
    runner.shutdown()
    assert retried.status == JobStatus.COMPLETED
    resumed = [p for p in seen if p > 0]
    assert resumed and resumed[0] >= job.progress > 0, "the resumed job's bar starts where it stopped"
    assert resumed == sorted(resumed), "and never moves backwards"
    assert retried.error is None
    redone = starts(services.paths.job_dir(job.job_id))[len(done_before) :]
    assert sorted(redone) == [("ad002", "analyse"), ("ad002", "fetch"), ("ad002", "transcribe")]


def test_unexpected_exception_in_a_stage_fails_with_its_name(services: AppServices) -> None:
    from desktop_app.core.context import JobContext

    class Broken:
        key, label, percent = "broken", "Getting video URLs", 35.0

        def run(self, ctx: JobContext) -> None:
            raise ValueError("bad data")

    runner = services.make_runner(stages=lambda job: [Broken()])
    runner.start()
    job = wait_final(services, services.service.start_analysis(SAMPLE).job_id)
    runner.shutdown()
    assert job.status == JobStatus.FAILED
    # People read the stage and what to do; the exception stays in the job's log.
    assert job.error == "Getting video URLs stopped because of an unexpected error. The details are in the job's log."
    assert any(e.kind == "traceback" and "bad data" in e.message for e in services.service.events(job.job_id))


def _orphan(services: AppServices, owner: str = "thishost|999999|1.00") -> str:
    job_id = services.service.start_analysis(SAMPLE).job_id
    claimed = services.store.claim_next(owner, 1, 30.0)
    assert claimed is not None and claimed.job_id == job_id
    return job_id


def test_orphaned_job_resumes_then_a_second_crash_in_a_row_fails_it(services: AppServices) -> None:
    job_id = _orphan(services)
    recovery = services.store.recover_orphans(lambda owner: False)
    assert recovery.resumed == [job_id]
    assert services.service.status(job_id).status == JobStatus.PENDING
    services.store.claim_next("thishost|999998|1.00", 1, 30.0)
    recovery = services.store.recover_orphans(lambda owner: False)
    assert recovery.failed == [job_id]
    job = services.service.status(job_id)
    assert job.status == JobStatus.FAILED
    assert job.error is not None and "twice in a row" in job.error


def test_progress_between_crashes_resets_the_crash_count(services: AppServices) -> None:
    job_id = _orphan(services)
    services.store.add_items(job_id, [("a", {})])
    services.store.recover_orphans(lambda owner: False)
    services.store.claim_next("thishost|999998|1.00", 1, 30.0)
    services.store.checkpoint_item(job_id, "a", "fetch", {})
    assert services.store.recover_orphans(lambda owner: False).resumed == [job_id]


def test_job_cancelling_when_its_process_died_ends_cancelled(services: AppServices) -> None:
    job_id = _orphan(services)
    assert services.service.cancel(job_id) is True
    assert services.service.status(job_id).status == JobStatus.RUNNING
    assert services.store.recover_orphans(lambda owner: False).cancelled == [job_id]
    assert services.service.status(job_id).status == JobStatus.CANCELLED


def test_live_owner_keeps_its_job(services: AppServices) -> None:
    from desktop_app.core.owners import current_owner, owner_alive

    job_id = _orphan(services, owner=current_owner())
    assert owner_alive(current_owner())
    import socket

    assert not owner_alive(f"{socket.gethostname()}|999999|1.00")
    assert owner_alive("another-host|1|1.00") is None, "only the lease can tell for another host"
    recovery = services.store.recover_orphans(owner_alive)
    assert job_id not in recovery.resumed
    assert services.service.status(job_id).status == JobStatus.RUNNING


def test_runner_start_resumes_a_dead_process_job(services: AppServices, tmp_path: Path) -> None:
    import socket

    job_id = _orphan(services, owner=f"{socket.gethostname()}|999999|1.00")
    runner = services.make_runner(stages=FileWorkload(items=2, delay=0.01))
    recovery = runner.start()
    assert recovery.resumed == [job_id]
    job = wait_final(services, job_id)
    runner.shutdown()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 2


@pytest.mark.parametrize("reason", ["cancel", "shutdown"])
def test_token_wakes_sleepers_and_runs_callbacks(reason: str) -> None:
    from desktop_app.core.context import CancelToken, JobCancelled, JobInterrupted, StopReason

    token = CancelToken()
    called = threading.Event()
    token.on_stop(called.set)
    stop = StopReason(reason)
    threading.Timer(0.05, token.stop, args=(stop,)).start()
    began = time.monotonic()
    expected = JobCancelled if stop is StopReason.CANCEL else JobInterrupted
    with pytest.raises(expected):
        token.sleep(10)
    assert time.monotonic() - began < 1
    assert called.is_set()
    late = threading.Event()
    token.on_stop(late.set)
    assert late.is_set(), "a callback registered after the stop runs at once"
