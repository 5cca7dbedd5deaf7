"""The analysis and the speech's language: the offline analyser refuses speech it cannot read instead of
guessing, and what the English-only model left out travels with the analysis as a limitation."""

from __future__ import annotations

import pytest

from desktop_app.composition import AppServices
from desktop_app.core.context import ItemSkipped
from desktop_app.core.types import Outcome
from desktop_app.core.untranscribed import (
    CHECK_VERSION,
    ENGLISH,
    NOT_ENGLISH,
    PARTLY_ENGLISH,
    heard_again,
    verdict,
    video_note,
)
from desktop_app.engines.llm import SYSTEM
from desktop_app.pipeline.analyse import refuse_other_languages
from desktop_app.pipeline.checkpoints import HeardVideo


def _video(language: str | None, speech: bool = True) -> HeardVideo:
    return HeardVideo(0, "/x.mp4", "0" * 64, 10, speech=speech, language=language)


def test_the_offline_analyser_refuses_speech_in_another_language_in_words() -> None:
    with pytest.raises(ItemSkipped) as refused:
        refuse_other_languages((_video("en"), _video("de")))
    assert refused.value.outcome is Outcome.LANGUAGE_UNSUPPORTED
    assert refused.value.reason.startswith("This ad's speech is in German, and the offline analyser reads English")
    refuse_other_languages((_video("en"), _video(None), _video("fr", speech=False)))  # nothing to refuse


def test_what_was_not_transcribed_becomes_one_sentence_for_the_analysis() -> None:
    note = video_note(PARTLY_ENGLISH, ((6.2, 14.4),))
    assert note == "The speech from 0:06 to 0:14 seems to be in another language and was not transcribed."


def test_the_model_answers_in_english_and_quotes_in_the_original() -> None:
    assert "write your answer in English" in SYSTEM and "in the ad's own language" in SYSTEM


def test_the_language_check_is_stored_with_the_transcript_so_videos_are_heard_once(services: AppServices) -> None:
    results, sha = services.results, "a" * 64
    old = {"text": "nonsense", "segments": [], "language": "en", "duration_s": 9.0}  # stored before the check
    results.save_transcript(sha, "tiny.en", old)
    assert verdict(results.transcript(sha, "tiny.en")) is None, "an unchecked transcript is heard again"
    checked = {**old, "text": "", "language": None, "speech_check": {"verdict": "not_english"}}
    results.save_transcript(sha, "tiny.en", checked)  # replaces the unchecked one, once
    assert verdict(results.transcript(sha, "tiny.en")) == "not_english"
    results.save_transcript(sha, "tiny.en", {**old, "speech_check": {"verdict": "english"}})
    assert verdict(results.transcript(sha, "tiny.en")) == "not_english", "a checked transcript is kept"


def test_what_an_earlier_check_left_out_is_heard_again(services: AppServices) -> None:
    """Check 1 took some English ads for another language; a transcript it cut is heard again and replaced, once,
    while one it let through whole is kept (the current check would keep it whole too)."""
    results, sha = services.results, "b" * 64
    cut = {"text": "Your first week of classes is on", "segments": [], "language": "en", "duration_s": 18.0}
    results.save_transcript(sha, "tiny.en", {**cut, "speech_check": {"verdict": PARTLY_ENGLISH}})
    assert heard_again(results.transcript(sha, "tiny.en"))
    whole = {**cut, "text": cut["text"] + " us. Start your free week at ironleaf fitness dot com."}
    results.save_transcript(sha, "tiny.en", {**whole, "speech_check": {"verdict": ENGLISH, "version": CHECK_VERSION}})
    stored = results.transcript(sha, "tiny.en")
    assert stored is not None and stored["text"] == whole["text"] and not heard_again(stored)
    results.save_transcript(sha, "tiny.en", {**cut, "speech_check": {"verdict": NOT_ENGLISH, "version": CHECK_VERSION}})
    assert verdict(results.transcript(sha, "tiny.en")) == ENGLISH, "the current check's transcript is kept"
    assert not heard_again({"text": "", "speech_check": {"verdict": ENGLISH}}), "nothing was left out"
    assert heard_again({"text": "", "speech_check": {"verdict": NOT_ENGLISH}})
    assert not heard_again({"text": "", "speech_check": {"verdict": NOT_ENGLISH, "version": CHECK_VERSION}})
