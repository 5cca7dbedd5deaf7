"""Stage 7 (80 %): analyse each ad video with the configured analyser (an OpenAI-compatible model,
or the offline heuristic one), reusing cached analyses by the spec's cache key. A model behind a server is asked
about each ad as soon as it is transcribed, several at once (analyses_ahead.py); each answer is stored as it
arrives, and the ads are checkpointed in their order."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from desktop_app.core.context import CancelToken, ItemReport, ItemSkipped, JobContext
from desktop_app.core.facts import AdInput, build_input
from desktop_app.core.language_names import language_name
from desktop_app.core.schema import SCHEMA_VERSION, AdAnalysis
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import JobItem, Outcome
from desktop_app.core.untranscribed import video_note
from desktop_app.core.visuals import OCR_UNAVAILABLE
from desktop_app.pipeline.analyses_ahead import AnalysesAhead
from desktop_app.pipeline.checkpoints import Analysed, HeardVideo, Transcribed
from desktop_app.pipeline.env import PipelineEnv
from desktop_app.pipeline.missing_video import COPY_ONLY_LIMITATION, copy_only_reason


class AnalyseStage:
    key, label, percent = stage_info(StageKey.ANALYSE)

    def __init__(self, env: PipelineEnv) -> None:
        self.env = env
        self._early: AnalysesAhead[Analysed] | None = None  # ads asked about as the transcribe stage ended them

    @property
    def asks_ahead(self) -> bool:
        """An analyser that waits on a server is asked ahead (analyses_ahead.py); the offline one works on this
        process's own CPU, where more at once would only take turns."""
        return self.env.analyser.key.analyser != "heuristic"

    def transcribed(self, ctx: JobContext, item: JobItem, transcribed: Transcribed) -> None:
        """An ad the transcribe stage has just finished: asked about now, while the next ads are transcribed."""
        if self.asks_ahead:
            if self._early is None:
                self._early = AnalysesAhead(ctx.token)
            self._early.add(item.key, partial(self.analyse, ctx, item, transcribed=transcribed))

    def abandon(self) -> None:
        """The job stopped or failed before this stage: what was asked early and not answered yet is dropped."""
        if self._early is not None:
            self._early.close()
            self._early = None

    def run(self, ctx: JobContext) -> None:
        ahead = self._ahead(ctx)
        try:
            ctx.each_item(lambda item, report: self.analyse_item(ctx, item, report, ahead))
        finally:
            if ahead is not None:
                ahead.close()

    def _ahead(self, ctx: JobContext) -> AnalysesAhead[Analysed] | None:
        """The ads asked early, and the others to analyse, asked several at once (when the analyser asks ahead)."""
        ahead, self._early = self._early, None
        if not self.asks_ahead:  # the offline analyser: nothing was asked early, nothing is asked ahead
            return None
        todo = [i for i in ctx.items() if i.awaits(StageKey.ANALYSE)]
        if ahead is None and len(todo) < 2:
            return None
        ahead = ahead or AnalysesAhead(ctx.token)
        for item in todo:
            if not ahead.has(item.key):
                ahead.add(item.key, partial(self.analyse, ctx, item))
        return ahead

    def analyse_item(
        self, ctx: JobContext, item: JobItem, report: ItemReport, ahead: AnalysesAhead[Analysed] | None = None
    ) -> Analysed:
        def say(message: str) -> None:
            report.progress(0.0, message)

        if ahead is not None and ahead.has(item.key):
            return ahead.result(item.key, ctx.token, say)
        return self.analyse(ctx, item, ctx.token, say)

    def analyse(
        self,
        ctx: JobContext,
        item: JobItem,
        token: CancelToken,
        on_wait: Callable[[str], None] | None = None,
        transcribed: Transcribed | None = None,
    ) -> Analysed:
        """The ad's analyses, from the cache or the analyser, each saved as soon as it is in (safe on any thread):
        a job that stops or crashes before its loop reaches this ad finds them in the store when it goes on, instead
        of asking the model again. `transcribed`: the ad's transcribe checkpoint, when the item was read before it
        was written."""
        transcribed = transcribed or Transcribed.of(item)
        if not transcribed.videos:
            return self.analyse_copy(ctx, item, token, on_wait, transcribed.missing or "this ad has no video")
        analyser = self.env.analyser
        model = str(ctx.source.params.get("whisper_model") or self.env.transcriber.model_name)  # as transcribed
        ids = []
        reanalyse = bool(ctx.source.params.get("reanalyse"))
        videos = transcribed.videos
        if analyser.key.analyser == "heuristic":
            refuse_other_languages(videos)
        partial = f"Not every video of this ad could be used: {transcribed.missing}." if transcribed.missing else None
        for video in videos:
            transcript = self.env.results.transcript(video.sha256, model) or {"text": "", "segments": []}
            seen = self.env.visual_store.get(video.sha256) if self.env.visual_store else None
            ad = build_input(item.key, video.index, item.data["ad"], transcript, visuals=seen)
            began = time.monotonic()
            cached = (
                None
                if reanalyse
                else self.env.results.cached_analysis(
                    item.key, video.index, ad.transcript_hash, analyser.key, video.sha256
                )
            )
            usage = None
            if cached is None:
                cached, usage = analyser.analyse(ad, token, on_wait)
            unread = (seen or {}).get("ocr") if (seen or {}).get("ocr") == OCR_UNAVAILABLE else None
            for note in (video_note(video.checked, video.untranscribed), partial, unread):
                if note and note not in cached.scores.limitations:  # what the analysis did not hear, said with it
                    cached.scores.limitations.append(note)
            ids.append(self._save(ctx, ad, cached, usage, began, video))
        spoken = any(video.speech for video in videos)
        return Analysed(tuple(ids), (Outcome.ANALYSED if spoken else Outcome.NO_SPEECH).value, partial)

    def analyse_copy(
        self,
        ctx: JobContext,
        item: JobItem,
        token: CancelToken,
        on_wait: Callable[[str], None] | None,
        missing: str,
    ) -> Analysed:
        """An ad without a usable video, analysed from the copy Meta gave (never from the cache: a video
        analysis of the same ad must not stand in for it, nor it for one)."""
        if self.env.analyser.key.analyser == "heuristic":
            refuse_other_copy_languages(item.data["ad"])
        ad = build_input(item.key, 0, item.data["ad"], {"text": "", "segments": []})
        ad.extras["video_missing"] = missing
        began = time.monotonic()
        analysis, usage = self.env.analyser.analyse(ad, token, on_wait)
        analysis.scores.limitations.append(COPY_ONLY_LIMITATION)
        analysis_id = self._save(ctx, ad, analysis, usage, began, None)
        return Analysed((analysis_id,), Outcome.COPY_ONLY.value, copy_only_reason(missing))

    def _save(
        self,
        ctx: JobContext,
        ad: AdInput,
        analysis: AdAnalysis,
        usage: dict[str, Any] | None,
        began: float,
        video: HeardVideo | None,
    ) -> int:
        model = str(ctx.source.params.get("whisper_model") or self.env.transcriber.model_name)
        return self.env.results.save_analysis(
            ad_id=ad.ad_id,
            video_index=ad.video_index,
            job_id=ctx.job_id,
            video_path=video.path if video else None,
            video_sha256=video.sha256 if video else None,
            whisper_model=model if video else None,
            transcript=ad.transcript,
            transcript_hash=ad.transcript_hash,
            key=self.env.analyser.key,
            schema_version=SCHEMA_VERSION,
            analysis=analysis,
            usage=usage,
            seconds=round(time.monotonic() - began, 3),
        )


def refuse_other_languages(videos: tuple[HeardVideo, ...]) -> None:
    """The offline analyser's rules read English only: for speech in another language it keeps the transcript
    and says what would analyse it, instead of guessing from words it cannot read."""
    other = next((v.language for v in videos if v.speech and v.language and v.language != "en"), None)
    if other is not None:
        name = language_name(other)
        raise ItemSkipped(
            f"This ad's speech is in {name}, and the offline analyser reads English only: set up an AI model in "
            "Settings to analyse it. The transcript is kept.",
            Outcome.LANGUAGE_UNSUPPORTED,
        )


def refuse_other_copy_languages(metadata: dict[str, Any]) -> None:
    """The same for an ad analysed from its copy: Meta names the languages the ad was written in."""
    languages = [str(code) for code in metadata.get("languages") or []]
    if languages and "en" not in languages:
        name = language_name(languages[0])
        raise ItemSkipped(
            f"This ad has no usable video and its copy is in {name}, and the offline analyser reads English only: "
            "set up an AI model in Settings to analyse it.",
            Outcome.LANGUAGE_UNSUPPORTED,
        )
