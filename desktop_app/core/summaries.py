"""The light rows of the Results table and gallery: what they show, sort and filter on, read from the summary
columns and a few metadata fields in one query, so ten thousand ads load without parsing any document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from desktop_app.core.ad_names import name_from_columns
from desktop_app.core.facts import days_running
from desktop_app.core.types import SourceSpec

if TYPE_CHECKING:
    from desktop_app.core.db import Database


@dataclass(frozen=True)
class ResultSummary:
    """One row of the Results table or one card of the gallery, without the heavy parts."""

    analysis_id: int
    ad_id: str
    job_id: str | None
    page_name: str
    hook_type: str
    cta_type: str
    offer_types: list[str]
    overall: int
    hook_strength: int
    delivery_start: str
    analyser: str
    video_index: int = 0
    videos_in_ad: int = 1  # a carousel's videos are analysed one by one, each shown under its ad
    copy_only: bool = False  # no usable video: analysed from the ad's copy
    name: str = ""  # the ad's human name (core/ad_names.py)
    hook_text: str = ""
    days_running: int | None = None  # from the delivery start to its stop, or to today
    eu_reach: int | None = None  # Meta's EU total reach, when the API gave it
    language: str = ""  # the spoken language's code, "" when unknown
    picture: str = ""  # the poster file, or the first keyframe until the poster exists; "" for none
    spoken: bool = True  # False: the video has no speech (analysed from its picture and copy)
    job_label: str = ""  # the job that analysed it, as people know it: "Sample ads, 29 Nov 06:20"


SUMMARY_QUERY = (
    "SELECT a.id, a.ad_id, a.job_id, coalesce(d.page_name, ''), a.hook_type, a.cta_type, a.offer_types,"
    " a.overall_score, a.hook_score, coalesce(d.delivery_start, ''), a.analyser, a.video_index,"
    " count(*) OVER (PARTITION BY a.ad_id, a.job_id), a.video_path IS NULL AND a.whisper_model IS NULL,"
    " json_extract(d.metadata_json, '$.file'), json_extract(d.metadata_json, '$.source_url'),"
    " json_extract(d.metadata_json, '$.ad_creative_link_titles'),"
    " json_extract(d.metadata_json, '$.ad_creative_bodies'),"
    " coalesce(a.hook_text, ''), d.delivery_stop, json_extract(d.metadata_json, '$.eu_total_reach'),"
    " coalesce(v.language, ''), coalesce(json_extract(s.data, '$.poster'),"
    " json_extract(s.data, '$.keyframes[0].path'), ''), v.text IS NULL OR length(trim(v.text)) > 0"
    " FROM analyses a JOIN ads d ON d.ad_id = a.ad_id"
    " LEFT JOIN videos v ON v.sha256 = a.video_sha256 AND v.whisper_model = a.whisper_model"
    " LEFT JOIN visuals s ON s.sha256 = a.video_sha256"
    " ORDER BY a.id DESC"
)


JOBS_QUERY = "SELECT id, source, created_at FROM jobs WHERE id IN (SELECT DISTINCT job_id FROM analyses)"


def load_summaries(db: Database, today: date | None = None) -> list[ResultSummary]:
    """Every analysed ad video, newest first."""
    with db.read() as session:
        rows = list(session.execute(text(SUMMARY_QUERY)).all())
        jobs = {str(j[0]): job_label(str(j[1]), float(j[2])) for j in session.execute(text(JOBS_QUERY))}
    return [_summary(r, today, jobs.get(r[2] or "", "")) for r in rows]


def job_label(source: str, created_at: float) -> str:
    """A job as its owner would name it: what it analysed, and when it was started."""
    try:
        what = SourceSpec.from_json(source).describe()
    except (ValueError, KeyError, TypeError):  # a source this version cannot read: the time still tells
        what = "A job"
    return f"{what}, {datetime.fromtimestamp(created_at):%d %b %H:%M}"


def _summary(r: Any, today: date | None, job: str) -> ResultSummary:
    return ResultSummary(
        int(r[0]), str(r[1]), r[2], str(r[3]), str(r[4] or "none"), str(r[5] or "none"),
        json.loads(r[6] or "[]"), int(r[7] or 0), int(r[8] or 0), str(r[9])[:10], str(r[10]),
        int(r[11]), int(r[12]), bool(r[13]), name_from_columns(str(r[1]), str(r[3]), *r[14:18]),
        hook_text=str(r[18]), days_running=days_running(r[9] or None, r[19], today), eu_reach=reach(r[20]),
        language=str(r[21]), picture=str(r[22]), spoken=bool(r[23]), job_label=job,
    )  # fmt: skip


def reach(value: Any) -> int | None:
    """Meta's reach figure, which arrives as a number or a string of digits; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    return int(value) if str(value).isdigit() else None
