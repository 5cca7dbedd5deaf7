"""Where the app keeps its data: the platform's user data folder, or AD_ANALYSIS_HOME."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "AdAnalysisDesktop"


class DataFolderError(RuntimeError):
    """The data folder cannot be created or written; the message names the folder."""


@dataclass(frozen=True)
class DataPaths:
    """The folders and files under one data home."""

    home: Path

    @property
    def database(self) -> Path:
        return self.home / "jobs.sqlite3"

    @property
    def jobs(self) -> Path:
        """Per-job working folders (downloads, transcripts)."""
        return self.home / "jobs"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def settings_file(self) -> Path:
        return self.home / "settings.json"

    def job_dir(self, job_id: str) -> Path:
        return self.jobs / job_id


def default_home() -> Path:
    override = os.environ.get("AD_ANALYSIS_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def prepare(home: Path | None = None) -> DataPaths:
    """Create the data folder tree, failing with a clear message when it is not usable."""
    paths = DataPaths((home or default_home()).resolve())
    try:
        for folder in (paths.home, paths.jobs, paths.logs):
            folder.mkdir(parents=True, exist_ok=True)
        # A name of its own for each check: processes starting together must not remove each other's.
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=paths.home)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise DataFolderError(f"data folder {paths.home} is not usable: {exc.strerror or exc}") from exc
    return paths
