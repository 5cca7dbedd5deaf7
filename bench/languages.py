"""The English-only language check on espeak-ng ads (tests/speech_clips.py): non-English, English and
bilingual clips through the bundled tiny.en and the transcriber child's own functions, in this process.

The thresholds were chosen on the dev part; report the held-out part (the default). Per clip the
transcription (decode + faster-whisper, what the app did before the check) and the check (the detector's
speech spans + the check + dropping the untranscribed words) are timed apart. Last line: one JSON object.

Usage: python bench/languages.py [--part held_out|dev|all] [--clips DIR] [--save FILE.jsonl] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core.untranscribed import (  # noqa: E402
    ENGLISH,
    NO_SPEECH,
    NOT_ENGLISH,
    PARTLY_ENGLISH,
    untranscribed_note,
)
from desktop_app.engines.speech_language import speech_spans  # noqa: E402
from desktop_app.engines.transcriber import resolve_model  # noqa: E402
from desktop_app.engines.whisper_child import SAMPLING_RATE, decode, listen, transcript_of  # noqa: E402
from tests.speech_clips import Built, all_clips, build  # noqa: E402


def run_clip(model: Any, built: Built) -> dict[str, Any]:
    """One clip as the child transcribes it, with the transcription and the check timed apart."""
    began = time.perf_counter()
    audio = decode(str(built.path))
    segments, info = listen(model, audio, "en", lambda message: None)
    heard = time.perf_counter()
    transcript = transcript_of(segments, info, speech_spans(audio, SAMPLING_RATE))
    checked = time.perf_counter()
    return {
        "name": built.clip.name,
        "kind": built.clip.kind,
        "language": built.clip.language,
        "part": built.clip.part,
        "foreign": built.foreign,
        "verdict": transcript["speech_check"]["verdict"],
        "untranscribed": [(s["start"], s["end"]) for s in transcript["speech_check"]["untranscribed"]],
        "note": untranscribed_note(transcript),
        "text": transcript["text"],
        "transcribe_s": heard - began,
        "check_s": checked - heard,
    }


def mixed_ok(row: dict[str, Any]) -> bool:
    """Reported as partly untranscribed, with the spans on the other language: at least half of it covered,
    and at most a third of the spans on the English part."""
    if row["verdict"] != PARTLY_ENGLISH:
        return False
    overlap = sum(max(0.0, min(e, fe) - max(s, fs)) for s, e in row["untranscribed"] for fs, fe in row["foreign"])
    foreign = sum(fe - fs for fs, fe in row["foreign"])
    flagged = sum(e - s for s, e in row["untranscribed"])
    return overlap >= 0.5 * foreign and flagged - overlap <= flagged / 3


def pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    english = [r for r in rows if r["kind"] == "english"]
    foreign = [r for r in rows if r["kind"] == "foreign"]
    mixed = [r for r in rows if r["kind"] == "mixed"]
    flagged = [r for r in foreign if r["verdict"] in (PARTLY_ENGLISH, NOT_ENGLISH)]
    english_flagged = [r for r in english if r["verdict"] not in (ENGLISH, NO_SPEECH)]
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    for r in foreign:
        by_language[r["language"]][r["verdict"]] += 1
    return {
        "english_clips": len(english),
        "english_flagged_pct": pct(len(english_flagged), len(english)),
        "english_flagged": [r["name"] for r in english_flagged],
        "foreign_clips": len(foreign),
        "foreign_languages": len(by_language),
        "foreign_flagged_pct": pct(len(flagged), len(foreign)),
        "foreign_unsupported_pct": pct(sum(r["verdict"] == NOT_ENGLISH for r in foreign), len(foreign)),
        "foreign_missed": [r["name"] for r in foreign if r not in flagged],
        "foreign_by_language": {k: dict(v) for k, v in sorted(by_language.items())},
        "mixed_clips": len(mixed),
        "mixed_partly_ok": sum(mixed_ok(r) for r in mixed),
        "mixed": {r["name"]: {"verdict": r["verdict"], "ok": mixed_ok(r), "note": r["note"]} for r in mixed},
    }


def timing(rows: list[dict[str, Any]]) -> dict[str, float]:
    out = {}
    for kind in ("english", "foreign", "mixed"):
        mine = [r for r in rows if r["kind"] == kind]
        if mine:
            out[f"{kind}_transcribe_s"] = round(statistics.mean(r["transcribe_s"] for r in mine), 3)
            out[f"{kind}_check_s"] = round(statistics.mean(r["check_s"] for r in mine), 3)
    total = sum(r["transcribe_s"] for r in rows)
    out["check_overhead_pct"] = round(100 * sum(r["check_s"] for r in rows) / total, 2) if total else 0.0
    return out


def report(part: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    f, t = figures(rows), timing(rows)
    print(f"\n== {part}: {len(rows)} clips")
    print(
        f"  English clips flagged:     {f['english_flagged_pct']:5.1f} % of {f['english_clips']} {f['english_flagged']}"
    )
    print(
        f"  non-English clips flagged:  {f['foreign_flagged_pct']:5.1f} %  of {f['foreign_clips']} "
        f"({f['foreign_languages']} languages); ended as language_unsupported: {f['foreign_unsupported_pct']} %"
    )
    print(f"    missed: {f['foreign_missed']}")
    for language, verdicts in f["foreign_by_language"].items():
        print(f"    {language}: {verdicts}")
    print(
        f"  bilingual clips reported partly untranscribed on the right span: "
        f"{f['mixed_partly_ok']} of {f['mixed_clips']}"
    )
    for name, m in f["mixed"].items():
        print(f"    {name:<16} {m['verdict']:<15} {'ok ' if m['ok'] else 'BAD'} {m['note']}")
    print(
        "  seconds per clip (transcription / check): "
        + ", ".join(
            f"{k}: {t[f'{k}_transcribe_s']:.2f} / {t[f'{k}_check_s']:.3f}"
            for k in ("english", "foreign", "mixed")
            if f"{k}_check_s" in t
        )
        + f"; the check adds {t['check_overhead_pct']} %"
    )
    return {"part": part, **f, **t}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("held_out", "dev", "all"), default="held_out")
    parser.add_argument("--clips", type=Path, help="folder for the spoken clips (default: a temporary one)")
    parser.add_argument("--save", type=Path, help="also write each clip's result here (JSON lines)")
    parser.add_argument("--limit", type=int, help="only the first N clips of each kind (a quick look)")
    args = parser.parse_args()
    folder = args.clips or Path(tempfile.mkdtemp(prefix="speech-clips-"))
    folder.mkdir(parents=True, exist_ok=True)
    clips = [c for c in all_clips() if args.part == "all" or c.part == args.part]
    if args.limit:
        clips = [
            c for kind in ("english", "foreign", "mixed") for c in [c for c in clips if c.kind == kind][: args.limit]
        ]
    from faster_whisper import WhisperModel

    model = WhisperModel(
        resolve_model("tiny.en", None), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2
    )
    rows = []
    for n, clip in enumerate(clips, 1):
        rows.append(run_clip(model, build(clip, folder)))
        print(f"{n}/{len(clips)} {clip.name}: {rows[-1]['verdict']} ({rows[-1]['transcribe_s']:.1f} s)", flush=True)
        if args.save:
            with args.save.open("a", encoding="utf-8") as out:
                out.write(json.dumps(rows[-1]) + "\n")
    parts = ["dev", "held_out"] if args.part == "all" else [args.part]
    result = {p: report(p, [r for r in rows if r["part"] == p]) for p in parts}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
