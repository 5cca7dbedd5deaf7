"""A job that analysed nothing is not a success: every ad failing (the LLM down for all of them) ends the job
failed, with the reason, exit 1 and a Retry that redoes only what failed; a source with no ads says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.composition import AppServices
from desktop_app.core.stages import StageKey
from desktop_app.core.types import ItemStatus, JobStatus
from tests.servers import OpenAIDouble, serve
from tests.test_llm import VALID

SAMPLE_ADS = 7


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.mark.slow
def test_the_llm_down_for_every_ad_fails_the_job_and_retry_finishes_it(
    services: AppServices, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = OpenAIDouble(VALID)
    fake.script.extend({"status": 400, "message": "this model is switched off"} for _ in range(SAMPLE_ADS))
    with serve(fake.handle) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        code, job = _cli(capsys, "run", "--sample", "--wait", "--json")
        assert code == 1 and job["status"] == "failed", job
        assert str(job["error"]).startswith(f"No ad could be analysed: all {SAMPLE_ADS} failed. The reason:"), job
        assert "switched off" in str(job["error"]) and "Retry" in str(job["error"])
        job_id = str(job["job_id"])
        code, job = _cli(capsys, "retry", job_id, "--wait", "--json")
    assert code == 0 and job["status"] == "completed", job
    assert services.service.status(job_id).status == JobStatus.COMPLETED
    items = services.store.items(job_id)
    assert len(items) == SAMPLE_ADS and all(i.status is ItemStatus.DONE for i in items)
    transcribed = [
        e for e in services.service.events(job_id) if e.kind == "item_started" and e.stage == StageKey.TRANSCRIBE
    ]
    assert len(transcribed) == SAMPLE_ADS, "Retry analysed the failed ads again without transcribing them again"


def test_a_folder_without_videos_fails_and_says_so(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    code, job = _cli(capsys, "run", "--folder", str(empty), "--wait", "--json")
    assert code == 1 and job["status"] == "failed"
    assert job["error"] == f"Nothing was analysed: no video files in {empty}."
