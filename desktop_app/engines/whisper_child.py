"""The transcriber child process: loads faster-whisper once and answers requests over a pipe.

Spawned children import this module (and the parent's entry module) afresh, so it imports nothing
heavy at module level: faster-whisper and PyAV load inside `serve`."""

from __future__ import annotations

from multiprocessing.connection import Connection
from typing import Any


class TranscriptionError(Exception):
    """This file cannot be transcribed (corrupt, no audio track, decoder crash): one ad's outcome."""


def _probe(path: str) -> None:
    import av

    try:
        with av.open(path) as container:
            if not container.streams.audio:
                raise TranscriptionError("the video has no audio track")
    except av.error.FFmpegError as exc:
        raise TranscriptionError(f"corrupt or unsupported video file ({exc.strerror or exc})") from exc


def _transcribe_one(model: Any, path: str, english_only: bool, conn: Connection) -> dict[str, Any]:
    _probe(path)
    segments, info = model.transcribe(
        path, word_timestamps=True, vad_filter=True, language="en" if english_only else None
    )
    conn.send(("info", info.duration, info.language))
    out: list[dict[str, Any]] = []
    for seg in segments:
        words = [{"start": round(w.start, 2), "end": round(w.end, 2), "word": w.word} for w in seg.words or []]
        out.append({"start": round(seg.start, 2), "end": round(seg.end, 2), "text": seg.text.strip(), "words": words})
        conn.send(("progress", seg.end))
    return {
        "text": " ".join(s["text"] for s in out).strip(),
        "segments": out,
        "language": info.language,
        "language_probability": round(info.language_probability, 3),
        "duration_s": round(info.duration, 2),
    }


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
        conn.send(("fatal", f"cannot load the Whisper model {model_ref!r}: {exc}"))
        return
    english_only = model_ref.endswith(".en") or not model.model.is_multilingual
    try:
        conn.send(("ready",))
        while True:
            try:
                request = conn.recv()
            except (EOFError, ConnectionError):
                return  # the app closed the pipe (a reset if it left answers unread)
            try:
                conn.send(("done", _transcribe_one(model, request, english_only, conn)))
            except TranscriptionError as exc:
                conn.send(("error", str(exc)))
            except (ConnectionError, EOFError):
                raise
            except Exception as exc:
                conn.send(("error", f"transcription failed: {type(exc).__name__}: {exc}"))
    except (ConnectionError, EOFError):
        return  # the app closed the pipe: nothing is waiting for an answer
