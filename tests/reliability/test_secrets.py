"""Secrets stay secret: an LLM server that echoes the API key and a password in the base URL leave no
trace in the database, the CLI's output or the worker's log; and the scrubber itself, piece by piece."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest

from desktop_app.cli import main
from desktop_app.composition import AppServices
from desktop_app.core.context import AdFailed, CancelToken, JobError
from desktop_app.core.facts import AdInput, build_input
from desktop_app.core.scrub import HIDDEN, ScrubFilter, endpoint_without_credentials, register, scrub, scrub_data
from desktop_app.core.types import ItemStatus, JobStatus
from desktop_app.engines.heuristic import analyse
from desktop_app.engines.llm import LLMAnalyser
from desktop_app.engines.network import RetryableError, RetryPolicy
from tests.conftest import REPO, wait_final
from tests.servers import OpenAIDouble, send_json, serve

# Not key-shaped on purpose: only the registry of known values can catch these two.
KEY = "probe-key-7f3a9c2e41b8d5"
PASSWORD = "pw-9d2c41e7aa"


def _ad() -> AdInput:
    segments = [{"start": 0.0, "end": 2.0, "text": "Dinner in ten minutes.", "words": []}]
    return build_input("901", 0, {"page_name": "Example Meals"}, {"text": segments[0]["text"], "segments": segments})


class EchoingDouble(OpenAIDouble):
    """A careless server: every error quotes the key and the credentials it was sent.

    The app asks about several ads at once, so what each request gets depends on its ad (by the page named in it),
    not on the order the requests come in: the first ad is rate-limited once (429, retried) and then answered, the
    second answered, the third refused (400: that ad fails), the fourth answered, any other rejects the key (401)."""

    STEPS: ClassVar[dict[str, tuple[tuple[int, str] | None, ...]]] = {
        "Example Meals": ((429, "Rate limit reached"), None),
        "Northwind Fitness": (None,),
        "Lumen Skincare": ((400, "Bad request"),),
        "Acme Books": (None,),
    }
    REJECTED = (401, "Incorrect API key provided")

    def __init__(self, default: dict[str, Any]) -> None:
        super().__init__(default)
        self.asked: dict[str, int] = {}  # requests so far, by page

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        if not request.path.endswith("/chat/completions"):
            super().handle(request)
            return
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        page = next((name for name in self.STEPS if name in body.decode(errors="replace")), "")
        with self.lock:
            n = self.asked[page] = self.asked.get(page, -1) + 1
        steps = self.STEPS.get(page, (self.REJECTED,))
        step = steps[min(n, len(steps) - 1)]
        if step is None:  # answered as OpenAIDouble answers, from the body already read
            kept, request.rfile = request.rfile, io.BytesIO(body)
            try:
                super().handle(request)
            finally:
                request.rfile = kept
            return
        with self.lock:
            self.requests.append({})
        status, text = step
        sent = request.headers.get("Authorization", "")
        if sent.startswith("Basic "):  # httpx sends a URL's user:password@ as Basic credentials
            sent = base64.b64decode(sent[6:]).decode()
        headers = {"Retry-After": "0"} if status == 429 else None
        send_json(request, status, {"error": {"message": f"{text}: {KEY} (you sent {sent})"}}, headers)


def _database_dump(path: Path) -> str:
    """Every row of every table, as text."""
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"'))


def test_an_echoed_key_and_a_url_password_are_stored_printed_and_logged_nowhere(
    analysed: AppServices, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real job (the sample ads, transcribed already) run by the detached worker `run` starts, analysed
    by a server that echoes the key; then the CLI's output read from a shell without the secrets."""
    double = EchoingDouble(analyse(_ad()).model_dump(mode="json"))
    with serve(double.handle) as url:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", url.replace("http://", f"http://marketer:{PASSWORD}@") + "/v1")
        assert main(["run", "--sample", "--json"]) == 0
        job_id = json.loads(capsys.readouterr().out)["job_id"]
        job = wait_final(analysed, job_id, timeout=120)
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")

    assert job.status == JobStatus.FAILED and "rejected the API key" in (job.error or "")
    assert HIDDEN in (job.error or "")
    failed = [i for i in analysed.service.items(job_id) if i.status == ItemStatus.FAILED]
    assert failed and all(HIDDEN in (i.reason or "") for i in failed)
    dump = _database_dump(analysed.paths.database)
    assert f"'{url}/v1'" in dump  # the analyses done before the 401 name the endpoint without its password

    for args in (["status", job_id, "--json"], ["status", job_id], ["results", job_id, "--json"], ["results", job_id]):
        assert main(args) == 0
    printed = "".join(capsys.readouterr())
    assert job_id in printed and "rejected the API key" in printed
    log = (analysed.paths.logs / "worker.log").read_text(errors="replace")
    files = b"".join(p.read_bytes() for p in analysed.paths.home.rglob("*") if p.is_file())
    for secret in (KEY, PASSWORD):
        assert secret not in dump
        assert secret not in printed
        assert secret not in log
        assert secret.encode() not in files


