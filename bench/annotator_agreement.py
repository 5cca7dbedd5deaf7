"""How far a second reader agrees with the held-out labels, and where the offline analyser stands against that.

Each held-out part of the blind corpus (tests/data/corpus/heldout.json, heldout_b.json) was labelled by the
sessions that wrote it. Two more sessions per part, which saw no labels, only the label guide in
tests/data/corpus/README.md and the schema's label lists, labelled its scripts again:
- second_annotator/<part>.json from the scripts' text and ad copy: where two careful readers of one guide
  differ, neither answer is wrong, so their agreement is a reference level for any analyser measured on these
  labels (not a hard ceiling: an analyser may match the first labeller more often than a second reader does);
- second_annotator/<part>_heard.json from the scripts as bench/spoken_accuracy.py hears them (espeak-ng, then
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

from analyser_accuracy import CORPUS, FIELDS, HELD_OUT_PARTS, comparable, predict  # noqa: E402


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


def part_tables(part: str) -> tuple[int, dict[str, dict[str, dict[str, Any]]]]:
    """A held-out part's size, and its tables from the second reader of its text and the reader of its transcripts."""
    first = json.loads((CORPUS / f"{part}.json").read_text(encoding="utf-8"))
    tables = {}
    for name, kept in (("text", f"{part}.json"), ("heard", f"{part}_heard.json")):
        relabelled = json.loads((CORPUS / "second_annotator" / kept).read_text(encoding="utf-8"))
        if [e["id"] for e in relabelled] != [e["id"] for e in first]:
            raise SystemExit(f"second_annotator/{kept} does not label {part}.json's scripts in their order")
        # The analyser reads what the second reader read: the script, or the transcript of it.
        read = [
            e | {"script": r.get("script", e["script"]), "copy": e["copy"] if name == "text" else ""}
            for e, r in zip(first, relabelled, strict=True)
        ]
        tables[name] = figures(read, {r["id"]: r["labels"] for r in relabelled})
    return len(first), tables


def main() -> None:
    out = {}
    for part in HELD_OUT_PARTS:
        count, tables = part_tables(part)
        show(f"{part}.json: a second reader of its {count} scripts' text, and the analyser on it", tables["text"])
        show(f"{part}.json: a reader of the scripts as tiny.en heard them, and the analyser on them", tables["heard"])
        out[part] = {"scripts": count, "fields": tables}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
