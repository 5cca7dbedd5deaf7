"""Stage 8 (90 %): summarise the job from its items' outcomes."""

from __future__ import annotations

from collections import Counter

from desktop_app.core.context import JobContext
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import ItemStatus


class FinaliseStage:
    key, label, percent = stage_info(StageKey.FINALISE)

    def run(self, ctx: JobContext) -> None:
        items = ctx.items()
        counts = Counter(item.status for item in items)
        already = sum(1 for i in items if i.status == ItemStatus.SKIPPED and i.error == "already analysed")
        no_speech = sum(1 for i in items if (i.checkpoints.get("analyse") or {}).get("note") == "no speech")
        summary = {
            "ads_found": len(items),
            "analysed": counts[ItemStatus.DONE],
            "already_analysed": already,
            "without_video": sum(
                1 for i in items if i.status == ItemStatus.SKIPPED and (i.error or "").startswith("no video")
            ),
            "skipped": counts[ItemStatus.SKIPPED],
            "failed": counts[ItemStatus.FAILED],
            "no_speech": no_speech,
        }
        ctx.result.update(summary)
        parts = [f"{summary['analysed']} of {len(items)} ads analysed"]
        if already:
            parts.append(f"{already} already analysed")
        if summary["without_video"]:
            parts.append(f"{summary['without_video']} without video")
        if summary["failed"]:
            parts.append(f"{summary['failed']} failed")
        if no_speech:
            parts.append(f"{no_speech} without speech")
        ctx.result["message"] = ", ".join(parts)
        ctx.stage_progress(1.0, ctx.result["message"])
