"""Accuracy of the offline analyser on the blind labelled corpus (tests/data/corpus), per field.

The corpus was written and labelled by separate sessions that never saw the analyser's code. The dev part and
the train_*.json parts train the learned decisions (scripts/train_analyser.py), so accuracy on them is only
how well the model fits; the held-out part is measured, never trained or tuned on. Prints per-field accuracy
for both from the scripts' exact text (no transcription). Last line: one JSON object with the figures.

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


def predict(entry: dict[str, Any]) -> dict[str, Any]:
    """The analyser's answer for one script, spoken as one 12-second segment, in the labels' terms."""
    script, copy = entry["script"], entry.get("copy") or ""
    segment = {"start": 0.0, "end": 12.0, "text": script, "words": []}
    ad = {"page_name": "Brand", "ad_creative_bodies": [copy] if copy else []}
    return labels_of(analyse(build_input("ad", 0, ad, {"text": script, "segments": [segment]})))


def heldout_heard() -> list[dict[str, Any]]:
    """The held-out scripts as tiny.en heard them (second_annotator/heldout_heard.json, the transcripts
    bench/spoken_accuracy.py --count 169 made): each entry with its transcript for a script, and no copy."""
    labelled = {e["id"]: e for e in json.loads((CORPUS / "heldout.json").read_text(encoding="utf-8"))}
    heard = json.loads((CORPUS / "second_annotator" / "heldout_heard.json").read_text(encoding="utf-8"))
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
    parts = {"training": training, "heldout": json.loads((CORPUS / "heldout.json").read_text())}
    figures = {name: accuracy(entries) for name, entries in parts.items()}
    print(f"Offline analyser on the blind corpus ({len(training)} training scripts, {len(parts['heldout'])} held out)")
    print(f"  {'field':<14} {'training':>8} {'held out':>9}   (target on held out: 90 %)")
    for field in FIELDS:
        print(f"  {field:<14} {figures['training'][field]:7.1f}% {figures['heldout'][field]:8.1f}%")
    print(json.dumps({"accuracy_percent": figures, "scripts": {k: len(v) for k, v in parts.items()}}))


if __name__ == "__main__":
    main()
