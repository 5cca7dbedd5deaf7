"""The transcriber child process: loads faster-whisper once and answers requests over a pipe.

Spawned children import this module (and the parent's entry module) afresh, so it imports nothing
heavy at module level: faster-whisper and PyAV load inside the functions that use them.

An English-only model (tiny.en) is told the language is English, so it cannot say when it is not: the
transcript then goes through the check in speech_language.py, which drops what was not really transcribed
and says so in `speech_check`. A multilingual model detects the language itself."""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from desktop_app.core.context import AdFailed  # light: the child imports nothing heavy at module level
from desktop_app.core.untranscribed import DETECTED, ENGLISH, PARTLY_ENGLISH
from desktop_app.engines.child_process import give_back_memory
from desktop_app.engines.speech_language import Span, check_english, keep_transcribed, speech_spans

SAMPLING_RATE = 16000  # what Whisper listens at
# The temperature fallback samples. Seeded per file, a fresh child hears a file the same way every time; the
# sampler keeps some state across files, so in a long-lived child the order of the files can still matter.
SEED = 0

Send = Callable[[tuple[Any, ...]], None]


class TranscriptionError(AdFailed):
    """This file cannot be transcribed (corrupt, no audio track, decoder crash): one ad's outcome."""


def decode(path: str) -> Any:
    """The file's audio as Whisper hears it (mono float32 at 16 kHz), decoded once for the detector and the model."""
    import av
    from faster_whisper import decode_audio

    try:
        with av.open(path) as container:
            if not container.streams.audio:
                raise TranscriptionError("the video has no audio track")
        return decode_audio(path, sampling_rate=SAMPLING_RATE)
    except av.error.FFmpegError as exc:
        raise TranscriptionError(f"corrupt or unsupported video file ({exc.strerror or exc})") from exc


def _segment(seg: Any) -> dict[str, Any]:
    words = [
        {"start": round(w.start, 2), "end": round(w.end, 2), "word": w.word, "probability": round(w.probability, 3)}
        for w in seg.words or []
    ]
    return {
        "start": round(seg.start, 2),
        "end": round(seg.end, 2),
        "text": seg.text.strip(),
        "words": words,
        "avg_logprob": round(seg.avg_logprob, 3),
        "no_speech_prob": round(seg.no_speech_prob, 3),
        "compression_ratio": round(seg.compression_ratio, 3),
    }


def listen(model: Any, audio: Any, language: str | None, send: Send) -> tuple[list[dict[str, Any]], Any]:
    """Run faster-whisper over the audio; `send` gets ("info", duration, language) first, then
    ("progress", seconds) after each segment."""
    import ctranslate2

    ctranslate2.set_random_seed(SEED)
    segments, info = model.transcribe(audio, word_timestamps=True, vad_filter=True, language=language)
    send(("info", info.duration, info.language))
    out = []
    for seg in segments:
        out.append(_segment(seg))
        send(("progress", seg.end))
    return out, info


def transcript_of(segments: list[dict[str, Any]], info: Any, speech: list[Span] | None) -> dict[str, Any]:
    """The stored transcript. With `speech` (the detector's spans, for an English-only model) the words the
    check does not believe are dropped and the language is "en" only when English speech was heard; without
    it, the language is the model's own detection."""
    if speech is None:
        check: dict[str, Any] = {"verdict": DETECTED, "untranscribed": [], "untranscribed_share": 0.0}
        check["speech_s"] = round(info.duration_after_vad, 2)
        language, probability = info.language, round(info.language_probability, 3)
    else:
        check = check_english(segments, speech)
        segments = keep_transcribed(segments, [(s["start"], s["end"]) for s in check["untranscribed"]])
        language = "en" if check["verdict"] in (ENGLISH, PARTLY_ENGLISH) else None
        probability = None
    return {
        "text": " ".join(s["text"] for s in segments).strip(),
        "segments": segments,
        "language": language,
        "language_probability": probability,
        "duration_s": round(info.duration, 2),
        "speech_check": check,
    }


class HeardSpeech:
    """The speech faster-whisper's own voice-activity pass (vad_filter) found in the last file, kept for the language
    check, which needs the same spans: running the detector a second time cost as much as decoding the file. It
    wraps the name faster_whisper.transcribe calls (looked up at each call); should a version stop calling it, no
    spans are kept and the check runs the detector itself."""

    def __init__(self) -> None:
        from faster_whisper import transcribe as module

        self._detect: Callable[..., list[dict[str, int]]] = module.get_speech_timestamps
        self._chunks: list[dict[str, int]] | None = None
        self._samples = -1  # the length of the audio the kept spans were found in
        module.get_speech_timestamps = self._kept

    def _kept(self, audio: Any, *args: Any, **kwargs: Any) -> list[dict[str, int]]:
        self._chunks = self._detect(audio, *args, **kwargs)
        self._samples = len(audio)
        return self._chunks

    def forget(self) -> None:
        """Before a file: what the next call finds is this file's."""
        self._chunks = None

    def spans(self, audio: Any) -> list[Span]:
        """The speech of the file just transcribed, in seconds."""
        if self._chunks is None or self._samples != len(audio):  # not this file's whole audio: find them again
            return speech_spans(audio, SAMPLING_RATE)
        return [(c["start"] / SAMPLING_RATE, c["end"] / SAMPLING_RATE) for c in self._chunks]


def _transcribe_one(model: Any, path: str, english_only: bool, heard: HeardSpeech, send: Send) -> dict[str, Any]:
    audio = decode(path)
    heard.forget()
    segments, info = listen(model, audio, "en" if english_only else None, send)
    return transcript_of(segments, info, heard.spans(audio) if english_only else None)


def serve(model_ref: str, cpu_threads: int, conn: Connection) -> None:
    """Child process main: load the model once, then answer requests until the pipe closes."""
    try:
        import threading

        from tqdm import tqdm

        # tqdm's default lock is a multiprocessing semaphore: a child killed by a cancel would leave it to the
        # resource tracker, which warns about it on the user's terminal. A thread lock does the same job here.
        tqdm.set_lock(threading.RLock())
        from faster_whisper import WhisperModel

        model = WhisperModel(model_ref, device="cpu", compute_type="int8", cpu_threads=cpu_threads)
    except Exception as exc:
        conn.send(("fatal", "The Whisper model could not be loaded.", f"{model_ref}: {type(exc).__name__}: {exc}"))
        return
    english_only = model_ref.endswith(".en") or not model.model.is_multilingual
    heard = HeardSpeech()
    try:
        conn.send(("ready",))
        while True:
            try:
                request = conn.recv()
            except (EOFError, ConnectionError):
                return  # the app closed the pipe (a reset if it left answers unread)
            try:
                conn.send(("done", _transcribe_one(model, request, english_only, heard, conn.send)))
            except TranscriptionError as exc:
                conn.send(("error", str(exc)))
            except (ConnectionError, EOFError):
                raise
            except Exception as exc:
                conn.send(("error", "the transcriber failed on this file", f"{type(exc).__name__}: {exc}"))
            finally:
                give_back_memory()
    except (ConnectionError, EOFError):
        return  # the app closed the pipe: nothing is waiting for an answer
