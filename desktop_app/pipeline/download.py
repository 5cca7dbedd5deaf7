"""Stage 5 (50 %): download each ad's videos with yt-dlp (byte progress, size limit, resumable
`.part` files, cancel from the progress hook) and hash every video so identical ones are shared."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from desktop_app.core.context import CancelToken, ItemReport, JobContext
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import JobItem
from desktop_app.engines.ytdlp import base_options, translate
from desktop_app.pipeline.checkpoints import Downloaded, Resolved, StoredVideo, VideoSource


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(key: str) -> str:
    """A file name from an ad key, whatever the key holds."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", key).strip("_")[:64] or "ad"


def download(video: VideoSource, target_stem: Path, max_bytes: int, token: CancelToken, report: ItemReport) -> Path:
    """Download one resolved video to `target_stem`.<ext>; returns the file's path."""
    import yt_dlp

    class Stopped(yt_dlp.utils.DownloadCancelled):  # type: ignore[misc]
        """Raised from the hook: yt-dlp lets it through, unlike a plain exception."""

    def hook(status: dict[str, Any]) -> None:
        if token.stopped:
            raise Stopped()
        if status.get("status") == "downloading":
            total = status.get("total_bytes") or status.get("total_bytes_estimate") or 0
            done = status.get("downloaded_bytes") or 0
            if total:
                report.progress(done / total, f"{done / 1e6:.1f} of {total / 1e6:.1f} MB")

    url = str(video.url)
    options = base_options(url) | {
        "outtmpl": f"{target_stem}.%(ext)s",
        "max_filesize": max_bytes,
        "progress_hooks": [hook],
    }
    if video.entry:
        options["playlist_items"] = str(video.entry)

    def fetch() -> dict[str, Any]:
        with yt_dlp.YoutubeDL(options) as ydl:
            return ydl.extract_info(url, download=True)  # type: ignore[no-any-return]

    try:
        # The hook stops the download at its next block, but on a slow host a block takes up to a second:
        # waiting through `token.call` lets a cancel return at once (the `.part` file stays for a resume).
        info = token.call(fetch)
    except Stopped:
        token.raise_if_stopped()
        raise
    except yt_dlp.utils.DownloadError as exc:
        token.raise_if_stopped()
        raise translate(exc, url) from exc
    entries = [e for e in (info.get("entries") or [info]) if e]
    paths = [Path(d["filepath"]) for e in entries for d in e.get("requested_downloads") or [] if d.get("filepath")]
    existing = [p for p in paths if p.is_file()]
    if not existing:
        raise RuntimeError(f"the video is larger than the {max_bytes // 1_000_000} MB limit and was not downloaded")
    return existing[0]


class DownloadStage:
    key, label, percent = stage_info(StageKey.DOWNLOAD)

    def __init__(self, max_mb: int) -> None:
        self.max_bytes = max_mb * 1_000_000

    def run(self, ctx: JobContext) -> None:
        media = ctx.workdir / "media"
        media.mkdir(parents=True, exist_ok=True)
        ctx.each_item(lambda item, report: self.download_item(ctx, media, item, report))

    def download_item(self, ctx: JobContext, media: Path, item: JobItem, report: ItemReport) -> Downloaded:
        out = []
        for video in Resolved.of(item).videos:
            if video.path is not None:
                path = Path(video.path)
            else:
                stem = media / f"{safe_name(item.key)}_{video.index}"
                path = download(video, stem, self.max_bytes, ctx.token, report)
            out.append(StoredVideo(video.index, str(path), sha256_of(path), path.stat().st_size))
        return Downloaded(tuple(out))
