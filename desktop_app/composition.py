"""The one place that wires the store, the runner and the pipeline together, for the window and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core import paths as data_paths
from desktop_app.core.db import Database
from desktop_app.core.runner import Executor, JobRunner, Listeners, StagesFactory
from desktop_app.core.service import JobService
from desktop_app.core.settings import Settings
from desktop_app.core.store import JobStore


@dataclass
class AppServices:
    paths: data_paths.DataPaths
    settings: Settings
    db: Database
    store: JobStore
    listeners: Listeners
    service: JobService

    def make_runner(
        self,
        *,
        only: Iterable[str] | None = None,
        executor: Executor | None = None,
        stages: StagesFactory | None = None,
    ) -> JobRunner:
        """A runner wired to this service; `stages` replaces the real pipeline (tests use a workload)."""
        if stages is None:
            from desktop_app.pipeline import build_stages

            settings = self.settings
            stages = lambda job: build_stages(settings, job)  # noqa: E731
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
        self.service.executor = runner
        return runner

    def close(self) -> None:
        self.db.dispose()


def open_services(home: Path | None = None) -> AppServices:
    """Prepare the data folder, open (and migrate) the database, and build the job service."""
    paths = data_paths.prepare(home)
    settings = Settings.load(paths.settings_file)
    db = Database(paths.database)
    store = JobStore(db)
    listeners = Listeners()
    return AppServices(paths, settings, db, store, listeners, JobService(store, listeners))
