"""The real pipeline, offline, as a user runs it from the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, child_env

TRUTH = json.loads((REPO / "tests" / "data" / "sample_ads_truth.json").read_text())


def ad_analysis(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_sample_job_completes_offline_with_every_ad_transcribed_and_analysed(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    done = ad_analysis(home, "run", "--sample", "--wait", "--json")
    assert done.returncode == 0, done.stderr
    job = json.loads(done.stdout)
    job_id = job["job_id"]
    assert job["status"] == "completed"
    assert job["result"]["ads_found"] == len(TRUTH) == job["result"]["analysed"]
    assert job["result"]["no_speech"] == 1
    assert job["message"].endswith("1 without speech")

    results = json.loads(ad_analysis(home, "results", job_id, "--json").stdout)
    by_ad = {r["ad_id"]: r for r in results}
    assert set(by_ad) == set(TRUTH)
    agree = {"hook": 0, "cta": 0, "offer": 0, "offer_types": 0}
    for ad_id, truth in TRUTH.items():
        result = by_ad[ad_id]
        analysis = result["analysis"]
        labels = truth["labels"]
        agree["hook"] += analysis["hook"]["type"] == labels["hook_type"]
        agree["cta"] += analysis["cta"]["type"] == labels["cta_type"]
        agree["offer"] += analysis["offer"]["present"] == labels["offer"]
        agree["offer_types"] += set(labels["offer_types"]) <= set(analysis["offer"]["types"])
        assert result["analyser"] == "heuristic"
        if truth["script"]:
            assert result["transcript"] and result["segments"][0]["words"]
        else:
            assert result["transcript"] == "" and "no speech" in analysis["scores"]["limitations"]

    # Seven ads prove little about accuracy (the held-out corpus measures it: tests/test_heuristic.py); they
    # show the whole pipeline carries the speech through to sensible labels.
    assert agree["hook"] >= 3 and agree["cta"] >= 4 and agree["offer"] == 7 and agree["offer_types"] >= 6, agree

    table = ad_analysis(home, "results", job_id).stdout
    assert "no speech" in table and "Example Meals" in table
    rows = list(csv.DictReader(io.StringIO(ad_analysis(home, "results", job_id, "--csv").stdout)))
    assert len(rows) == len(TRUTH) and rows[0]["hook_type"]

    # The same ads again are skipped as already analysed; --reanalyse forces the work.
    again = json.loads(ad_analysis(home, "run", "--sample", "--wait", "--json").stdout)
    assert again["status"] == "completed"
    assert again["result"]["already_analysed"] == len(TRUTH) and again["result"]["analysed"] == 0
    forced = json.loads(ad_analysis(home, "run", "--sample", "--reanalyse", "--wait", "--json").stdout)
    assert forced["result"]["analysed"] == len(TRUTH)


def test_folder_source_with_a_broken_file_keeps_going(tmp_path: Path) -> None:
    folder = tmp_path / "videos"
    folder.mkdir()
    (folder / "good.mp4").write_bytes((REPO / "resources" / "sample_ads" / "900000000000004.mp4").read_bytes())
    (folder / "broken.mp4").write_text("this is not a video")
    home = tmp_path / "home"
    done = ad_analysis(home, "run", "--folder", str(folder), "--wait", "--json")
    assert done.returncode == 0, done.stderr
    job = json.loads(done.stdout)
    assert job["status"] == "completed"
    assert (job["result"]["analysed"], job["result"]["failed"]) == (1, 1)
    table = ad_analysis(home, "results", job["job_id"]).stdout
    assert "failed: Transcribing videos: corrupt or unsupported video file" in table
    ads = json.loads(ad_analysis(home, "results", job["job_id"], "--json").stdout)
    assert sorted(ad["outcome"] for ad in ads) == ["analysed", "failed"], "every ad is listed, failed ones too"
    broken = next(ad for ad in ads if ad["outcome"] == "failed")
    assert broken["analysis"] is None
    assert broken["reason"].startswith("Transcribing videos: corrupt or unsupported video file")


@pytest.mark.slow
def test_self_test_passes_offline_in_a_throwaway_folder(tmp_path: Path) -> None:
    home = tmp_path / "untouched-home"
    done = ad_analysis(home, "--self-test")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"PASSED: {len(TRUTH)} of {len(TRUTH)} sample ads transcribed and analysed" in done.stdout
    assert "Pulse Audio: no speech" in done.stdout
    assert 'ok   on-screen offer: "40% off everything" read from the screen' in done.stdout
    assert not (home / "jobs.sqlite3").exists(), "the self-test leaves the user's data folder alone"
