"""Stage 5 (50 %): download each ad's videos with yt-dlp (byte progress, size limit, resumable
`.part` files, cancel from the progress hook) and hash every video so identical ones are shared."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.core.context import AdFailed, CancelToken, ItemReport, ItemSkipped, JobContext, JobError
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import ItemStatus, JobItem, Outcome
from desktop_app.engines.ytdlp import SOCKET_TIMEOUT_S, base_options, stopped_error, translate
from desktop_app.pipeline.checkpoints import Downloaded, Resolved, StoredVideo, VideoSource
from desktop_app.pipeline.early_work import EarlyWork
from desktop_app.pipeline.missing_video import joined, missing_or_raise, why_missing

log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(key: str) -> str:
    """A file name from an ad key, whatever the key holds."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", key).strip("_")[:64] or "ad"


def too_large(max_bytes: int) -> str:
    return f"the video is larger than the {max_bytes // 1_000_000} MB limit and was not downloaded"


@functools.cache
def too_large_error() -> type[Exception]:
    """Raised from the hook once more bytes arrived than the limit allows (yt-dlp lets it through)."""

    class TooLarge(stopped_error()):  # type: ignore[misc]
        pass

    return TooLarge


def progress_hook(
    token: CancelToken, report: ItemReport, max_bytes: int, partial: list[Path]
) -> Callable[[dict[str, Any]], None]:
    """yt-dlp's progress hook: byte progress, the stop flag, and the size limit counted as bytes arrive
    (a chunked stream declares no length for yt-dlp's own check). Records the `.part` file in `partial`."""

    def hook(status: dict[str, Any]) -> None:
        if token.stopped:
            raise stopped_error()()
        if status.get("status") != "downloading":
            return
        done = status.get("downloaded_bytes") or 0
        if status.get("tmpfilename"):
            partial[:] = [Path(status["tmpfilename"])]
        if done > max_bytes:
            raise too_large_error()()
        total = status.get("total_bytes") or status.get("total_bytes_estimate") or 0
        if total:
            report.progress(done / total, f"{done / 1e6:.1f} of {total / 1e6:.1f} MB")
        else:
            report.progress(0.0, f"{done / 1e6:.1f} MB")

    return hook


def download(
    video: VideoSource,
    target_stem: Path,
    max_bytes: int,
    token: CancelToken,
    report: ItemReport,
    socket_timeout_s: float = SOCKET_TIMEOUT_S,
) -> Path:
    """Download one resolved video to `target_stem`.<ext>; returns the file's path."""
    import yt_dlp

    partial: list[Path] = []  # the .part file, removed when the video turns out too large
    url = str(video.url)
    options = base_options(url, token, socket_timeout_s) | {
        "outtmpl": f"{target_stem}.%(ext)s",
        "max_filesize": max_bytes,  # refuses a declared Content-Length over the limit before any byte
        "progress_hooks": [progress_hook(token, report, max_bytes, partial)],
    }
    if video.entry:
        options["playlist_items"] = str(video.entry)

    def fetch() -> dict[str, Any]:
        with yt_dlp.YoutubeDL(options) as ydl:
            return ydl.extract_info(url, download=True)  # type: ignore[no-any-return]

    try:
        # The hook stops the download at its next block, but a stalled host sends no block for up to the
        # socket timeout: waiting through `token.call` lets a cancel return at once (the `.part` file stays
        # for a resume, and the abandoned thread ends at its timeout, its retries refused).
        info = token.call(fetch)
    except too_large_error():
        for path in partial:
            path.unlink(missing_ok=True)
        raise AdFailed(too_large(max_bytes)) from None
    except stopped_error():
        token.raise_if_stopped()
        raise
    except yt_dlp.utils.DownloadError as exc:
        token.raise_if_stopped()
        raise translate(exc, url, downloading=True) from exc
    return _saved_file(info, max_bytes)


def _saved_file(info: dict[str, Any], max_bytes: int) -> Path:
    entries = [e for e in (info.get("entries") or [info]) if e]
    paths = [Path(d["filepath"]) for e in entries for d in e.get("requested_downloads") or [] if d.get("filepath")]
    existing = [p for p in paths if p.is_file()]
    if not existing:
        raise AdFailed(too_large(max_bytes))
    return existing[0]


