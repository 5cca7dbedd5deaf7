"""The visual stage through the real pipeline: a silent ad made only of supers (a discount line, then a "shop
now" end card) is analysed from what it shows, with on-screen evidence and its timestamps; frames, poster and
pacing are stored once per video content; and with Settings' switch off the videos are only listened to."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.composition import AppServices
from desktop_app.core.settings import Settings
from desktop_app.core.types import JobStatus, SourceSpec
from desktop_app.core.visuals import VisualStore
from desktop_app.pipeline.download import sha256_of
from desktop_app.ui.result_detail import ResultDetail
from tests.conftest import run_job
from tests.visual_clips import video_of_cards

SUPERS = [("Summer sale", 1.5), ("40% off everything", 2.0), ("Free shipping", 1.5), ("Shop now", 2.0)]


@pytest.fixture
def silent_ad(tmp_path: Path) -> Path:
    folder = tmp_path / "ads"
    folder.mkdir()
    video_of_cards(folder / "supers-only.mp4", SUPERS, audio=True)
    return folder


@pytest.mark.slow
def test_a_silent_ad_of_supers_is_analysed_from_what_it_shows(services: AppServices, silent_ad: Path) -> None:
    job = run_job(services, SourceSpec("folder", {"path": str(silent_ad)}))
    assert job.status == JobStatus.COMPLETED, job
    (result,) = services.results.results(job.job_id)
    a = result.analysis
    assert result.transcript == ""
    assert a.hook.modality == "on_screen_text" and a.hook.text and "summer" in a.hook.text.lower()
    assert a.hook.within_first_3s
    assert a.offer.present and "discount" in a.offer.types
    on_screen = [e for e in a.offer.evidence if e.source == "on_screen"]
    assert on_screen and all(e.timestamp_s is not None for e in on_screen)
    assert any("40" in e.quote for e in on_screen)
    assert a.cta.type == "shop_now" and a.cta.timestamp_s is not None and a.cta.timestamp_s >= 5.0
    assert a.format_style.inferred_from == "transcript_copy_and_frames"
    assert "on-screen text not analysed" not in a.scores.limitations
    assert a.scores.overall.score > 1
    assert [line["text"].lower().replace(" ", "") for line in result.screen_text][:2] == [
        "summersale",
        "40%offeverything",
    ]

    visuals = VisualStore(services.db).get(sha256_of(Path(result.video_path or "")))
    assert visuals is not None and visuals["cuts"] == 3
    assert visuals["poster"] and Path(visuals["poster"]).is_file()
    assert Path(visuals["poster"]).is_relative_to(services.paths.home / "visuals")


@pytest.mark.slow
def test_with_looking_switched_off_the_videos_are_only_listened_to(home: Path, silent_ad: Path) -> None:
    from desktop_app.composition import open_services

    home.mkdir(parents=True, exist_ok=True)
    Settings(look_at_videos=False).save(home / "settings.json")
    services = open_services(home)
    try:
        job = run_job(services, SourceSpec("folder", {"path": str(silent_ad)}))
        (result,) = services.results.results(job.job_id)
        assert VisualStore(services.db).get(sha256_of(Path(result.video_path or ""))) is None
        assert "visuals not analysed" in result.analysis.scores.limitations
        assert result.analysis.offer.present is False
    finally:
        services.close()


def test_the_detail_shows_what_is_on_screen_at_its_second(qtbot: QtBot, services: AppServices, silent_ad: Path) -> None:
    job = run_job(services, SourceSpec("folder", {"path": str(silent_ad)}))
    (result,) = services.results.results(job.job_id)
    detail = ResultDetail()
    qtbot.addWidget(detail)
    detail.show_result(result)
    lines = [detail.transcript.item(n).text() for n in range(detail.transcript.count())]
    assert lines[0] == "(no speech in this video)"
    shown = [line for line in lines if "on screen:" in line]
    assert len(shown) >= 3 and shown[0].startswith("[0:00] on screen:") and "shop" in shown[-1].lower()
    detail.release_media()  # the video goes before the widget does (video_player.py's note)
    qtbot.waitUntil(detail.player.released, timeout=5000)
