"""Accuracy of the offline analyser on dev_b.json, the development part that may be tuned on and is never learned,
per field: from the scripts' exact text, and as tiny.en heard them (dev_b_heard.json, each read as one segment with
no copy, as the held-out transcripts are). A change to the analyser is tried here first, against a bar set before the
run (tests/data/corpus/README.md); the held-out parts (bench/analyser_accuracy.py) are measured only once a change
has passed it. Last line: one JSON object with the figures.

Usage: python bench/dev_b_accuracy.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analyser_accuracy import CORPUS, FIELDS, accuracy, as_heard


def main() -> None:
    written = json.loads((CORPUS / "dev_b.json").read_text(encoding="utf-8"))
    heard = as_heard("dev_b.json", "dev_b_heard.json")
    figures = {"text": accuracy(written), "heard": accuracy(heard)}
    print(f"Offline analyser on dev_b.json ({len(written)} scripts from the text, {len(heard)} heard by tiny.en)")
    print(f"  {'field':<14} {'text':>7} {'heard':>7}")
    for field in FIELDS:
        print(f"  {field:<14} {figures['text'][field]:6.1f}% {figures['heard'][field]:6.1f}%")
    print(json.dumps({"accuracy_percent": figures, "scripts": {"text": len(written), "heard": len(heard)}}))


if __name__ == "__main__":
    main()
