"""Ad-like speech clips in many languages, spoken by espeak-ng, for the English-only language check.

The texts (data/speech_texts.json) were written (natively for each language, not translated word for word)
before the check existed, and each text belongs once and for all to the dev part (tune on it) or the held-out
part (only measure on it): texts alternate dev, held-out, dev, ... within each list. Every text is spoken in a few
voices and speeds; some clips get a quiet music bed, as ads often have one."""

from __future__ import annotations

import io
import json
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 22050  # espeak-ng's output rate
PAUSE_S = 0.5  # between the two languages of a mixed clip

_TEXTS = json.loads((Path(__file__).parent / "data" / "speech_texts.json").read_text(encoding="utf-8"))
ENGLISH: list[str] = _TEXTS["english"]
# language: (espeak-ng voice, texts)
FOREIGN: dict[str, tuple[str, list[str]]] = {code: (voice, texts) for code, (voice, texts) in _TEXTS["foreign"].items()}
# Bilingual ads: (first language, first part, second language, second part); "en" is the English part.
MIXED: list[tuple[str, str, str, str]] = [(a, b, c, d) for a, b, c, d in _TEXTS["mixed"]]

ENGLISH_VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc", "en-gb-x-gbclan"]
VARIANTS = ["", "+f2", "+m3", "+klatt2", "+f4", "+m7", "+f5"]
SPEEDS = [150, 175, 140, 165, 185, 160]
TAKES = 3  # voices/speeds per text of the English and foreign sets


@dataclass(frozen=True)
class Piece:
    language: str
    voice: str
    speed: int
    text: str


@dataclass(frozen=True)
class Clip:
    name: str
    kind: str  # "english", "foreign" or "mixed"
    part: str  # "dev" or "held_out"
    pieces: tuple[Piece, ...]
    music: bool

    @property
    def language(self) -> str:
        return "+".join(p.language for p in self.pieces)


@dataclass(frozen=True)
class Built:
    clip: Clip
    path: Path
    duration: float
    foreign: tuple[tuple[float, float], ...]  # where the non-English speech is, in seconds


def _part(index: int) -> str:
    return "dev" if index % 2 == 0 else "held_out"


def _english_clips() -> list[Clip]:
    clips = []
    for i, text in enumerate(ENGLISH):
        for k in range(TAKES):
            voice = ENGLISH_VOICES[(i + 3 * k) % len(ENGLISH_VOICES)] + VARIANTS[(2 * i + k) % len(VARIANTS)]
            piece = Piece("en", voice, SPEEDS[(i + 2 * k) % len(SPEEDS)], text)
            clips.append(Clip(f"en-{i:02d}-{k}", "english", _part(i), (piece,), (i + k) % 3 == 2))
    return clips


def _foreign_clips() -> list[Clip]:
    clips = []
    for language, (voice, texts) in FOREIGN.items():
        for i, text in enumerate(texts):
            for k in range(TAKES):
                variant = VARIANTS[(i + 2 * k) % len(VARIANTS)]
                piece = Piece(language, voice + variant, SPEEDS[(3 * i + k) % len(SPEEDS)], text)
                clips.append(Clip(f"{language}-{i:02d}-{k}", "foreign", _part(i), (piece,), (i + k) % 3 == 1))
    return clips


def _mixed_clips() -> list[Clip]:
    clips = []
    for i, (first, first_text, second, second_text) in enumerate(MIXED):
        variant, speed = VARIANTS[i % len(VARIANTS)], SPEEDS[i % len(SPEEDS)]
        voices = {"en": ENGLISH_VOICES[i % len(ENGLISH_VOICES)]} | {code: v for code, (v, _) in FOREIGN.items()}
        pieces = (
            Piece(first, voices[first] + variant, speed, first_text),
            Piece(second, voices[second] + variant, speed, second_text),
        )
        clips.append(Clip(f"mix-{i:02d}-{first}-{second}", "mixed", _part(i), pieces, i % 3 == 2))
    return clips


def all_clips() -> list[Clip]:
    """The whole set: English controls, single-language foreign ads and bilingual ads."""
    return _english_clips() + _foreign_clips() + _mixed_clips()


def _speak(piece: Piece) -> np.ndarray:
    done = subprocess.run(
        ["espeak-ng", "-v", piece.voice, "-s", str(piece.speed), "--stdout", piece.text],
        check=True,
        capture_output=True,
    )
    with wave.open(io.BytesIO(done.stdout), "rb") as wav:
        assert wav.getframerate() == RATE and wav.getsampwidth() == 2
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def _music_bed(samples: int, speech_rms: float) -> np.ndarray:
    """Soft chords (A minor, F, C, G, two seconds each) about 20 dB under the speech."""
    t = np.arange(samples) / RATE
    chords = [(220.0, 261.6, 329.6), (174.6, 220.0, 261.6), (261.6, 329.6, 392.0), (196.0, 246.9, 293.7)]
    which = (t // 2.0).astype(int) % len(chords)
    bed = np.zeros(samples, dtype=np.float32)
    for note in range(3):
        freqs = np.array([c[note] for c in chords])[which]
        bed += np.sin(2 * np.pi * freqs * t).astype(np.float32)
    bed *= (0.6 + 0.4 * np.cos(2 * np.pi * t / 2.0)).astype(np.float32)  # each chord swells and fades
    return bed * (0.1 * speech_rms / max(float(np.sqrt(np.mean(bed**2))), 1e-9))


def build(clip: Clip, folder: Path) -> Built:
    """Speak the clip into folder/<name>.wav (16-bit mono WAV, as espeak-ng writes it)."""
    audio, foreign, at = [], [], 0.0
    for n, piece in enumerate(clip.pieces):
        if n:
            audio.append(np.zeros(int(PAUSE_S * RATE), dtype=np.float32))
            at += PAUSE_S
        speech = _speak(piece)
        if piece.language != "en":
            foreign.append((round(at, 2), round(at + len(speech) / RATE, 2)))
        audio.append(speech)
        at += len(speech) / RATE
    signal = np.concatenate(audio)
    if clip.music:
        voiced = signal[np.abs(signal) > 0.01]
        signal = signal + _music_bed(len(signal), float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 0.1)
    path = folder / f"{clip.name}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(signal, -1, 1) * 32767).astype(np.int16).tobytes())
    return Built(clip, path, round(len(signal) / RATE, 2), tuple(foreign))


def as_video(wav: Path, target: Path) -> Path:
    """The clip as an audio-only MP4 (AAC), the kind of file the folder source picks up."""
    import av

    with av.open(str(wav)) as src, av.open(str(target), "w") as out:
        stream = out.add_stream("aac", rate=RATE)
        for frame in src.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target
