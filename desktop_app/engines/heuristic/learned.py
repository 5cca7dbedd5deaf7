"""Linear classifiers learned from labelled ad scripts (tools/train_analyser.py), for the decisions the rule
tables got wrong on scripts written by other hands: the hook's type, the CTA's type, the offer's types and
urgency. Rules only know the phrasings someone listed; the weights learned which words and word pairs, in
which part of the script, point to each label. The rules still pick the evidence around these decisions.

Features are words and word pairs tagged with where they occur (the opening sentence, the next one, the last
two sentences, anywhere), with numbers written in digits or in words folded together, plus a few shapes
(the opening is a question, a figure, a percent or a price appears). No library beyond numpy is needed."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL = Path(__file__).with_name("learned_model.npz")
# fmt: off
NUMBER_WORDS = frozenset((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
    "half", "dozen",
))
# fmt: on
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[%$€£?!]")
OFFER_TYPE_THRESHOLD = 0.35
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences_of(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text.strip()) if s.strip()]


def tokens(text: str) -> list[str]:
    """Lower-case words, with every number (digits or words) also read as <num>."""
    out = []
    for token in WORD.findall(text.lower().replace("per cent", "percent")):
        out.append("<num>" if token[0].isdigit() or token in NUMBER_WORDS else token)
    return out


def _grams(tag: str, words: list[str]) -> Iterable[str]:
    yield from (f"{tag}:{w}" for w in words)
    yield from (f"{tag}:{a}_{b}" for a, b in itertools.pairwise(words))


def features(sentences: list[str]) -> set[str]:
    """The feature strings of one script given as its sentences (the transcript's, or the copy's)."""
    if not sentences:
        return {"empty"}
    opening, second = tokens(sentences[0]), tokens(sentences[1]) if len(sentences) > 1 else []
    ending = tokens(" ".join(sentences[-2:])) if len(sentences) > 1 else []
    found = {"bias"}
    found.update(_grams("h", opening[:16]))
    found.update(f"h0:{w}" for w in opening[:2])
    found.update(_grams("h2", second[:16]))
    found.update(_grams("e", ending))
    found.update(_grams("a", tokens(" ".join(sentences))))
    first = sentences[0].rstrip()
    found.update(
        shape
        for shape, holds in (
            ("h:is_question", first.endswith("?")),
            ("h:opens_on_number", bool(opening) and opening[0] == "<num>"),
            ("h:short", len(opening) <= 5),
            ("a:percent", "%" in " ".join(sentences) or "percent" in " ".join(sentences).lower()),
        )
        if holds
    )
    return found


@dataclass(frozen=True)
class Head:
    """One decision: softmax over `classes` (single label) or one sigmoid per class (`multi`)."""

    classes: tuple[str, ...]
    weights: Any  # numpy array, features x classes
    multi: bool


@dataclass(frozen=True)
class Model:
    vocabulary: dict[str, int]
    heads: dict[str, Head]

    def vector(self, found: set[str]) -> Any:
        import numpy as np

        x = np.zeros(len(self.vocabulary), dtype=np.float32)
        for feature in found:
            index = self.vocabulary.get(feature)
            if index is not None:
                x[index] = 1.0
        return x

    def scores(self, head: str, sentences: list[str]) -> dict[str, float]:
        """Each class's probability for this script."""
        import numpy as np

        h = self.heads[head]
        logits = self.vector(features(sentences)) @ h.weights
        if h.multi:
            probabilities = 1.0 / (1.0 + np.exp(-logits))
        else:
            shifted = np.exp(logits - logits.max())
            probabilities = shifted / shifted.sum()
        return {c: float(p) for c, p in zip(h.classes, probabilities, strict=True)}

    def label(self, head: str, sentences: list[str]) -> str:
        found = self.scores(head, sentences)
        return max(found, key=lambda c: found[c])

    def labels(self, head: str, sentences: list[str], threshold: float = 0.5) -> list[str]:
        return sorted(c for c, p in self.scores(head, sentences).items() if p >= threshold)

    def offer_types(self, sentences: list[str], threshold: float = OFFER_TYPE_THRESHOLD) -> list[str]:
        """Whether there is an offer at all is its own decision (it sees every kind of offer, so it learns
        more than any one type does); the types are then those likely enough, at least the likeliest."""
        if not self.labels("offer_any", sentences):
            return []
        found = self.scores("offer", sentences)
        return sorted(c for c, p in found.items() if p >= threshold) or [max(found, key=lambda c: found[c])]


@functools.cache
def model() -> Model | None:
    """The trained model shipped with the app; None when it is missing (the rules then decide alone)."""
    if not MODEL.is_file():
        return None
    import numpy as np

    with np.load(MODEL, allow_pickle=False) as data:
        vocabulary = {str(f): i for i, f in enumerate(data["vocabulary"])}
        heads = {
            str(name): Head(tuple(str(c) for c in data[f"{name}.classes"]), data[f"{name}.weights"].astype(np.float32),
                            bool(data[f"{name}.multi"]))
            for name in data["heads"]
        }  # fmt: skip
    return Model(vocabulary, heads)
