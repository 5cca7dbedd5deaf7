"""Linear classifiers learned from labelled ad scripts (scripts/train_analyser.py). They rate any text, one
sentence as well as a whole script, in a fraction of a millisecond, so the analyser asks them which sentence
carries a label the readers (reader.py) decided: that sentence is the evidence it quotes. decisions.py may also
weigh their verdict on the whole script beside the readers'. The rules still pick the evidence they match.

Features are words and word pairs tagged with where they occur (the opening sentence, the next one, the last
two sentences, the first and last words whatever the punctuation, anywhere), with numbers written in digits or
in words folded together, a few shapes (the opening asks, holds a figure, speaks in the first person) and the
rule tables' verdicts; the hook's decision weighs only those of the opening (scripts/train_analyser.py's
HEAD_FEATURES). The model is trained on noised copies and transcripts too, so a transcript without
punctuation or with misheard words still reads. No library beyond numpy is needed."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.engines.heuristic.engine import label_of
from desktop_app.engines.heuristic.rules import CTA_RULES, HOOK_RULES, OFFER_RULES

MODEL = Path(__file__).with_name("learned_model.npz")
# fmt: off
NUMBER_WORDS = frozenset((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
    "half", "dozen",
))
QUESTION_OPENERS = frozenset((
    "do", "does", "did", "are", "is", "was", "were", "can", "could", "would", "will", "should", "have", "has",
    "what", "why", "how", "who", "when", "where", "which", "ever", "ready", "want", "wanna", "remember", "imagine",
))
# fmt: on
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[%$€£?!]")
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


def _windows(words: list[str]) -> Iterable[str]:
    """Where the words are counted from, not where punctuation says: the first ~3 s of speech (the hook when a
    transcript has no full stops) and its last words (the CTA)."""
    yield from _grams("f", words[:8])
    yield "f3:" + "_".join(words[:3])
    yield from _grams("z", words[-12:])


def _shapes(opening: list[str], first: str, everything: str) -> Iterable[str]:
    """The opening's shape: a question (with or without its '?'), a figure, first person; a percent anywhere."""
    shapes = (
        ("h:is_question", first.endswith("?")),
        ("h:asks", bool(opening) and opening[0] in QUESTION_OPENERS),
        ("h:opens_on_number", bool(opening) and opening[0] == "<num>"),
        ("h:has_number", "<num>" in opening[:8]),
        ("h:first_person", bool(opening) and opening[0] in {"i", "i'm", "i've", "my", "we", "our"}),
        ("h:short", len(opening) <= 5),
        ("a:percent", "%" in everything or "percent" in everything.lower()),
    )
    return (shape for shape, holds in shapes if holds)


def _rule_evidence(sentences: list[str]) -> Iterable[str]:
    """What the rule tables found: the model learns how far to trust each rule beside the words."""
    hook = label_of(HOOK_RULES, sentences[0])
    if hook:
        yield f"r:hook:{hook}"
    cta = next((label for s in reversed(sentences) if (label := label_of(CTA_RULES, s))), None)
    if cta:
        yield f"r:cta:{cta}"
    text = " ".join(sentences)
    yield from (f"r:offer:{rule.label}" for rule in OFFER_RULES if rule.pattern.search(text))


def features(sentences: list[str]) -> set[str]:
    """The feature strings of one script given as its sentences (the transcript's, or the copy's)."""
    if not sentences:
        return {"empty"}
    opening, second = tokens(sentences[0]), tokens(sentences[1]) if len(sentences) > 1 else []
    ending = tokens(" ".join(sentences[-2:])) if len(sentences) > 1 else []
    everything = " ".join(sentences)
    words = tokens(everything)
    found = {"bias"}
    found.update(_grams("h", opening[:16]))
    found.update(f"h0:{w}" for w in opening[:2])
    found.update(_grams("h2", second[:16]))
    found.update(_grams("e", ending))
    found.update(_grams("a", words))
    found.update(_windows(words))
    found.update(_shapes(opening, sentences[0].rstrip(), everything))
    found.update(_rule_evidence(sentences))
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

    def scores(self, head: str, sentences: list[str]) -> dict[str, float]:
        """Each class's probability for this script."""
        import numpy as np

        h = self.heads[head]
        present = [i for f in features(sentences) if (i := self.vocabulary.get(f)) is not None]
        logits = h.weights[present].sum(axis=0)
        if h.multi:
            probabilities = 1.0 / (1.0 + np.exp(-logits))
        else:
            shifted = np.exp(logits - logits.max())
            probabilities = shifted / shifted.sum()
        return {c: float(p) for c, p in zip(h.classes, probabilities, strict=True)}


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
