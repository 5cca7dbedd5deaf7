"""Stage 1 (5 %): check the settings the job depends on and lay out its working folder."""

from __future__ import annotations

from desktop_app.core.context import JobContext, JobError
from desktop_app.core.settings import Settings
from desktop_app.core.stages import StageKey, stage_info


class StartStage:
    key, label, percent = stage_info(StageKey.START)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def run(self, ctx: JobContext) -> None:
        if self.settings.parallel_jobs < 1:
            raise JobError("Parallel jobs must be at least 1", settings_field="parallel_jobs")
        for sub in ("media", "transcripts"):
            (ctx.workdir / sub).mkdir(parents=True, exist_ok=True)
        ctx.stage_progress(1.0, f"Analysing {ctx.source.describe()}")
