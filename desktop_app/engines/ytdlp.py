"""The yt-dlp options and error translation shared by video resolution and download."""

from __future__ import annotations

from typing import Any

from desktop_app.core.context import ItemSkipped
from desktop_app.core.types import Outcome

SOCKET_TIMEOUT_S = 30


class _QuietLogger:
    """yt-dlp talks through this; warnings and errors surface as exceptions we translate."""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        pass


def base_options(url: str) -> dict[str, Any]:
    polite = "facebook.com" in url
    return {
        "format": "hd/sd/best",
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _QuietLogger(),
        "socket_timeout": SOCKET_TIMEOUT_S,
        "retries": 3,
        "fragment_retries": 3,
        "extractor_retries": 2,
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


def translate(exc: Exception, url: str) -> Exception:
    """Map yt-dlp's errors to one ad's clear outcome."""
    text = str(exc)
    if "No video formats found" in text:
        return ItemSkipped("no video (image-only ad)", Outcome.NO_VIDEO)
    if "Unable to extract ad data" in text:
        return RuntimeError(
            f"Facebook changed its Ad Library page; yt-dlp {yt_dlp_version()} cannot read it. Update yt-dlp."
        )
    if "HTTP Error 429" in text:
        return RuntimeError("the video host is rate-limiting downloads (HTTP 429); try again later")
    if "HTTP Error 404" in text:
        return RuntimeError(f"video not found (HTTP 404): {url}")
    if "Unsupported URL" in text:
        return RuntimeError(f"no video found at {url}")
    message = text.removeprefix("ERROR: ").strip()
    return RuntimeError(message or type(exc).__name__)
