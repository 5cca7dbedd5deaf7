"""Real faster-whisper (the bundled tiny.en) in its child process, on real speech and bad files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.context import CancelToken, JobCancelled, StopReason
from desktop_app.engines.transcriber import Transcriber, TranscriptionError
from tests.conftest import REPO
from tests.text_metrics import wer

SAMPLES = REPO / "resources" / "sample_ads"
TRUTH = json.loads((REPO / "tests" / "data" / "sample_ads_truth.json").read_text())


@pytest.fixture(scope="module")
def transcriber() -> Iterator[Transcriber]:
    t = Transcriber("tiny.en")
    yield t
    t.close()


@pytest.fixture(scope="module")
def long_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Over a minute of speech: every sample ad, twice over, as one WAV file written with PyAV."""
    import av

    target = tmp_path_factory.mktemp("long") / "long.wav"
    with av.open(str(target), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=22050)
        for _ in range(2):
            for ad in TRUTH:
                with av.open(str(SAMPLES / f"{ad}.mp4")) as src:
                    for frame in src.decode(audio=0):
                        frame.pts = None
                        for packet in stream.encode(frame):
                            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target


@pytest.mark.slow
def test_sample_ads_transcripts_match_their_scripts(transcriber: Transcriber) -> None:
    token = CancelToken()
    for ad, truth in TRUTH.items():
        result = transcriber.transcribe(SAMPLES / f"{ad}.mp4", token)
        if truth["script"]:
            assert result["language"] == "en"
            # tiny.en's int8 decoding differs with the CPU's kernels: on this project's current machines ad 5
            # comes out at 0.28 with the code before and after the layout change alike (0.25 held on older ones).
            assert wer(truth["script"], result["text"]) <= 0.3, (ad, result["text"])
            words = [w for s in result["segments"] for w in s["words"]]
            assert words and words[0]["start"] < 3.0
        else:
            assert result["text"] == "", "the music-only ad has no speech"


def test_the_language_check_hears_the_speech_whisper_heard() -> None:
    """The check's speech spans are those of faster-whisper's own voice-activity pass, run once per file, and the
    same the detector finds run on its own (a faster-whisper that stopped calling it would run it twice)."""
    script = (
        "import sys\n"
        "from faster_whisper import WhisperModel\n"
        "from desktop_app.engines import whisper_child as child\n"
        "from desktop_app.engines.speech_language import speech_spans\n"
        "from desktop_app.engines.transcriber import resolve_model\n"
        "model = WhisperModel(resolve_model('tiny.en', None), device='cpu', compute_type='int8', cpu_threads=1)\n"
        "heard = child.HeardSpeech()\n"
        "audio = child.decode(sys.argv[1])\n"
        "child.listen(model, audio, 'en', lambda message: None)\n"
        "print(heard._chunks is not None, heard.spans(audio) == speech_spans(audio), len(heard.spans(audio)))\n"
    )
    args = [sys.executable, "-c", script, str(SAMPLES / "900000000000004.mp4")]
    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    kept, same, spans = done.stdout.split()
    assert (kept, same) == ("True", "True") and int(spans) > 0


def test_model_is_loaded_once_and_reused(transcriber: Transcriber) -> None:
    transcriber.transcribe(SAMPLES / "900000000000004.mp4", CancelToken())
    first = transcriber._process
    transcriber.transcribe(SAMPLES / "900000000000005.mp4", CancelToken())
    assert transcriber._process is first and first is not None and first.is_alive()


def test_progress_follows_transcribed_seconds(transcriber: Transcriber) -> None:
    seen: list[tuple[float, float]] = []
    transcriber.transcribe(SAMPLES / "900000000000001.mp4", CancelToken(), lambda s, d: seen.append((s, d)))
    assert len(seen) >= 2
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
    duration = seen[-1][1]
    assert 15 < duration < 30
    assert seen[-1][0] <= duration + 0.5


def test_bad_files_are_clear_per_file_outcomes(transcriber: Transcriber, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_text("not a video")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes((SAMPLES / "900000000000001.mp4").read_bytes()[:4000])
    silent_video = tmp_path / "no-audio.mp4"
    _video_without_audio(silent_video)
    with pytest.raises(TranscriptionError, match="corrupt or unsupported"):
        transcriber.transcribe(garbage, CancelToken())
    with pytest.raises(TranscriptionError, match="corrupt or unsupported"):
        transcriber.transcribe(truncated, CancelToken())
    with pytest.raises(TranscriptionError, match="no audio track"):
        transcriber.transcribe(silent_video, CancelToken())
    assert transcriber.transcribe(SAMPLES / "900000000000004.mp4", CancelToken())["text"]


def _video_without_audio(target: Path) -> None:
    import av
    import numpy as np

    with av.open(str(target), "w") as out:
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_cancel_reaches_inside_a_transcription_within_a_second(transcriber: Transcriber, long_video: Path) -> None:
    token = CancelToken()
    started = threading.Event()
    stopped_at: list[float] = []

    def progress(seconds: float, duration: float) -> None:
        started.set()

    def cancel_later() -> None:
        started.wait(30)
        stopped_at.append(time.monotonic())
        token.stop(StopReason.CANCEL)

    threading.Thread(target=cancel_later).start()
    with pytest.raises(JobCancelled):
        transcriber.transcribe(long_video, token, progress)
    assert time.monotonic() - stopped_at[0] < 1.0
    # The next file gets a fresh child.
    assert transcriber.transcribe(SAMPLES / "900000000000004.mp4", CancelToken())["text"]


def test_a_crashed_child_fails_that_file_and_the_next_one_works(transcriber: Transcriber, long_video: Path) -> None:
    token = CancelToken()

    def crash_on_first_segment(seconds: float, duration: float) -> None:
        if transcriber._process is not None and transcriber._process.is_alive():
            transcriber._process.kill()

    with pytest.raises(TranscriptionError, match="stopped unexpectedly"):
        transcriber.transcribe(long_video, token, crash_on_first_segment)
    assert transcriber.transcribe(SAMPLES / "900000000000004.mp4", CancelToken())["text"]
