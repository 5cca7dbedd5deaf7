"""Stage 4 (35 %): find each ad's videos. Local files are themselves; URLs go through yt-dlp's
extractors (facebook:ads for Ad Library ids, the generic one for direct links and HTML5 pages)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop_app.core.context import AdFailed, CancelToken, ItemReport, ItemSkipped, JobContext
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import JobItem, Outcome
from desktop_app.core.watch_checks import KnownVideo
from desktop_app.engines.ytdlp import SOCKET_TIMEOUT_S, base_options, stopped_error, translate
from desktop_app.pipeline.checkpoints import Resolved, VideoSource
from desktop_app.pipeline.missing_video import missing_or_raise


class NotAWebAddress(AdFailed, ValueError):
    """A URL the resolver refuses (another scheme, no host, malformed): it fails only its own ad."""


def checked_url(url: str) -> str:
    """`url` when it is an http(s) web address with a host; refused in words otherwise (it fails its ad)."""
    if not url.startswith(("http://", "https://")):
        raise NotAWebAddress(f"only http and https web addresses are accepted, not {url}")
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        raise NotAWebAddress(f"not a valid web address: {url}")
    return url


def extract(url: str, token: CancelToken, socket_timeout_s: float = SOCKET_TIMEOUT_S) -> list[VideoSource]:
    """The videos at `url` (several for carousel ads), without downloading them.

    yt-dlp's extraction has no hook to stop it, so it runs through `token.call`: a cancel is not kept
    waiting by a server that does not answer, and the socket timeout ends the abandoned call."""
    import yt_dlp

    url = checked_url(url)
    options = base_options(url, token, socket_timeout_s) | {"skip_download": True}

    def info_of() -> dict[str, Any]:
        with yt_dlp.YoutubeDL(options) as ydl:
            return ydl.extract_info(url, download=False)  # type: ignore[no-any-return]

    try:
        info = token.call(info_of)
    except stopped_error():
        token.raise_if_stopped()
        raise
    except yt_dlp.utils.DownloadError as exc:
        token.raise_if_stopped()
        raise translate(exc, url) from exc
    entries = [e for e in (info.get("entries") or [info]) if e]
    return [
        VideoSource(i, url=url, entry=i + 1 if info.get("entries") else None, title=e.get("title"), ext=e.get("ext"))
        for i, e in enumerate(entries)
    ]


class ResolveStage:
    key, label, percent = stage_info(StageKey.RESOLVE)

    def __init__(
        self, socket_timeout_s: float = SOCKET_TIMEOUT_S, known: Callable[[str], list[KnownVideo]] | None = None
    ) -> None:
        self.socket_timeout_s = socket_timeout_s
        self.known = known  # an ad's videos still on disk from an earlier job: not fetched again

    def run(self, ctx: JobContext) -> None:
        ctx.each_item(lambda item, report: self.videos_of(ctx, item, report))

    def videos_of(self, ctx: JobContext, item: JobItem, report: ItemReport) -> Resolved:
        local = item.data.get("local")
        if local:
            missing = [p for p in local if not Path(p).is_file()]
            if missing:
                raise AdFailed(f"video file not found: {missing[0]}")
            return Resolved(tuple(VideoSource(i, path=p) for i, p in enumerate(local)))
        stored = self.known(item.key) if self.known is not None else []
        if stored:
            return Resolved(tuple(VideoSource(v.index, path=v.path) for v in stored))
        try:
            videos = extract(str(item.data["url"]), ctx.token, self.socket_timeout_s)
            if not videos:
                raise ItemSkipped("this ad has no video", Outcome.NO_VIDEO)
        except (AdFailed, ItemSkipped) as error:  # an ad Meta gave copy for is analysed from it
            return Resolved((), missing=missing_or_raise(item, error))
        return Resolved(tuple(videos))
