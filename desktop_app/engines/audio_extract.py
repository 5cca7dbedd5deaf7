"""Audio for upload to a transcription server, made with PyAV: the audio track alone, mono 16 kHz (what
Whisper resamples everything to anyway) as 32 kbit/s MP3, the format every OpenAI-compatible server reads.
A 30-second ad becomes about 120 KB instead of megabytes of video, and an hour about 14 MB.

Audio longer than one upload allows is cut into pieces, each at the quietest moment shortly before the
limit, so a word is rarely cut in two; each piece knows where it starts, to offset its times back."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.context import AdFailed, CancelToken
from desktop_app.engines.whisper_child import TranscriptionError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
BIT_RATE = 32_000
BYTES_PER_S = BIT_RATE // 8
HEADER_BYTES = 2048  # the MP3 container's tags and first (Xing) frame, with room to spare
MIN_UPLOAD_BYTES = HEADER_BYTES + BYTES_PER_S  # one second of audio
UPLOAD_LIMIT_BYTES = 25 * 1000 * 1000  # OpenAI's limit on one upload (the multipart form's other fields are tiny)
CHUNK_S = 600.0  # gpt-4o-transcribe takes at most 25 minutes; shorter pieces also retry and spread faster
QUIET_WINDOW_S = 5.0  # how far back from the limit to look for a pause
FRAME_S = 0.02
ENCODE_BLOCK = 10 * SAMPLE_RATE  # samples encoded between two looks at the cancel token


class UnreadableAudio(TranscriptionError, AdFailed):
    """This file's audio cannot be read or cut (no audio track, a corrupt file): this ad fails, in words."""


@dataclass(frozen=True)
class AudioChunk:
    """One piece to upload: where it starts in the whole audio, how long it is, and the MP3 bytes."""

    index: int
    start_s: float
    duration_s: float
    data: bytes


def decode(path: Path, token: CancelToken) -> Any:
    """The audio track as mono 16 kHz int16 samples (a numpy array); a cancel stops it between frames."""
    import av
    import numpy as np

    parts: list[Any] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise UnreadableAudio("the video has no audio track")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(container.streams.audio[0]):
                token.raise_if_stopped()
                parts.extend(out.to_ndarray()[0] for out in resampler.resample(frame))
            parts.extend(out.to_ndarray()[0] for out in resampler.resample(None))
    except av.error.FFmpegError as exc:
        log.info("cannot decode the audio of %s: %s", path, exc)
        raise UnreadableAudio(f"corrupt or unsupported video file ({exc.strerror or 'unreadable'})") from exc
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def encode_mp3(samples: Any, token: CancelToken) -> bytes:
    """Mono 16 kHz int16 samples as a constant-bitrate MP3 file, in memory; a cancel stops it between blocks."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        stream.codec_context.options = {"compression_level": "7"}  # LAME's faster search; speech loses nothing
        for start in range(0, len(samples), ENCODE_BLOCK):
            token.raise_if_stopped()
            block = samples[start : start + ENCODE_BLOCK].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def quiet_cuts(samples: Any, max_samples: int) -> list[int]:
    """Where to cut so no piece is longer than `max_samples`: at the quietest 20 ms in the last few seconds
    before each limit. Returns the end of every piece (the last is the end of the audio)."""
    import numpy as np

    frame = int(FRAME_S * SAMPLE_RATE)
    window = max(frame, min(int(QUIET_WINDOW_S * SAMPLE_RATE), max_samples // 4))
    cuts, start = [], 0
    while len(samples) - start > max_samples:
        low = start + max_samples - window
        span = samples[low : start + max_samples].astype(np.float32)
        frames = span[: len(span) // frame * frame].reshape(-1, frame)
        quietest = int(np.argmin((frames**2).mean(axis=1)))
        start = low + quietest * frame + frame // 2
        cuts.append(start)
    cuts.append(len(samples))
    return cuts


def extract_chunks(
    path: Path, token: CancelToken, max_bytes: int = UPLOAD_LIMIT_BYTES, max_s: float = CHUNK_S
) -> tuple[list[AudioChunk], float]:
    """The file's audio as MP3 pieces under `max_bytes` and `max_s` each, and the audio's duration in seconds.
    No audio samples at all gives no pieces."""
    samples = decode(path, token)
    duration = len(samples) / SAMPLE_RATE
    limit_s = min(max_s, (max_bytes - HEADER_BYTES) / BYTES_PER_S)
    while limit_s >= 1.0:
        token.raise_if_stopped()
        chunks, start = [], 0
        for index, end in enumerate(quiet_cuts(samples, int(limit_s * SAMPLE_RATE)) if len(samples) else []):
            data = encode_mp3(samples[start:end], token)
            chunks.append(AudioChunk(index, start / SAMPLE_RATE, (end - start) / SAMPLE_RATE, data))
            start = end
        if all(len(chunk.data) <= max_bytes for chunk in chunks):
            log.debug("%s: %.1f s of audio in %d piece(s)", path.name, duration, len(chunks))
            return chunks, duration
        limit_s *= 0.9  # the encoder wrote more than its bitrate promised: cut shorter pieces
    raise UnreadableAudio(f"the audio could not be cut into pieces under {max_bytes} bytes for upload")
