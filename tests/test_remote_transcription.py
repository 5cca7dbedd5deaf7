"""The remote transcriber: real PyAV on the sample ads, the real openai client, a loopback server speaking
OpenAI's audio transcription API."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.context import AdFailed, CancelToken, JobCancelled, JobError, StopReason
from desktop_app.core.facts import build_input
from desktop_app.engines.audio_extract import FRAME_S, SAMPLE_RATE, decode, quiet_cuts
from desktop_app.engines.network import RetryPolicy
from desktop_app.engines.remote_transcriber import RemoteTranscriber
from desktop_app.engines.remote_transcript import LANGUAGE_CODES, language_code
from desktop_app.engines.transcript_batch import TranscriptBatch
from desktop_app.engines.whisper_child import TranscriptionError
from tests.servers import serve
from tests.transcription_double import TranscriptionDouble

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "resources" / "sample_ads").glob("*.mp4"))
KEY = "sk-test-remote-transcription-key-0123456789"


@pytest.fixture
def double() -> Iterator[tuple[TranscriptionDouble, str]]:
    fake = TranscriptionDouble(language="german")
    with serve(fake.handle) as url:
        yield fake, f"{url}/v1"
        fake.release.set()


def _tiles(transcript: dict[str, Any]) -> None:
    """Segments follow one another from 0 to the end of the audio, each word inside its segment."""
    segments = transcript["segments"]
    assert segments[0]["start"] == 0.0
    assert segments[-1]["end"] == pytest.approx(transcript["duration_s"], abs=0.02)
    for before, after in itertools.pairwise(segments):
        assert after["start"] == pytest.approx(before["end"], abs=0.02)
    for seg in segments:
        assert seg["words"] and all(
            seg["start"] - 0.01 <= w["start"] <= w["end"] <= seg["end"] + 0.01 for w in seg["words"]
        )
        assert "".join(w["word"] for w in seg["words"]).strip() == seg["text"]


def test_segments_words_and_language(double: tuple[TranscriptionDouble, str]) -> None:
    fake, url = double
    engine = RemoteTranscriber(url, KEY)
    seen: list[tuple[float, float]] = []
    transcript = engine.transcribe(SAMPLES[0], CancelToken(), lambda done, total: seen.append((done, total)))

    assert engine.model_name == "remote:whisper-1"
    (request,) = fake.requests
    assert request["fields"] == {
        "model": ["whisper-1"],
        "response_format": ["verbose_json"],
        "timestamp_granularities[]": ["segment", "word"],
    }
    assert request["auth"] == f"Bearer {KEY}"
    assert request["file_name"].endswith(".mp3") and (request["audio_rate"], request["audio_channels"]) == (16000, 1)
    assert request["file_bytes"] < SAMPLES[0].stat().st_size / 1.5  # the audio alone, compressed
    assert transcript["duration_s"] == pytest.approx(request["audio_s"], abs=0.05) and transcript["duration_s"] > 15
    assert transcript["language"] == "de"
    assert seen[-1] == pytest.approx((transcript["duration_s"], transcript["duration_s"]), abs=0.01)
    _tiles(transcript)
    # OpenAI's words come without punctuation or spaces; they get both back, so sentences split as locally.
    ad = build_input("900", 0, {}, transcript)
    first = ad.sentences()[0]
    assert (first.text, first.start_s, first.end_s) == ("Part 1 of this piece.", 0.0, 2.0)
    assert ad.first_3s.startswith("Part 1 of this piece. Part 2")


def test_long_audio_is_split_under_the_limit_and_merged_with_times(double: tuple[TranscriptionDouble, str]) -> None:
    fake, url = double
    fake.delay_s = 0.3
    transcript = RemoteTranscriber(url, KEY, split_bytes=34_000).transcribe(SAMPLES[0], CancelToken())

    pieces = sorted(fake.requests, key=lambda r: r["file_name"])
    assert len(pieces) >= 3 and all(p["file_bytes"] <= 34_000 for p in pieces)
    assert fake.most_at_once == len(pieces)  # the pieces of one file went up together
    assert sum(p["audio_s"] for p in pieces) == pytest.approx(transcript["duration_s"], abs=0.05)
    _tiles(transcript)
    # Each piece's first segment starts where the pieces before it end, in the whole file's time.
    starts = [seg["start"] for seg in transcript["segments"] if seg["text"] == "Part 1 of this piece."]
    offsets = [sum(p["audio_s"] for p in pieces[:n]) for n in range(len(pieces))]
    assert starts == pytest.approx(offsets, abs=0.02)


def test_pieces_are_cut_in_pauses() -> None:
    import numpy as np

    samples = decode(SAMPLES[0], CancelToken())
    cuts = quiet_cuts(samples, 8 * SAMPLE_RATE)
    assert len(cuts) >= 3 and cuts[-1] == len(samples)
    assert all(0 < b - a <= 8 * SAMPLE_RATE for a, b in zip([0, *cuts], cuts, strict=False))
    frame = int(FRAME_S * SAMPLE_RATE)
    loudness = (samples[: len(samples) // frame * frame].astype(np.float32).reshape(-1, frame) ** 2).mean(axis=1)
    for cut in cuts[:-1]:
        assert loudness[cut // frame] <= np.percentile(loudness, 20)


def test_rate_limit_waits_as_told_then_succeeds(double: tuple[TranscriptionDouble, str]) -> None:
    fake, url = double
    fake.script.append({"status": 429, "message": "Rate limit reached", "headers": {"Retry-After": "1"}})
    transcript = RemoteTranscriber(url, KEY).transcribe(SAMPLES[1], CancelToken())
    first, second = fake.requests
    assert second["at"] - first["answered_at"] >= 0.9
    assert transcript["segments"] and transcript["language"] == "de"


def test_server_errors_are_retried(double: tuple[TranscriptionDouble, str]) -> None:
    fake, url = double
    fake.script.extend([{"status": 503, "message": "overloaded"}, {"status": 500}])
    engine = RemoteTranscriber(url, KEY, policy=RetryPolicy(initial_s=0.05))
    assert engine.transcribe(SAMPLES[1], CancelToken())["segments"]
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("formats", "asked"),
    [
        ({"json", "text"}, ["verbose_json", "verbose_json", "json"]),
        ({"text"}, ["verbose_json", "verbose_json", "json", "text"]),
    ],
)
def test_refused_verbose_json_falls_back_with_estimated_times(
    double: tuple[TranscriptionDouble, str], formats: set[str], asked: list[str]
) -> None:
    fake, url = double
    fake.formats = formats
    engine = RemoteTranscriber(url, KEY)
    transcript = engine.transcribe(SAMPLES[2], CancelToken())

    assert [r["fields"]["response_format"][0] for r in fake.requests] == asked
    assert fake.requests[1]["fields"]["timestamp_granularities[]"] == ["segment"]  # words alone refused first
    assert transcript["text"] == fake.transcript(fake.requests[-1]["audio_s"])["text"]
    assert transcript["language"] is None  # plain answers do not say
    assert [s["text"] for s in transcript["segments"]][:2] == ["Part 1 of this piece.", "Part 2 of this piece."]
    _tiles(transcript)  # times spread across the clip
    engine.transcribe(SAMPLES[3], CancelToken())  # the instance remembers what the server takes
    assert [r["fields"]["response_format"][0] for r in fake.requests[len(asked) :]] == asked[-1:]


def test_refused_key_fails_the_job_naming_the_setting(double: tuple[TranscriptionDouble, str]) -> None:
    fake, url = double
    fake.script.extend([{"status": 401, "message": f"Incorrect API key provided: {KEY}"}] * 4)
    engine = RemoteTranscriber(url, KEY, uploads_in_flight=2)
    with pytest.raises(JobError) as caught:
        engine.transcribe(SAMPLES[0], CancelToken())
    assert caught.value.settings_field == "transcribe_api_key"
    message = caught.value.message
    assert "rejected the API key" in message and "Settings" in message and "HTTP 401" in message
    assert KEY not in message and "Error code" not in message and "AuthenticationError" not in message
    assert len(fake.requests) == 1  # not retried
    with pytest.raises(JobError):
        engine.transcribe_many(SAMPLES[:3], CancelToken(), lambda index, outcome: None)


@pytest.mark.parametrize("many", [False, True])
def test_cancel_cuts_uploads_within_a_second(double: tuple[TranscriptionDouble, str], many: bool) -> None:
    fake, url = double
    fake.stall = True
    token = CancelToken()
    engine = RemoteTranscriber(url, KEY, uploads_in_flight=2)
    ended: list[tuple[float, BaseException]] = []

    def work() -> None:
        try:
            if many:
                engine.transcribe_many(SAMPLES, token, lambda index, outcome: None)
            else:
                engine.transcribe(SAMPLES[0], token)
        except BaseException as exc:
            ended.append((time.monotonic(), exc))

    worker = threading.Thread(target=work)
    worker.start()
    in_flight = 2 if many else 1
    deadline = time.monotonic() + 20
    while fake.at_once < in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.at_once == in_flight  # uploads on the wire, their answers held back
    stopped = time.monotonic()
    token.stop(StopReason.CANCEL)
    worker.join(5)
    ((at, error),) = ended
    assert isinstance(error, JobCancelled) and at - stopped < 1.0
    time.sleep(0.3)
    assert len(fake.requests) == in_flight  # no upload starts after the cancel


def _silent_video(path: Path) -> Path:
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width = stream.height = 64
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), dtype=np.uint8), format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_many_files_go_up_in_parallel_and_fail_alone(double: tuple[TranscriptionDouble, str], tmp_path: Path) -> None:
    fake, url = double
    fake.stall = True  # answers wait until released: what is in flight can be counted
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2000))
    paths = [*SAMPLES[:4], corrupt, _silent_video(tmp_path / "silent.mp4")]
    outcomes: dict[int, Any] = {}
    engine = RemoteTranscriber(url, KEY, uploads_in_flight=3)
    batch = threading.Thread(
        target=engine.transcribe_many, args=(paths, CancelToken(), lambda n, outcome: outcomes.setdefault(n, outcome))
    )
    batch.start()
    deadline = time.monotonic() + 20
    while fake.at_once < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # room for a fourth upload, were the limit not kept
    assert (fake.at_once, len(fake.requests)) == (3, 3)
    fake.release.set()
    batch.join(20)

    assert sorted(outcomes) == list(range(6)) and len(fake.requests) == 4
    assert all(outcomes[n]["language"] == "de" and outcomes[n]["segments"] for n in range(4))
    assert isinstance(outcomes[4], TranscriptionError) and "corrupt or unsupported" in str(outcomes[4])
    assert isinstance(outcomes[5], TranscriptionError) and str(outcomes[5]) == "the video has no audio track"
    assert all(isinstance(outcomes[n], AdFailed) for n in (4, 5))  # the ad fails with these words


def test_a_batch_hands_transcripts_over_in_any_order(double: tuple[TranscriptionDouble, str], tmp_path: Path) -> None:
    fake, url = double
    fake.delay_s = 0.2
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(bytes(3000))
    token = CancelToken()
    batch = TranscriptBatch(RemoteTranscriber(url, KEY, uploads_in_flight=2), [*SAMPLES[:3], corrupt], token)
    try:
        with pytest.raises(TranscriptionError):
            batch.result(corrupt, token)
        transcripts = [batch.result(path, token) for path in reversed(SAMPLES[:3])]
    finally:
        batch.close()
    # Each path gets its own file's transcript (the samples differ in length).
    lengths = [round(len(decode(path, token)) / SAMPLE_RATE, 2) for path in reversed(SAMPLES[:3])]
    assert [t["duration_s"] for t in transcripts] == lengths and len(set(lengths)) == 3
    assert len(fake.requests) == 3 and fake.most_at_once == 2


def test_language_names_become_codes() -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    assert [language_code(v) for v in ("german", "German", "de", "en-US", "haitian creole", None, "")] == [
        "de", "de", "de", "en", "ht", None, None,
    ]  # fmt: skip
    assert set(LANGUAGE_CODES.values()) == set(_LANGUAGE_CODES)