def test_key_shaped_strings_are_hidden_without_being_registered() -> None:
    text = (
        "key sk-proj-AbC123dEf456GhI789 rejected; Authorization: Bearer abc.DEF-123_ghi456; "
        "token EAABsbCS1iHgBAKZC0ZD12345678; https://graph.facebook.com/v25.0/ads_archive?after=2&access_token=EAAB9x"
        "&limit=5; proxy http://ann:hunter2secret@10.0.0.5:8080/v1"
    )
    hidden = scrub(text)
    for secret in ("sk-proj-AbC123dEf456GhI789", "abc.DEF-123_ghi456", "EAABsbCS1iHgBAKZC0ZD12345678", "hunter2secret"):
        assert secret not in hidden
    assert "access_token=[hidden]&limit=5" in hidden and "http://ann:[hidden]@10.0.0.5:8080/v1" in hidden
    # Ordinary ad copy is left as it is.
    prose = "Bearer of good news: our task-management app, 50% off. Basic plan at https://example.com/?a=1"
    assert scrub(prose) == prose


def test_registered_values_are_hidden_everywhere_and_short_ones_are_ignored() -> None:
    register("zq-registered-7731")
    register("abc")  # too short to hide without hiding ordinary words
    assert scrub("the key zq-registered-7731 expired; abc") == f"the key {HIDDEN} expired; abc"
    nested = scrub_data({"error": ["zq-registered-7731", 3, None], "ok": True})
    assert nested == {"error": [HIDDEN, 3, None], "ok": True}
    assert json.loads(json.dumps(scrub_data({"q": 'say "zq-registered-7731"\\'}))) == {"q": f'say "{HIDDEN}"\\'}


def test_an_endpoint_is_stored_without_credentials() -> None:
    assert endpoint_without_credentials("http://u:p4ss@localhost:11434/v1#x") == "http://localhost:11434/v1"
    assert endpoint_without_credentials("https://ai.example.com/v1?api-key=abc123") == (
        "https://ai.example.com/v1?api-key=[hidden]"
    )
    assert endpoint_without_credentials("https://api.openai.com/v1") == "https://api.openai.com/v1"


def test_log_records_lose_their_secrets_in_message_and_traceback() -> None:
    register("zq-logged-secret-5512")
    try:
        raise RuntimeError("server said: bad key zq-logged-secret-5512")
    except RuntimeError:
        record = logging.getLogger("probe").makeRecord(
            "probe", logging.ERROR, __file__, 1, "calling %s failed", ("Bearer zq-logged-secret-5512",), sys.exc_info()
        )
    assert ScrubFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert "zq-logged-secret-5512" not in text
    assert "calling Bearer [hidden] failed" in text and "RuntimeError: server said: bad key [hidden]" in text


@pytest.mark.parametrize(("status", "raised"), [(401, JobError), (400, AdFailed), (429, RetryableError)])
def test_llm_errors_carry_no_key(status: int, raised: type[Exception]) -> None:
    """What the analyser raises and reports while it waits (so what a job stores) never quotes the key
    the server echoed, in any of the ways a request fails."""
    secret = "zq-llm-key-90210xyz"

    def echo(request: BaseHTTPRequestHandler) -> None:
        request.rfile.read(int(request.headers.get("Content-Length") or 0))
        send_json(request, status, {"error": {"message": f"no: {request.headers.get('Authorization')}"}})

    with serve(echo) as url:
        analyser = LLMAnalyser("m", base_url=f"{url}/v1", api_key=secret)
        analyser.policy = RetryPolicy(attempts=2, initial_s=0.01, max_wait_s=0.01)
        waits: list[str] = []
        with pytest.raises(raised) as error:
            analyser.analyse(_ad(), CancelToken(), waits.append)
    said = " ".join([str(error.value), *waits])
    assert secret not in said and "Bearer [hidden]" in said


def test_installed_scrubbing_covers_every_logger_and_uncaught_tracebacks() -> None:
    """In a fresh process, as the app's entry point installs it: a handler added afterwards, a thread's
    and the main thread's uncaught exceptions all print without the key."""
    script = """
import logging, sys, threading
from desktop_app.core.scrub import install_log_scrubbing
install_log_scrubbing()
logging.basicConfig(stream=sys.stderr)
logging.getLogger("late").error("server said %s", "key " + sys.argv[1])
thread = threading.Thread(target=lambda: (_ for _ in ()).throw(RuntimeError("thread saw " + sys.argv[1])))
thread.start(); thread.join()
raise RuntimeError("main saw " + sys.argv[1])
"""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENAI_API_KEY": KEY}
    done = subprocess.run([sys.executable, "-c", script, KEY], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    for said in ("server said key [hidden]", "RuntimeError: thread saw [hidden]", "RuntimeError: main saw [hidden]"):
        assert said in done.stderr
    assert KEY not in done.stderr
