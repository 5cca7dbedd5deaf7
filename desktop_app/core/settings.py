"""User settings, kept as JSON in the data folder (secrets live in the OS keyring, never here)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass
class Settings:
    """Everything the user can change in the Settings view, with the offline defaults."""

    parallel_jobs: int = 1
    whisper_model: str = "tiny.en"
    llm_base_url: str = ""
    llm_model: str = "gpt-4o-mini"
    graph_version: str = "v25.0"
    default_countries: list[str] = field(default_factory=lambda: ["DE", "FR", "IE"])
    max_video_mb: int = 200

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read the file if there is one; unknown keys from other versions are ignored."""
        settings = cls()
        if path.exists():
            try:
                data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            known = {f.name for f in fields(cls)}
            for key, value in data.items():
                if key in known:
                    setattr(settings, key, value)
        env_parallel = os.environ.get("AD_ANALYSIS_PARALLEL_JOBS")
        if env_parallel and env_parallel.isdigit():
            settings.parallel_jobs = int(env_parallel)
        settings.parallel_jobs = max(1, int(settings.parallel_jobs))
        return settings

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)
