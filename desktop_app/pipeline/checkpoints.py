"""What each item-stage of an analysis hands the next: one frozen dataclass per stage, stored as JSON in
the item's checkpoints and read back typed, so stages never pass untyped dicts to each other."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Self, TypeVar

from desktop_app.core.types import JobItem, Outcome


class _Stored:
    """JSON round trip shared by the checkpoint dataclasses (their fields are JSON values or tuples)."""

    outcome: Outcome | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload, no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


V = TypeVar("V", bound=_Stored)


@dataclass(frozen=True)
class VideoSource(_Stored):
    """One video of an ad: a local file, or a URL (with the entry of a carousel) for yt-dlp."""

    index: int
    path: str | None = None
    url: str | None = None
    entry: int | None = None
    title: str | None = None
    ext: str | None = None


@dataclass(frozen=True)
class StoredVideo(_Stored):
    """A video on disk with its content hash (identical videos share transcripts)."""

    index: int
    path: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class HeardVideo(StoredVideo):
    """A transcribed video: whether it had speech, in which language, and what the English-only model could
    not transcribe (spans in seconds and their share of the speech; the check's verdict, None when there was
    no check). Checkpoints stored before the check read back with the defaults."""

    speech: bool
    language: str | None = None
    checked: str | None = None
    untranscribed: tuple[tuple[float, float], ...] = ()
    untranscribed_share: float = 0.0

    def __post_init__(self) -> None:
        # JSON gives the spans back as lists.
        object.__setattr__(self, "untranscribed", tuple((float(s), float(e)) for s, e in self.untranscribed))


def _videos(item: JobItem, stage_key: str, kind: type[V]) -> tuple[tuple[V, ...], str | None]:
    """The videos an earlier item-stage checkpointed, read back typed, and why some could not be used."""
    stored = item.checkpoints[stage_key]
    return tuple(kind.from_dict(v) for v in stored["videos"]), stored.get("missing")


# `missing` says in words why some or all of an ad's videos could not be used (an image ad, a video host that
# could not be reached): an ad whose copy Meta gave is still analysed, from what is left.


@dataclass(frozen=True)
class Resolved(_Stored):
    videos: tuple[VideoSource, ...]
    missing: str | None = None

    @classmethod
    def of(cls, item: JobItem) -> Resolved:
        return cls(*_videos(item, "resolve", VideoSource))


@dataclass(frozen=True)
class Downloaded(_Stored):
    videos: tuple[StoredVideo, ...]
    missing: str | None = None

    @classmethod
    def of(cls, item: JobItem) -> Downloaded:
        return cls(*_videos(item, "download", StoredVideo))


@dataclass(frozen=True)
class Transcribed(_Stored):
    videos: tuple[HeardVideo, ...]
    missing: str | None = None

    @classmethod
    def of(cls, item: JobItem) -> Transcribed:
        return cls(*_videos(item, "transcribe", HeardVideo))


@dataclass(frozen=True)
class Analysed(_Stored):
    """The last item-stage: the stored analyses, how the ad ended, and what people should know about it
    (a copy-only analysis says why the video was missing)."""

    analyses: tuple[int, ...]
    ended: str = Outcome.ANALYSED.value
    note: str | None = None

    @property
    def outcome(self) -> Outcome:  # type: ignore[override]
        return Outcome(self.ended)

    @property
    def reason(self) -> str | None:  # type: ignore[override]
        return self.note
