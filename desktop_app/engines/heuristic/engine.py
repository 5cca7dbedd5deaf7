"""The rule engine: applies the declarative tables (rules.py, judgements.py) to an ad's sentences.

Every table entry carries an explicit priority, so which rule wins never depends on where it sits in a list,
and every match is kept as a Hit so it can be quoted as evidence with its timestamp."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from desktop_app.core.facts import Sentence
from desktop_app.core.schema import Evidence

Label = TypeVar("Label", bound=str)
Context = TypeVar("Context")
Outcome = TypeVar("Outcome")

Source = Literal["transcript", "ad_copy", "on_screen"]


@dataclass(frozen=True)
class PatternRule(Generic[Label]):
    """A sentence that `pattern` matches earns `label`; of several matching rules the highest priority wins."""

    label: Label
    priority: int
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Case(Generic[Context, Outcome]):
    """A decision: when `when(context)` holds the outcome is `then`; of several that hold the highest priority wins."""

    priority: int
    when: Callable[[Context], bool]
    then: Outcome


@dataclass(frozen=True)
class Hit:
    """A sentence a pattern matched and where it came from, kept so the analysis can quote it."""

    sentence: Sentence
    source: Source

    def evidence(self) -> Evidence:
        # Speech and on-screen text have a time; ad copy is never in the video.
        timestamp = self.sentence.start_s if self.source != "ad_copy" else None
        return Evidence(quote=self.sentence.text, source=self.source, timestamp_s=timestamp)


class _Prioritised(Protocol):
    @property
    def priority(self) -> int: ...


_Entry = TypeVar("_Entry", bound=_Prioritised)


def always(_: object) -> bool:
    """The condition of a table's catch-all case."""
    return True


def by_priority(table: Iterable[_Entry]) -> list[_Entry]:
    """Highest priority first. A tie would let list position decide again, so it is refused."""
    ordered = sorted(table, key=lambda entry: entry.priority, reverse=True)
    priorities = [entry.priority for entry in ordered]
    if len(set(priorities)) != len(priorities):
        raise ValueError(f"a rule table has duplicate priorities: {priorities}")
    return ordered


def label_of(rules: Iterable[PatternRule[Label]], text: str) -> Label | None:
    """The label of the highest-priority rule matching `text`, or None when none does."""
    return next((rule.label for rule in by_priority(rules) if rule.pattern.search(text)), None)


def find_all(
    pattern: re.Pattern[str], spoken: list[Sentence], copy: list[Sentence], screen: Sequence[Sentence] = ()
) -> list[Hit]:
    """Every sentence `pattern` matches: the transcript in spoken order, the on-screen text, then the ad copy."""
    sources: tuple[tuple[Source, Sequence[Sentence]], ...] = (
        ("transcript", spoken),
        ("on_screen", screen),
        ("ad_copy", copy),
    )
    return [Hit(s, source) for source, sentences in sources for s in sentences if pattern.search(s.text)]


def labels_found(
    rules: Iterable[PatternRule[Label]], spoken: list[Sentence], copy: list[Sentence], screen: Sequence[Sentence] = ()
) -> list[tuple[Label, list[Hit]]]:
    """Every rule that matches somewhere, highest priority first, with its hits (for multi-label fields)."""
    found = ((rule.label, find_all(rule.pattern, spoken, copy, screen)) for rule in by_priority(rules))
    return [(label, hits) for label, hits in found if hits]


def distinct(hits: Iterable[Hit]) -> list[Hit]:
    """Hits without repeats, first occurrence kept, so one sentence is quoted once."""
    kept: list[Hit] = []
    for hit in hits:
        if hit not in kept:
            kept.append(hit)
    return kept


def pick(cases: Iterable[Case[Context, Outcome]], context: Context) -> Outcome:
    """The outcome of the highest-priority case that holds; tables end in a catch-all, so one always does."""
    for case in by_priority(cases):
        if case.when(context):
            return case.then
    raise LookupError("no case holds: the table needs a catch-all case")


def all_that_hold(cases: Iterable[Case[Context, Outcome]], context: Context) -> list[Outcome]:
    """The outcomes of every case that holds, highest priority first (for fields that list several)."""
    return [case.then for case in by_priority(cases) if case.when(context)]
