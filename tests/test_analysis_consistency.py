"""The offline analyser's answers agree with themselves on the blind corpus: an offer is present exactly when it has
types, overall is the documented blend of the sub-scores (not a copy of one), the clarity rationale says about the
call to action what the CTA score says, and no two scores share a rationale. These are properties of each answer,
not accuracy: checking them on the held-out parts tunes nothing. Every written script and every held-out transcript
is checked, and every fourth transcript of each training part (train_spoken*): all 9,698 would add minutes to the
suite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.facts import build_input
from desktop_app.core.schema import AdAnalysis
from desktop_app.engines.heuristic import analyse
from desktop_app.engines.heuristic.scores import overall_score

CORPUS = Path(__file__).parent / "data" / "corpus"
TRAINING_TRANSCRIPTS_STEP = 4  # every fourth entry of each train_spoken* part


def corpus() -> Iterator[dict[str, Any]]:
    for part in sorted(CORPUS.glob("*.json")):
        entries = json.loads(part.read_text(encoding="utf-8"))
        yield from entries[:: TRAINING_TRANSCRIPTS_STEP if part.name.startswith("train_spoken") else 1]


def analysed(entry: dict[str, Any]) -> AdAnalysis:
    script, copy = entry["script"], entry.get("copy") or ""
    segment = {"start": 0.0, "end": 12.0, "text": script, "words": []}
    ad = {"page_name": "Brand", "ad_creative_bodies": [copy] if copy else []}
    return analyse(build_input("ad", 0, ad, {"text": script, "segments": [segment]}))


@pytest.fixture(scope="module")
def answers() -> list[AdAnalysis]:
    return [analysed(entry) for entry in corpus()]


def test_the_corpus_is_large_enough(answers: list[AdAnalysis]) -> None:
    assert len(answers) >= 200


def test_an_offer_is_present_exactly_when_it_has_types(answers: list[AdAnalysis]) -> None:
    wrong = [a.offer for a in answers if a.offer.present != bool(a.offer.types)]
    assert not wrong, wrong[:3]
    assert all((a.scores.offer_strength is None) == (not a.offer.present) for a in answers)


def test_overall_is_the_documented_blend(answers: list[AdAnalysis]) -> None:
    for a in answers:
        s = a.scores
        offer = s.offer_strength.score if s.offer_strength else None
        expected = overall_score(
            s.hook_strength.score, s.cta_strength.score, s.value_prop.score, s.clarity.score,
            s.emotional_pull.score, offer,
        )  # fmt: skip
        assert s.overall == expected
    copies = sum(a.scores.overall.score == a.scores.hook_strength.score for a in answers)
    assert copies < 0.8 * len(answers), "overall must not simply repeat the hook score"


def test_clarity_and_cta_say_the_same_about_the_call_to_action(answers: list[AdAnalysis]) -> None:
    for a in answers:
        no_cta = a.cta.type == "none"
        assert ("there is no call to action" in a.scores.clarity.rationale) == no_cta
        assert (a.scores.cta_strength.score == 1) == no_cta


def test_no_two_scores_share_a_rationale(answers: list[AdAnalysis]) -> None:
    for a in answers:
        s = a.scores
        scored = [s.hook_strength, s.clarity, s.value_prop, s.cta_strength, s.emotional_pull, s.overall]
        rationales = [x.rationale for x in [*scored, *([s.offer_strength] if s.offer_strength else [])]]
        assert len(set(rationales)) == len(rationales), rationales
