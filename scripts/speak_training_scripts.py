"""Make more transcribed training scripts for the offline analyser: written training scripts (dev.json and
every train_*.json, never a held-out part) spoken by espeak-ng and transcribed by the bundled Whisper model, so the
learned decisions see the word slips the app really meets. Entries keep their id and labels; the transcript replaces the
script and the copy is dropped (speech has none). Scripts already in a train_spoken*.json are skipped; with
--take K, each script heard fewer than K times gets one more take instead (more of the slips the app meets), never a
copy of an earlier one. --start splits the list as it is when the run starts: two runs side by side share it.

The voices, variants and speeds are bench/spoken_accuracy.py's, cycled in another order. Written as it goes, so a
stopped run keeps what it made. Needs espeak-ng on PATH. One transcriber, one thread: it leaves the other cores free.

Usage: python scripts/speak_training_scripts.py --out tests/data/corpus/train_spoken_w.json [--count 300] [--start 0]
       [--take 2]
  --out must be a new file: an existing part is never written over.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from train_analyser import training_scripts  # noqa: E402

from desktop_app.core.context import CancelToken  # noqa: E402
from desktop_app.engines.transcriber import Transcriber  # noqa: E402
from tests.speech_clips import ENGLISH_VOICES, SPEEDS, VARIANTS, Clip, Piece, build  # noqa: E402

SEED = 20261129


def transcripts_so_far(spoken: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each training script's transcripts already made, by id."""
    heard: dict[str, list[str]] = defaultdict(list)
    for e in spoken:
        heard[e["id"]].append(e["script"])
    return heard


def to_speak(written: list[dict[str, Any]], heard: dict[str, list[str]], times: int) -> list[dict[str, Any]]:
    """The written training scripts heard fewer than `times` times so far, in a seeded shuffle."""
    entries = [e for e in written if len(heard[e["id"]]) < times]
    random.Random(SEED).shuffle(entries)
    return entries


def take(entry: dict[str, Any], turn: int, transcriber: Transcriber, folder: Path) -> str:
    """The script spoken in the voice, variant and speed of this turn, as the bundled model hears it."""
    voice = ENGLISH_VOICES[turn % len(ENGLISH_VOICES)] + VARIANTS[(turn // 2) % len(VARIANTS)]
    piece = Piece("en", voice, SPEEDS[turn % len(SPEEDS)], entry["script"])
    built = build(Clip(f"t{turn:05d}", "english", "dev", (piece,), music=False), folder)
    try:
        return str(transcriber.transcribe(built.path, CancelToken())["text"]).strip()
    finally:
        built.path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--start", type=int, default=0, help="skip this many (so that two runs can share the work)")
    parser.add_argument("--take", type=int, default=1, help="one more take of each script heard fewer than K times")
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} exists: give a new file, so that no transcripts are written over")
    if args.take < 1:
        parser.error("--take counts from 1 (a script's first take)")
    written, spoken = training_scripts()
    heard = transcripts_so_far(spoken)
    chosen = to_speak(written, heard, args.take)[args.start : args.start + args.count]
    made: list[dict[str, Any]] = []
    transcriber = Transcriber(cpu_threads=1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n, entry in enumerate(chosen):
                turn = n + 3  # not in step with the held-out bench's voices
                text = take(entry, turn, transcriber, Path(tmp))
                if text in heard[entry["id"]]:  # the first take's voice again: the next voice makes other slips
                    text = take(entry, turn + 1, transcriber, Path(tmp))
                if text and text not in heard[entry["id"]]:  # a take with no words, or a copy, teaches nothing
                    made.append({**entry, "script": text, "copy": ""})
                if n % 10 == 9:
                    args.out.write_text(json.dumps(made, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
                    print(f"{n + 1} spoken", flush=True)
    finally:
        transcriber.close()
    args.out.write_text(json.dumps(made, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(made)} transcribed scripts written to {args.out}")


if __name__ == "__main__":
    main()
