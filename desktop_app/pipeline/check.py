"""Stage 2 (10 %): see what was analysed before with the configured analyser, so those ads are
skipped when they are fetched (unless the source asks to re-analyse)."""

from __future__ import annotations

from desktop_app.core.context import JobContext
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.text import analyser_words, plural
from desktop_app.pipeline.env import PipelineEnv


class CheckStage:
    key, label, percent = stage_info(StageKey.CHECK)

    def __init__(self, env: PipelineEnv) -> None:
        self.env = env

    def run(self, ctx: JobContext) -> None:
        key = self.env.analyser.key
        known = self.env.results.count_analysed(key)
        if ctx.source.params.get("reanalyse"):
            message = "Re-analysing: earlier analyses will be replaced"
        elif known:
            message = f"{plural(known, 'video')} already analysed {analyser_words(key.analyser)}: those ads are skipped"
        else:
            message = f"No video analysed before {analyser_words(key.analyser)}"
        ctx.log("check", message)
        ctx.stage_progress(1.0, message)
