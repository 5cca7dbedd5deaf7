"""How far two people agree on the held-out labels, and where the offline analyser stands against that.

The held-out part of the blind corpus (tests/data/corpus/heldout.json) was labelled by the session that wrote
it. A second session, which saw only the scripts (no labels), the label guide in tests/data/corpus/README.md and
the schema's label lists, labelled the same 169 scripts again (second_annotator/heldout.json). Their agreement per
field is the ceiling any analyser can be measured against with these labels: where two careful readers of one
guide differ, neither answer is wrong. Prints, per field, the annotators' agreement, the analyser's accuracy
against each, and against the scripts where both agree. Nothing here trains or tunes anything.

Usage: python bench/annotator_agreement.py   (last line: one JSON object with the figures)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from analyser_accuracy import CORPUS, FIELDS, predict  # noqa: E402


def value(labels: dict[str, Any], field: str) -> Any:
    got = labels[field]
    return sorted(got) if isinstance(got, list) else got


def percent(hits: int, total: int) -> float:
    return round(100 * hits / max(1, total), 1)


def figures(first: list[dict[str, Any]], second: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per field: the annotators' agreement, the analyser against each, and against the scripts both agree on."""
    answers = {e["id"]: predict(e) for e in first}
    out: dict[str, dict[str, Any]] = {}
    for field in FIELDS:
        agreed = [e for e in first if value(e["labels"], field) == value(second[e["id"]], field)]
        out[field] = {
            "annotators_agree": percent(len(agreed), len(first)),
            "analyser_vs_first": percent(
                sum(answers[e["id"]][field] == value(e["labels"], field) for e in first), len(first)
            ),
            "analyser_vs_second": percent(
                sum(answers[e["id"]][field] == value(second[e["id"]], field) for e in first), len(first)
            ),
            "analyser_where_both_agree": percent(
                sum(answers[e["id"]][field] == value(e["labels"], field) for e in agreed), len(agreed)
            ),
            "scripts_both_agree": len(agreed),
        }
    return out


def main() -> None:
    first = json.loads((CORPUS / "heldout.json").read_text(encoding="utf-8"))
    relabelled = json.loads((CORPUS / "second_annotator" / "heldout.json").read_text(encoding="utf-8"))
    second = {e["id"]: e["labels"] for e in relabelled}
    if set(second) != {e["id"] for e in first}:
        raise SystemExit("second_annotator/heldout.json does not label the same scripts as heldout.json")
    table = figures(first, second)
    print(f"Two annotators on the {len(first)} held-out scripts, and the offline analyser (exact text)")
    print(f"  {'field':<14} {'agree':>6} {'vs 1st':>7} {'vs 2nd':>7} {'where both agree':>17}")
    for field, row in table.items():
        print(
            f"  {field:<14} {row['annotators_agree']:5.1f}% {row['analyser_vs_first']:6.1f}% "
            f"{row['analyser_vs_second']:6.1f}% {row['analyser_where_both_agree']:9.1f}% of {row['scripts_both_agree']}"
        )
    print(json.dumps({"scripts": len(first), "fields": table}))


if __name__ == "__main__":
    main()
