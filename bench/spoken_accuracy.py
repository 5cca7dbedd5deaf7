"""Accuracy of the offline analyser on held-out scripts as the app really meets them: spoken by espeak-ng (English
voices, varied), transcribed by the bundled Whisper model, then analysed from the transcript with its word slips
("shot now" for "shop now"). Compares with the same scripts analysed from their exact text.

The scripts are the first N of a held-out part of the blind corpus (tests/data/corpus/heldout.json, or with --part
heldout_b.json): measured, never trained or tuned on; or of the development part dev_b.json, tuned on, never
learned. --save keeps the transcripts (id and text) in a JSON file, as tests/data/corpus/heldout_heard.json,
heldout_b_heard.json and dev_b_heard.json were made. Needs espeak-ng on PATH.

Usage: python bench/spoken_accuracy.py [--count 30] [--part heldout.json] [--save FILE]
       (prints figures, then one JSON object as the last line)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from analyser_accuracy import CORPUS, FIELDS, HELD_OUT_PARTS, accuracy, labels_of  # noqa: E402

from desktop_app.core.context import CancelToken  # noqa: E402
from desktop_app.core.facts import build_input  # noqa: E402
from desktop_app.engines.heuristic import analyse  # noqa: E402
from desktop_app.engines.transcriber import Transcriber  # noqa: E402
from tests.speech_clips import ENGLISH_VOICES, SPEEDS, VARIANTS, Clip, Piece, build  # noqa: E402
from tests.text_metrics import edit_distance  # noqa: E402

TARGET = 85.0


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def spoken(entries: list[dict[str, Any]], folder: Path) -> tuple[list[dict[str, Any]], float]:
    """Each script spoken and transcribed: entries whose script is the transcript, and the word error rate."""
    transcriber = Transcriber()
    out, changed, total = [], 0, 0
    try:
        for n, entry in enumerate(entries):
            voice = ENGLISH_VOICES[n % len(ENGLISH_VOICES)] + VARIANTS[n % len(VARIANTS)]
            piece = Piece("en", voice, SPEEDS[n % len(SPEEDS)], entry["script"])
            clip = Clip(f"s{n:03d}", "english", "held_out", (piece,), music=False)
            built = build(clip, folder)
            heard = transcriber.transcribe(built.path, CancelToken())
            said, got = words(entry["script"]), words(str(heard["text"]))
            changed += edit_distance(said, got)
            total += len(said)
            out.append(entry | {"script": heard["text"], "segments": heard["segments"]})
    finally:
        transcriber.close()
    return out, changed / max(1, total)


def analysed_from_transcripts(entries: list[dict[str, Any]]) -> dict[str, float]:
    """Like analyser_accuracy.accuracy, but from the transcripts' own segments and word timings."""
    right = dict.fromkeys(FIELDS, 0)
    for entry in entries:
        transcript = {"text": entry["script"], "segments": entry["segments"]}
        got = labels_of(analyse(build_input("ad", 0, {"page_name": "Brand"}, transcript)))
        for field in FIELDS:
            expected = entry["labels"][field]
            right[field] += got[field] == (sorted(expected) if isinstance(expected, list) else expected)
    return {field: round(100 * right[field] / len(entries), 1) for field in FIELDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parts = [f"{part}.json" for part in HELD_OUT_PARTS] + ["dev_b.json"]  # dev_b: tuned on, never learned
    parser.add_argument("--part", default="heldout.json", choices=parts)
    parser.add_argument("--save", type=Path, help="write the transcripts here")
    args = parser.parse_args()
    entries = json.loads((CORPUS / args.part).read_text(encoding="utf-8"))[: args.count]
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        heard, word_changes = spoken(entries, Path(tmp))
    seconds = time.monotonic() - began
    if args.save:
        kept = [{"id": e["id"], "script": e["script"]} for e in heard]
        args.save.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    exact, from_speech = accuracy(entries), analysed_from_transcripts(heard)
    print(
        f"Offline analyser on {len(entries)} scripts of {args.part} spoken by espeak-ng and transcribed by"
        f" tiny.en ({seconds:.0f} s)"
    )
    print(f"  word error rate of the transcription: {100 * word_changes:.1f} % (espeak-ng voices are hard to hear)")
    print(f"  {'field':<14} {'exact text':>10} {'spoken':>8}   (target spoken: {TARGET:.0f} %)")
    for field in FIELDS:
        print(f"  {field:<14} {exact[field]:9.1f}% {from_speech[field]:7.1f}%")
    print(
        json.dumps(
            {
                "scripts": len(entries),
                "part": args.part,
                "exact_text_percent": exact,
                "spoken_percent": from_speech,
                "word_error_rate_percent": round(100 * word_changes, 1),
                "target_met": all(v >= TARGET for v in from_speech.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
