"""The stages of an analysis job, wired in the spec's order and percentages."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.context import Stage
from desktop_app.core.types import Job
from desktop_app.pipeline.analyse import AnalyseStage
from desktop_app.pipeline.check import CheckStage
from desktop_app.pipeline.download import DownloadStage
from desktop_app.pipeline.env import PipelineEnv
from desktop_app.pipeline.finalise import FinaliseStage
from desktop_app.pipeline.looking import Looking
from desktop_app.pipeline.resolve import ResolveStage
from desktop_app.pipeline.sources import FetchStage
from desktop_app.pipeline.start import StartStage
from desktop_app.pipeline.transcribe import TranscribeStage


def looking(env: PipelineEnv) -> Looking | None:
    if env.visuals is None or env.visual_store is None:
        return None
    return Looking(env.visuals, env.visual_store)


def build_stages(env: PipelineEnv, job: Job) -> Sequence[Stage]:
    """The stages of one analysis job, in the spec's order and percentages."""
    return [
        StartStage(env.settings),
        CheckStage(env),
        FetchStage(env),
        ResolveStage(),
        DownloadStage(env.settings.max_video_mb),
        TranscribeStage(env.transcriber, env.results, env.models, looking(env)),
        AnalyseStage(env),
        FinaliseStage(),
    ]
