"""The Whisper models people can choose, as plain data: the bundled tiny.en, the models faster-whisper
downloads by name, or a local CTranslate2 folder. Settings, the CLI and the window read it without importing
faster-whisper; engines/whisper_models.py does the downloading into the folder laid out here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BUNDLED_MODEL = "tiny.en"
LOCAL_FOLDER_HINT = "or the path of a folder that holds a CTranslate2 Whisper model (with its model.bin)"


@dataclass(frozen=True)
class WhisperChoice:
    """One model faster-whisper knows by name; sizes are approximate, for people choosing."""

    name: str
    multilingual: bool
    download_mb: int
    ram_gb: float
    same_as: str | None = None  # faster-whisper's alias for another entry (downloaded under that name)


# The names are exactly faster_whisper.utils._MODELS' (tests/test_whisper_models.py checks it). RAM is for
# the int8 CPU decoding the transcriber uses.
_ENTRIES = (
    WhisperChoice("tiny.en", False, 75, 0.3),
    WhisperChoice("tiny", True, 75, 0.3),
    WhisperChoice("base", True, 145, 0.4),
    WhisperChoice("small", True, 484, 0.8),
    WhisperChoice("medium", True, 1530, 1.8),
    WhisperChoice("large-v3", True, 3090, 3.5),
    WhisperChoice("turbo", True, 1620, 2.0),
    WhisperChoice("distil-large-v3", True, 1510, 2.0),
    WhisperChoice("distil-large-v3.5", True, 1510, 2.0),
    WhisperChoice("large-v2", True, 3090, 3.5),
    WhisperChoice("large-v1", True, 3090, 3.5),
    WhisperChoice("distil-large-v2", True, 1510, 2.0),
    WhisperChoice("base.en", False, 145, 0.4),
    WhisperChoice("small.en", False, 484, 0.8),
    WhisperChoice("medium.en", False, 1530, 1.8),
    WhisperChoice("distil-small.en", False, 332, 0.6),
    WhisperChoice("distil-medium.en", False, 789, 1.2),
    WhisperChoice("large", True, 3090, 3.5, same_as="large-v3"),
    WhisperChoice("large-v3-turbo", True, 1620, 2.0, same_as="turbo"),
)
CATALOGUE: dict[str, WhisperChoice] = {entry.name: entry for entry in _ENTRIES}
# What Settings offers: every model once (aliases still work when typed on the CLI or in the variable).
CHOICES: tuple[str, ...] = tuple(entry.name for entry in _ENTRIES if entry.same_as is None)


def models_dir(home: Path) -> Path:
    """Where downloaded models live: <data folder>/models/<name>/."""
    return home / "models"


def download_name(name: str) -> str:
    """The catalogue name a model downloads under (an alias shares its model's folder)."""
    return CATALOGUE[name].same_as or name


def model_folder(name: str, models: Path) -> Path:
    """The folder a downloaded catalogue model ends up in (only ever renamed there once complete)."""
    return models / download_name(name)


def is_local_folder(name: str) -> bool:
    """A path rather than a catalogue name: catalogue names win, so `small` is never a folder called small."""
    return name not in CATALOGUE


def model_problem(name: str) -> str | None:
    """Why `name` cannot be used as the Whisper model, in words; None when it can."""
    if name in CATALOGUE:
        return None
    if not name.strip():
        return "no Whisper model given: choose " + _choices_text()
    folder = Path(name).expanduser()
    if not folder.is_dir():
        looks_like_path = any(mark in name for mark in ("/", "\\", "~")) or name.startswith(".")
        if looks_like_path:
            return "there is no such folder: give a folder that holds a CTranslate2 Whisper model (with its model.bin)"
        return "not a Whisper model: choose " + _choices_text()
    if not (folder / "model.bin").is_file():
        return "the folder has no model.bin, so it is not a CTranslate2 Whisper model"
    return None


def is_downloaded(name: str, models: Path) -> bool:
    """True when the model can be used without a download: the bundled one, a local folder, or a complete
    download in `models` (a half-finished one stays in models/.partial and does not count)."""
    if name == BUNDLED_MODEL:
        return True
    if is_local_folder(name):
        return model_problem(name) is None
    return (model_folder(name, models) / "model.bin").is_file()


def describe(name: str) -> str:
    """One plain line for Settings: "base: multilingual, about 145 MB download, about 0.4 GB of memory"."""
    if name == BUNDLED_MODEL:
        return f"{BUNDLED_MODEL}: English only, bundled with the app (works offline)"
    entry = CATALOGUE.get(name)
    if entry is None:
        return f"Local folder {name}: a CTranslate2 Whisper model, used as it is"
    languages = "multilingual" if entry.multilingual else "English only"
    return f"{name}: {languages}, about {_size_text(entry.download_mb)} download, about {entry.ram_gb:g} GB of memory"


def status_text(name: str, models: Path) -> str:
    """describe() plus whether the model is ready: what Settings shows under the model choice."""
    problem = model_problem(name)
    if problem is not None:
        return f"{name}: {problem}"
    if name == BUNDLED_MODEL or is_local_folder(name):
        return describe(name)
    if is_downloaded(name, models):
        return f"{describe(name)}; downloaded"
    return f"{describe(name)}; not downloaded yet: it downloads once, before the first transcription"


def _size_text(megabytes: int) -> str:
    return f"{megabytes / 1000:.1f} GB" if megabytes >= 1000 else f"{megabytes} MB"


def _choices_text() -> str:
    return f"{BUNDLED_MODEL} (bundled), {', '.join(CHOICES[1:])}, {LOCAL_FOLDER_HINT}"
