"""Results as plain data: JSON objects and CSV rows, for the CLI and the window's export."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any, TextIO

from desktop_app.core.results import AdResult
from desktop_app.core.schema import Score

CSV_COLUMNS = [
    "ad_id", "video_index", "page_name", "delivery_start", "library_url", "hook_type", "hook_text",
    "within_first_3s", "cta_type", "cta_text", "offer_present", "offer_types", "angle", "tone",
    "hook_strength", "clarity", "value_prop", "offer_strength", "cta_strength", "emotional_pull", "overall",
    "confidence", "analyser", "model", "transcript",
]  # fmt: skip


def result_dict(row: AdResult) -> dict[str, Any]:
    return {
        "ad_id": row.ad_id,
        "video_index": row.video_index,
        "job_id": row.job_id,
        "page_name": row.page_name,
        "delivery_start": row.delivery_start,
        "library_url": row.library_url,
        "ad": row.metadata,
        "video_path": row.video_path,
        "transcript": row.transcript,
        "segments": row.segments,
        "language": row.language,
        "analysis": row.analysis.model_dump(mode="json"),
        "analyser": row.analyser,
        "model": row.model,
        "seconds": row.seconds,
    }


def csv_row(row: AdResult) -> dict[str, Any]:
    a = row.analysis
    scores = a.scores
    return {
        "ad_id": row.ad_id,
        "video_index": row.video_index,
        "page_name": row.page_name or "",
        "delivery_start": row.delivery_start or "",
        "library_url": row.library_url or "",
        "hook_type": a.hook.type,
        "hook_text": a.hook.text or "",
        "within_first_3s": a.hook.within_first_3s,
        "cta_type": a.cta.type,
        "cta_text": a.cta.text or "",
        "offer_present": a.offer.present,
        "offer_types": ";".join(a.offer.types),
        "angle": a.messaging_angle.primary,
        "tone": a.tone.primary,
        "hook_strength": scores.hook_strength.score,
        "clarity": scores.clarity.score,
        "value_prop": scores.value_prop.score,
        "cta_strength": scores.cta_strength.score,
        "emotional_pull": scores.emotional_pull.score,
        "overall": scores.overall.score,
        "offer_strength": scores.offer_strength.score if scores.offer_strength else "",
        "confidence": scores.confidence,
        "analyser": row.analyser,
        "model": row.model or "",
        "transcript": row.transcript,
    }


def write_csv(rows: Sequence[AdResult], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(csv_row(row))


def markdown_report(rows: Sequence[AdResult]) -> str:
    """A readable report of analysed ads, for sharing with a team."""
    lines = ["# Ad analysis report", "", f"{len(rows)} analysed ad video(s).", ""]
    lines += ["| Page | Ad | Hook | CTA | Offer | Overall |", "|---|---|---|---|---|---|"]
    for row in rows:
        a = row.analysis
        offer = ", ".join(a.offer.types) or "none"
        lines.append(
            f"| {row.page_name or '-'} | {row.ad_id} | {a.hook.type} | {a.cta.type} | {offer} "
            f"| {a.scores.overall.score}/5 |"
        )
    for row in rows:
        a = row.analysis
        lines += ["", f"## {row.page_name or row.ad_id} ({row.ad_id})", "", a.summary, ""]
        if a.hook.text:
            lines.append(f"- **Hook** ({a.hook.type}): “{a.hook.text}”")
        if a.cta.text:
            lines.append(f"- **Call to action** ({a.cta.type}): “{a.cta.text}”")
        if a.offer.present:
            lines.append(f"- **Offer**: {', '.join(a.offer.types)}")
        for key, score in a.scores:
            if isinstance(score, Score):
                lines.append(f"- {key.replace('_', ' ')}: {score.score}/5 ({score.rationale})")
        for rec in a.recommendations:
            lines.append(f"- *Try*: {rec.suggestion}")
        if row.transcript:
            lines += ["", f"> {row.transcript}"]
    return "\n".join(lines) + "\n"
