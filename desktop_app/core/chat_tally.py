"""Questions about all the ads at once ("what hooks do the ads use?"), answered by counting.

Retrieval hands a model (or search mode) the five best-matching ads, which is right for "which ads offer a
free trial?" but wrong for "what hooks do the ads use?": five ads cannot say how seven split. Such questions
get exact counts by type over every analysed ad (or the pages they name), computed here, with the ads of
each type as citations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.core.results import ResultSummary
from desktop_app.core.text import plural, readable

# The fields a tally can count, the words that name them in a question, and how a type reads.
FIELDS: dict[str, tuple[str, re.Pattern[str]]] = {
    "hook": ("Hook types", re.compile(r"\b(hooks?|openers?|openings?|open with)\b", re.IGNORECASE)),
    "cta": ("Calls to action", re.compile(r"\b(ctas?|calls? to action)\b", re.IGNORECASE)),
    "offer": ("Offers", re.compile(r"\b(offers?|discounts?|promotions?|deals?)\b", re.IGNORECASE)),
}
# A question about the whole set: what kinds, how many, how they split, which is most common.
ASKS_FOR_COUNTS = re.compile(
    r"\b(what|which)\b.*\b(use|used|using|run|have|are|kinds?|types?|most|common)\b"
    r"|\bhow many\b|\bhow often\b|\bbreak ?down\b|\bcount\b|\bsplit\b|\bmost common\b|\bdistribution\b",
    re.IGNORECASE,
)
# Asking for the ads that have one given thing is a search, not a tally ("which ads offer a free trial?").
NAMES_ONE_KIND = re.compile(
    r"\b(free[- ]trial|discount code|percent|% off|shop now|sign up|question hook|free shipping)\b", re.IGNORECASE
)
CITED_PER_TYPE = 3  # ads cited after each type's count (the count is always exact); a model gets these ads
CITED_AT_MOST = 24  # so a small local model's context holds them all
NONE = {"hook": "no clear hook", "cta": "no call to action", "offer": "no offer"}


@dataclass(frozen=True)
class TallyRow:
    label: str
    ads: list[ResultSummary]


@dataclass(frozen=True)
class Tally:
    """Ads counted by the types of one field: the whole answer in search mode, exact data for a model."""

    counted: str  # the FIELDS key
    total: int
    rows: list[TallyRow]
    pages: list[str]

    @property
    def cited(self) -> list[ResultSummary]:
        """The ads the answer cites, in citation order (numbered from 1)."""
        seen: dict[str, ResultSummary] = {}
        for row in self.rows:
            for ad in row.ads[:CITED_PER_TYPE]:
                seen.setdefault(ad.ad_id, ad)
        return list(seen.values())[:CITED_AT_MOST]

    def text(self) -> str:
        """The counts in plain words, with the ads of each type cited by their numbers: [1, 3]."""
        numbers = {ad.ad_id: n for n, ad in enumerate(self.cited, start=1)}
        where = f" from {', '.join(self.pages)}" if self.pages else ""
        lines = [f"**{FIELDS[self.counted][0]} across the {self.total} analysed ads{where}:**"]
        for row in self.rows:
            refs = [str(numbers[ad.ad_id]) for ad in row.ads[:CITED_PER_TYPE] if ad.ad_id in numbers]
            more = f" and {len(row.ads) - len(refs)} more" if len(row.ads) > len(refs) else ""
            share = round(100 * len(row.ads) / self.total) if self.total else 0
            lines.append(f"- {row.label}: {plural(len(row.ads), 'ad')} ({share} %) [{', '.join(refs)}]{more}")
        return "\n".join(lines)


def tally_field(question: str) -> str | None:
    """The field a question asks to count over all the ads, or None when it is a search for some ads."""
    if not ASKS_FOR_COUNTS.search(question) or NAMES_ONE_KIND.search(question):
        return None
    named = [key for key, (_label, words) in FIELDS.items() if words.search(question)]
    return named[0] if len(named) == 1 else None


def tally(summaries: list[ResultSummary], field_key: str, pages: list[str]) -> Tally:
    """Count each ad once per type, the most used type first. A carousel's videos are one ad, counted under every
    type any of its videos uses (and cited by its first video)."""
    ads: dict[str, ResultSummary] = {}
    types: dict[str, list[str]] = {}
    for row in summaries:
        if not pages or row.page_name in pages:
            ads.setdefault(row.ad_id, row)
            seen = types.setdefault(row.ad_id, [])
            seen.extend(label for label in _types(row, field_key) if label not in seen)
    by_type: dict[str, list[ResultSummary]] = {}
    for ad_id, ad in ads.items():
        labels = types[ad_id]
        if len(labels) > 1 and NONE[field_key] in labels:  # one video without, another with: the ad has one
            labels = [label for label in labels if label != NONE[field_key]]
        for label in labels:
            by_type.setdefault(label, []).append(ad)
    rows = [TallyRow(label, members) for label, members in by_type.items()]
    rows.sort(key=lambda row: (row.label == NONE[field_key], -len(row.ads), row.label))
    return Tally(field_key, len(ads), rows, pages)


def _types(ad: ResultSummary, field_key: str) -> list[str]:
    if field_key == "hook":
        values = [ad.hook_type]
    elif field_key == "cta":
        values = [ad.cta_type]
    else:
        values = list(ad.offer_types) or ["none"]
    return [NONE[field_key] if value in ("", "none") else readable(value) for value in values]
