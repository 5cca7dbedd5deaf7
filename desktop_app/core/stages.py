"""The stages of an analysis job as the spec lists them: a stable key (stored, used for estimates and
breakdowns), a label people read (free to change), and where the bar stands when the stage starts."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class StageKey(StrEnum):
    START = "start"
    CHECK = "check"
    FETCH = "fetch"
    RESOLVE = "resolve"
    DOWNLOAD = "download"
    TRANSCRIBE = "transcribe"
    ANALYSE = "analyse"
    FINALISE = "finalise"


class StageInfo(NamedTuple):
    key: str
    label: str
    percent: float


ANALYSIS_STAGES: tuple[StageInfo, ...] = (
    StageInfo(StageKey.START, "Starting analysis", 5.0),
    StageInfo(StageKey.CHECK, "Checking previously analyzed videos", 10.0),
    StageInfo(StageKey.FETCH, "Fetching Facebook ads", 20.0),
    StageInfo(StageKey.RESOLVE, "Getting video URLs", 35.0),
    StageInfo(StageKey.DOWNLOAD, "Downloading videos", 50.0),
    StageInfo(StageKey.TRANSCRIBE, "Transcribing videos", 65.0),
    StageInfo(StageKey.ANALYSE, "Analyzing content with AI", 80.0),
    StageInfo(StageKey.FINALISE, "Finalizing results", 90.0),
)
_BY_KEY = {info.key: info for info in ANALYSIS_STAGES}


def stage_info(key: StageKey) -> StageInfo:
    return _BY_KEY[key]


def stage_label(key: str) -> str:
    """The label of a stage key; unknown keys (a test workload's) read as themselves."""
    info = _BY_KEY.get(key)
    return info.label if info else key
