"""User settings, kept as JSON in the data folder (secrets live in the OS keyring, never here; a password
typed into the LLM base URL is registered with core/scrub.py so it never shows beyond this file)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from desktop_app.core.scrub import register_url
from desktop_app.core.whisper_catalogue import BUNDLED_MODEL, model_problem

WHISPER_MODEL_ENV = "AD_ANALYSIS_WHISPER_MODEL"
TRANSCRIBE_URL_ENV = "AD_ANALYSIS_TRANSCRIBE_URL"
TRANSCRIBE_MODEL_ENV = "AD_ANALYSIS_TRANSCRIBE_MODEL"


@dataclass
class Settings:
    """Everything the user can change in the Settings view, with the offline defaults."""

    parallel_jobs: int = 1
    whisper_model: str = BUNDLED_MODEL
    llm_base_url: str = ""
    llm_model: str = "gpt-4o-mini"
    graph_version: str = "v25.0"
    default_countries: list[str] = field(default_factory=lambda: ["DE", "FR", "IE"])
    max_video_mb: int = 200
    # A transcription server (OpenAI-compatible /v1/audio/transcriptions); empty: the local Whisper model.
    transcribe_url: str = ""
    transcribe_model: str = "whisper-1"
    transcribe_uploads: int = 4
    # Local transcribers working at once (one Whisper child each, single-threaded); 0 is Auto: the machine's
    # cores, fewer when memory cannot hold that many copies of the model.
    transcriber_pool: int = 0
    # Look at the videos too: keyframes, a poster, pacing and the on-screen text (offers and CTAs are often
    # only on screen); off, the videos are only listened to.
    look_at_videos: bool = True
    # Send a few keyframes as images with each analysis (the AI model must accept images).
    llm_vision: bool = False

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
        settings.whisper_model = whisper_model_override() or str(settings.whisper_model)
        settings.transcribe_url = os.environ.get(TRANSCRIBE_URL_ENV) or settings.transcribe_url
        settings.transcribe_model = os.environ.get(TRANSCRIBE_MODEL_ENV) or settings.transcribe_model
        register_url(settings.llm_base_url)
        register_url(settings.transcribe_url)
        return settings

    def save(self, path: Path) -> None:
        """Write the file; a Whisper model that AD_ANALYSIS_WHISPER_MODEL imposed is not the user's choice, so
        the saved one stays as it was."""
        register_url(self.llm_base_url)
        register_url(self.transcribe_url)
        data = asdict(self)
        override = whisper_model_override()
        if override is not None and self.whisper_model == override:
            data["whisper_model"] = _saved_value(path, "whisper_model", BUNDLED_MODEL)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.replace(path)

    def whisper_model_problem(self) -> str | None:
        """Why the Whisper model in force cannot be used, naming where it came from; None when it can."""
        problem = model_problem(self.whisper_model)
        if problem is None:
            return None
        where = WHISPER_MODEL_ENV if whisper_model_override() == self.whisper_model else "The Whisper model setting"
        return f"{where} '{self.whisper_model}': {problem}"


def whisper_model_override() -> str | None:
    """The Whisper model AD_ANALYSIS_WHISPER_MODEL names (it wins over the saved setting), if any."""
    return os.environ.get(WHISPER_MODEL_ENV, "").strip() or None


def _saved_value(path: Path, key: str, default: Any) -> Any:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
    return data.get(key, default) if isinstance(data, dict) else default
