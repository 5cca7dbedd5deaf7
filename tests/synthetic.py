"""Many analysed ads, fast: real analysis documents (a real sample ad's analysis with varied labels and
scores) written in one transaction, for the Dashboard's scale tests and bench."""

from __future__ import annotations

import copy
import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from desktop_app.core.db import Database
from desktop_app.core.models import AdRow, AnalysisRow, JobEventRow, JobRow
from desktop_app.core.results import summary_columns
from desktop_app.core.types import SourceSpec

TEMPLATE = json.loads((Path(__file__).parent / "data" / "analysis_template.json").read_text())
HOOKS = ["question", "statistic", "problem_callout", "testimonial", "story", "bold_claim", "direct_callout", "other"]
CTAS = ["shop_now", "learn_more", "sign_up", "download", "book", "get_offer", "none"]
OFFERS = ["discount", "free_trial", "free_shipping", "guarantee", "bundle", "limited_time"]
ANGLES = ["problem_solution", "transformation", "social_proof", "price_value", "convenience", "quality"]
TONES = ["urgent", "friendly", "warm", "informative", "playful", "confident"]
STAGES = ["Starting analysis", "Fetching Facebook ads", "Downloading videos", "Transcribing videos"]


def add_analysed_ads(db: Database, count: int, pages: int = 40, jobs: int = 30, seed: int = 7) -> None:
    """Insert `count` analysed ads spread over `pages` pages and `jobs` finished jobs."""
    rng = random.Random(seed)
    now = time.time()
    job_ids = [uuid.uuid4().hex for _ in range(jobs)]
    job_rows, event_rows = [], []
    for n, job_id in enumerate(job_ids):
        status = rng.choices(["completed", "failed", "cancelled"], [8, 1, 1])[0]
        began = now - (jobs - n) * 86400
        source = SourceSpec("meta_search", {"terms": f"brand {n}", "countries": ["DE"]})
        job_rows.append(
            {
                "id": job_id, "status": status, "progress": 100.0, "stage": status.title(), "message": "",
                "source": source.to_json(), "dedupe_key": f"{source.dedupe_key}-{n}", "created_at": began,
                "started_at": began, "finished_at": began + 300, "attempts": 1, "crash_count": 0,
                "cancel_requested": 0, "completed_stages": [], "stage_state": {},
            }
        )  # fmt: skip
        at = began
        for stage in STAGES:
            event_rows.append({"job_id": job_id, "at": at, "kind": "stage", "stage": stage, "message": ""})
            at += rng.uniform(1, 60)
        event_rows.append({"job_id": job_id, "at": at, "kind": status, "stage": status.title(), "message": ""})
    ad_rows, analysis_rows = [], []
    for i in range(count):
        ad_id = f"7{i:014d}"
        page = f"Brand {rng.randrange(pages):02d}"
        start = time.strftime("%Y-%m-%d", time.gmtime(now - rng.randrange(400) * 86400))
        ad_rows.append(
            {
                "ad_id": ad_id, "source_kind": "meta_search", "page_id": page, "page_name": page,
                "delivery_start": start, "delivery_stop": None, "library_url": None,
                "metadata_json": {"id": ad_id, "page_name": page}, "first_seen": now, "last_seen": now,
            }
        )  # fmt: skip
        analysis = _analysis(rng)
        analysis_rows.append(
            {
                "ad_id": ad_id, "video_index": 0, "job_id": rng.choice(job_ids), "video_path": None,
                "video_sha256": None, "whisper_model": "tiny.en", "transcript_hash": f"{i:064d}",
                "analyser": "heuristic", "model": None, "base_url": None, "prompt_version": "synthetic",
                "schema_version": "1", "analysis": analysis, "usage": None, "seconds": 0.01,
                "created_at": now - rng.randrange(60) * 86400, **summary_columns(analysis),
            }
        )  # fmt: skip
    with db.write() as session:
        session.execute(insert(JobRow), job_rows)
        session.execute(insert(JobEventRow), event_rows)
        session.execute(insert(AdRow), ad_rows)
        session.execute(insert(AnalysisRow), analysis_rows)


def _analysis(rng: random.Random) -> dict[str, Any]:
    doc = copy.deepcopy(TEMPLATE)
    doc["hook"]["type"] = rng.choice(HOOKS)
    doc["cta"]["type"] = rng.choice(CTAS)
    doc["offer"]["types"] = rng.sample(OFFERS, rng.choice([0, 1, 1, 2]))
    doc["offer"]["present"] = bool(doc["offer"]["types"])
    doc["messaging_angle"]["primary"] = rng.choice(ANGLES)
    doc["tone"]["primary"] = rng.choice(TONES)
    for name in ("hook_strength", "overall", "clarity"):
        doc["scores"][name]["score"] = rng.randint(1, 5)
    return doc
