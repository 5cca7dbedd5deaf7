"""Every ad has a name a person can read, in every view: the page and the opening words for Meta ads, the
file name for folder ads, host and path for links; never a bare id or hash where a name exists."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.cli.output import results_table
from desktop_app.composition import AppServices
from desktop_app.core.ad_names import ad_name
from desktop_app.core.export import markdown_report
from desktop_app.core.types import JobStatus, SourceSpec
from desktop_app.ui.result_detail import ResultDetail
from desktop_app.ui.results_table import ad_label
from tests.conftest import REPO, run_job


def test_names_by_kind_of_ad() -> None:
    meta = {"page_name": "Example Meals", "ad_creative_link_titles": ["Dinner sorted in twenty minutes, every night"]}
    assert ad_name("900000000000001", meta) == "Example Meals: Dinner sorted in twenty minutes, every night"
    assert ad_name("9001", {"page_name": "Lumen"}) == "Lumen, ad ...9001"
    assert ad_name("file-1a2b", {"file": "/home/ana/ads/summer-sale.mp4"}) == "summer-sale.mp4"
    assert (
        ad_name("url-77", {"source_url": "https://cdn.example.com/ads/spring.mp4?x=1"})
        == "cdn.example.com/ads/spring.mp4"
    )
    assert ad_name("123", {}) == "Ad 123"


def test_folder_ads_are_named_by_their_files_everywhere(qtbot: QtBot, services: AppServices, tmp_path: Path) -> None:
    folder = tmp_path / "competitor ads"
    folder.mkdir()
    shutil.copy(REPO / "resources" / "sample_ads" / "900000000000004.mp4", folder / "acme-books-spring.mp4")
    job = run_job(services, SourceSpec("folder", {"path": str(folder)}))
    assert job.status == JobStatus.COMPLETED, job
    (summary,) = services.results.summaries()
    assert ad_label(summary) == "acme-books-spring.mp4"
    (result,) = services.results.results(job.job_id)
    assert result.name == "acme-books-spring.mp4"
    assert "acme-books-spring.mp4" in results_table([result], services.service.items(job.job_id))
    assert "## acme-books-spring.mp4" in markdown_report([result])
    detail = ResultDetail()
    qtbot.addWidget(detail)
    detail.show_result(result)
    assert "acme-books-spring.mp4" in detail.header.text() and "file-" not in detail.header.text().split("Ad ")[0]
    detail.release_media()  # the video goes before the widget does (video_player.py's note)
    qtbot.waitUntil(detail.player.released, timeout=5000)
