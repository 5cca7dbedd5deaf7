"""The remote transcriber: any OpenAI-compatible `/v1/audio/transcriptions` server (OpenAI, speaches, vLLM,
whisper.cpp's server, LocalAI), with the local Transcriber's interface so the transcribe stage can use either.

The audio goes up as small MP3 pieces (audio_extract.py). Several uploads are in flight at once, across the
files of `transcribe_many` (a TranscriptBatch) and the pieces of one long file alike, up to `uploads_in_flight` per
instance: a server farm works in parallel while one machine keeps to its share. Answers come as verbose_json
with segment and word times, or, from a server that refuses it, as plain text with times estimated. 429 and 5xx
answers are retried under the shared policy (Retry-After honoured); a refused key fails the job with the setting to
fix; a cancel abandons the uploads at once."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from desktop_app.core.context import AdFailed, CancelToken, JobError
from desktop_app.core.scrub import endpoint_without_credentials, register, register_url, scrub
from desktop_app.engines.audio_extract import (
    CHUNK_S,
    MIN_UPLOAD_BYTES,
    UPLOAD_LIMIT_BYTES,
    AudioChunk,
    extract_chunks,
)
from desktop_app.engines.network import (
    RETRYABLE_STATUS,
    RetryableError,
    RetryPolicy,
    openai_client,
    retry_after_seconds,
    server_reason,
)
from desktop_app.engines.parallel import held, run_parallel
from desktop_app.engines.remote_transcript import merge

log = logging.getLogger(__name__)

DEFAULT_MODEL = "whisper-1"
# What to ask for, best first: (response_format, timestamp_granularities); a server that refuses one gets the next.
MODES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("verbose_json", ("segment", "word")),
    ("verbose_json", ("segment",)),
    ("json", ()),
    ("text", ()),
)
FORMAT_WORDS = re.compile(r"response.?format|verbose.?json|timestamp|granularit", re.I)
WHAT = "the transcription server"


class RemoteTranscriber:
    """Transcribes files on an OpenAI-compatible server; thread-safe, one instance per app."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str = DEFAULT_MODEL,
        uploads_in_flight: int = 4,
        *,
        split_bytes: int = UPLOAD_LIMIT_BYTES,
        chunk_s: float = CHUNK_S,
        timeout_s: float = 300.0,
        policy: RetryPolicy | None = None,
    ) -> None:
        if split_bytes < MIN_UPLOAD_BYTES:
            raise ValueError(f"an upload limit of {split_bytes} bytes cannot hold one second of audio")
        register(api_key)
        register_url(base_url)
        self.base_url = base_url
        self.api_key = api_key
        self.model = model or DEFAULT_MODEL
        self.model_name = f"remote:{self.model}"
        self.uploads_in_flight = max(1, uploads_in_flight)
        self.split_bytes = split_bytes
        self.chunk_s = chunk_s
        self.timeout_s = timeout_s
        self.policy = policy or RetryPolicy()
        self._slots = threading.BoundedSemaphore(self.uploads_in_flight)
        # Extraction is CPU work: one file per core, so the next files' audio is ready as upload slots free.
        self._extracting = threading.BoundedSemaphore(os.cpu_count() or 2)
        self._lock = threading.Lock()
        self._mode = 0
        self._client: Any = None

    def warm_up(self) -> None:
        """Make the HTTP client; nothing is sent, so a server problem is reported with the file it concerns."""
        self._get_client()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def transcribe(
        self, path: Path, token: CancelToken, on_progress: Callable[[float, float], None] | None = None
    ) -> dict[str, Any]:
        """Transcribe one file; its pieces go up in parallel. Raises AdFailed for this file (a TranscriptionError
        when its audio cannot be read), JobError when no file can succeed (a refused key), JobStopped at once when
        the job is stopped. `on_progress(seconds done, duration)` runs on this thread as pieces come back."""
        token.raise_if_stopped()
        with held(self._extracting, token):
            chunks, duration = extract_chunks(path, token, self.split_bytes, self.chunk_s)
        answers: dict[int, dict[str, Any]] = {}

        def done(index: int, outcome: dict[str, Any] | Exception) -> None:
            if isinstance(outcome, Exception):
                raise outcome
            answers[index] = outcome
            if on_progress is not None:
                on_progress(sum(chunks[i].duration_s for i in answers), duration)

        run_parallel([partial(self._upload, chunk) for chunk in chunks], self.uploads_in_flight, token, done)
        return merge([(c.start_s, c.duration_s, answers[c.index]) for c in chunks], duration)

    def transcribe_many(
        self, paths: Sequence[Path], token: CancelToken, on_each: Callable[[int, dict[str, Any] | Exception], None]
    ) -> None:
        """Transcribe several files with up to `uploads_in_flight` uploads at once. `on_each(index, transcript
        or the file's error)` runs on this thread as each file ends, in the order they end. A JobError (a refused
        key) or a stop ends the whole batch at once and is raised here."""

        def done(index: int, outcome: dict[str, Any] | Exception) -> None:
            if isinstance(outcome, JobError):
                raise outcome
            on_each(index, outcome)

        # Twice as many files under way as uploads in flight: the next ones are extracted while these go up.
        run_parallel([partial(self.transcribe, path) for path in paths], 2 * self.uploads_in_flight, token, done)

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = openai_client(self.base_url, self.api_key, self.timeout_s)
            return self._client

    def _upload(self, chunk: AudioChunk, token: CancelToken) -> dict[str, Any]:
        """One piece up and its answer back, holding one of the instance's upload slots meanwhile."""
        with held(self._slots, token):
            while True:
                mode = self._mode
                try:
                    return self.policy.call(
                        partial(self._request, chunk, mode), token, lambda text: log.info("%s", text), WHAT
                    )
                except _FormatRefused:
                    self._next_mode(mode)

    def _next_mode(self, refused: int) -> None:
        with self._lock:
            if self._mode == refused:  # else another upload moved on already
                self._mode = refused + 1
                log.info("%s refused %s; asking for %s from now on", WHAT, MODES[refused], MODES[self._mode])

    def _request(self, chunk: AudioChunk, mode: int) -> dict[str, Any]:
        import openai

        fmt, granularities = MODES[mode]
        extra: dict[str, Any] = {"timestamp_granularities": list(granularities)} if granularities else {}
        try:
            raw = self._get_client().audio.transcriptions.with_raw_response.create(
                model=self.model,
                file=(f"audio-{chunk.index}.mp3", chunk.data, "audio/mpeg"),
                response_format=fmt,
                **extra,
            )
        except openai.APIStatusError as exc:
            raise self._translate(exc, mode) from exc
        except openai.APITimeoutError as exc:
            raise RetryableError(f"no answer from {WHAT} within {self.timeout_s:.0f} s") from exc
        except openai.APIConnectionError as exc:
            log.info("cannot reach %s: %s", WHAT, scrub(f"{exc!r} (cause {exc.__cause__!r})"))
            raise RetryableError(f"cannot reach {WHAT}") from exc
        return _answer(raw.text, fmt)

    def _translate(self, exc: Any, mode: int) -> Exception:
        """An HTTP error as what happens next (retry, next format, fail the job or this file), in plain words;
        the server's message is scrubbed, since servers echo the key they were sent."""
        status = exc.status_code
        message = scrub(server_reason(exc))
        log.info("%s answered HTTP %s: %s", WHAT, status, message)
        if status in RETRYABLE_STATUS:
            hint = retry_after_seconds(exc.response.headers.get("retry-after"))
            return RetryableError(f"{WHAT} is busy or failing (HTTP {status}): {message}", hint)
        if status in (400, 415, 422, 501) and mode + 1 < len(MODES) and FORMAT_WORDS.search(message):
            return _FormatRefused()
        if status in (401, 403):
            return JobError(
                f"The transcription server rejected the API key (HTTP {status}): {message}. "
                "Check the transcription API key in Settings.",
                settings_field="transcribe_api_key",
            )
        if status == 404:
            field = "transcribe_model" if "model" in message.lower() else "transcribe_url"
            return JobError(
                f"The transcription server at {endpoint_without_credentials(self.base_url)} has no model "
                f"{self.model!r} or no transcription endpoint (HTTP 404): {message}. "
                "Check the transcription URL (it ends in /v1) and model in Settings.",
                settings_field=field,
            )
        return AdFailed(f"{WHAT} refused this audio (HTTP {status}): {message}")


class _FormatRefused(Exception):
    pass


def _answer(body: str, fmt: str) -> dict[str, Any]:
    """The server's answer as a dict with at least "text"."""
    if fmt == "text":
        return {"text": body.strip()}
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("text", ""), str):
        log.info("%s answered something other than a transcription: %r", WHAT, scrub(body[:300]))
        raise AdFailed(f"{WHAT} answered something other than a transcription")
    return data
