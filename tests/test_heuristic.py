"""The offline analyser: its held-out accuracy on the blind corpus, and its schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import get_args

import pytest

from desktop_app.core.facts import AdInput, build_input, days_running, first_seconds, words_per_minute
from desktop_app.core.schema import AdAnalysis, CtaType, HookType, OfferType
from desktop_app.engines.heuristic import analyse
from desktop_app.engines.heuristic.learned import MODEL, features

DATA = Path(__file__).parent / "data"
SCRIPTS = json.loads((DATA / "labelled_ad_scripts.json").read_text())


def _input(script: str, copy: str = "") -> AdInput:
    segment = {"start": 0.0, "end": 12.0, "text": script, "words": []}
    return build_input(
        "ad",
        0,
        {"page_name": "Brand", "ad_creative_bodies": [copy] if copy else []},
        {"text": script, "segments": [segment]},
    )


# Held-out accuracy of the offline analyser as measured when its models were last retrained (heuristic-8), less one
# script's worth (so that int8 and BLAS rounding on another machine cannot fail it): a floor, so a change that makes
# it worse on scripts it never saw fails here. Never tuned on. From the scripts' text (bench/analyser_accuracy.py),
# and as tiny.en heard them: "heard" in the transcripts the second readers labelled (second_annotator/, made on
# 2026-11-29 and 11-30 with the language check's version 1), "heard_again" in the app's transcripts of the same
# speech made on 2026-12-02 with version 2 (<part>_heard.json, bench/analyser_accuracy.heldout_heard; measured
# once, when they were made). "_b" is the second held-out part, heldout_b.json, written blind like the first and
# likewise only ever measured.
HELD_OUT_FLOOR = {
    "text": {
        "hook_type": 92.0, "cta_present": 97.0, "cta_type": 92.0, "offer_present": 97.0, "offer_types": 95.0,
        "urgency": 98.0,
    },
    "heard": {
        "hook_type": 84.0, "cta_present": 91.0, "cta_type": 84.0, "offer_present": 95.0, "offer_types": 90.0,
        "urgency": 96.0,
    },
    "heard_again": {
        "hook_type": 85.0, "cta_present": 94.0, "cta_type": 86.0, "offer_present": 96.0, "offer_types": 89.0,
        "urgency": 97.0,
    },
    "text_b": {
        "hook_type": 95.0, "cta_present": 98.0, "cta_type": 95.0, "offer_present": 97.0, "offer_types": 90.0,
        "urgency": 98.0,
    },
    "heard_b": {
        "hook_type": 91.0, "cta_present": 97.0, "cta_type": 87.0, "offer_present": 92.0, "offer_types": 82.0,
        "urgency": 99.0,
    },
    "heard_again_b": {
        "hook_type": 93.0, "cta_present": 95.0, "cta_type": 87.0, "offer_present": 91.0, "offer_types": 81.0,
        "urgency": 99.0,
    },
}  # fmt: skip


@pytest.mark.parametrize("part", HELD_OUT_FLOOR)
def test_held_out_accuracy_does_not_fall(part: str) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    from analyser_accuracy import CORPUS, accuracy, as_heard, heldout_heard

    name = "heldout_b" if part.endswith("_b") else "heldout"
    if part.startswith("heard_again"):
        heldout = heldout_heard(name)
    elif part.startswith("heard"):
        heldout = as_heard(f"{name}.json", f"second_annotator/{name}_heard.json")
    else:
        heldout = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    assert len(heldout) >= 150
    measured = accuracy(heldout)
    assert all(measured[field] >= floor for field, floor in HELD_OUT_FLOOR[part].items()), measured


@pytest.mark.parametrize("kept", ["heldout.json", "heldout_heard.json", "heldout_b.json", "heldout_b_heard.json"])
def test_second_readers_label_every_held_out_script(kept: str) -> None:
    """bench/annotator_agreement.py's reference levels rest on these files: every script of the part, in its order,
    labelled with the schema's values, offer and CTA presence agreeing with their types."""
    corpus = DATA / "corpus"
    part = kept.replace("_heard", "")
    first = json.loads((corpus / part).read_text(encoding="utf-8"))
    second = json.loads((corpus / "second_annotator" / kept).read_text(encoding="utf-8"))
    assert [e["id"] for e in second] == [e["id"] for e in first]
    assert all(("script" in e) == kept.endswith("_heard.json") for e in second)  # a transcript may be empty
    for labels in (e["labels"] for e in second):
        assert labels["hook_type"] in get_args(HookType) and labels["cta_type"] in get_args(CtaType)
        assert set(labels["offer_types"]) <= set(get_args(OfferType)) and isinstance(labels["urgency"], bool)
        assert labels["cta_present"] == (labels["cta_type"] != "none")
        assert labels["offer_present"] == bool(labels["offer_types"])


def test_analysis_is_valid_and_states_its_limits() -> None:
    analysis = analyse(_input(SCRIPTS[0]["script"]))
    AdAnalysis.model_validate(analysis.model_dump())
    assert analysis.scores.confidence == "low"
    assert "heuristic analysis" in analysis.scores.limitations
    assert all(1 <= s.score <= 5 for s in (analysis.scores.hook_strength, analysis.scores.overall))
    assert analysis.hook.evidence and analysis.hook.evidence[0].quote


def test_no_speech_is_not_invented() -> None:
    ad = build_input(
        "ad",
        0,
        {"page_name": "Pulse", "ad_creative_bodies": ["Feel every beat."]},
        {"text": "", "segments": []},
    )
    analysis = analyse(ad)
    assert analysis.hook.type == "none"
    assert analysis.cta.type == "none"
    assert analysis.offer.present is False and analysis.scores.offer_strength is None
    assert "no speech" in analysis.scores.limitations
    assert analysis.pain_points == []


def test_facts_are_computed_in_code() -> None:
    words = [{"start": 0.2 + i * 0.5, "end": 0.6 + i * 0.5, "word": f" w{i}"} for i in range(10)]
    segments = [{"start": 0.2, "end": 5.1, "text": "...", "words": words}]
    assert first_seconds(segments) == "w0 w1 w2 w3 w4 w5"
    assert words_per_minute(segments) == pytest.approx(10 / 4.9 * 60, abs=0.1)
    from datetime import date

    assert days_running("2026-09-01", None, today=date(2026, 11, 28)) == 88
    assert days_running("2026-09-01T10:00:00+0000", "2026-09-11", today=date(2026, 11, 28)) == 10
    assert days_running(None, None) is None


def test_a_transcript_without_punctuation_still_reads() -> None:
    """Whisper may give one long lower-case sentence: the opening and closing words still count as such."""
    found = features(["stop scrolling if your back aches every morning this chair fixes it shop now"])
    assert {"f:stop_scrolling", "z:shop_now", "r:cta:shop_now", "r:hook:pattern_interrupt"} <= found
    analysis = analyse(_input("stop scrolling if your back aches every morning this chair fixes it order yours today"))
    assert analysis.cta.type == "shop_now"
    assert analysis.cta.evidence


def test_the_shipped_model_is_small() -> None:
    assert MODEL.is_file() and MODEL.stat().st_size < 2_000_000
