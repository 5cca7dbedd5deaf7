"""Stage 6 (65 %): transcribe each downloaded video once per content hash and model, through the
transcriber engine (a child process), while the same videos are looked at (keyframes, on-screen text) on a
thread beside it: the two share the machine's cores instead of taking turns.

An English-only model cannot transcribe other languages: an ad whose speech is not in English ends here as
`language_unsupported` (its transcript is stored all the same), and the spans of an ad that is only partly in
English go on to the analysis in the checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from desktop_app.core.context import ItemReport, ItemSkipped, JobContext
from desktop_app.core.in_flight import InFlight
from desktop_app.core.results import ResultStore
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import JobItem, Outcome
from desktop_app.core.untranscribed import (
    NOT_ENGLISH,
    NOT_ENGLISH_REASON,
    speech_check,
    to_hear,
    untranscribed_spans,
    verdict,
)
from desktop_app.engines.remote_transcriber import RemoteTranscriber
from desktop_app.engines.transcriber import Transcriber
from desktop_app.engines.transcriber_pool import TranscriberPool
from desktop_app.engines.transcript_batch import TranscriptBatch
from desktop_app.engines.whisper_models import ensure_model, progress_text
from desktop_app.pipeline.checkpoints import Downloaded, HeardVideo, StoredVideo, Transcribed
from desktop_app.pipeline.looking import LookAhead, Looking

AnyTranscriber = Transcriber | RemoteTranscriber | TranscriberPool


class Then(Protocol):
    """What starts on an ad as soon as it is transcribed (the analyse stage's asking ahead)."""

    def transcribed(self, ctx: JobContext, item: JobItem, transcribed: Transcribed) -> None: ...

    def abandon(self) -> None: ...  # the stage ended early: what was started is dropped


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

    def __init__(
        self,
        transcriber: AnyTranscriber,
        results: ResultStore,
        models: Path,
        looking: Looking | None = None,
        in_flight: InFlight | None = None,
        then: Then | None = None,
    ) -> None:
        self.shared = transcriber
        self.results = results
        self.models = models
        self.looking = looking  # the videos' frames and on-screen text, read beside the transcription
        # videos another job is transcribing right now: this one waits for their transcripts instead
        self.in_flight = in_flight or InFlight()
        self.then = then

    def run(self, ctx: JobContext) -> None:
        """A Whisper model not on this machine is downloaded first, with progress; a job run with its own model
        (`--whisper-model`) gets a transcriber of its own for its length; a transcription server gets every
        video the job still needs at once, N uploads in flight."""
        transcriber = self._for_job(ctx)
        batch = None
        try:
            transcriber.warm_up()
            if isinstance(transcriber, RemoteTranscriber | TranscriberPool):
                batch = self._batch(ctx, transcriber)
            ahead = LookAhead(self.looking, self._pending_videos(ctx), ctx.token) if self.looking else None
            ctx.each_item(lambda item, report: self.transcribe_item(ctx, item, report, transcriber, batch, ahead))
        except BaseException:
            if self.then is not None:
                self.then.abandon()
            raise
        finally:
            if batch is not None:
                batch.close()
            self.in_flight.release_all(self)
            if transcriber is not self.shared:
                transcriber.close()

    def _for_job(self, ctx: JobContext) -> AnyTranscriber:
        wanted = ctx.source.params.get("whisper_model")
        if isinstance(self.shared, RemoteTranscriber) and not wanted:
            return self.shared
        name = str(wanted or self.shared.model_name)
        ensure_model(
            name, self.models, ctx.token, lambda done, total: ctx.stage_progress(0.0, progress_text(name, done, total))
        )
        if name == self.shared.model_name:
            return self.shared
        return Transcriber(name, models=self.models)

    def _batch(self, ctx: JobContext, engine: RemoteTranscriber | TranscriberPool) -> TranscriptBatch:
        """The videos no one has transcribed, started together; each transcript is stored, and its claim let go,
        the moment it is in, so a job waiting for it (or this job's loop) never waits for this job's order."""
        todo = self._untranscribed(ctx, engine)
        of_path = {path: sha for sha, path in todo.items()}

        def stored(path: Path, outcome: dict[str, Any] | Exception) -> None:
            key = (of_path[Path(path)], engine.model_name)
            try:
                if isinstance(outcome, dict):
                    self.results.save_transcript(key[0], key[1], outcome)
            finally:
                self.in_flight.release(key, self)

        return TranscriptBatch(engine, list(todo.values()), ctx.token, stored)

    def _pending_videos(self, ctx: JobContext) -> list[StoredVideo]:
        """The videos of the ads still to pass this stage, in the order the stage takes them."""
        return [video for item in ctx.items() if item.awaits(self.key) for video in Downloaded.of(item).videos]

    def _untranscribed(self, ctx: JobContext, transcriber: AnyTranscriber) -> dict[str, Path]:
        """The videos of the ads still to pass this stage that have no stored transcript, one per content, less
        those another job is transcribing now (claimed for this job)."""
        todo: dict[str, Path] = {}
        model = transcriber.model_name
        for item in ctx.items():
            if item.awaits(self.key):
                for video in Downloaded.of(item).videos:
                    if (
                        video.sha256 not in todo
                        and _to_hear(transcriber, self.results.transcript(video.sha256, model))
                        and self.in_flight.claim((video.sha256, model), self)
                    ):
                        todo[video.sha256] = Path(video.path)
        return todo

    def transcribe_item(
        self,
        ctx: JobContext,
        item: JobItem,
        report: ItemReport,
        transcriber: AnyTranscriber,
        batch: TranscriptBatch | None = None,
        ahead: LookAhead | None = None,
    ) -> Transcribed:
        """Raises ItemSkipped (language_unsupported) when no video of the ad has speech the model could transcribe
        and at least one has speech in another language."""
        downloaded = Downloaded.of(item)
        videos = tuple(
            heard(video, self._transcript(ctx, video, report, transcriber, batch)) for video in downloaded.videos
        )
        if ahead is not None:
            ahead.wait(downloaded.videos, ctx.token)
        if any(v.checked == NOT_ENGLISH for v in videos) and not any(v.speech for v in videos):
            raise ItemSkipped(NOT_ENGLISH_REASON, Outcome.LANGUAGE_UNSUPPORTED)
        transcribed = Transcribed(videos, downloaded.missing)
        if self.then is not None:
            self.then.transcribed(ctx, item, transcribed)
        return transcribed

    def _transcript(
        self,
        ctx: JobContext,
        video: StoredVideo,
        report: ItemReport,
        transcriber: AnyTranscriber,
        batch: TranscriptBatch | None,
    ) -> dict[str, Any]:
        model = transcriber.model_name
        transcript = self._stored(ctx, video, transcriber)
        if transcript is not None:
            return transcript

        def progress(seconds: float, duration: float) -> None:
            if duration > 0:
                report.progress(seconds / duration, f"{seconds:.0f} of {duration:.0f} s")

        try:
            if batch is not None and batch.has(Path(video.path)):
                return batch.result(Path(video.path), ctx.token)  # stored by the batch as it came in
            transcript = transcriber.transcribe(Path(video.path), ctx.token, progress)
            self.results.save_transcript(video.sha256, model, transcript)
            return transcript
        finally:  # stored, or failed here: a job waiting for it looks again
            self.in_flight.release((video.sha256, model), self)

    def _stored(self, ctx: JobContext, video: StoredVideo, transcriber: AnyTranscriber) -> dict[str, Any] | None:
        """The video's stored transcript, waiting for it while another job transcribes the same content; None
        when this job is to transcribe it (then claimed for this job)."""
        key = (video.sha256, transcriber.model_name)
        while True:
            transcript = self.results.transcript(video.sha256, transcriber.model_name)
            if not _to_hear(transcriber, transcript):
                return transcript
            if self.in_flight.claim(key, self):
                again = self.results.transcript(video.sha256, transcriber.model_name)  # stored just before the claim
                if _to_hear(transcriber, again):
                    return None
                self.in_flight.release(key, self)
                return again
            ctx.log("transcribe", "Waiting for this video's transcript, already under way (early, or in another job)")
            self.in_flight.wait(key, ctx.token)  # then stored, or given up by that job: this one does it


def _to_hear(transcriber: AnyTranscriber, transcript: dict[str, Any] | None) -> bool:
    """Nothing stored, or stored by an English-only model before the language check existed (it may be English
    nonsense labelled "en") or with speech left out by an earlier version of the check: the video is heard again."""
    return to_hear(transcript, bool(getattr(transcriber, "english_only", False)))
