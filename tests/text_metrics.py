"""Word error rate with the number and symbol normalisation transcripts need, and the edit distance behind it
(which also counts wrong characters in read on-screen text)."""

from __future__ import annotations

import re
from collections.abc import Sequence


def words(text: str) -> list[str]:
    text = text.lower().replace("%", " percent ")
    text = re.sub(r"\$(\d+)", r"\1 dollars", text)
    return re.sub(r"[^a-z0-9' ]+", " ", text.replace("-", " ")).split()


def edit_distance(a: Sequence[object], b: Sequence[object]) -> int:
    """Insertions, deletions and substitutions that turn `a` into `b` (words of a transcript, characters of text)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row = row, [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x != y))
    return row[-1]


def wer(reference: str, hypothesis: str) -> float:
    ref = words(reference)
    return edit_distance(ref, words(hypothesis)) / max(1, len(ref))
