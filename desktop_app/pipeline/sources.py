"""Stage 3 (20 %): fetch the ads to analyse from the job's source, as items of the job.

Each item's data holds the ad's metadata (Meta's field names) and where its video comes from:
`local` (files on disk) or `url` (resolved by yt-dlp in the next stage)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from desktop_app.core.context import JobContext, JobError
from desktop_app.core.source_rules import is_ad_id
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.text import plural
from desktop_app.core.types import LIBRARY_URL, Outcome
from desktop_app.core.watch_checks import watchlist_of
from desktop_app.core.watchlists import WatchStore
from desktop_app.pipeline.env import PipelineEnv

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".mpeg", ".mpg"}
PSEUDO_FS = {
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "debugfs", "tracefs", "pstore",
    "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs", "binfmt_misc", "efivarfs", "selinuxfs", "autofs",
    "rpc_pipefs", "nsfs",
}  # fmt: skip
log = logging.getLogger(__name__)

Ad = tuple[str, dict[str, Any]]


def library_id(value: str) -> str | None:
    """The Ad Library id in a bare id or an Ad Library URL, if there is one. A malformed URL has none: it
    stays a URL, and fails only its own ad when it is resolved."""
    value = value.strip()
    if is_ad_id(value):
        return value
    try:
        parsed = urlparse(value)
        host = parsed.hostname or ""
    except ValueError:
        return None
    if (host == "facebook.com" or host.endswith(".facebook.com")) and parsed.path.startswith("/ads/library"):
        ids = parse_qs(parsed.query).get("id")
        if ids and is_ad_id(ids[0]):
            return ids[0]
    return None


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sample_ads(folder: Path) -> Iterator[Ad]:
    for meta in json.loads((folder / "ads.json").read_text(encoding="utf-8")):
        video = meta.pop("video")
        meta["library_url"] = LIBRARY_URL.format(meta["id"])
        yield meta["id"], {"ad": meta, "local": [str(folder / video)]}


def pseudo_mounts() -> set[str]:
    """Mount points of kernel file systems (/proc, /sys, /dev...): no videos live there, and their entries
    come and go while they are walked."""
    found = {"/proc", "/sys", "/dev"}
    try:
        lines = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and parts[2] in PSEUDO_FS:
            found.add(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), parts[1]))
    return found


def video_files(folder: Path, visiting: Callable[[str], None] = lambda _: None) -> list[Path]:
    """The video files under `folder`, walked tolerantly: entries that vanish or cannot be read are skipped,
    symbolic links to folders are not followed, and kernel file systems are not entered. `visiting` is
    called with each folder (a cancellation point)."""
    skip = pseudo_mounts() - {os.path.realpath(folder)}
    found: list[Path] = []

    def unreadable(error: OSError) -> None:
        log.info("skipped while looking for videos: %s", error)

    for top, dirs, files in os.walk(folder, onerror=unreadable):
        visiting(top)
        dirs[:] = sorted(d for d in dirs if os.path.join(top, d) not in skip)
        for name in sorted(files):
            path = Path(top, name)
            if path.suffix.lower() not in VIDEO_SUFFIXES:
                continue
            try:
                if path.is_file():
                    found.append(path)
            except OSError as error:  # it vanished, or cannot be looked at
                unreadable(error)
    return found


def folder_ads(folder: Path, visiting: Callable[[str], None] = lambda _: None) -> Iterator[Ad]:
    if not folder.is_dir():
        raise JobError(f"the folder {folder} does not exist or is not a folder")
    for path in video_files(folder, visiting):
        ad_id = f"file-{_short_hash(os.path.realpath(path))}"
        meta = {"id": ad_id, "page_name": None, "ad_creative_link_titles": [path.stem], "file": str(path)}
        yield ad_id, {"ad": meta, "local": [str(path)]}


def url_ads(urls: list[str]) -> Iterator[Ad]:
    for url in urls:
        found = library_id(url)
        if found:
            meta = {"id": found, "library_url": LIBRARY_URL.format(found)}
            yield found, {"ad": meta, "url": LIBRARY_URL.format(found)}
        else:  # a link; resolution refuses one that is not an http(s) web address, failing only this ad
            ad_id = f"url-{_short_hash(url)}"
            yield ad_id, {"ad": {"id": ad_id, "source_url": url}, "url": url}


class FetchStage:
    key, label, percent = stage_info(StageKey.FETCH)

    def __init__(self, env: PipelineEnv) -> None:
        self.env = env

    def run(self, ctx: JobContext) -> None:
        source = ctx.source
        if source.kind == "sample":
            ads = list(sample_ads(self.env.sample_ads))
        elif source.kind == "folder":
            ads = list(folder_ads(Path(source.params["path"]), self.looking(ctx)))
        elif source.kind == "urls":
            ads = list(url_ads(list(source.params["urls"])))
        else:
            from desktop_app.engines.meta_library import fetch_meta_ads

            ads = fetch_meta_ads(ctx, self.env.settings)
        self.add(ctx, source.kind, ads)

    @staticmethod
    def looking(ctx: JobContext) -> Callable[[str], None]:
        """Progress while a folder is walked (a large one takes a while), at most a few times a second;
        each call is also a cancellation point."""
        shown = [0.0]

        def visiting(folder: str) -> None:
            ctx.token.raise_if_stopped()
            if time.monotonic() - shown[0] > 0.25:
                shown[0] = time.monotonic()
                ctx.stage_progress(0.0, f"Looking for videos in {folder}")

        return visiting

    def add(self, ctx: JobContext, kind: str, ads: list[Ad]) -> None:
        """Record the ads, add them as items, and skip those analysed before with this analyser."""
        self.env.results.upsert_ads(kind, [(ad_id, data["ad"]) for ad_id, data in ads])
        ctx.add_items(ads)
        skipped = 0
        if not ctx.source.params.get("reanalyse"):
            done = self.env.results.analysed_ad_ids((ad_id for ad_id, _ in ads), self.env.analyser.key)
            watched = watchlist_of(ctx.source)  # a watchlist's check: ads its earlier checks settled are done too
            seen = WatchStore(self.env.results.db).settled_ids(watched) - done if watched is not None else set()
            pending = {i.key for i in ctx.items() if i.status.value == "pending"}
            for ad_id in sorted((done | seen) & pending):
                reason = "seen in an earlier check" if ad_id in seen else "already analysed"
                ctx.skip_item(ad_id, Outcome.ALREADY_ANALYSED, reason)
                skipped += 1
        known = "already known" if watchlist_of(ctx.source) is not None else "already analysed"
        message = f"Found {plural(len(ads), 'ad')}" + (f", {skipped} {known}" if skipped else "")
        if not ads:
            message = "No ads found for this source"
        ctx.stage_progress(1.0, message)
