"""Accuracy of the offline analyser on the blind labelled corpus (tests/data/corpus), per field.

The corpus was written and labelled by separate sessions that never saw the analyser's code. The dev part and
the train_*.json parts train the learned decisions (scripts/train_analyser.py), so accuracy on them is only
how well the model fits; the held-out parts are measured, never trained or tuned on: heldout.json (169 scripts)
and heldout_b.json (170, written later by two more blind sessions). Prints per-field accuracy for each from the
scripts' exact text (no transcription). Last line: one JSON object with the figures.

Usage: python bench/analyser_accuracy.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core.facts import build_input  # noqa: E402
from desktop_app.core.schema import AdAnalysis  # noqa: E402
from desktop_app.engines.heuristic import analyse  # noqa: E402

CORPUS = REPO / "tests" / "data" / "corpus"
FIELDS = ("hook_type", "cta_present", "cta_type", "offer_present", "offer_types", "urgency")
HELD_OUT_PARTS = ("heldout", "heldout_b")  # measured only, never trained or tuned on


def predict(entry: dict[str, Any]) -> dict[str, Any]:
    """The analyser's answer for one script, spoken as one 12-second segment, in the labels' terms."""
    script, copy = entry["script"], entry.get("copy") or ""
    segment = {"start": 0.0, "end": 12.0, "text": script, "words": []}
    ad = {"page_name": "Brand", "ad_creative_bodies": [copy] if copy else []}
    return labels_of(analyse(build_input("ad", 0, ad, {"text": script, "segments": [segment]})))


def heldout_heard(part: str = "heldout") -> list[dict[str, Any]]:
    """A held-out part's scripts as tiny.en heard them through the app's transcriber: heldout_heard.json (made by
    bench/spoken_accuracy.py --count 169 --save) and heldout_b_heard.json (--count 170 --part heldout_b.json --save),
    remade on 2026-12-02 with the language check's version 2. Each entry with its transcript for a script, and no
    copy. (second_annotator/ keeps the transcripts its readers labelled, made with version 1.)"""
    return as_heard(f"{part}.json", f"{part}_heard.json")


def as_heard(part: str, transcripts: str) -> list[dict[str, Any]]:
    """The labelled scripts of `part` with the transcripts kept in `transcripts` (both under CORPUS) for scripts,
    in the transcripts' order, and no copy."""
    labelled = {e["id"]: e for e in json.loads((CORPUS / part).read_text(encoding="utf-8"))}
    heard = json.loads((CORPUS / transcripts).read_text(encoding="utf-8"))
    return [labelled[h["id"]] | {"script": h["script"], "copy": ""} for h in heard]


def labels_of(a: AdAnalysis) -> dict[str, Any]:
    """An analysis in the corpus labels' terms."""
    return {
        "hook_type": a.hook.type,
        "cta_present": a.cta.type != "none",
        "cta_type": a.cta.type,
        "offer_present": a.offer.present,
        "offer_types": sorted(a.offer.types),
        "urgency": a.cta.urgency,
    }


def comparable(value: Any) -> Any:
    """A label as compared: offer types in a fixed order."""
    return sorted(value) if isinstance(value, list) else value


def right_answers(entries: list[dict[str, Any]]) -> Counter[str]:
    """How many of `entries` the analyser gets right, per field (scripts/train_analyser.py counts folds with it)."""
    right: Counter[str] = Counter(dict.fromkeys(FIELDS, 0))
    for entry in entries:
        got = predict(entry)
        for field in FIELDS:
            right[field] += got[field] == comparable(entry["labels"][field])
    return right


def accuracy(entries: list[dict[str, Any]]) -> dict[str, float]:
    right = right_answers(entries)
    return {field: round(100 * right[field] / len(entries), 1) for field in FIELDS}


def main() -> None:
    training = [
        e for part in [CORPUS / "dev.json", *sorted(CORPUS.glob("train_*.json"))] for e in json.loads(part.read_text())
    ]
    held_out = {part: json.loads((CORPUS / f"{part}.json").read_text()) for part in HELD_OUT_PARTS}
    parts = {"training": training} | held_out
    figures = {name: accuracy(entries) for name, entries in parts.items()}
    sizes = f"{len(training)} training scripts, {len(held_out['heldout'])} + {len(held_out['heldout_b'])} held out"
    print(f"Offline analyser on the blind corpus ({sizes})")
    print(f"  {'field':<14} {'training':>9} {'held out':>9} {'held out b':>11}   (target on held out: 90 %)")
    for field in FIELDS:
        t, a, b = (figures[name][field] for name in parts)
        print(f"  {field:<14} {t:8.1f}% {a:8.1f}% {b:10.1f}%")
    print(json.dumps({"accuracy_percent": figures, "scripts": {k: len(v) for k, v in parts.items()}}))


if __name__ == "__main__":
    main()
