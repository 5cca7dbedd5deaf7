"""An ad whose video cannot be used is not lost: when Meta gave its copy (bodies, link titles, descriptions,
captions) it is analysed from that copy, with the outcome `copy_only` and the reason kept; a carousel that
lost some of its videos is analysed from the rest. Only an ad with nothing left ends as its error says."""

from __future__ import annotations

from desktop_app.core.ad_names import ad_copy
from desktop_app.core.context import AdFailed, ItemSkipped
from desktop_app.core.types import JobItem

COPY_ONLY_LIMITATION = (
    "No video could be used, so this analysis reads the ad's copy only: the hook, pacing and delivery of a "
    "video are not judged."
)


def has_copy(item: JobItem) -> bool:
    return bool(ad_copy(item.data.get("ad") or {}))


def _plain(reason: str) -> str:
    """A reason to go inside a sentence: its first letter lowered unless it starts a name or an acronym."""
    if len(reason) > 1 and reason[0].isupper() and reason[1].islower():
        return reason[0].lower() + reason[1:]
    return reason


def why_missing(error: AdFailed | ItemSkipped, which: str = "the video") -> str:
    """Why a video is missing, as part of a sentence."""
    if isinstance(error, ItemSkipped):
        return _plain(error.reason)
    return f"{which} could not be fetched ({_plain(error.reason)})"


def missing_or_raise(item: JobItem, error: AdFailed | ItemSkipped) -> str:
    """The reason to go on without the ad's video when its copy can be analysed; the error itself otherwise."""
    if not has_copy(item):
        raise error
    return why_missing(error)


def copy_only_reason(missing: str) -> str:
    return f"Analysed from the ad's copy only: {missing}."


def joined(reasons: list[str]) -> str | None:
    return "; ".join(reasons) or None
