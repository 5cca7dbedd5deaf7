"""The one place that wires the store, the runner and the pipeline together, for the window and the CLI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core import paths as data_paths
from desktop_app.core.boards import BoardStore
from desktop_app.core.brief import Brief
from desktop_app.core.chat import ChatStreamer
from desktop_app.core.db import Database
from desktop_app.core.results import ResultStore
from desktop_app.core.runner import Executor, JobRunner, StagesFactory
from desktop_app.core.secrets import get_secret
from desktop_app.core.service import JobService
from desktop_app.core.settings import Settings
from desktop_app.core.store import JobStore
from desktop_app.core.updates import Listeners
from desktop_app.core.visuals import VisualStore
from desktop_app.core.whisper_catalogue import models_dir

if TYPE_CHECKING:
    from desktop_app.engines.page_finder import FoundPage
    from desktop_app.engines.remote_transcriber import RemoteTranscriber
    from desktop_app.engines.transcriber import Transcriber
    from desktop_app.engines.transcriber_pool import TranscriberPool
    from desktop_app.pipeline.env import Analyser, PipelineEnv

    AnyTranscriber = Transcriber | RemoteTranscriber | TranscriberPool


def resources_dir() -> Path:
    """`resources/` beside the package, or inside a frozen build."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) / "resources" if frozen else Path(__file__).resolve().parent.parent / "resources"


def llm_endpoint(settings: Settings) -> tuple[str | None, str | None] | None:
    """(base URL, API key) of the configured OpenAI-compatible server, or None when there is none.

    The openai client's own variables work: OPENAI_API_KEY and OPENAI_BASE_URL; the key may also come
    from the OS keyring (set in Settings)."""
    base_url = settings.llm_base_url or os.environ.get("OPENAI_BASE_URL") or None
    api_key = get_secret("llm_api_key")
    return (base_url, api_key) if base_url or api_key else None


def make_analyser(settings: Settings) -> Analyser:
    """The LLM analyser when a server is configured, else the offline heuristic one."""
    endpoint = llm_endpoint(settings)
    if endpoint is not None:
        from desktop_app.engines.llm import LLMAnalyser

        return LLMAnalyser(settings.llm_model, base_url=endpoint[0], api_key=endpoint[1], vision=settings.llm_vision)
    from desktop_app.engines.heuristic import HeuristicAnalyser

    return HeuristicAnalyser()


def find_meta_pages(settings: Settings, name: str, countries: list[str]) -> list[FoundPage]:
    """Pages whose ads mention `name` (the best matches first), to follow one by its id (engines/page_finder.py)."""
    from desktop_app.engines.page_finder import find_pages

    return find_pages(settings, name, countries)


def make_chat_model(settings: Settings) -> ChatStreamer | None:
    """The chat model Chat streams from, or None for search mode."""
    endpoint = llm_endpoint(settings)
    if endpoint is None:
        return None
    from desktop_app.engines.chat_model import ChatModel

    return ChatModel(settings.llm_model, base_url=endpoint[0], api_key=endpoint[1])


def make_transcriber(settings: Settings, models: Path) -> AnyTranscriber:
    """A transcription server when one is configured (it scales past this machine), else local Whisper."""
    if settings.transcribe_url:
        from desktop_app.engines.remote_transcriber import RemoteTranscriber

        return RemoteTranscriber(
            settings.transcribe_url,
            get_secret("transcribe_api_key"),
            settings.transcribe_model or "whisper-1",
            uploads_in_flight=max(1, int(settings.transcribe_uploads)),
        )
    from desktop_app.engines.transcriber_pool import TranscriberPool

    return TranscriberPool(settings.whisper_model, max(0, int(settings.transcriber_pool)), models=models)


def transcriber_identity(transcriber: AnyTranscriber) -> tuple[object, ...]:
    """What makes two transcribers interchangeable: a settings change that alters it swaps the transcriber."""
    remote = (getattr(transcriber, name, None) for name in ("base_url", "api_key", "uploads_in_flight", "size"))
    return (type(transcriber).__name__, transcriber.model_name, *remote)


@dataclass
class AppServices:
    paths: data_paths.DataPaths
    settings: Settings
    db: Database
    store: JobStore
    listeners: Listeners
    service: JobService
    results: ResultStore
    _env: PipelineEnv | None = field(default=None, repr=False)
    _retired: list[AnyTranscriber] = field(default_factory=list, repr=False)

    @property
    def pipeline(self) -> PipelineEnv:
        """Shared by every job of this process: one transcriber child, one analyser."""
        if self._env is None:
            from desktop_app.engines.visual_reader import VisualReader
            from desktop_app.pipeline.env import PipelineEnv

            self._env = PipelineEnv(
                settings=self.settings,
                results=self.results,
                transcriber=make_transcriber(self.settings, self.models),
                analyser=make_analyser(self.settings),
                sample_ads=resources_dir() / "sample_ads",
                models=self.models,
                visuals=VisualReader(self.paths.home / "visuals") if self.settings.look_at_videos else None,
                visual_store=VisualStore(self.db),
            )
        return self._env

    @property
    def models(self) -> Path:
        return models_dir(self.paths.home)

    @property
    def boards(self) -> BoardStore:
        """Swipe-file boards (stateless over the database, so one per use is fine)."""
        return BoardStore(self.db)

    def make_runner(
        self,
        *,
        only: Iterable[str] | None = None,
        executor: Executor | None = None,
        stages: StagesFactory | None = None,
    ) -> JobRunner:
        """A runner wired to this service; `stages` replaces the real pipeline (tests use a workload)."""
        if stages is None:
            from desktop_app.pipeline.stages import build_stages

            # Start the transcriber child now: its model loads while the first stages run.
            self.pipeline.transcriber.warm_up()
            stages = lambda job: build_stages(self.pipeline, job)  # noqa: E731
        extra = {"executor": executor} if executor is not None else {}
        runner = JobRunner(
            self.store,
            self.paths,
            stages,
            self.listeners,
            parallel=self.settings.parallel_jobs,
            only=only,
            **extra,
        )
        self.service.runner = runner
        return runner

    def reset_pipeline(self) -> None:
        """Apply changed settings to the jobs that start from now on (running ones keep theirs)."""
        if self._env is None:
            return
        self._env.analyser = make_analyser(self.settings)
        if self.settings.look_at_videos and self._env.visuals is None:
            from desktop_app.engines.visual_reader import VisualReader

            self._env.visuals = VisualReader(self.paths.home / "visuals")
        elif not self.settings.look_at_videos:
            self._env.visuals = None
        fresh = make_transcriber(self.settings, self.models)
        if transcriber_identity(fresh) != transcriber_identity(self._env.transcriber):
            self._retired.append(self._env.transcriber)
            self._env.transcriber = fresh

    def close(self) -> None:
        for transcriber in self._retired + ([self._env.transcriber] if self._env else []):
            transcriber.close()
        if self._env is not None and self._env.visuals is not None:
            self._env.visuals.close()
        self.db.dispose()


def write_brief_pdf(brief: Brief, path: Path) -> None:
    """A board's brief as a PDF: the writer is an engine (Qt's text layout), which faces reach through here."""
    from desktop_app.engines.pdf_brief import write_pdf

    write_pdf(brief, path)


def open_services(home: Path | None = None) -> AppServices:
    """Prepare the data folder, open (and migrate) the database, and build the job service."""
    paths = data_paths.prepare(home)
    settings = Settings.load(paths.settings_file)
    db = Database(paths.database)
    store = JobStore(db)
    listeners = Listeners()
    return AppServices(paths, settings, db, store, listeners, JobService(store, listeners), ResultStore(db))
