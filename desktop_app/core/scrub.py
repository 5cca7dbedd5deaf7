"""Secrets out of everything people and files see: API keys, access tokens and URL passwords are replaced
by a marker before text is stored, printed or logged.

Two nets, because a secret can come back from anywhere (a server echoing the key in its error, a URL
with a password in it): the exact values the app knows (registered when settings, the keyring or an
engine hands them over; the environment's are read at every call, so a value set later counts too), and
patterns for key-shaped strings the app never saw. Qt-free and free of app imports: every layer uses it."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

HIDDEN = "[hidden]"
MIN_SECRET_CHARS = 8  # shorter values (placeholder keys such as "ollama") would hide ordinary words
# The variables core/secrets.py reads, and the endpoints that may carry user:password@.
SECRET_ENV = ("OPENAI_API_KEY", "META_ACCESS_TOKEN", "AD_ANALYSIS_TRANSCRIBE_KEY")
URL_ENV = ("OPENAI_BASE_URL", "META_GRAPH_URL", "AD_ANALYSIS_TRANSCRIBE_URL")

_TOKEN_CHARS = r"[A-Za-z0-9._~+/=-]"
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # user:password@ in a URL: the user name stays, the password goes.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@\"'<>]+:)[^/\s@\"'<>]+@"), rf"\g<1>{HIDDEN}@"),
    # Authorization header values; the token must look like one (a digit, or long), not like prose.
    (re.compile(rf"\b(Bearer|Basic)\s+(?=\S*\d|{_TOKEN_CHARS}{{20}}){_TOKEN_CHARS}{{8,}}"), rf"\1 {HIDDEN}"),
    # OpenAI-style keys (sk-..., sk-proj-...) and Meta access tokens (EAA...).
    (re.compile(r"\bsk-[A-Za-z0-9][A-Za-z0-9_-]{10,}"), HIDDEN),
    (re.compile(r"\bEAA[A-Za-z0-9]{20,}"), HIDDEN),
    # access_token=..., api_key=..., password=... in query strings and key=value text.
    (
        re.compile(r"(?i)\b([a-z_-]*(?:token|api[_-]?key|secret|password|passwd))=[^&\s\"'#<>]+"),
        rf"\1={HIDDEN}",
    ),
)

_known: set[str] = set()
_lock = threading.Lock()
_installed = False


def register(value: str | None) -> None:
    """Remember a secret value for the life of the process (too short a value is ignored)."""
    if value and len(value.strip()) >= MIN_SECRET_CHARS:
        with _lock:
            _known.add(value.strip())


def register_url(url: str | None) -> None:
    """Remember the password in a URL's user:password@ part, as written and percent-decoded."""
    password = _password(url)
    if password:
        register(password)
        register(unquote(password))


def _password(url: str | None) -> str | None:
    if not isinstance(url, str) or "@" not in url:  # a hand-edited settings file may hold anything
        return None
    try:
        return urlsplit(url.strip()).password
    except ValueError:
        return None


def known_secrets() -> list[str]:
    """The registered values and the environment's, longest first (so a key's prefix never shows)."""
    values = set(_known)
    for name in SECRET_ENV:
        value = os.environ.get(name, "").strip()
        if len(value) >= MIN_SECRET_CHARS:
            values.add(value)
    for name in URL_ENV:
        password = _password(os.environ.get(name))
        if password and len(password) >= MIN_SECRET_CHARS:
            values.update({password, unquote(password)})
    return sorted(values, key=len, reverse=True)


def scrub(text: str) -> str:
    """The text with every known secret and key-shaped string replaced by HIDDEN."""
    if not text:
        return text
    for secret in known_secrets():
        text = text.replace(secret, HIDDEN)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub_data(value: Any) -> Any:
    """A JSON-like value with every string in it scrubbed (scrubbing dumped JSON could miss escaped values)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: scrub_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_data(item) for item in value]
    return value


def endpoint_without_credentials(url: str) -> str:
    """The URL without its user:password@ part, fragment or credential query values: safe to store and show."""
    if not url:
        return url
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return scrub(url)
    host = parts.netloc.rpartition("@")[2]
    return scrub(urlunsplit((parts.scheme, host, parts.path, parts.query, "")))


class ScrubFilter(logging.Filter):
    """Scrubs a record's message, traceback and stack in place; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: the handler reports it as logging does
            return True
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install_log_scrubbing() -> None:
    """Scrub every log record as it is made (any logger, any handler, added now or later) and the
    tracebacks of uncaught exceptions, which land in the worker's log file. Safe to call twice."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    make_record = logging.getLogRecordFactory()
    scrubber = ScrubFilter()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        scrubber.filter(record)
        return record

    logging.setLogRecordFactory(scrubbed_record)
    sys.excepthook = _print_scrubbed
    threading.excepthook = _thread_hook


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # as the default hook: a thread's SystemExit ends it silently
        return
    if sys.stderr is not None:
        sys.stderr.write(f"Exception in thread {args.thread.name if args.thread else '?'}:\n")
    _print_scrubbed(args.exc_type, args.exc_value, args.exc_traceback)


def _print_scrubbed(kind: type[BaseException], value: BaseException | None, tb: TracebackType | None) -> None:
    if sys.stderr is not None:
        sys.stderr.write(scrub("".join(traceback.format_exception(kind, value, tb))))
        sys.stderr.flush()
