"""Accuracy of a fine-tuned MiniLM reader (scripts/finetune_analyser.py) on the held-out scripts, in plain numpy.

Measures the weights file it is given, never trains or tunes: on the held-out scripts' text, and on the same
scripts as tiny.en heard them from espeak-ng (the transcripts kept in heldout_heard.json, the ones
bench/spoken_accuracy.py --count 169 made). Prints per-field accuracy beside the targets, the time per script, the
weights' size; last line one JSON object with the figures.

This is the reader alone; bench/annotator_agreement.py measures the whole analyser (the reader with the linear
model weighed in and the offer rules).
Usage: python bench/reader_accuracy.py [WEIGHTS.npz]  (default: the app's; the tokenizer is read from beside it)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "bench"))

from analyser_accuracy import CORPUS, heldout_heard  # noqa: E402
from finetune_analyser import accuracy  # noqa: E402

from desktop_app.engines.heuristic import reader  # noqa: E402

TARGETS = {"text": 90.0, "heard": 85.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path, nargs="?", default=reader.WEIGHTS)
    weights_file = parser.parse_args().weights
    read = reader.reader_at(weights_file)
    heldout = json.loads((CORPUS / "heldout.json").read_text(encoding="utf-8"))
    parts = {
        name: [{"text": f"{e['script']} {e['copy']}".strip(), "labels": e["labels"]} for e in entries]
        for name, entries in (("text", heldout), ("heard", heldout_heard()))
    }
    began = time.monotonic()
    figures = {name: accuracy(read.weights, read.tokenizer, rows) for name, rows in parts.items()}
    per_script = (time.monotonic() - began) / sum(len(rows) for rows in parts.values())
    size = weights_file.stat().st_size / 1e6
    print(f"Fine-tuned MiniLM reader ({weights_file.name}, {size:.1f} MB) on {len(heldout)} held-out scripts")
    targets = ", ".join(f"{name} {value:.0f} %" for name, value in TARGETS.items())
    print(f"  {'field':<14} {'text':>7} {'heard':>7}   (targets: {targets})")
    for field in figures["text"]:
        print(f"  {field:<14} {figures['text'][field]:6.1f}% {figures['heard'][field]:6.1f}%")
    print(f"  {1000 * per_script:.0f} ms a script (numpy, batches of 64)")
    met = {name: all(v >= TARGETS[name] for v in f.values()) for name, f in figures.items()}
    print(
        json.dumps(
            {
                "accuracy_percent": figures,
                "ms_per_script": round(1000 * per_script),
                "mb": round(size, 1),
                "targets_met": met,
            }
        )
    )


if __name__ == "__main__":
    main()