def local_file(path: str) -> Path:
    """A video already on disk, refused in words when it is gone."""
    file = Path(path)
    if not file.is_file():
        raise AdFailed(f"the video file is gone: {path}")
    return file


class DownloadStage:
    key, label, percent = stage_info(StageKey.DOWNLOAD)

    def __init__(
        self,
        max_mb: int,
        socket_timeout_s: float = SOCKET_TIMEOUT_S,
        early: Callable[[JobContext], EarlyWork | None] | None = None,
    ) -> None:
        self.max_bytes = max_mb * 1_000_000
        self.socket_timeout_s = socket_timeout_s
        self.early = early  # transcribes and looks at each ad's videos while the next ones download

    def run(self, ctx: JobContext) -> None:
        media = ctx.workdir / "media"
        media.mkdir(parents=True, exist_ok=True)
        self.restore_deleted(ctx, media)
        early = self.early(ctx) if self.early is not None else None

        def fetched(item: JobItem, report: ItemReport) -> Downloaded:
            downloaded = self.download_item(ctx, media, item, report)
            if early is not None:
                early.add(downloaded.videos)
            return downloaded

        try:
            ctx.each_item(fetched)
        except BaseException:
            if early is not None:
                early.abandon()
            raise
        finally:
            if early is not None:
                early.close()

    def download_item(self, ctx: JobContext, media: Path, item: JobItem, report: ItemReport) -> Downloaded:
        """The ad's videos on disk. A carousel that loses some videos goes on with the rest, an ad with copy
        goes on with none, saying why; an ad left with nothing fails with its video's error."""
        resolved = Resolved.of(item)
        out: list[StoredVideo] = []
        missing = [resolved.missing] if resolved.missing else []
        count = len(resolved.videos)
        for video in resolved.videos:
            try:
                path = self.fetch(ctx, media, item, video, report)
            except AdFailed as failed:
                if not out and video is resolved.videos[-1]:  # nothing of this ad could be fetched
                    missing_or_raise(item, failed)
                missing.append(why_missing(failed, f"video {video.index + 1} of {count}" if count > 1 else "the video"))
                continue
            out.append(StoredVideo(video.index, str(path), sha256_of(path), path.stat().st_size))
        return Downloaded(tuple(out), joined(missing))

    def fetch(self, ctx: JobContext, media: Path, item: JobItem, video: VideoSource, report: ItemReport) -> Path:
        if video.path is not None:
            return local_file(video.path)
        stem = media / f"{safe_name(item.key)}_{video.index}"
        return download(video, stem, self.max_bytes, ctx.token, report, self.socket_timeout_s)

    def restore_deleted(self, ctx: JobContext, media: Path) -> None:
        """Download again the videos of ads still to be transcribed whose files were deleted after their
        checkpoint (a retried job whose folder was cleaned), instead of letting transcription call them
        corrupt. A video that is gone for good, or changed on its host, fails only its ad."""
        waiting = [
            item
            for item in ctx.items()
            if item.status == ItemStatus.PENDING and item.done(self.key) and not item.done(StageKey.TRANSCRIBE)
        ]
        for item in waiting:
            missing = [v for v in Downloaded.of(item).videos if not Path(v.path).is_file()]
            if not missing:
                continue
            sources = {v.index: v for v in Resolved.of(item).videos}
            report = ItemReport(ctx, 0, 1, f"{self.label}: fetching deleted videos again")
            try:
                for stored in missing:
                    path = self.fetch(ctx, media, item, sources[stored.index], report)
                    if sha256_of(path) != stored.sha256:
                        with contextlib.suppress(OSError):
                            path.unlink()
                        raise AdFailed(
                            "the video changed on its host since it was first downloaded; start a new analysis for it"
                        )
                    if path != Path(stored.path):
                        path.replace(stored.path)
                    ctx.log("download", f"Downloaded again (its file was deleted): {path.name}", item.key)
            except JobError:
                raise
            except ItemSkipped as skipped:
                ctx.skip_item(item.key, skipped.outcome, skipped.reason)
            except AdFailed as failed:
                ctx.skip_item(item.key, Outcome.FAILED, f"{self.label}: {failed.reason}")
            except Exception:
                log.exception("downloading %s again failed", item.key)
                reason = f"{self.label}: its deleted video could not be downloaded again; the details are in the log"
                ctx.skip_item(item.key, Outcome.FAILED, reason)
