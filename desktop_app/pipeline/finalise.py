"""Stage 8 (90 %): summarise the job from its items' outcomes."""

from __future__ import annotations

from collections import Counter

from desktop_app.core.context import JobContext
from desktop_app.core.types import ItemStatus


class FinaliseStage:
    key = "finalise"
    label = "Finalizing results"
    percent = 90.0

    def run(self, ctx: JobContext) -> None:
        items = ctx.items()
        counts = Counter(item.status for item in items)
        summary = {
            "ads_found": len(items),
            "analysed": counts[ItemStatus.DONE],
            "skipped": counts[ItemStatus.SKIPPED],
            "failed": counts[ItemStatus.FAILED],
        }
        ctx.result.update(summary)
        parts = [f"{summary['analysed']} of {len(items)} ads analysed"]
        if summary["skipped"]:
            parts.append(f"{summary['skipped']} skipped")
        if summary["failed"]:
            parts.append(f"{summary['failed']} failed")
        ctx.result["message"] = ", ".join(parts)
        ctx.stage_progress(1.0, ctx.result["message"])
