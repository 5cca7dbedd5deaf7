"""What the transcriber could not transcribe, in words people read.

An English-only Whisper model turns speech in another language into English-sounding nonsense. The
transcriber notices such speech and stores its check in the transcript (`speech_check`); the stages, the
analysis and the windows read it here, so they all say the same thing about it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ENGLISH = "english"  # all the speech was transcribed by the English-only model
PARTLY_ENGLISH = "partly_english"  # some speech was left out: it seems to be in another language
NOT_ENGLISH = "not_english"  # (almost) nothing could be transcribed: the speech is not in English
NO_SPEECH = "no_speech"  # nothing to check
DETECTED = "detected"  # a multilingual model, which detects the language itself: nothing to check
# The check's version, stored in it. 2: a phrase counts as repeated only when it was just said, and a segment is a
# loop only when half its phrases were (version 1 zeroed a segment that repeated any phrase heard before, so an ad that
# said its name twice was taken for another language and lost its ending, the call to action with it).
CHECK_VERSION = 2

NOT_ENGLISH_REASON = (
    "The speech in this ad is not in English, and the English-only model cannot transcribe it: choose a "
    "multilingual Whisper model or a transcription service in Settings."
)


def speech_check(transcript: Mapping[str, Any] | None) -> dict[str, Any]:
    """The transcript's check, or an empty one for transcripts stored before the check existed."""
    check = (transcript or {}).get("speech_check")
    return check if isinstance(check, dict) else {}


def verdict(transcript: Mapping[str, Any] | None) -> str | None:
    """ENGLISH, PARTLY_ENGLISH, NOT_ENGLISH, NO_SPEECH, DETECTED, or None when the transcript was not checked."""
    value = speech_check(transcript).get("verdict")
    return value if isinstance(value, str) else None


def heard_again(transcript: Mapping[str, Any] | None) -> bool:
    """Whether an English-only model's stored transcript is to be made again: stored before the check existed, or
    by an earlier version of it that left speech out, which this one may keep. What was left out is not stored,
    so only hearing the video again can bring it back."""
    checked = verdict(transcript)
    if checked is None:
        return True
    return checked in (PARTLY_ENGLISH, NOT_ENGLISH) and speech_check(transcript).get("version", 1) < CHECK_VERSION


def to_hear(transcript: Mapping[str, Any] | None, english_only: bool) -> bool:
    """Whether a video is to be transcribed (again) by a transcriber: nothing is stored, or, for an English-only
    model, what is stored heard_again names (a multilingual model or a remote service detects the language itself:
    what it stored stands)."""
    return transcript is None or (english_only and heard_again(transcript))


def untranscribed_spans(transcript: Mapping[str, Any] | None) -> list[tuple[float, float]]:
    """The stretches of speech (start, end in seconds) left out of the transcript."""
    spans = speech_check(transcript).get("untranscribed") or []
    return [(float(s["start"]), float(s["end"])) for s in spans]


def clock(seconds: float) -> str:
    """m:ss, as a video player shows time."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def untranscribed_sentence(spans: Sequence[tuple[float, float]]) -> str | None:
    """ "The speech from 0:06 to 0:14 seems to be in another language and was not transcribed.", or None."""
    if not spans:
        return None
    parts = [f"from {clock(start)} to {clock(end)}" for start, end in spans]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"The speech {joined} seems to be in another language and was not transcribed."


def video_note(checked: str | None, spans: Sequence[tuple[float, float]]) -> str | None:
    """What to tell people about one video from its check's verdict and spans (as a transcribe checkpoint
    holds them): the whole speech (NOT_ENGLISH_REASON), some spans (untranscribed_sentence), or None."""
    if checked == NOT_ENGLISH:
        return NOT_ENGLISH_REASON
    return untranscribed_sentence(spans)


def untranscribed_note(transcript: Mapping[str, Any] | None) -> str | None:
    """video_note for a stored transcript."""
    return video_note(verdict(transcript), untranscribed_spans(transcript))
