"""SIGKILL the real pipeline during download, transcription and analysis; after `resume`, no ad is
downloaded, transcribed or analysed again once that stage had finished for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.composition import AppServices
from desktop_app.core.types import JobStatus
from desktop_app.pipeline.analyse import AnalyseStage
from desktop_app.pipeline.analyses_ahead import AT_ONCE
from desktop_app.pipeline.download import DownloadStage
from desktop_app.pipeline.transcribe import TranscribeStage
from tests.conftest import REPO, child_env, wait_for
from tests.servers import OpenAIDouble, VideoHost, serve
from tests.test_llm import VALID

SAMPLES = REPO / "resources" / "sample_ads"
FILES = {f"{n}.mp4": (SAMPLES / f"90000000000000{n}.mp4").read_bytes() for n in (1, 2, 3, 4)}
KEY_OF = {DownloadStage.label: "download", TranscribeStage.label: "transcribe", AnalyseStage.label: "analyse"}


def committed(app: AppServices, job_id: str) -> set[tuple[str, str]]:
    return {(i.key, stage) for i in app.store.items(job_id) for stage in i.checkpoints if stage in KEY_OF.values()}


def started(app: AppServices, job_id: str) -> list[tuple[int, str, str]]:
    """(position in the log, item, stage key) of every item-stage start."""
    return [
        (n, e.item_key or "", e.stage)
        for n, e in enumerate(app.store.events(job_id))
        if e.kind == "item_started" and e.stage in KEY_OF.values()
    ]


@pytest.mark.slow
def test_kill_during_each_stage_then_resume(services: AppServices, home: Path) -> None:
    host = VideoHost(FILES)
    host.slow_bps = 150_000
    llm = OpenAIDouble(VALID)
    # Analyses are asked as soon as each ad is transcribed, several at once (pipeline/analyses_ahead.py), so whether
    # the analyse stage still has one under way at a given moment is up to timing: the LLM double holds every answer
    # until the analyse kill lets one through, and answers the rest only in the last run.
    llm.hold()
    with serve(host.handle) as video_url, serve(llm.handle) as llm_url:
        env = child_env(home) | {"OPENAI_BASE_URL": f"{llm_url}/v1", "OPENAI_API_KEY": "sk-test"}
        urls = [f"{video_url}/slow/{name}" for name in FILES]

        def launch(*args: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "desktop_app", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )

        def stored() -> int:
            return len(services.results.results(job_id))

        child = launch("run", "--urls", *urls, "--wait")
        assert child.stdout is not None
        job_id = child.stdout.readline().decode().strip()
        kills: list[tuple[set[tuple[str, str]], int]] = []
        asked_by_run: list[int] = []  # LLM requests each killed run made

        def kill_when(label: str, ready: Callable[[], bool]) -> None:
            try:
                wait_for(lambda: services.service.status(job_id).stage == label and ready(), timeout=120)
            except AssertionError:  # say what the job was doing, so that a miss can be explained
                status = services.service.status(job_id)
                raise AssertionError(
                    f"no kill during {label}: job {status.status} at {status.stage!r}; started "
                    f"{started(services, job_id)}; committed {sorted(committed(services, job_id))}; "
                    f"{len(llm.requests)} LLM requests, {llm.held} held, {stored()} answers stored; the child "
                    + (
                        "runs"
                        if child.poll() is None
                        else f"ended {child.returncode}: {child.communicate()[1][-2000:]!r}"
                    )
                ) from None
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            asked_by_run.append(len(llm.requests) - sum(asked_by_run))
            llm.drop_held()
            kills.append((committed(services, job_id), len(services.store.events(job_id))))

        def in_flight(key: str) -> set[str]:
            begun = {item for _, item, stage in started(services, job_id) if stage == key}
            return begun - {item for item, stage in committed(services, job_id) if stage == key}

        def download_ready() -> bool:
            """One ad is downloaded and another is being downloaded: kill now."""
            return any(stage == "download" for _, stage in committed(services, job_id)) and bool(in_flight("download"))

        let_through: list[bool] = []

        def analysis_ready() -> bool:
            """One answer is let through and stored while the analyse stage waits on another ad: kill now."""
            if not let_through and llm.held:
                let_through.append(True)
                llm.let_through(1)
            return stored() == 1 and bool(in_flight("analyse"))

        try:
            kill_when(DownloadStage.label, download_ready)
            # The ads downloaded after the first kill are transcribed while the others download
            # (pipeline/early_work.py), so the transcribe stage may finish them at once: the kill comes while its
            # first ad is being transcribed.
            child = launch("resume")
            kill_when(TranscribeStage.label, lambda: bool(in_flight("transcribe")))
            child = launch("resume")
            kill_when(AnalyseStage.label, analysis_ready)
            asked, answered = len(llm.requests), stored()
            llm.open()
            child = launch("resume")
            _, err = child.communicate(timeout=180)
            assert child.returncode == 0, err.decode()[-2000:]
        finally:
            llm.open()
            if child.poll() is None:
                child.kill()

    job = services.service.status(job_id)
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.result is not None and job.result["analysed"] == len(FILES)
    starts = started(services, job_id)
    for (done, position), key in zip(kills, ("download", "transcribe", "analyse"), strict=True):
        under_way = {(item, stage) for n, item, stage in starts if n < position and stage == key} - done
        assert under_way, f"the kill during {key} hit an ad mid-work"
    for done, position in kills:
        again = {(item, stage) for n, item, stage in starts if n >= position} & done
        assert not again, f"repeated after its checkpoint: {sorted(again)}"
    assert len(kills) == 3
    # Each stage was killed once, so at most one ad per stage ran twice.
    assert len(starts) <= 3 * len(FILES) + 3
    # A run asks about each ad without a stored answer once, at most AT_ONCE at a time; the answer stored before the
    # analyse kill was not asked for again: the last run asked about the other ads only.
    assert all(n <= AT_ONCE for n in asked_by_run), asked_by_run
    assert answered == 1
    assert len(llm.requests) - asked == len(FILES) - answered
    assert time.time() - job.created_at.timestamp() < 300
