"""Results across jobs: identical videos handled once, full-text search, and migrations that keep data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop_app.composition import AppServices
from desktop_app.core.db import Database
from desktop_app.core.search_index import HIT_END, HIT_START
from desktop_app.core.types import JobStatus, SourceSpec
from tests.conftest import REPO, run_job

SAMPLES = REPO / "resources" / "sample_ads"


def _run(services: AppServices, source: SourceSpec) -> str:
    job = run_job(services, source)
    assert job.status == JobStatus.COMPLETED, job.error
    return job.job_id


def test_identical_videos_in_two_ads_are_transcribed_once(services: AppServices, tmp_path: Path) -> None:
    folder = tmp_path / "ads"
    folder.mkdir()
    for name in ("campaign-a.mp4", "campaign-b.mp4"):
        shutil.copy(SAMPLES / "900000000000003.mp4", folder / name)
    job_id = _run(services, SourceSpec("folder", {"path": str(folder)}))
    rows = services.results.results(job_id)
    assert len(rows) == 2 and rows[0].ad_id != rows[1].ad_id
    assert rows[0].analysis == rows[1].analysis
    with services.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM videos").scalar() == 1


def test_search_finds_ads_by_transcript_copy_and_analysis(analysed: AppServices) -> None:
    services = analysed
    by = {row.analysis_id: row.ad_id for row in services.results.results()}
    hits = services.results.search("guarantee")
    assert hits and by[hits[0][0]] == "900000000000003"
    assert f"{HIT_START}guarantee{HIT_END}" in hits[0][2]
    assert {ad for _, ad, _ in services.results.search("coffee")} == {"900000000000005"}
    assert "900000000000001" in {ad for _, ad, _ in services.results.search("free shipping")}
    services.results.search('"; DROP TABLE ads; -- NEAR(')  # quoted as terms: no error, no effect
    with services.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ads").scalar() == 7


def test_upgrading_a_version_1_database_keeps_its_jobs(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    import desktop_app.core.migrations as migrations

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO jobs (id, status, progress, stage, message, source, dedupe_key, created_at, attempts,"
            " crash_count, cancel_requested, completed_stages, stage_state)"
            " VALUES ('a'||hex(randomblob(15)), 'completed', 100, 'Completed', 'done',"
            " '{\"kind\":\"sample\",\"params\":{}}', 'k', 1.0, 1, 0, 0, '[]', '{}')"
        )
    engine.dispose()
    conn.close()
    db = Database(path)
    with db.engine.connect() as c:
        assert c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == migrations.HEAD_REVISION
        assert c.exec_driver_sql("SELECT count(*) FROM jobs").scalar() == 1
        assert c.exec_driver_sql("SELECT count(*) FROM analyses").scalar() == 0
    db.dispose()


def test_upgrading_keeps_analyses_and_fills_the_columns_charts_read(tmp_path: Path) -> None:
    import json

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    import desktop_app.core.migrations as migrations
    from desktop_app.core.insights import load_facts
    from tests.synthetic import TEMPLATE

    path = tmp_path / "v3.sqlite3"
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")  # the schema before summary columns and conversations
        connection.exec_driver_sql(
            "INSERT INTO ads (ad_id, source_kind, page_name, delivery_start, metadata_json, first_seen, last_seen)"
            " VALUES ('1', 'sample', 'Northwind Fitness', '2026-06-15', '{}', 1.0, 1.0)"
        )
        connection.exec_driver_sql(
            "INSERT INTO analyses (ad_id, video_index, transcript_hash, analyser, prompt_version, schema_version,"
            " analysis, seconds, created_at) VALUES ('1', 0, 'h', 'heuristic', 'p', '1', ?, 0.1, 1.8e9)",
            (json.dumps(TEMPLATE),),
        )
    engine.dispose()

    db = Database(path)
    try:
        [fact] = load_facts(db)
        assert (fact.hook_type, fact.cta_type, fact.offer_types) == ("statistic", "download", ("free_trial",))
        assert fact.page == "Northwind Fitness" and fact.overall == TEMPLATE["scores"]["overall"]["score"]
        with db.engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM conversations").scalar() == 0
    finally:
        db.dispose()
