"""Small real HTTP servers on 127.0.0.1 that stand in for the outside world in tests: how to serve one, and the
OpenAI-compatible chat server and the video host (Meta's Graph API: graph_double.py; a transcription server:
transcription_double.py).

The app's real clients (openai, httpx, yt-dlp) talk to them over the wire."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def serve(handle: Handler) -> Iterator[str]:
    """Run `handle` for every request on a free loopback port; yields the base URL."""

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            handle(self)

        def do_POST(self) -> None:
            handle(self)

        def do_HEAD(self) -> None:
            handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), RequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _send(
    request: BaseHTTPRequestHandler, status: int, payload: bytes, kind: str, headers: dict[str, str] | None
) -> None:
    request.send_response(status)
    request.send_header("Content-Type", kind)
    request.send_header("Content-Length", str(len(payload)))
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    request.end_headers()
    request.wfile.write(payload)


def send_json(request: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    _send(request, status, json.dumps(body).encode(), "application/json", headers)


def send_text(request: BaseHTTPRequestHandler, status: int, text: str, headers: dict[str, str] | None = None) -> None:
    _send(request, status, text.encode(), "text/plain; charset=utf-8", headers)


def read_json(request: BaseHTTPRequestHandler) -> Any:
    length = int(request.headers.get("Content-Length") or 0)
    return json.loads(request.rfile.read(length) or b"{}")


class OpenAIDouble:
    """An OpenAI-compatible chat completions endpoint with scripted answers.

    `script` holds what the next requests get: {"json": obj}, {"text": str}, {"status": code, ...}, or for
    streamed requests {"stream": [pieces], "cut_after": n, "piece_delay_s": s}: server-sent events, one
    per piece, and with `cut_after` the connection drops after n pieces, mid-answer. A step's "delay_s" replaces
    `delay_s` (the seconds every answer waits) for that request.
    When it is empty, every request gets `default` as strict JSON. `hold` makes answers wait until a test lets
    them through, for orderings that no delay can guarantee on a loaded machine."""

    def __init__(self, default: dict[str, Any]) -> None:
        self.default = default
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.supports_json_schema = True
        self.supports_json_object = True
        self.delay_s = 0.0
        self.lock = threading.Lock()
        self.at_once = self.most_at_once = 0  # chat requests being answered now, and the most there ever were
        self.asked_at: list[float] = []  # when each chat request came in (time.time())
        self.passes: int | None = None  # answers still let through while held; None: not held
        self.held = 0  # requests waiting to be let through
        self._round = 0  # `drop_held` ends a round: its waiting requests close unanswered
        self._gate = threading.Condition()

    def hold(self) -> None:
        """From now on each answer waits until `let_through` (or `open`) lets it go."""
        with self._gate:
            self.passes = 0

    def let_through(self, count: int = 1) -> None:
        with self._gate:
            self.passes = (self.passes or 0) + count
            self._gate.notify_all()

    def open(self) -> None:
        """Every answer goes at once again, the waiting ones first."""
        with self._gate:
            self.passes = None
            self._gate.notify_all()

    def drop_held(self) -> None:
        """The waiting requests' client is gone (a killed process): they close unanswered, and a later
        `let_through` goes to the requests of the next client."""
        with self._gate:
            self._round += 1
            self.held = 0
            self._gate.notify_all()

    def _let_through(self) -> bool:
        """Wait while answers are held; False when the request was dropped."""
        with self._gate:
            round_ = self._round
            self.held += 1
            self._gate.wait_for(lambda: self._round != round_ or self.passes is None or self.passes > 0)
            if self._round != round_:
                return False
            self.held -= 1
            if self.passes is not None:
                self.passes -= 1
            return True

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        if not request.path.endswith("/chat/completions"):
            self._answer(request)
            return
        with self.lock:
            self.asked_at.append(time.time())
            self.at_once += 1
            self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            self._answer(request)
        finally:
            with self.lock:
                self.at_once -= 1

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        if request.path.endswith("/models") and request.command == "GET":
            if request.headers.get("Authorization") == "Bearer wrong-key":
                send_json(request, 401, {"error": {"message": "Incorrect API key provided"}})
            else:
                send_json(request, 200, {"object": "list", "data": [{"id": "gpt-4o-mini"}, {"id": "llama3"}]})
            return
        if not request.path.endswith("/chat/completions"):
            send_json(request, 404, {"error": {"message": "not found"}})
            return
        body = read_json(request)
        fmt = (body.get("response_format") or {}).get("type")
        with self.lock:
            self.requests.append(body)
            unsupported = (fmt == "json_schema" and not self.supports_json_schema) or (
                fmt == "json_object" and not self.supports_json_object
            )
            step = None if unsupported else (self.script.popleft() if self.script else {"json": self.default})
        if unsupported:
            send_json(request, 400, {"error": {"message": f"response_format {fmt} is not supported by this server"}})
            return
        assert step is not None
        if not self._let_through():
            request.close_connection = True
            return
        if delay := step.get("delay_s", self.delay_s):  # a step may take its own time
            time.sleep(delay)
        if "status" in step:
            message = step.get("message", "error")
            send_json(request, step["status"], {"error": {"message": message}}, step.get("headers"))
            return
        if body.get("stream"):
            self._stream(request, body, step.get("stream") or [json.dumps(step.get("json", step.get("text")))], step)
            return
        content = json.dumps(step["json"]) if "json" in step else step["text"]
        send_json(
            request,
            200,
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200},
            },
        )

    def _stream(
        self, request: BaseHTTPRequestHandler, body: dict[str, Any], pieces: list[str], step: dict[str, Any]
    ) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/event-stream")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()

        def event(choice: dict[str, Any] | str) -> None:
            data = choice if isinstance(choice, str) else json.dumps(
                {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": body.get("model"), "choices": [choice]}
            )  # fmt: skip
            payload = f"data: {data}\n\n".encode()
            request.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
            request.wfile.flush()

        for n, piece in enumerate(pieces):
            if step.get("cut_after") == n:
                request.close_connection = True  # no final chunk: the client sees the body cut short
                return
            role = {"role": "assistant"} if n == 0 else {}
            event({"index": 0, "delta": {**role, "content": piece}, "finish_reason": None})
            time.sleep(step.get("piece_delay_s", 0.0))
        event({"index": 0, "delta": {}, "finish_reason": "stop"})
        event("[DONE]")
        request.wfile.write(b"0\r\n\r\n")


class VideoHost:
    """Serves video files like a CDN: Range requests, plus paths that misbehave on purpose.

    /v/NAME            the file (206 for Range requests)
    /slow/NAME         the file at about `slow_bps` bytes a second
    /reset/NAME        request number `cut_request` for NAME is cut off half way (the pipeline's
                       resolve and download each extract first, so its third request is the download)
    /limited/NAME      429 Too Many Requests
    /page/NAME         an HTML page with a <video> tag pointing at /v/NAME
    /carousel/A,B      an HTML page with one <video> tag per name, each pointing at /v/NAME (a carousel ad)
    /nothing           an HTML page with no video
    /stall/NAME        the headers (with the file's Content-Length), then no body until `release` is set
                       (or `stall_s` passes)
    /silent/NAME       accepts the request and answers nothing until `release` is set (or `stall_s` passes)
    /chunked/NAME      the file with Transfer-Encoding: chunked and no Content-Length
    anything else      404
    """

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.slow_bps = 60_000
        self.requests: list[tuple[str, str | None]] = []
        self.cut_request = 3
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        self.release = threading.Event()  # ends every stall at once (set it when the test is done)
        self.stall_s = 30.0

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?")[0]
        with self.lock:
            self.requests.append((path, request.headers.get("Range")))
        kind, _, name = path.strip("/").partition("/")
        if kind == "page" and name in self.files:
            self._html(request, f'<html><body><h1>Ad</h1><video controls src="/v/{name}"></video></body></html>')
        elif kind == "carousel":
            tags = "".join(f'<video controls src="/v/{n}"></video>' for n in name.split(","))
            self._html(request, f"<html><body><h1>Carousel</h1>{tags}</body></html>")
        elif kind == "nothing":
            self._html(request, "<html><body><img src='/banner.png'><p>An image ad.</p></body></html>")
        elif kind == "limited":
            send_json(request, 429, {"error": "rate limited"}, {"Retry-After": "1"})
        elif kind in ("v", "slow", "reset") and name in self.files:
            self._video(request, kind, name)
        elif kind in ("stall", "silent") and name in self.files:
            self._stall(request, headers=kind == "stall", size=len(self.files[name]))
        elif kind == "chunked" and name in self.files:
            self._chunked(request, self.files[name])
        else:
            send_json(request, 404, {"error": "not found"})

    def _stall(self, request: BaseHTTPRequestHandler, headers: bool, size: int) -> None:
        if headers:
            request.send_response(200)
            request.send_header("Content-Type", "video/mp4")
            request.send_header("Content-Length", str(size))
            request.end_headers()
            request.wfile.flush()
        self.release.wait(self.stall_s)
        request.close_connection = True

    def _chunked(self, request: BaseHTTPRequestHandler, data: bytes) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "video/mp4")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        if request.command == "HEAD":
            return
        try:
            for offset in range(0, len(data), 1 << 16):
                piece = data[offset : offset + (1 << 16)]
                request.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            request.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            request.close_connection = True

    def _html(self, request: BaseHTTPRequestHandler, html: str) -> None:
        body = html.encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(body)

    def _video(self, request: BaseHTTPRequestHandler, kind: str, name: str) -> None:
        data = self.files[name]
        start = 0
        range_header = request.headers.get("Range")
        if range_header and range_header.startswith("bytes="):
            start = int(range_header[6:].split("-")[0] or 0)
        body = data[start:]
        request.send_response(206 if start else 200)
        request.send_header("Content-Type", "video/mp4")
        request.send_header("Accept-Ranges", "bytes")
        request.send_header("Content-Length", str(len(body)))
        if start:
            request.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        request.end_headers()
        if request.command == "HEAD":
            return
        with self.lock:
            key = f"{kind}/{name}"
            self.seen[key] = count = self.seen.get(key, 0) + 1
        if kind == "reset" and count == self.cut_request:
            request.wfile.write(body[: len(body) // 2])
            request.wfile.flush()
            request.close_connection = True
            with contextlib.suppress(OSError):
                request.connection.shutdown(socket.SHUT_RDWR)
            return
        chunk = 4096 if kind == "slow" else 1 << 16
        try:
            for offset in range(0, len(body), chunk):
                request.wfile.write(body[offset : offset + chunk])
                if kind == "slow":
                    time.sleep(chunk / self.slow_bps)
        except (BrokenPipeError, ConnectionResetError):
            pass
