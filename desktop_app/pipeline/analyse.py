"""Stage 7 (80 %): analyse each ad video with the configured analyser (an OpenAI-compatible model,
or the offline heuristic one), reusing cached analyses by the spec's cache key."""

from __future__ import annotations

import time

from desktop_app.core.context import ItemReport, ItemSkipped, JobContext
from desktop_app.core.facts import build_input
from desktop_app.core.schema import SCHEMA_VERSION
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import JobItem, Outcome
from desktop_app.core.untranscribed import video_note
from desktop_app.pipeline.checkpoints import Analysed, HeardVideo, Transcribed
from desktop_app.pipeline.env import PipelineEnv


class AnalyseStage:
    key, label, percent = stage_info(StageKey.ANALYSE)

    def __init__(self, env: PipelineEnv) -> None:
        self.env = env

    def run(self, ctx: JobContext) -> None:
        ctx.each_item(lambda item, report: self.analyse_item(ctx, item, report))

    def analyse_item(self, ctx: JobContext, item: JobItem, report: ItemReport) -> Analysed:
        analyser = self.env.analyser
        key = analyser.key
        model = str(ctx.source.params.get("whisper_model") or self.env.transcriber.model_name)  # as transcribed
        ids = []
        reanalyse = bool(ctx.source.params.get("reanalyse"))
        videos = Transcribed.of(item).videos
        if key.analyser == "heuristic":
            refuse_other_languages(videos)
        for video in videos:
            transcript = self.env.results.transcript(video.sha256, model) or {"text": "", "segments": []}
            ad = build_input(item.key, video.index, item.data["ad"], transcript)
            began = time.monotonic()
            cached = (
                None
                if reanalyse
                else self.env.results.cached_analysis(item.key, video.index, ad.transcript_hash, key, video.sha256)
            )
            usage = None
            if cached is None:
                cached, usage = analyser.analyse(ad, ctx.token, lambda message: report.progress(0.0, message))
            note = video_note(video.checked, video.untranscribed)
            if note and note not in cached.scores.limitations:  # what the analysis did not hear, said with it
                cached.scores.limitations.append(note)
            ids.append(
                self.env.results.save_analysis(
                    ad_id=item.key,
                    video_index=video.index,
                    job_id=ctx.job_id,
                    video_path=video.path,
                    video_sha256=video.sha256,
                    whisper_model=model,
                    transcript=ad.transcript,
                    transcript_hash=ad.transcript_hash,
                    key=key,
                    schema_version=SCHEMA_VERSION,
                    analysis=cached,
                    usage=usage,
                    seconds=round(time.monotonic() - began, 3),
                )
            )
        spoken = any(video.speech for video in videos)
        return Analysed(tuple(ids), (Outcome.ANALYSED if spoken else Outcome.NO_SPEECH).value)


LANGUAGES = {
    "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "nl": "Dutch", "pl": "Polish",
    "pt": "Portuguese", "sv": "Swedish", "da": "Danish", "fi": "Finnish", "cs": "Czech", "ro": "Romanian",
    "hu": "Hungarian", "el": "Greek", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian", "ja": "Japanese",
}  # fmt: skip


def refuse_other_languages(videos: tuple[HeardVideo, ...]) -> None:
    """The offline analyser's rules read English only: for speech in another language it keeps the transcript
    and says what would analyse it, instead of guessing from words it cannot read."""
    other = next((v.language for v in videos if v.speech and v.language and v.language != "en"), None)
    if other is not None:
        name = LANGUAGES.get(other, f"another language ({other})")
        raise ItemSkipped(
            f"This ad's speech is in {name}, and the offline analyser reads English only: set up an AI model in "
            "Settings to analyse it. The transcript is kept.",
            Outcome.LANGUAGE_UNSUPPORTED,
        )
