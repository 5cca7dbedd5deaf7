"""Stage 6 (65 %): transcribe each downloaded video once per content hash and model, through the
transcriber engine (a child process).

An English-only model cannot transcribe other languages: an ad whose speech is not in English ends here as
`language_unsupported` (its transcript is stored all the same), and the spans of an ad that is only partly in
English go on to the analysis in the checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.core.context import ItemReport, ItemSkipped, JobContext
from desktop_app.core.results import ResultStore
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import JobItem, Outcome
from desktop_app.core.untranscribed import NOT_ENGLISH, NOT_ENGLISH_REASON, speech_check, untranscribed_spans, verdict
from desktop_app.engines.transcriber import Transcriber
from desktop_app.pipeline.checkpoints import Downloaded, HeardVideo, StoredVideo, Transcribed


def heard(video: StoredVideo, transcript: dict[str, Any]) -> HeardVideo:
    """What the next stages need to know of a transcribed video."""
    return HeardVideo(
        video.index,
        video.path,
        video.sha256,
        video.bytes,
        speech=bool(transcript["text"]),
        language=transcript.get("language"),
        checked=verdict(transcript),
        untranscribed=tuple(untranscribed_spans(transcript)),
        untranscribed_share=float(speech_check(transcript).get("untranscribed_share") or 0.0),
    )


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
        """Raises ItemSkipped (language_unsupported) when no video of the ad has speech the model could transcribe
        and at least one has speech in another language."""
        videos = tuple(heard(video, self._transcript(ctx, video, report)) for video in Downloaded.of(item).videos)
        if any(v.checked == NOT_ENGLISH for v in videos) and not any(v.speech for v in videos):
            raise ItemSkipped(NOT_ENGLISH_REASON, Outcome.LANGUAGE_UNSUPPORTED)
        return Transcribed(videos)

    def _transcript(self, ctx: JobContext, video: StoredVideo, report: ItemReport) -> dict[str, Any]:
        model = self.transcriber.model_name
        transcript = self.results.transcript(video.sha256, model)
        if transcript is not None and not self._unchecked(transcript):
            return transcript

        def progress(seconds: float, duration: float) -> None:
            if duration > 0:
                report.progress(seconds / duration, f"{seconds:.0f} of {duration:.0f} s")

        transcript = self.transcriber.transcribe(Path(video.path), ctx.token, progress)
        self.results.save_transcript(video.sha256, model, transcript)
        return transcript

    def _unchecked(self, transcript: dict[str, Any]) -> bool:
        """Stored by an English-only model before the language check existed: it may be English nonsense
        labelled "en", so the video is heard again (a remote transcriber detects languages: never)."""
        return bool(getattr(self.transcriber, "english_only", False)) and verdict(transcript) is None
