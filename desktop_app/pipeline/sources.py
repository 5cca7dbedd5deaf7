"""Stage 3 (20 %): fetch the ads to analyse from the job's source, as items of the job.

Each item's data holds the ad's metadata (Meta's field names) and where its video comes from:
`local` (files on disk) or `url` (resolved by yt-dlp in the next stage)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from desktop_app.core.context import JobContext, JobError
from desktop_app.core.stages import StageKey, stage_info
from desktop_app.core.types import LIBRARY_URL, Outcome
from desktop_app.pipeline.env import PipelineEnv

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".mpeg", ".mpg"}

Ad = tuple[str, dict[str, Any]]


def library_id(value: str) -> str | None:
    """The Ad Library id in a bare id or an Ad Library URL, if there is one."""
    value = value.strip()
    if value.isdigit():
        return value
    parsed = urlparse(value)
    if parsed.netloc.endswith("facebook.com") and parsed.path.startswith("/ads/library"):
        ids = parse_qs(parsed.query).get("id")
        if ids and ids[0].isdigit():
            return ids[0]
    return None


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sample_ads(folder: Path) -> Iterator[Ad]:
    for meta in json.loads((folder / "ads.json").read_text(encoding="utf-8")):
        video = meta.pop("video")
        meta["library_url"] = LIBRARY_URL.format(meta["id"])
        yield meta["id"], {"ad": meta, "local": [str(folder / video)]}


def folder_ads(folder: Path) -> Iterator[Ad]:
    if not folder.is_dir():
        raise JobError(f"the folder {folder} does not exist or is not a folder")
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file()):
        ad_id = f"file-{_short_hash(str(path.resolve()))}"
        meta = {"id": ad_id, "page_name": None, "ad_creative_link_titles": [path.stem], "file": str(path)}
        yield ad_id, {"ad": meta, "local": [str(path)]}


def url_ads(urls: list[str]) -> Iterator[Ad]:
    for url in urls:
        found = library_id(url)
        if found:
            meta = {"id": found, "library_url": LIBRARY_URL.format(found)}
            yield found, {"ad": meta, "url": LIBRARY_URL.format(found)}
        else:  # an http(s) link: SourceSpec accepts nothing else
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
            ads = list(folder_ads(Path(source.params["path"])))
        elif source.kind == "urls":
            ads = list(url_ads(list(source.params["urls"])))
        else:
            from desktop_app.engines.meta_library import fetch_meta_ads

            ads = fetch_meta_ads(ctx, self.env.settings)
        self.add(ctx, source.kind, ads)

    def add(self, ctx: JobContext, kind: str, ads: list[Ad]) -> None:
        """Record the ads, add them as items, and skip those analysed before with this analyser."""
        self.env.results.upsert_ads(kind, [(ad_id, data["ad"]) for ad_id, data in ads])
        ctx.add_items(ads)
        skipped = 0
        if not ctx.source.params.get("reanalyse"):
            done = self.env.results.analysed_ad_ids((ad_id for ad_id, _ in ads), self.env.analyser.key)
            pending = {i.key for i in ctx.items() if i.status.value == "pending"}
            for ad_id in sorted(done & pending):
                ctx.skip_item(ad_id, Outcome.ALREADY_ANALYSED, "already analysed")
                skipped += 1
        message = f"Found {len(ads)} ad(s)" + (f", {skipped} already analysed" if skipped else "")
        if not ads:
            message = "No ads found for this source"
        ctx.stage_progress(1.0, message)
