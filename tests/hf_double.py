"""A stand-in for the Hugging Face Hub on 127.0.0.1, for huggingface_hub's real snapshot_download (point
HF_ENDPOINT at it). It answers the calls that download makes, as the Hub does:

- GET  /api/models/{repo}/revision/{rev}   the repository's info: its commit (`sha`) and files (`siblings`)
- GET  /api/models/{repo}/tree/{commit}    the file listing with sizes (LFS files with their sha256)
- HEAD /{repo}/resolve/{commit}/{file}     ETag, X-Repo-Commit and Content-Length, no body
- GET  /{repo}/resolve/{commit}/{file}     the bytes (a Range request gets 206 from that offset)
- GET  /api/agent-harnesses                 the registry huggingface_hub reads for its User-Agent (empty here)

Anything else is a 404 the Hub would send (X-Error-Code: RepoNotFound or EntryNotFound). Every request is
recorded; a file can be served slowly from a given byte on, to watch progress or to cancel mid-file."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from tests.servers import send_json, serve

COMMIT = "4b1c7e5d9a3f2e8c6b0a1d7f9e3c5b2a8d6f4e10"
PIECE = 64 * 1024


def faster_whisper_repo(model_bytes: int) -> dict[str, bytes]:
    """A CTranslate2 Whisper repository as faster-whisper's are laid out (model.bin is filler, not weights),
    plus the README and .gitattributes that its download leaves out."""
    config = {"alignment_heads": [[2, 2]], "lang_ids": [50259], "suppress_ids": [], "suppress_ids_begin": [220]}
    return {
        "config.json": json.dumps(config).encode(),
        "preprocessor_config.json": json.dumps({"feature_size": 80, "sampling_rate": 16000}).encode(),
        "tokenizer.json": json.dumps({"version": "1.0", "model": {"type": "BPE", "vocab": {}}}).encode(),
        "vocabulary.txt": "\n".join(f"token{i}" for i in range(500)).encode(),
        "model.bin": bytes(range(256)) * (model_bytes // 256),
        "README.md": b"# A test model\n",
        ".gitattributes": b"*.bin filter=lfs diff=lfs merge=lfs -text\n",
    }


@dataclass
class HubDouble:
    """What the double serves and what it saw. `slow` maps a file to (from byte, bytes per second)."""

    repos: dict[str, dict[str, bytes]]
    slow: dict[str, tuple[int, int]] = field(default_factory=dict)
    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    body_started: dict[str, threading.Event] = field(default_factory=dict)
    closing: threading.Event = field(default_factory=threading.Event)

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = unquote(urlsplit(request.path).path)
        self.requests.append((request.command, path))
        try:
            if path == "/api/agent-harnesses":
                send_json(request, 200, {"standardEnvVars": [], "harnesses": {}})
            elif path.startswith("/api/models/"):
                self._api(request, path.removeprefix("/api/models/"))
            else:
                self._resolve(request, path.lstrip("/"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a cancelled download): nothing to answer

    def _api(self, request: BaseHTTPRequestHandler, rest: str) -> None:
        for marker in ("/revision/", "/tree/"):
            repo_id, found, _revision = rest.partition(marker)
            if found and repo_id in self.repos:
                files = self.repos[repo_id]
                if marker == "/revision/":
                    siblings = [{"rfilename": name} for name in files]
                    send_json(request, 200, {"id": repo_id, "sha": COMMIT, "private": False, "siblings": siblings})
                else:
                    send_json(request, 200, [_tree_entry(name, data) for name, data in files.items()])
                return
        send_json(request, 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})

    def _resolve(self, request: BaseHTTPRequestHandler, rest: str) -> None:
        repo_id, _, file_part = rest.partition("/resolve/")
        _revision, _, name = file_part.partition("/")
        data = self.repos.get(repo_id, {}).get(name)
        if data is None:
            code = "EntryNotFound" if repo_id in self.repos else "RepoNotFound"
            send_json(request, 404, {"error": "not found"}, {"X-Error-Code": code, "X-Repo-Commit": COMMIT})
            return
        start = _range_start(request.headers.get("Range"))
        request.send_response(206 if start else 200)
        request.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        request.send_header("X-Repo-Commit", COMMIT)
        request.send_header("Accept-Ranges", "bytes")
        request.send_header("Content-Length", str(len(data) - start))
        if start:
            request.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        request.end_headers()
        if request.command == "GET":
            self.body_started.setdefault(name, threading.Event()).set()
            self._send_body(request, name, data, start)

    def _send_body(self, request: BaseHTTPRequestHandler, name: str, data: bytes, start: int) -> None:
        slow_from, rate = self.slow.get(name, (len(data), 0))
        fast_end = max(start, min(slow_from, len(data)))
        request.wfile.write(data[start:fast_end])
        for offset in range(fast_end, len(data), PIECE):
            if self.closing.is_set():
                return
            request.wfile.write(data[offset : offset + PIECE])
            request.wfile.flush()
            time.sleep(PIECE / rate)


def _tree_entry(name: str, data: bytes) -> dict[str, object]:
    entry: dict[str, object] = {"type": "file", "path": name, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
    if name.endswith(".bin"):
        entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
    return entry


def _range_start(header: str | None) -> int:
    if not header or not header.startswith("bytes="):
        return 0
    return int(header.removeprefix("bytes=").split("-", 1)[0] or 0)


@contextmanager
def hub_double(double: HubDouble) -> Iterator[HubDouble]:
    """Serve `double` on a free loopback port (its `url` is set) until the block ends."""
    with serve(double.handle) as url:
        double.url = url
        try:
            yield double
        finally:
            double.closing.set()
