"""Noticing speech an English-only Whisper model cannot transcribe.

Forced to English, tiny.en turns German or French into English-sounding nonsense (or into nothing at all)
and never says so. What gives it away: its words come with low probabilities, the decoder's own confidence in
the window is low, it falls into loops (the same phrase again and again, words piled up on one instant), and
stretches of the speech that the voice-activity detector found carry no words. The check lays each word's
belief over the speech on a time grid, smooths it over a few seconds, and calls the stretches that stay low
"untranscribed". Those words are dropped from the transcript (an English-then-German ad keeps its English
part); an ad with (almost) nothing believable left is not English.

Pure Python over the transcriber's segments and the detector's speech spans; faster-whisper's VAD is imported
inside `speech_spans`, as engines keep heavy imports out of module level."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from desktop_app.core.untranscribed import CHECK_VERSION, ENGLISH, NO_SPEECH, NOT_ENGLISH, PARTLY_ENGLISH

Span = tuple[float, float]
BIN_S = 0.1  # the time grid


@dataclass(frozen=True)
class Tuning:
    """The check's thresholds, chosen on the dev part of tests/speech_clips.py (bench/languages.py measures
    them on the held-out part)."""

    word_pad_s: float = 0.1  # a word covers a little more than its own timestamps
    min_word_s: float = 0.02  # a word shorter than this is part of a pile-up
    max_word_s: float = 1.0  # a word longer than this covers only its end
    loop_share: float = 0.5  # a segment at least half of whose four-word phrases were just said is a loop
    logprob_ok: float = -0.8  # a decoding window whose mean token log-probability is above this is trusted...
    logprob_bad: float = -2.0  # ...and one at or below this only at `least_trust`
    least_trust: float = 0.5
    quiet_gap_s: float = 0.8  # speech this far from any word counts as untranscribed, nearer is a pause
    window_s: float = 4.0  # the smoothing window
    trusted: float = 0.55  # smoothed belief below this is not believed
    min_run_s: float = 3.5  # shorter low stretches are a misheard phrase, not another language
    join_s: float = 1.0  # low stretches this close together are one
    min_speech_s: float = 1.0  # less speech than this: nothing to check
    min_english_s: float = 2.5  # less believed speech than this left over: the ad is not in English...
    not_english_share: float = 0.7  # ...nor when this share of the speech is untranscribed


TUNING = Tuning()


def speech_spans(audio: Any, sampling_rate: int = 16000) -> list[Span]:
    """Where faster-whisper's voice-activity detector (the one its vad_filter uses) hears speech, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions())
    return [(c["start"] / sampling_rate, c["end"] / sampling_rate) for c in chunks]


def _window_trust(seg: dict[str, Any], tuning: Tuning) -> float:
    """How far the decoder itself trusted the window the segment came from (its mean token log-probability)."""
    logprob = float(seg.get("avg_logprob", 0.0))
    if logprob >= tuning.logprob_ok:
        return 1.0
    share = min(1.0, (tuning.logprob_ok - logprob) / (tuning.logprob_ok - tuning.logprob_bad))
    return 1.0 - share * (1.0 - tuning.least_trust)


def _plain(word: str) -> str:
    return "".join(re.findall(r"[a-z0-9']+", word.lower()))


def _repeated(
    words: Sequence[dict[str, Any]], before: set[tuple[str, ...]]
) -> tuple[list[bool], float, set[tuple[str, ...]]]:
    """Per word, whether it is part of a four-word phrase said just before: earlier in this segment or in `before`,
    the previous segment's phrases (a loop repeats what was just said; an ad's line at its start and again at its
    end is not one). Also the share of the segment's phrases that were, and the segment's phrases. A segment of
    fewer than four words is one phrase."""
    plain = [_plain(str(w.get("word", ""))) for w in words]
    said = [k for k, token in enumerate(plain) if token]
    tokens = [plain[k] for k in said]
    size = min(4, len(tokens))
    phrases = [tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)] if tokens else []
    repeated = [False] * len(words)
    mine: set[tuple[str, ...]] = set()
    again = 0
    for i, phrase in enumerate(phrases):
        if phrase in mine or phrase in before:
            again += 1
            for k in said[i : i + size]:
                repeated[k] = True
        mine.add(phrase)
    return repeated, again / len(phrases) if phrases else 0.0, mine


def _word_scores(segments: Sequence[dict[str, Any]], tuning: Tuning) -> list[tuple[float, float, float]]:
    """(start, end, belief) per word: its probability times its window's trust, or 0 where the decoding broke
    down: a segment made largely of four-word phrases just said (a loop), a word of such a phrase (ads do say a
    line twice, so a phrase said again costs only its own words), or a word squeezed to no time (the words of a
    hallucination pile up on one instant). A word stretched over seconds covers only its end."""
    scores: list[tuple[float, float, float]] = []
    before: set[tuple[str, ...]] = set()
    for seg in segments:
        words = seg.get("words") or []
        repeated, share, before = _repeated(words, before)
        looped = share >= tuning.loop_share
        trust = _window_trust(seg, tuning)
        for w, again in zip(words, repeated, strict=True):
            start, end = float(w["start"]), float(w["end"])
            broken = looped or again or end - start < tuning.min_word_s
            belief = 0.0 if broken else float(w.get("probability", 1.0)) * trust
            scores.append((max(start, end - tuning.max_word_s), end, belief))
    return scores


