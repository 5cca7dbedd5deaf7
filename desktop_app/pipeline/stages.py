"""The stages of an analysis job, wired in the spec's order and percentages."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.context import Stage
from desktop_app.core.types import Job
from desktop_app.core.watch_checks import known_videos
from desktop_app.pipeline.analyse import AnalyseStage
from desktop_app.pipeline.check import CheckStage
from desktop_app.pipeline.download import DownloadStage
from desktop_app.pipeline.early_work import early_work
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
    return Looking(env.visuals, env.visual_store, env.in_flight)


def build_stages(env: PipelineEnv, job: Job) -> Sequence[Stage]:
    """The stages of one analysis job, in the spec's order and percentages."""
    looks = looking(env)
    analysis = AnalyseStage(env)  # asked about each ad as soon as the transcribe stage ends it
    return [
        StartStage(env.settings),
        CheckStage(env),
        FetchStage(env),
        ResolveStage(known=lambda ad_id: known_videos(env.results.db, ad_id)),
        DownloadStage(env.settings.max_video_mb, early=lambda ctx: early_work(env, looks, ctx)),
        TranscribeStage(env.transcriber, env.results, env.models, looks, env.in_flight, then=analysis),
        analysis,
        FinaliseStage(env.results.db),
    ]
