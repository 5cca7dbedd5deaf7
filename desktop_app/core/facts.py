"""Facts that code computes (never the model): the spoken first 3 seconds, duration, words per minute,
days running, reach. Both analysers receive them in one AdInput."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from desktop_app.core.ad_names import ad_copy
from desktop_app.core.visuals import screen_lines

HOOK_WINDOW_S = 3.0


@dataclass(frozen=True)
class Sentence:
    text: str
    start_s: float | None
    end_s: float | None


@dataclass(frozen=True)
class AdInput:
    """Everything an analyser may look at for one ad video."""

    ad_id: str
    video_index: int
    page_name: str | None
    copy: list[str]
    transcript: str
    segments: list[dict[str, Any]]
    duration_s: float | None
    language: str | None
    first_3s: str
    words_per_minute: float | None
    days_running: int | None
    eu_total_reach: int | None
    extras: dict[str, Any] = field(default_factory=dict)
    # On-screen text read from the keyframes ({"time_s", "text", "height_share"}), and pacing computed from the
    # frames ({"cuts", "cuts_per_10s", "average_shot_s"}); empty when the video was not looked at.
    screen_text: list[dict[str, Any]] = field(default_factory=list)
    pacing: dict[str, float] = field(default_factory=dict)
    keyframes: list[str] = field(default_factory=list)  # JPEG files, in time order

    @property
    def transcript_hash(self) -> str:
        return hashlib.sha256(self.transcript.encode()).hexdigest()

    def sentences(self) -> list[Sentence]:
        """Transcript sentences with times, split at sentence punctuation inside segments."""
        out: list[Sentence] = []
        for seg in self.segments:
            words = seg.get("words") or []
            if not words:
                for part in _split(seg.get("text", "")):
                    out.append(Sentence(part, seg.get("start"), seg.get("end")))
                continue
            current: list[dict[str, Any]] = []
            for word in words:
                current.append(word)
                if re.search(r"[.!?]$", word["word"].strip()):
                    out.append(_sentence(current))
                    current = []
            if current:
                out.append(_sentence(current))
        return [s for s in out if s.text]


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()]


def _sentence(words: list[dict[str, Any]]) -> Sentence:
    text = "".join(w["word"] for w in words).strip()
    return Sentence(text, float(words[0]["start"]), float(words[-1]["end"]))


def first_seconds(segments: list[dict[str, Any]], window: float = HOOK_WINDOW_S) -> str:
    """The words spoken (started) within the first `window` seconds."""
    words = [w for seg in segments for w in (seg.get("words") or [])]
    if words:
        return "".join(w["word"] for w in words if float(w["start"]) < window).strip()
    return " ".join(seg["text"].strip() for seg in segments if float(seg["start"]) < window).strip()


def words_per_minute(segments: list[dict[str, Any]]) -> float | None:
    """Speaking rate over the time speech actually spans."""
    words = [w for seg in segments for w in (seg.get("words") or [])]
    if len(words) < 2:
        return None
    span = float(words[-1]["end"]) - float(words[0]["start"])
    return round(len(words) / span * 60, 1) if span > 0 else None


def parse_meta_date(value: str | None) -> date | None:
    """Meta sends `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS+0000`."""
    if not value:
        return None
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def days_running(start: str | None, stop: str | None, today: date | None = None) -> int | None:
    began = parse_meta_date(start)
    if began is None:
        return None
    ended = parse_meta_date(stop) or today or datetime.now(UTC).date()
    return max(0, (ended - began).days)


def build_input(
    ad_id: str,
    video_index: int,
    metadata: dict[str, Any],
    transcript: dict[str, Any],
    today: date | None = None,
    visuals: dict[str, Any] | None = None,
) -> AdInput:
    segments = list(transcript.get("segments") or [])
    seen = visuals or {}
    reach = metadata.get("eu_total_reach")
    return AdInput(
        ad_id=ad_id,
        video_index=video_index,
        page_name=metadata.get("page_name"),
        copy=ad_copy(metadata),
        transcript=str(transcript.get("text") or "").strip(),
        segments=segments,
        duration_s=transcript.get("duration_s"),
        language=transcript.get("language"),
        first_3s=first_seconds(segments),
        words_per_minute=words_per_minute(segments),
        days_running=days_running(metadata.get("ad_delivery_start_time"), metadata.get("ad_delivery_stop_time"), today),
        eu_total_reach=int(reach) if isinstance(reach, int | float | str) and str(reach).isdigit() else None,
        screen_text=screen_lines(visuals),
        extras={"ocr": seen["ocr"]} if seen.get("ocr") else {},
        keyframes=[str(k["path"]) for k in seen.get("keyframes") or [] if k.get("path")],
        pacing={k: float(seen[k]) for k in ("cuts", "cuts_per_10s", "average_shot_s") if seen.get(k) is not None},
    )
