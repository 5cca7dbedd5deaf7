"""Stage 6 (65 %): transcribe each downloaded video once per content hash and model, through the
transcriber engine (a child process)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.context import ItemReport, JobContext
from desktop_app.core.results import ResultStore
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import JobItem
from desktop_app.engines.transcriber import Transcriber
from desktop_app.pipeline.checkpoints import Downloaded, HeardVideo, Transcribed


class TranscribeStage:
    """Stage 6 (65 %): transcribe each downloaded video once per content hash and model."""

    key, label, percent = stage_info(StageKey.TRANSCRIBE)

    def __init__(self, transcriber: Transcriber, results: ResultStore) -> None:
        self.transcriber = transcriber
        self.results = results

    def run(self, ctx: JobContext) -> None:
        self.transcriber.warm_up()
        ctx.each_item(lambda item, report: self.transcribe_item(ctx, item, report))

    def transcribe_item(self, ctx: JobContext, item: JobItem, report: ItemReport) -> Transcribed:
        model = self.transcriber.model_name
        out = []
        for video in Downloaded.of(item).videos:
            transcript = self.results.transcript(video.sha256, model)
            if transcript is None:

                def progress(seconds: float, duration: float) -> None:
                    if duration > 0:
                        report.progress(seconds / duration, f"{seconds:.0f} of {duration:.0f} s")

                transcript = self.transcriber.transcribe(Path(video.path), ctx.token, progress)
                self.results.save_transcript(video.sha256, model, transcript)
            speech, language = bool(transcript["text"]), transcript.get("language")
            out.append(HeardVideo(video.index, video.path, video.sha256, video.bytes, speech, language))
        return Transcribed(tuple(out))
