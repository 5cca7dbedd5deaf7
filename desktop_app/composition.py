"""The one place that wires the store, the runner and the pipeline together, for the window and the CLI."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable, Sequence
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

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from desktop_app.core.context import Stage
    from desktop_app.core.types import Job
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
    _env_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _warming: threading.Thread | None = field(default=None, repr=False)
    _closed: bool = field(default=False, repr=False)  # after close(), nothing starts a child again

    @property
    def pipeline(self) -> PipelineEnv:
        """Shared by every job of this process: one transcriber pool, one analyser (built once, by whichever
        thread asks first: the warm-up's or a job's)."""
        with self._env_lock:
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
        warm_up: bool = True,
    ) -> JobRunner:
        """A runner wired to this service; `stages` replaces the real pipeline (tests use a workload). With the
        real pipeline, `warm_up` starts the transcriber children now (see warm_up); the window passes False and
        warms up once it has painted."""
        if stages is None:
            if warm_up:
                self.warm_up()
            stages = self._real_stages
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

    def _real_stages(self, job: Job) -> Sequence[Stage]:
        """The pipeline's stages for a job; imported by the first job (on its thread), not at start-up."""
        from desktop_app.pipeline.stages import build_stages

        return build_stages(self.pipeline, job)

    def warm_up(self) -> None:
        """Build the pipeline and start the transcriber children on a thread of their own, so their models load
        while the first stages run, and the caller (the window's first paint, a command) does not wait for the
        processes to start. Once per process; close() waits for it, so no child starts after close."""
        with self._env_lock:
            if self._warming is not None or self._closed:
                return
            self._warming = threading.Thread(target=self._warm, name="warm-up", daemon=True)
            self._warming.start()

    def _warm(self) -> None:
        try:
            with self._env_lock:
                if self._closed:
                    return
            self.pipeline.transcriber.warm_up()
        except Exception:  # the first file starts the child again and says what is wrong, in words
            log.warning("the transcriber could not be started ahead of the first file", exc_info=True)

    def reset_pipeline(self) -> None:
        """Apply changed settings to the jobs that start from now on (running ones keep theirs)."""
        with self._env_lock:
            if self._env is not None:
                self._reset(self._env)

    def _reset(self, env: PipelineEnv) -> None:
        env.analyser = make_analyser(self.settings)
        if self.settings.look_at_videos and env.visuals is None:
            from desktop_app.engines.visual_reader import VisualReader

            env.visuals = VisualReader(self.paths.home / "visuals")
        elif not self.settings.look_at_videos:
            env.visuals = None
        fresh = make_transcriber(self.settings, self.models)
        if transcriber_identity(fresh) != transcriber_identity(env.transcriber):
            self._retired.append(env.transcriber)
            env.transcriber = fresh

    def close(self) -> None:
        with self._env_lock:
            self._closed = True
        if self._warming is not None:
            self._warming.join()
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
