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
    llm.delay_s = 0.8
    # Several ads are asked at once (pipeline/analyses_ahead.py): answers 1.5 s apart, so that one ad is saved while
    # the next is still waiting for its answer when the kill comes, whichever request came first (0.8 s apart was
    # too close on a loaded machine: the next answer was saved between the check and the kill).
    llm.script.extend({"json": VALID, "delay_s": 0.3 + 1.5 * n} for n in range(len(FILES)))
    with serve(host.handle) as video_url, serve(llm.handle) as llm_url:
        env = child_env(home) | {"OPENAI_BASE_URL": f"{llm_url}/v1", "OPENAI_API_KEY": "sk-test"}
        urls = [f"{video_url}/slow/{name}" for name in FILES]

        def launch(*args: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "desktop_app", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )

        child = launch("run", "--urls", *urls, "--wait")
        assert child.stdout is not None
        job_id = child.stdout.readline().decode().strip()
        kills: list[tuple[set[tuple[str, str]], int]] = []

        def kill_when(label: str, ready: Callable[[], bool]) -> None:
            wait_for(lambda: services.service.status(job_id).stage == label and ready(), timeout=120)
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            kills.append((committed(services, job_id), len(services.store.events(job_id))))

        def stage_done(key: str, one_done: bool = True) -> Callable[[], bool]:
            """One ad finished this stage (when `one_done`) and another is in the middle of it: kill now."""

            def ready() -> bool:
                begun = {(item, stage) for _, item, stage in started(services, job_id) if stage == key}
                done = {(item, stage) for item, stage in committed(services, job_id) if stage == key}
                return (bool(done) or not one_done) and bool(begun - done)

            return ready

        kill_when(DownloadStage.label, stage_done("download"))
        # The ads downloaded after the first kill are transcribed while the others download (pipeline/early_work.py),
        # so the transcribe stage may finish them at once: the kill comes while its first ad is being transcribed.
        for label, key, one_done in (
            (TranscribeStage.label, "transcribe", False),
            (AnalyseStage.label, "analyse", True),
        ):
            child = launch("resume")
            kill_when(label, stage_done(key, one_done))
        final = launch("resume")
        _, err = final.communicate(timeout=180)
        assert final.returncode == 0, err.decode()[-2000:]

    job = services.service.status(job_id)
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.result is not None and job.result["analysed"] == len(FILES)
    starts = started(services, job_id)
    for (done, position), key in zip(kills, ("download", "transcribe", "analyse"), strict=True):
        in_flight = {(item, stage) for n, item, stage in starts if n < position and stage == key} - done
        assert in_flight, f"the kill during {key} hit an ad mid-work"
    for done, position in kills:
        again = {(item, stage) for n, item, stage in starts if n >= position} & done
        assert not again, f"repeated after its checkpoint: {sorted(again)}"
    assert len(kills) == 3
    # Each stage was killed once, so at most one ad per stage ran twice; the LLM was asked again only about the
    # ads whose answers were not saved yet when the kill came (at most the analyses under way at once).
    assert len(starts) <= 3 * len(FILES) + 3
    assert len(llm.requests) <= len(FILES) + AT_ONCE
    assert time.time() - job.created_at.timestamp() < 300
