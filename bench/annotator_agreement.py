"""How far a second reader agrees with the held-out labels, and where the offline analyser stands against that.

The held-out part of the blind corpus (tests/data/corpus/heldout.json) was labelled by the session that wrote
it. Two more sessions, which saw no labels, only the label guide in tests/data/corpus/README.md and the schema's
label lists, labelled the 169 held-out scripts again:
- second_annotator/heldout.json from the scripts' text and ad copy: where two careful readers of one guide
  differ, neither answer is wrong, so their agreement is a reference level for any analyser measured on these
  labels (not a hard ceiling: an analyser may match the first labeller more often than a second reader does);
- second_annotator/heldout_heard.json from the scripts as bench/spoken_accuracy.py hears them (espeak-ng, then
  tiny.en; the transcripts are in the file): what a reader can still tell from what the bundled model heard.
Prints, per field, the reader's agreement with the labels, the analyser's accuracy against each, and against the
scripts where both agree. Nothing here trains or tunes anything.

Usage: python bench/annotator_agreement.py   (last line: one JSON object with the figures)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from analyser_accuracy import CORPUS, FIELDS, comparable, predict  # noqa: E402


def percent(hits: int, total: int) -> float:
    """hits of total, in percent with one decimal."""
    return round(100 * hits / max(1, total), 1)


def figures(first: list[dict[str, Any]], second: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per field: the annotators' agreement, the analyser against each, and against the scripts both agree on."""
    answers = {e["id"]: predict(e) for e in first}
    out: dict[str, dict[str, Any]] = {}
    for field in FIELDS:
        agreed = [e for e in first if comparable(e["labels"][field]) == comparable(second[e["id"]][field])]
        out[field] = {
            "annotators_agree": percent(len(agreed), len(first)),
            "analyser_vs_first": percent(
                sum(answers[e["id"]][field] == comparable(e["labels"][field]) for e in first), len(first)
            ),
            "analyser_vs_second": percent(
                sum(answers[e["id"]][field] == comparable(second[e["id"]][field]) for e in first), len(first)
            ),
            "analyser_where_both_agree": percent(
                sum(answers[e["id"]][field] == comparable(e["labels"][field]) for e in agreed), len(agreed)
            ),
            "scripts_both_agree": len(agreed),
        }
    return out


def show(title: str, table: dict[str, dict[str, Any]]) -> None:
    print(title)
    print(f"  {'field':<14} {'agree':>6} {'vs 1st':>7} {'vs 2nd':>7} {'where both agree':>17}")
    for field, row in table.items():
        print(
            f"  {field:<14} {row['annotators_agree']:5.1f}% {row['analyser_vs_first']:6.1f}% "
            f"{row['analyser_vs_second']:6.1f}% {row['analyser_where_both_agree']:9.1f}% of {row['scripts_both_agree']}"
        )


def main() -> None:
    first = json.loads((CORPUS / "heldout.json").read_text(encoding="utf-8"))
    tables = {}
    for name, part in (("text", "heldout.json"), ("heard", "heldout_heard.json")):
        relabelled = json.loads((CORPUS / "second_annotator" / part).read_text(encoding="utf-8"))
        if [e["id"] for e in relabelled] != [e["id"] for e in first]:
            raise SystemExit(f"second_annotator/{part} does not label the held-out scripts in their order")
        # The analyser reads what the second reader read: the script, or the transcript of it.
        read = [
            e | {"script": r.get("script", e["script"]), "copy": e["copy"] if name == "text" else ""}
            for e, r in zip(first, relabelled, strict=True)
        ]
        tables[name] = figures(read, {r["id"]: r["labels"] for r in relabelled})
    show(f"A second reader of the {len(first)} held-out scripts' text, and the offline analyser on it", tables["text"])
    show(
        "A reader of the same scripts as tiny.en heard them, and the offline analyser on those transcripts",
        tables["heard"],
    )
    print(json.dumps({"scripts": len(first), "fields": tables}))


if __name__ == "__main__":
    main()
