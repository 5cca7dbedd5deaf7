"""The yt-dlp options and error translation shared by video resolution and download.

Every read from a video host has a socket timeout, and a cancelled job stops yt-dlp's retries at once:
the work runs on a helper thread that the stage abandons on cancel, and this bounds how long it lingers."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from desktop_app.core.context import AdFailed, CancelToken, ItemSkipped
from desktop_app.core.types import Outcome
from desktop_app.engines.network import host_of, offline

SOCKET_TIMEOUT_S = 20.0  # a host silent this long is given up on (per read; yt-dlp retries twice more)
log = logging.getLogger(__name__)

# What yt-dlp's error texts mean, in words (the raw text goes to the log). Checked in this order.
_DROPPED = (
    "connection reset",
    "remote end closed",
    "incompleteread",
    "did not get any data blocks",
    "bytes read",
    "bytes, expected",
)
_BAD_ADDRESS = ("invalid ipv6", "invalid url", "unknown url type", "nonnumeric port", "no host supplied")


class _QuietLogger:
    """yt-dlp talks through this; warnings and errors surface as exceptions we translate."""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)

    def error(self, msg: str) -> None:
        log.info("yt-dlp: %s", msg)


@functools.cache
def stopped_error() -> type[Exception]:
    """The exception that stops yt-dlp from inside: it lets DownloadCancelled through, unlike others."""
    import yt_dlp

    class Stopped(yt_dlp.utils.DownloadCancelled):  # type: ignore[misc]
        """Raised from a hook or a retry wait when the job is stopped."""

    return Stopped


def base_options(
    url: str, token: CancelToken | None = None, socket_timeout_s: float = SOCKET_TIMEOUT_S
) -> dict[str, Any]:
    """Options for one call; with `token`, yt-dlp's retries end as soon as the job is stopped."""
    polite = "facebook.com" in url

    def retry_pause(n: int) -> float:
        if token is not None and token.stopped:
            raise stopped_error()()
        return 0.0

    return {
        "format": "hd/sd/best",
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _QuietLogger(),
        "socket_timeout": socket_timeout_s,
        "retries": 2,
        "fragment_retries": 2,
        "extractor_retries": 2,
        "retry_sleep_functions": {"http": retry_pause, "fragment": retry_pause, "extractor": retry_pause},
        "continuedl": True,
        "noplaylist": False,
        # Keep Facebook polite: a pause between requests and downloads, never the user's cookies.
        "sleep_interval_requests": 1 if polite else 0,
        "sleep_interval": 2 if polite else 0,
        "cookiefile": None,
    }


def yt_dlp_version() -> str:
    from yt_dlp.version import __version__

    return str(__version__)


def translate(exc: Exception, url: str, downloading: bool = False) -> Exception:
    """Map yt-dlp's errors to one ad's clear outcome, in plain words; the raw text goes to the log."""
    text = str(exc)
    log.info("yt-dlp failed on %s: %s", url, text)
    lowered = text.lower()
    if "no video formats found" in lowered:
        return ItemSkipped("this ad has no video (an image ad)", Outcome.NO_VIDEO)
    if "unable to extract ad data" in lowered:
        return AdFailed(
            f"Facebook changed its Ad Library page; yt-dlp {yt_dlp_version()} cannot read it. Update yt-dlp."
        )
    status = re.search(r"HTTP Error (\d{3})", text)
    if status:
        return AdFailed(_http_message(int(status.group(1)), url))
    if "unsupported url" in lowered:
        return AdFailed(f"no video found at {url}")
    return AdFailed(_network_message(lowered, url, downloading) or _cleaned(text))


def _http_message(status: int, url: str) -> str:
    if status == 429:
        return "the video host is rate-limiting downloads (HTTP 429); try again later"
    if status in (404, 410):
        return f"video not found (HTTP {status}): {url}"
    if status in (401, 403):
        return f"the video host refused access to the video (HTTP {status})"
    if status >= 500:
        return f"the video host had an internal error (HTTP {status}); try again later"
    return f"the video host refused the request (HTTP {status})"


def _network_message(lowered: str, url: str, downloading: bool) -> str | None:
    if any(words in lowered for words in _BAD_ADDRESS):
        return f"not a valid web address: {url}"
    if offline(lowered):
        return f"No internet connection: cannot reach {host_of(url)}"
    if "connection refused" in lowered:
        return f"the video host {host_of(url)} refused the connection"
    if "timed out" in lowered or "timeout" in lowered:
        return "The video host stopped sending data" if downloading else "The video host stopped answering"
    if any(words in lowered for words in _DROPPED):
        return "The video host dropped the connection before the video was complete"
    return None


def _cleaned(text: str) -> str:
    """yt-dlp's message without its prefixes and the Python detail it appends."""
    text = re.sub(r"\s*\(caused by .*\)\s*$", "", text.replace("\r", ""), flags=re.S)
    text = re.sub(r"^(ERROR:\s*)?(\[[^\]]+\]\s*([^\s:]+:\s)?)*", "", text.strip())
    text = re.sub(r"\.?\s*Giving up after \d+ retries", "", text.removeprefix("Got error:"))
    return text.strip() or "the video could not be fetched"
