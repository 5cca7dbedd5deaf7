"""What the stages share across jobs: settings, the results store, the transcriber, the visual reader and the
analyser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from desktop_app.core.context import CancelToken
from desktop_app.core.facts import AdInput
from desktop_app.core.in_flight import InFlight
from desktop_app.core.results import AnalyserKey, ResultStore
from desktop_app.core.schema import AdAnalysis
from desktop_app.core.settings import Settings
from desktop_app.core.visuals import VisualStore
from desktop_app.engines.remote_transcriber import RemoteTranscriber
from desktop_app.engines.transcriber import Transcriber
from desktop_app.engines.transcriber_pool import TranscriberPool
from desktop_app.engines.visual_reader import VisualReader


class Analyser(Protocol):
    """Turns one ad's facts into a validated analysis, plus token usage when a model was called."""

    @property
    def key(self) -> AnalyserKey: ...

    def analyse(
        self, ad: AdInput, token: CancelToken, on_wait: Callable[[str], None] | None = None
    ) -> tuple[AdAnalysis, dict[str, int] | None]: ...


@dataclass
class PipelineEnv:
    settings: Settings
    results: ResultStore
    transcriber: Transcriber | RemoteTranscriber | TranscriberPool
    analyser: Analyser
    sample_ads: Path
    models: Path  # downloaded Whisper models (the data folder's models/)
    visuals: VisualReader | None = None  # None: the videos are only listened to (Settings)
    visual_store: VisualStore | None = None
    in_flight: InFlight = field(default_factory=InFlight)  # videos being transcribed, across concurrent jobs
