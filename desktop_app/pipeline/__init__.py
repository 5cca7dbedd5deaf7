"""Qt-free pipeline stages. Heavy libraries are imported inside the stages that use them."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.context import Stage
from desktop_app.core.settings import Settings
from desktop_app.core.types import Job
from desktop_app.pipeline.finalise import FinaliseStage
from desktop_app.pipeline.start import StartStage


def build_stages(settings: Settings, job: Job) -> Sequence[Stage]:
    """The stages of one analysis job, in order, for the job's source."""
    return [StartStage(settings), FinaliseStage()]
