"""What each video shows, stored once per content hash like its transcript: the keyframes and poster (files
in the data folder's visuals/), pacing figures, and the on-screen text read from the keyframes."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from desktop_app.core.db import Database
from desktop_app.core.models import VisualRow

OCR_UNAVAILABLE = "on-screen text not read (the text reader could not start: its models are missing or broken)"


class VisualStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, sha256: str) -> dict[str, Any] | None:
        with self.db.read() as session:
            row = session.get(VisualRow, sha256)
            return dict(row.data) if row is not None else None

    def save(self, sha256: str, data: dict[str, Any]) -> None:
        stmt = sqlite_insert(VisualRow).values(sha256=sha256, data=data, created_at=time.time())
        stmt = stmt.on_conflict_do_update(index_elements=["sha256"], set_={"data": data, "created_at": time.time()})
        with self.db.write() as session:
            session.execute(stmt)


def screen_lines(visuals: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The on-screen text lines of a video, in time order ({"time_s", "text", ...}); none without visuals."""
    return sorted((visuals or {}).get("screen_text") or [], key=lambda line: float(line.get("time_s") or 0.0))
