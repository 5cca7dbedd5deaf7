"""Analysed ads across jobs: ad metadata, transcripts by video content hash, and analyses by cache key.
Each analysis saved is also indexed for full-text search (core/search_index.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from desktop_app.core import search_index
from desktop_app.core.ad_names import ad_copy, ad_name
from desktop_app.core.db import Database
from desktop_app.core.models import AdRow, AnalysisRow, JobItemRow, VideoRow, VisualRow
from desktop_app.core.schema import AdAnalysis
from desktop_app.core.summaries import ResultSummary as ResultSummary  # re-exported: rows of the Results view
from desktop_app.core.summaries import load_summaries
from desktop_app.core.untranscribed import speech_check
from desktop_app.core.visuals import screen_lines

# Columns a newer description of an ad, or a newer analysis under the same key, replaces.
AD_UPDATES = ("page_id", "page_name", "delivery_start", "delivery_stop", "library_url", "metadata_json", "last_seen")
ANALYSIS_UPDATES = (
    "job_id", "video_path", "video_sha256", "whisper_model", "analysis", "usage", "seconds", "created_at",
)  # fmt: skip
ANALYSIS_KEY = ["ad_id", "video_index", "transcript_hash", "analyser", "prompt_version"]


@dataclass(frozen=True)
class AnalyserKey:
    """Which analyser produced (or would produce) an analysis: part of the cache key."""

    analyser: str
    prompt_version: str
    model: str | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class AdResult:
    """One analysed ad video, as the Results view and `ad-analysis results` show it."""

    analysis_id: int
    ad_id: str
    video_index: int
    job_id: str | None
    page_name: str | None
    delivery_start: str | None
    library_url: str | None
    metadata: dict[str, Any]
    video_path: str | None
    transcript: str
    segments: list[dict[str, Any]]
    language: str | None
    analysis: AdAnalysis
    analyser: str
    model: str | None
    seconds: float
    created_at: float
    screen_text: list[dict[str, Any]] = field(default_factory=list)  # read from the keyframes, in time order
    poster: str | None = None  # a still of the video (a file in the data folder's visuals/), shown before playing

    @property
    def name(self) -> str:
        return ad_name(self.ad_id, self.metadata, self.page_name)


class ResultStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- ads -----------------------------------------------------------------------------------

    def upsert_ads(self, source_kind: str, ads: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Record ads as their source described them (the latest description wins)."""
        if not ads:
            return
        now = time.time()
        rows = [
            {
                "ad_id": ad_id,
                "source_kind": source_kind,
                "page_id": meta.get("page_id"),
                "page_name": meta.get("page_name"),
                "delivery_start": meta.get("ad_delivery_start_time"),
                "delivery_stop": meta.get("ad_delivery_stop_time"),
                "library_url": meta.get("library_url"),
                "metadata_json": meta,
                "first_seen": now,
                "last_seen": now,
            }
            for ad_id, meta in ads
        ]
        stmt = sqlite_insert(AdRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[AdRow.ad_id], set_={key: stmt.excluded[key] for key in AD_UPDATES}
        )
        with self.db.write() as session:
            session.execute(stmt, rows)

    def analysed_ad_ids(self, ad_ids: Iterable[str], key: AnalyserKey) -> set[str]:
        ids = list(ad_ids)
        if not ids:
            return set()
        with self.db.read() as session:
            return set(
                session.scalars(
                    select(AnalysisRow.ad_id).where(
                        AnalysisRow.ad_id.in_(ids),
                        AnalysisRow.analyser == key.analyser,
                        AnalysisRow.prompt_version == key.prompt_version,
                    )
                )
            )

    def count_analysed(self, key: AnalyserKey) -> int:
        with self.db.read() as session:
            count = session.scalar(
                select(func.count())
                .select_from(AnalysisRow)
                .where(AnalysisRow.analyser == key.analyser, AnalysisRow.prompt_version == key.prompt_version)
            )
            return int(count or 0)

    # ---- transcripts ---------------------------------------------------------------------------

    def transcript(self, sha256: str, whisper_model: str) -> dict[str, Any] | None:
        with self.db.read() as session:
            row = session.get(VideoRow, (sha256, whisper_model))
            if row is None:
                return None
            return {
                "text": row.text,
                "segments": row.segments,
                "language": row.language,
                "language_probability": row.language_probability,
                "duration_s": row.duration_s,
                "speech_check": row.speech_check,
            }

    def save_transcript(self, sha256: str, whisper_model: str, transcript: dict[str, Any]) -> None:
        values = {
            "sha256": sha256,
            "whisper_model": whisper_model,
            "duration_s": float(transcript.get("duration_s") or 0.0),
            "language": transcript.get("language"),
            "language_probability": transcript.get("language_probability"),
            "text": transcript.get("text") or "",
            "segments": transcript.get("segments") or [],
            "created_at": time.time(),
            "speech_check": transcript.get("speech_check"),
        }
        # A transcript stored before the language check existed, or checked by an earlier version of it, is replaced
        # by a checked one, once (untranscribed.heard_again says which are heard again).
        changed = {k: v for k, v in values.items() if k not in ("sha256", "whisper_model")}
        newer = int(speech_check(transcript).get("version", 1))
        older = func.coalesce(VideoRow.speech_check["version"].as_integer(), 1) < newer
        stmt = sqlite_insert(VideoRow).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["sha256", "whisper_model"], set_=changed, where=VideoRow.speech_check.is_(None) | older
        )
        with self.db.write() as session:
            session.execute(stmt)

    # ---- analyses ------------------------------------------------------------------------------

    def cached_analysis(
        self, ad_id: str, video_index: int, transcript_hash: str, key: AnalyserKey, video_sha256: str | None
    ) -> AdAnalysis | None:
        """This ad's analysis under the same key, or that of an identical video in another ad."""
        with self.db.read() as session:
            row = session.scalars(
                select(AnalysisRow).where(
                    AnalysisRow.ad_id == ad_id,
                    AnalysisRow.video_index == video_index,
                    AnalysisRow.transcript_hash == transcript_hash,
                    AnalysisRow.analyser == key.analyser,
                    AnalysisRow.prompt_version == key.prompt_version,
                )
            ).first()
            if row is None and video_sha256:
                row = session.scalars(
                    select(AnalysisRow).where(
                        AnalysisRow.video_sha256 == video_sha256,
                        AnalysisRow.transcript_hash == transcript_hash,
                        AnalysisRow.analyser == key.analyser,
                        AnalysisRow.prompt_version == key.prompt_version,
                    )
                ).first()
            return AdAnalysis.model_validate(row.analysis) if row is not None else None

    def save_analysis(
        self,
        *,
        ad_id: str,
        video_index: int,
        job_id: str,
        video_path: str | None,
        video_sha256: str | None,
        whisper_model: str | None,
        transcript: str,
        transcript_hash: str,
        key: AnalyserKey,
        schema_version: str,
        analysis: AdAnalysis,
        usage: dict[str, Any] | None,
        seconds: float,
    ) -> int:
        """Store (or replace) one analysis and index it for search; returns its id."""
        document = analysis.model_dump(mode="json")
        values = {
            "ad_id": ad_id,
            "video_index": video_index,
            "job_id": job_id,
            "video_path": video_path,
            "video_sha256": video_sha256,
            "whisper_model": whisper_model,
            "transcript_hash": transcript_hash,
            "analyser": key.analyser,
            "model": key.model,
            "base_url": key.base_url,
            "prompt_version": key.prompt_version,
            "schema_version": schema_version,
            "analysis": document,
            "usage": usage,
            "seconds": seconds,
            "created_at": time.time(),
            **summary_columns(document),
        }
        insert = sqlite_insert(AnalysisRow).values(**values)
        stmt = insert.on_conflict_do_update(
            index_elements=ANALYSIS_KEY, set_={k: insert.excluded[k] for k in (*ANALYSIS_UPDATES, *SUMMARY_PATHS)}
        ).returning(AnalysisRow.id)
        with self.db.write() as session:
            analysis_id = int(session.execute(stmt).scalar_one())
            ad = session.get(AdRow, ad_id)
            search_index.index_analysis(
                session,
                analysis_id,
                ad_id=ad_id,
                page_name=ad.page_name if ad else "",
                copy=" ".join(ad_copy(ad.metadata_json if ad else {})),
                transcript=transcript,
                analysis=document,
            )
            return analysis_id

    def results(self, job_id: str | None = None, limit: int | None = None) -> list[AdResult]:
        """Analysed ads, of one job (in the job's order of ads: an LLM's answers are stored as they come in, several
        at once) or all (in the order they were stored)."""
        query = self._joined()
        if job_id is not None:
            place = select(JobItemRow.position).where(
                (JobItemRow.job_id == job_id) & (JobItemRow.key == AnalysisRow.ad_id)
            )
            query = query.where(AnalysisRow.job_id == job_id).order_by(
                place.scalar_subquery(), AnalysisRow.video_index, AnalysisRow.id
            )
        else:
            query = query.order_by(AnalysisRow.id)
        if limit is not None:
            query = query.limit(limit)
        return self._rows(query)

    def _rows(self, query: Any) -> list[AdResult]:
        with self.db.read() as session:
            out: list[AdResult] = []
            for analysis, ad, video, seen in session.execute(query):
                out.append(
                    AdResult(
                        analysis_id=analysis.id,
                        ad_id=analysis.ad_id,
                        video_index=analysis.video_index,
                        job_id=analysis.job_id,
                        page_name=ad.page_name,
                        delivery_start=ad.delivery_start,
                        library_url=ad.library_url,
                        metadata=ad.metadata_json,
                        video_path=analysis.video_path,
                        transcript=video.text if video else "",
                        segments=video.segments if video else [],
                        language=video.language if video else None,
                        analysis=AdAnalysis.model_validate(analysis.analysis),
                        analyser=analysis.analyser,
                        model=analysis.model,
                        seconds=analysis.seconds,
                        created_at=analysis.created_at,
                        screen_text=screen_lines(seen.data if seen else None),
                        poster=(seen.data or {}).get("poster") if seen else None,
                    )
                )
            return out

    def has_results(self) -> bool:
        with self.db.read() as session:
            return session.scalars(select(AnalysisRow.id).limit(1)).first() is not None

    def summaries(self) -> list[ResultSummary]:
        """Every analysed ad video, newest first, from the summary columns (core/summaries.py)."""
        return load_summaries(self.db)

    def result(self, analysis_id: int) -> AdResult | None:
        """One analysed ad with everything: transcript, segments, analysis."""
        found = self.results_by_id([analysis_id])
        return found[0] if found else None

    def results_by_id(self, analysis_ids: Sequence[int]) -> list[AdResult]:
        """Several analysed ads in one query, in the order asked; ids no longer stored are left out."""
        found = {r.analysis_id: r for r in self._rows(self._joined().where(AnalysisRow.id.in_(list(analysis_ids))))}
        return [found[i] for i in analysis_ids if i in found]

    @staticmethod
    def _joined() -> Any:
        return (
            select(AnalysisRow, AdRow, VideoRow, VisualRow)
            .join(AdRow, AdRow.ad_id == AnalysisRow.ad_id)
            .outerjoin(VisualRow, VisualRow.sha256 == AnalysisRow.video_sha256)
            .outerjoin(
                VideoRow,
                (VideoRow.sha256 == AnalysisRow.video_sha256) & (VideoRow.whisper_model == AnalysisRow.whisper_model),
            )
        )

    def search(self, query: str, limit: int = 20, pages: Sequence[str] = ()) -> list[tuple[int, str, str]]:
        """Full-text search over the analysed ads: see search_index.search."""
        return search_index.search(self.db, query, limit, pages)

    def page_names(self) -> list[str]:
        with self.db.read() as session:
            return [str(p) for p in session.scalars(text("SELECT DISTINCT page_name FROM ads WHERE page_name != ''"))]

    def ids_of_pages(self, pages: Sequence[str], limit: int) -> list[tuple[int, str]]:
        """(analysis id, ad id) of the pages' analysed ads, best overall score first."""
        if not pages:
            return []
        marks = ", ".join(f":p{i}" for i in range(len(pages)))
        with self.db.read() as session:
            rows = session.execute(
                text(
                    "SELECT a.id, a.ad_id FROM analyses a JOIN ads d ON d.ad_id = a.ad_id"
                    f" WHERE d.page_name IN ({marks}) ORDER BY a.overall_score DESC, a.id LIMIT :n"
                ),
                {"n": limit} | {f"p{i}": page for i, page in enumerate(pages)},
            ).all()
        return [(int(r[0]), str(r[1])) for r in rows]


SUMMARY_PATHS = {
    "hook_type": ("hook", "type"),
    "hook_text": ("hook", "text"),
    "cta_type": ("cta", "type"),
    "offer_types": ("offer", "types"),
    "angle": ("messaging_angle", "primary"),
    "tone": ("tone", "primary"),
    "overall_score": ("scores", "overall", "score"),
    "hook_score": ("scores", "hook_strength", "score"),
}


def summary_columns(analysis: dict[str, Any]) -> dict[str, Any]:
    """The analysis fields that lists and charts read, as the analyses table's summary columns."""
    out: dict[str, Any] = {}
    for column, path in SUMMARY_PATHS.items():
        value: Any = analysis
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        out[column] = value
    out["offer_types"] = list(out["offer_types"] or [])
    return out
