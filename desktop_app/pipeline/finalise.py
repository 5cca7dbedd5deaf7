"""Stage 8 (90 %): summarise the job from its items' outcomes."""

from __future__ import annotations

from collections import Counter

from desktop_app.core.context import JobContext
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import ItemStatus, Outcome

# How each outcome other than analysed reads in the job's one-line summary, in this order.
SUMMARY_PHRASES = (
    (Outcome.ALREADY_ANALYSED, "already analysed"),
    (Outcome.NO_VIDEO, "without video"),
    (Outcome.FAILED, "failed"),
    (Outcome.NO_SPEECH, "without speech"),
)


class FinaliseStage:
    key, label, percent = stage_info(StageKey.FINALISE)

    def run(self, ctx: JobContext) -> None:
        items = ctx.items()
        outcomes = Counter(item.outcome for item in items)
        done = sum(n for outcome, n in outcomes.items() if outcome is not None and outcome.status is ItemStatus.DONE)
        summary = {
            "ads_found": len(items),
            "analysed": done,
            "already_analysed": outcomes[Outcome.ALREADY_ANALYSED],
            "without_video": outcomes[Outcome.NO_VIDEO],
            "skipped": sum(n for o, n in outcomes.items() if o is not None and o.status is ItemStatus.SKIPPED),
            "failed": outcomes[Outcome.FAILED],
            "no_speech": outcomes[Outcome.NO_SPEECH],
            "outcomes": {str(outcome): n for outcome, n in outcomes.items() if outcome is not None},
        }
        ctx.result.update(summary)
        parts = [f"{done} of {len(items)} ads analysed"]
        parts += [f"{outcomes[outcome]} {phrase}" for outcome, phrase in SUMMARY_PHRASES if outcomes[outcome]]
        ctx.result["message"] = ", ".join(parts)
        ctx.stage_progress(1.0, ctx.result["message"])
