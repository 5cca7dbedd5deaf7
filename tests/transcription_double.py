"""A loopback stand-in for an OpenAI-compatible transcription server (`POST /v1/audio/transcriptions`), answered
from the uploaded audio itself, for the remote-transcription tests and benches (serve it with tests.servers.serve)."""

from __future__ import annotations

import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.servers import send_json, send_text


class TranscriptionDouble:
    """`POST /v1/audio/transcriptions` like OpenAI's: a multipart form (file, model, response_format,
    timestamp_granularities[]), answered from the uploaded audio itself (read with PyAV): one segment of
    `segment_s` seconds after another across the piece, each "Part N of this piece." with its words listed
    apart from the segments and without punctuation, as OpenAI does.

    `script` holds what the next requests get instead ({"status": code, "message": ..., "headers": {...}});
    a response_format missing from `formats` is refused with a 400 (as a text-only server does); every answer waits
    `delay_s`, or with `stall` until `release` is set. Each request is recorded with its form fields, the
    audio's format and duration, and when it arrived and was answered; `most_at_once` is the peak number of
    requests in progress together."""

    def __init__(self, language: str = "english", segment_s: float = 2.0) -> None:
        self.language = language
        self.segment_s = segment_s
        self.formats = {"verbose_json", "json", "text"}
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.delay_s = 0.0
        self.stall = False
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.at_once = 0
        self.most_at_once = 0

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        if not request.path.endswith("/audio/transcriptions") or request.command != "POST":
            send_json(request, 404, {"error": {"message": "not found"}})
            return
        try:
            fields, upload = _multipart(request)
        except ConnectionError:  # the client gave up mid-upload (a cancel)
            request.close_connection = True
            return
        record: dict[str, Any] = {"fields": fields, "auth": request.headers.get("Authorization"), **upload}
        with self.lock:
            self.requests.append(record)
            self.at_once += 1
            self.most_at_once = max(self.most_at_once, self.at_once)
            step = self.script.popleft() if self.script else None
        try:
            self._answer(request, record, step)
        except ConnectionError:  # the client gave up waiting (a cancel)
            request.close_connection = True
        finally:
            with self.lock:
                self.at_once -= 1
                record["answered_at"] = time.monotonic()

    def _answer(self, request: BaseHTTPRequestHandler, record: dict[str, Any], step: dict[str, Any] | None) -> None:
        if self.stall:
            self.release.wait(30)
        time.sleep(self.delay_s)
        fmt = record["fields"].get("response_format", ["json"])[0]
        if step is not None:
            error = {"error": {"message": step.get("message", "error")}}
            send_json(request, step["status"], error, step.get("headers"))
        elif fmt not in self.formats:
            send_json(request, 400, {"error": {"message": f"response_format {fmt} is not supported"}})
        elif fmt == "text":
            send_text(request, 200, self.transcript(record["audio_s"])["text"])
        elif fmt == "verbose_json":
            send_json(request, 200, self.transcript(record["audio_s"]))
        else:
            send_json(request, 200, {"text": self.transcript(record["audio_s"])["text"]})

    def transcript(self, duration: float) -> dict[str, Any]:
        """What this server hears in `duration` seconds of audio (verbose_json)."""
        segments: list[dict[str, Any]] = []
        words: list[dict[str, Any]] = []
        start = 0.0
        while start < duration - 0.01:
            end = min(duration, start + self.segment_s)
            text = f"Part {len(segments) + 1} of this piece."
            tokens = text.rstrip(".").split()
            step = (end - start) / len(tokens)
            words += [
                {"word": w, "start": start + i * step, "end": start + (i + 1) * step} for i, w in enumerate(tokens)
            ]
            segments.append(
                {"id": len(segments), "start": start, "end": end, "text": f" {text}", "no_speech_prob": 0.01}
            )
            start = end
        text = " ".join(s["text"].strip() for s in segments)
        return {"language": self.language, "duration": duration, "text": text, "segments": segments, "words": words}


def _multipart(request: BaseHTTPRequestHandler) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The form fields of a multipart request, and the uploaded file's name, size and audio format and length."""
    import io
    from email.parser import BytesParser
    from email.policy import HTTP

    import av

    length = int(request.headers.get("Content-Length") or 0)
    head = f"Content-Type: {request.headers.get('Content-Type')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.rfile.read(length))
    fields: dict[str, list[str]] = {}
    upload: dict[str, Any] = {"at": time.monotonic()}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        if part.get_filename():
            with av.open(io.BytesIO(data), "r") as container:  # the MP3's own header says how long it is, exactly
                stream = container.streams.audio[0]
                upload.update(file_name=part.get_filename(), file_bytes=len(data), audio_rate=stream.rate,
                              audio_channels=stream.codec_context.channels,
                              audio_s=(container.duration or 0) / 1e6)  # fmt: skip
        else:
            fields.setdefault(str(name), []).append(data.decode())
    return fields, upload
