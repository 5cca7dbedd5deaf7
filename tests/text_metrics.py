"""Word error rate with the number and symbol normalisation transcripts need."""

from __future__ import annotations

import re


def words(text: str) -> list[str]:
    text = text.lower().replace("%", " percent ")
    text = re.sub(r"\$(\d+)", r"\1 dollars", text)
    return re.sub(r"[^a-z0-9' ]+", " ", text.replace("-", " ")).split()


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row = row, [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (r != h))
    return row[-1] / max(1, len(ref))
