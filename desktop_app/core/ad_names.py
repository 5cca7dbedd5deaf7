"""A name people can read for every ad, wherever it is shown (views, cards, the CLI, exports, Chat): ids and
hashes identify ads to the app, not to a marketer.

- A Meta ad: its page and the opening words of its link title or copy ("Example Meals: Get 50% off your
  first box"), or the end of its id when it has no text.
- A folder ad: the video's file name.
- A link: the host and path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import text

if TYPE_CHECKING:
    from desktop_app.core.db import Database

LABEL_WORDS = 7
MAX_CHARS = 60


def _short(text: str, words: int = LABEL_WORDS) -> str:
    parts = text.split()
    cut = " ".join(parts[:words])
    return (cut if len(parts) <= words else cut + "...")[:MAX_CHARS]


def _first(metadata: dict[str, Any], *keys: str) -> str:
    for key in keys:
        values = metadata.get(key) or []
        text = next((str(v).strip() for v in values if str(v).strip()), "")
        if text:
            return text
    return ""


def ad_name(ad_id: str, metadata: dict[str, Any] | None, page_name: str | None = None) -> str:
    meta = metadata or {}
    if meta.get("file"):
        return PurePath(str(meta["file"])).name
    if meta.get("source_url"):
        try:
            parts = urlsplit(str(meta["source_url"]))
            return (f"{parts.hostname or ''}{parts.path}".rstrip("/") or str(meta["source_url"]))[:MAX_CHARS]
        except ValueError:
            return str(meta["source_url"])[:MAX_CHARS]
    page = page_name or meta.get("page_name") or ""
    label = _first(meta, "ad_creative_link_titles", "ad_creative_bodies")
    if page and label:
        return f"{page}: {_short(label)}"
    if page:
        return f"{page}, ad ...{ad_id[-5:]}"
    return _short(label) if label else f"Ad {ad_id}"


def name_from_columns(ad_id: str, page: str, file: Any, url: Any, titles: Any, bodies: Any) -> str:
    """The same name from a query's metadata columns (JSON texts of the lists, or None)."""
    meta: dict[str, Any] = {"file": file, "source_url": url}
    for key, raw in (("ad_creative_link_titles", titles), ("ad_creative_bodies", bodies)):
        try:
            meta[key] = json.loads(raw) if raw else []
        except (TypeError, ValueError):
            meta[key] = []
    return ad_name(ad_id, meta, page or None)


def ad_copy(metadata: dict[str, Any]) -> list[str]:
    """The ad's text as Meta describes it: bodies, link titles, descriptions and captions."""
    texts: list[str] = []
    for key in (
        "ad_creative_bodies",
        "ad_creative_link_titles",
        "ad_creative_link_descriptions",
        "ad_creative_link_captions",
    ):
        texts.extend(str(t) for t in metadata.get(key) or [] if t)
    return texts


def names_of(db: Database, analysis_ids: Sequence[int]) -> dict[int, str]:
    """The names of these analysed ads, in one query (for a list of a thousand at most)."""
    if not analysis_ids:
        return {}
    marks = ", ".join(str(int(i)) for i in analysis_ids)
    statement = text(
        "SELECT a.id, a.ad_id, coalesce(d.page_name, ''), json_extract(d.metadata_json, '$.file'),"
        " json_extract(d.metadata_json, '$.source_url'), json_extract(d.metadata_json, '$.ad_creative_link_titles'),"
        f" json_extract(d.metadata_json, '$.ad_creative_bodies') FROM analyses a JOIN ads d ON d.ad_id = a.ad_id"
        f" WHERE a.id IN ({marks})"
    )
    with db.read() as session:
        return {int(r[0]): name_from_columns(str(r[1]), str(r[2]), *r[3:7]) for r in session.execute(statement)}
