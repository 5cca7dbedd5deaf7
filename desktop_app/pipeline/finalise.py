"""Stage 8 (90 %): summarise the job from its items' outcomes, and refuse to call a job that produced nothing
a success: a job where every ad failed, or that found no ad at all, ends failed with what would fix it."""

from __future__ import annotations

from collections import Counter

from desktop_app.core.context import JobContext, JobError
from desktop_app.core.db import Database
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import ItemStatus, JobItem, Outcome, SourceSpec
from desktop_app.core.watch_checks import RESULT_KEY, record_job

# How each outcome other than analysed reads in the job's one-line summary, in this order.
SUMMARY_PHRASES = (
    (Outcome.COPY_ONLY, "from their copy only (no usable video)"),
    (Outcome.ALREADY_ANALYSED, "already analysed"),
    (Outcome.NO_VIDEO, "without video"),
    (Outcome.FAILED, "failed"),
    (Outcome.NO_SPEECH, "without speech"),
)


class FinaliseStage:
    key, label, percent = stage_info(StageKey.FINALISE)

    def __init__(self, db: Database | None = None) -> None:
        self.db = db  # for a watchlist's check: the lifecycle of its ads is updated here

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
            "copy_only": outcomes[Outcome.COPY_ONLY],
            "outcomes": {str(outcome): n for outcome, n in outcomes.items() if outcome is not None},
        }
        ctx.result.update(summary)
        checking = ctx.source.params.get("watchlist_id") is not None and self.db is not None
        phrases = dict(SUMMARY_PHRASES)
        if checking:  # a check's known ads were mostly seen by its earlier checks, not analysed by this one
            phrases[Outcome.ALREADY_ANALYSED] = "already known"
        parts = [f"{done} of {len(items)} ads analysed"]
        parts += [f"{outcomes[outcome]} {phrase}" for outcome, phrase in phrases.items() if outcomes[outcome]]
        ctx.result["message"] = ", ".join(parts)
        if not items and not checking:  # for a watchlist's check, no running ads is news, not a failure
            raise JobError(f"Nothing was analysed: {nothing_found(ctx.source)}.")
        if done == 0 and outcomes[Outcome.FAILED] and outcomes[Outcome.ALREADY_ANALYSED] == 0:
            raise JobError(everything_failed(items))
        # Only a check that did not fail updates what its watchlist knows: a failed one is tried again, new ads and all
        watched = record_job(self.db, ctx.job_id, ctx.source, items) if self.db is not None else None
        if watched is not None:  # a watchlist's check leads with what changed
            ctx.result[RESULT_KEY] = watched
            ctx.result["message"] = f"{watched['headline']} ({ctx.result['message']})" if items else watched["headline"]
        ctx.stage_progress(1.0, ctx.result["message"])


def nothing_found(source: SourceSpec) -> str:
    """Why a source gave no ads, in the source's own terms."""
    if source.kind == "folder":
        return f"no video files in {source.params['path']}"
    if source.kind == "meta_search":
        return "no ads matched this search in the Meta Ad Library"
    return "the source gave no ads"


def everything_failed(items: list[JobItem]) -> str:
    """One sentence for a job in which every ad failed, led by the reason most of them gave."""
    reasons = Counter(item.reason for item in items if item.outcome is Outcome.FAILED and item.reason)
    failed = sum(1 for item in items if item.outcome is Outcome.FAILED)
    if failed == len(items):
        head = (
            "No ad could be analysed: the ad failed."
            if failed == 1
            else f"No ad could be analysed: all {failed} failed."
        )
    else:
        head = f"No ad could be analysed: {failed} failed and the others were skipped."
    if reasons:
        reason, count = reasons.most_common(1)[0]
        head += f" {'The reason' if count == failed else f'{count} of them'}: {reason.rstrip('.')}."
    return head + " Fix the cause, then press Retry to try the failed ads again."
