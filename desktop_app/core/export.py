"""Results as plain data: JSON objects and CSV rows, for the CLI and the window's export.

CSV cells are made safe for spreadsheets (OWASP, CSV injection): ad copy and transcripts come from
strangers, and a cell a spreadsheet reads as a formula (`=HYPERLINK(...)`, `-2+3+cmd|...`) would run
when a marketer opens the export."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any, TextIO

from desktop_app.core.language_names import language_name
from desktop_app.core.results import AdResult
from desktop_app.core.schema import Score
from desktop_app.core.text import analyser_words, plural, readable
from desktop_app.core.types import JobItem

CSV_COLUMNS = [
    "ad_id", "video_index", "page_name", "delivery_start", "library_url", "hook_type", "hook_text",
    "within_first_3s", "cta_type", "cta_text", "offer_present", "offer_types", "angle", "tone",
    "hook_strength", "clarity", "value_prop", "offer_strength", "cta_strength", "emotional_pull", "overall",
    "confidence", "analyser", "model", "language", "transcript",
]  # fmt: skip


# A spreadsheet reads a cell as a formula when it starts with one of these, also after blanks or separators
# it skips; the full-width forms count too, as some spreadsheets fold them to the ASCII ones.
FORMULA_START = re.compile(r"^[\s,;\x00]*[=+\-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20]")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def safe_cell(value: Any) -> Any:
    """A cell no spreadsheet runs as a formula: text that could start one gets a leading single quote,
    as OWASP recommends. Numbers are left alone (the app computes them; they cannot hold a formula), and so
    is text that is exactly a plain number such as "-2.5", which a spreadsheet reads as that number."""
    if not isinstance(value, str) or PLAIN_NUMBER.match(value) or not FORMULA_START.match(value):
        return value
    return "'" + value


def write_rows(out: IO[str], rows: Iterable[Sequence[Any]]) -> None:
    """CSV safe to open in a spreadsheet: every cell through safe_cell, and every cell quoted, so a separator
    inside one (`,`, or the `;` that some locales split on) can never start a new cell."""
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerows([safe_cell(value) for value in row] for row in rows)


def result_dict(row: AdResult) -> dict[str, Any]:
    return {
        "ad_id": row.ad_id,
        "name": row.name,
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


def job_report(rows: Sequence[AdResult], items: Sequence[JobItem]) -> list[dict[str, Any]]:
    """Every ad of a job, in order: its analyses (one per video) with the ad's outcome and reason, and for an
    ad that has none (failed, no video, skipped...) one entry saying so, so nothing is silently left out."""
    by_ad: dict[str, list[AdResult]] = {}
    for row in rows:
        by_ad.setdefault(row.ad_id, []).append(row)
    report = []
    for item in items:
        outcome = item.outcome.value if item.outcome else item.status.value
        analysed = by_ad.pop(item.key, [])
        for row in analysed:
            report.append({**result_dict(row), "outcome": outcome, "reason": item.reason})
        if not analysed:
            report.append({"ad_id": item.key, "job_id": item.job_id, "outcome": outcome, "reason": item.reason,
                           "analysis": None})  # fmt: skip
    return report + [
        {**result_dict(row), "outcome": "analysed", "reason": None} for rest in by_ad.values() for row in rest
    ]


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
        "language": row.language or "",
        "transcript": row.transcript,
    }


def write_csv(rows: Sequence[AdResult], out: TextIO) -> None:
    """The results as CSV, every cell safe to open in a spreadsheet."""
    write_rows(out, [CSV_COLUMNS, *([csv_row(row)[column] for column in CSV_COLUMNS] for row in rows)])


# The window's CSV, for people: headers and labels as they read ("Hook type", "free trial"); the CLI's CSV and
# the JSON export keep the machine names above.
READABLE_COLUMNS = {
    "name": "Ad", "ad_id": "Ad id", "video_index": "Video", "page_name": "Page", "delivery_start": "Running since",
    "library_url": "Ad Library link", "hook_type": "Hook type", "hook_text": "Hook", "within_first_3s":
    "Hook in the first 3 s", "cta_type": "CTA type", "cta_text": "CTA", "offer_present": "Offer", "offer_types":
    "Offer types", "angle": "Angle", "tone": "Tone", "hook_strength": "Hook strength", "clarity": "Clarity",
    "value_prop": "Value proposition", "offer_strength": "Offer strength", "cta_strength": "CTA strength",
    "emotional_pull": "Emotional pull", "overall": "Overall", "confidence": "Confidence", "analyser": "Analyser",
    "model": "Model", "language": "Language", "transcript": "Transcript",
}  # fmt: skip


def readable_row(row: AdResult) -> dict[str, Any]:
    values = csv_row(row) | {"name": row.name, "video_index": row.video_index + 1}
    for key in ("hook_type", "cta_type", "angle", "tone"):
        values[key] = readable(str(values[key]))
    values["offer_types"] = ", ".join(readable(t) for t in row.analysis.offer.types)
    for key in ("within_first_3s", "offer_present"):
        values[key] = "yes" if values[key] else "no"
    values["language"] = language_name(row.language) if row.language else ""
    values["analyser"] = analyser_words(row.analyser, short=True)
    return values


def write_readable_csv(rows: Sequence[AdResult], out: TextIO) -> None:
    """The results as CSV with readable headers and labels, every cell safe to open in a spreadsheet."""
    write_rows(out, [list(READABLE_COLUMNS.values()), *([readable_row(r)[k] for k in READABLE_COLUMNS] for r in rows)])


def markdown_report(rows: Sequence[AdResult]) -> str:
    """A readable report of analysed ads, for sharing with a team."""
    lines = ["# Ad analysis report", "", f"{plural(len(rows), 'analysed ad video')}.", ""]
    lines += ["| Page | Ad | Hook | CTA | Offer | Overall |", "|---|---|---|---|---|---|"]
    for row in rows:
        a = row.analysis
        offer = ", ".join(readable(t) for t in a.offer.types) or "none"
        lines.append(
            f"| {row.page_name or '-'} | {row.name} | {readable(a.hook.type)} | {readable(a.cta.type)} | {offer} "
            f"| {a.scores.overall.score}/5 |"
        )
    for row in rows:
        a = row.analysis
        lines += ["", f"## {row.name} (ad {row.ad_id})", "", a.summary, ""]
        if a.hook.text:
            lines.append(f"- **Hook** ({readable(a.hook.type)}): “{a.hook.text}”")
        if a.cta.text:
            lines.append(f"- **Call to action** ({readable(a.cta.type)}): “{a.cta.text}”")
        if a.offer.present:
            lines.append(f"- **Offer**: {', '.join(readable(t) for t in a.offer.types)}")
        for key, score in a.scores:
            if isinstance(score, Score):
                lines.append(f"- {key.replace('_', ' ')}: {score.score}/5 ({score.rationale})")
        for rec in a.recommendations:
            lines.append(f"- *Try*: {rec.suggestion}")
        if row.transcript:
            lines += ["", f"> {row.transcript}"]
    return "\n".join(lines) + "\n"