def _profile(
    scores: list[tuple[float, float, float]], speech: Sequence[Span], tuning: Tuning
) -> tuple[list[float], list[float | None]]:
    """The speech's bin centres and, per bin, the belief of the word there, 0 for speech far from any word,
    or None for a pause between words (which says nothing either way)."""
    size = int(max(end for _, end in speech) / BIN_S) + 2
    belief: list[float | None] = [None] * size
    near = [False] * size

    def bins(start: float, end: float) -> range:
        return range(max(0, int(start / BIN_S)), min(size, int(end / BIN_S) + 1))

    for start, end, value in scores:
        for i in bins(start - tuning.word_pad_s, end + tuning.word_pad_s):
            held = belief[i]
            belief[i] = value if held is None else max(held, value)
        for i in bins(start - tuning.quiet_gap_s, end + tuning.quiet_gap_s):
            near[i] = True
    times: list[float] = []
    values: list[float | None] = []
    for start, end in speech:
        for i in bins(start, end - BIN_S):
            times.append(round((i + 0.5) * BIN_S, 3))
            values.append(belief[i] if belief[i] is not None else (None if near[i] else 0.0))
    return times, values


def _smoothed(times: list[float], values: list[float | None], tuning: Tuning) -> list[float]:
    """The mean belief within half a window either side of each bin (pauses left out)."""
    sums = [0.0, *accumulate(v or 0.0 for v in values)]
    counts = [0, *accumulate(v is not None for v in values)]
    out = []
    for t in times:
        lo, hi = bisect_left(times, t - tuning.window_s / 2), bisect_right(times, t + tuning.window_s / 2)
        n = counts[hi] - counts[lo]
        out.append((sums[hi] - sums[lo]) / n if n else 1.0)
    return out


def _low_runs(times: list[float], smoothed: list[float], tuning: Tuning) -> list[Span]:
    """Stretches where the smoothed belief stays under the threshold, joined across short gaps."""
    runs: list[list[float]] = []
    for t, v in zip(times, smoothed, strict=True):
        if v >= tuning.trusted:
            continue
        start, end = t - BIN_S / 2, t + BIN_S / 2
        if runs and start - runs[-1][1] <= tuning.join_s:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(round(s, 2), round(e, 2)) for s, e in runs if e - s >= tuning.min_run_s]


def check_english(
    segments: Sequence[dict[str, Any]], speech: Sequence[Span], tuning: Tuning = TUNING
) -> dict[str, Any]:
    """The transcript's `speech_check`: the verdict, the untranscribed spans and their share of the speech."""
    speech_s = sum(end - start for start, end in speech)
    runs: list[Span] = []
    if speech_s < tuning.min_speech_s:
        verdict, share = NO_SPEECH, 0.0
    else:
        times, values = _profile(_word_scores(segments, tuning), speech, tuning)
        runs = _low_runs(times, _smoothed(times, values, tuning), tuning)
        lost = sum(max(0.0, min(e, se) - max(s, ss)) for s, e in runs for ss, se in speech)
        share = lost / speech_s
        if share >= tuning.not_english_share or speech_s - lost < tuning.min_english_s:
            verdict, share, runs = NOT_ENGLISH, 1.0, [(round(speech[0][0], 2), round(speech[-1][1], 2))]
        else:
            verdict = PARTLY_ENGLISH if runs else ENGLISH
    return {
        "verdict": verdict,
        "untranscribed": [{"start": s, "end": e} for s, e in runs],
        "untranscribed_share": round(share, 3),
        "speech_s": round(speech_s, 2),
        "version": CHECK_VERSION,
    }


def keep_transcribed(segments: Sequence[dict[str, Any]], untranscribed: Sequence[Span]) -> list[dict[str, Any]]:
    """The segments without the words that fall in untranscribed spans (their text rebuilt from the rest)."""

    def lost(w: dict[str, Any]) -> bool:
        middle = (float(w["start"]) + float(w["end"])) / 2
        return any(s <= middle <= e for s, e in untranscribed)

    kept = []
    for seg in segments:
        words = seg.get("words") or []
        remaining = [w for w in words if not lost(w)]
        if len(remaining) == len(words):
            kept.append(dict(seg))
        elif remaining:
            text = "".join(str(w["word"]) for w in remaining).strip()
            kept.append(dict(seg, start=remaining[0]["start"], end=remaining[-1]["end"], text=text, words=remaining))
    return kept
