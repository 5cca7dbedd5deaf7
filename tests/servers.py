"""Small real HTTP servers on 127.0.0.1 that stand in for the outside world in tests.

The app's real clients (openai, httpx, yt-dlp) talk to them over the wire."""

from __future__ import annotations

import json
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


def send_json(request: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(payload)))
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    request.end_headers()
    request.wfile.write(payload)


def read_json(request: BaseHTTPRequestHandler) -> Any:
    length = int(request.headers.get("Content-Length") or 0)
    return json.loads(request.rfile.read(length) or b"{}")


class OpenAIDouble:
    """An OpenAI-compatible chat completions endpoint with scripted answers.

    `script` holds what the next requests get: {"json": obj}, {"text": str}, {"status": code, ...}.
    When it is empty, every request gets `default` as strict JSON."""

    def __init__(self, default: dict[str, Any]) -> None:
        self.default = default
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.supports_json_schema = True
        self.supports_json_object = True
        self.delay_s = 0.0
        self.lock = threading.Lock()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
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
        if self.delay_s:
            time.sleep(self.delay_s)
        if "status" in step:
            message = step.get("message", "error")
            send_json(request, step["status"], {"error": {"message": message}}, step.get("headers"))
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
