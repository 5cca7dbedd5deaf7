"""The offline analyser: fills the full analysis schema from the transcript, word timings, on-screen text and ad
copy, so the app is useful with no LLM configured. Confidence is always "low".

This module only reads the ad and assembles the schema; which hook, CTA and offer types the ad has is decided in
decisions.py (the learned models), what is quoted for them lives in rules.py, and how it is scored in
judgements.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.context import CancelToken
from desktop_app.core.facts import HOOK_WINDOW_S, AdInput, Sentence
from desktop_app.core.results import AnalyserKey
from desktop_app.core.schema import (
    AdAnalysis,
    Beat,
    Cta,
    CtaType,
    FormatStyle,
    Hook,
    InferredFrom,
    Labelled,
    MessagingAngle,
    Offer,
    OfferType,
    PainPoint,
    Recommendation,
    StructureBeat,
    TargetAudience,
    Tone,
    ValueProposition,
)
from desktop_app.core.text import readable
from desktop_app.engines.heuristic.decisions import candidates_for_action, decide
from desktop_app.engines.heuristic.engine import Hit, all_that_hold, distinct, find_all, label_of, labels_found, pick
from desktop_app.engines.heuristic.judgements import (
    ADVICE,
    ANGLES,
    AWARENESS,
    BIG_DISCOUNT_PERCENT,
    TONES,
    Assessment,
    Findings,
)
from desktop_app.engines.heuristic.rules import (
    AUDIENCE,
    AUDIENCE_GROUPS,
    CTA_RULES,
    EMOTION,
    HOOK_RULES,
    NOT_AN_OFFER_ALONE,
    PAIN,
    PERCENT_FIGURE,
    TACTIC_RULES,
    URGENCY,
)
from desktop_app.engines.heuristic.scores import rate

# 2: learned decisions, on-screen text and pacing; 3: the fine-tuned reader decides; 4: it learned from every
# transcript; 5: the reader and the linear model learned from a second take of every spoken script; 6: 500 more
# scripts (train_j, train_k) and some third takes, the reader going on from 5's for one epoch; 7: 1,200 more scripts
# (train_l..s) and their transcripts, the reader trained anew from the base model over all 18,402 texts; 8: a second
# reader, trained with 2,665 third takes too, averaged with 7's, and the linear model trained with them
PROMPT_VERSION = "heuristic-8"


class HeuristicAnalyser:
    """Rule-based analysis, the default when no LLM is configured."""

    key = AnalyserKey(analyser="heuristic", prompt_version=PROMPT_VERSION)

    def analyse(
        self, ad: AdInput, token: CancelToken, on_wait: Callable[[str], None] | None = None
    ) -> tuple[AdAnalysis, dict[str, int] | None]:
        return analyse(ad), None


@dataclass(frozen=True)
class _Reading:
    """The ad's sentences and what the rules found in them, read once and shared by every part of the analysis."""

    ad: AdInput
    spoken: list[Sentence]
    copy: list[Sentence]
    screen: list[Sentence]  # on-screen text read from the keyframes, timed
    hook: Hook
    cta: Cta
    cta_hit: Hit | None
    offer: Offer
    offer_hits: list[Hit]
    urgent: bool
    pains: list[Hit]  # spoken only: a pain in the copy is not the viewer's voice
    emotions: list[Hit]
    brand_sentences: list[Sentence]  # spoken sentences that name the brand
    product_named: bool
    benefits: list[str]


def _copy_sentences(ad: AdInput) -> list[Sentence]:
    """Ad copy split into sentences, with no times: copy is read, not spoken."""
    return [Sentence(part, None, None) for text in ad.copy for part in re.split(r"(?<=[.!?])\s+", text) if part]


def _screen_sentences(ad: AdInput) -> list[Sentence]:
    """The on-screen text, one sentence per line read, at the second it appears."""
    return [Sentence(str(line["text"]), float(line.get("time_s") or 0.0), None) for line in ad.screen_text
            if str(line.get("text") or "").strip()]  # fmt: skip


def _screen_hook(screen: list[Sentence]) -> Hook:
    """A silent ad opens on what it shows: the first text on screen."""
    first = screen[0]
    return Hook(
        text=first.text,
        start_s=first.start_s,
        end_s=None,
        modality="on_screen_text",
        type=label_of(HOOK_RULES, first.text) or "other",
        within_first_3s=(first.start_s or 0.0) < HOOK_WINDOW_S,
        evidence=[Hit(first, "on_screen").evidence()],
    )


def _hook(spoken: list[Sentence], copy: list[Sentence], screen: list[Sentence]) -> Hook:
    """The opening spoken sentence and its type; with no speech, the first on-screen text, else the copy stands
    in and the type is "none"."""
    if not spoken and screen:
        return _screen_hook(screen)
    if not spoken:
        return Hook(
            text=copy[0].text if copy else None,
            start_s=None,
            end_s=None,
            modality="visual_only" if not copy else "unknown",
            type="none",
            within_first_3s=False,
            evidence=[Hit(copy[0], "ad_copy").evidence()] if copy else [],
        )
    first = spoken[0]
    text = first.text.strip()
    hook_type = label_of(HOOK_RULES, text) or "other"
    # A question opener whose question mark landed in the next sentence is quoted together with it.
    if hook_type == "question" and not text.rstrip().endswith("?") and spoken[1:] and spoken[1].text.endswith("?"):
        text = f"{text} {spoken[1].text}"
    return Hook(
        text=text,
        start_s=first.start_s,
        end_s=first.end_s,
        modality="spoken",
        type=hook_type,
        within_first_3s=(first.start_s or 0.0) < HOOK_WINDOW_S,
        evidence=[Hit(first, "transcript").evidence()],
    )


def _cta_hit(spoken: list[Sentence], copy: list[Sentence], screen: list[Sentence]) -> tuple[CtaType, Hit] | None:
    """The CTA is the last spoken sentence asking for an action (ads close on it); failing that, the last text on
    screen (the end card), then the first in copy."""
    candidates = candidates_for_action(spoken, copy, screen)
    for hit in candidates:
        cta_type = label_of(CTA_RULES, hit.sentence.text)
        if cta_type is not None:
            return cta_type, hit
    return None


def _cta(found: tuple[CtaType, Hit] | None, urgent: bool) -> Cta:
    if found is None:
        return Cta(text=None, timestamp_s=None, type="none", urgency=False, evidence=[])
    cta_type, hit = found
    return Cta(
        text=hit.sentence.text,
        timestamp_s=hit.sentence.start_s,
        type=cta_type,
        urgency=urgent,
        evidence=[hit.evidence()],
    )


def _offer(types: list[OfferType], hits: list[Hit]) -> Offer:
    """The offer types decided, and the sentences that show them (each quoted once). "Limited time" alone is
    no offer: the answer must not list types beside present=false."""
    present = any(t not in NOT_AN_OFFER_ALONE for t in types)
    types, hits = (types, distinct(hits)) if present else ([], [])
    return Offer(
        present=present,
        types=types,
        details=" ".join(dict.fromkeys(hit.sentence.text for hit in hits)) or None,
        evidence=[hit.evidence() for hit in hits[:4]],
    )


def _brand_sentences(ad: AdInput, spoken: list[Sentence]) -> tuple[list[Sentence], bool]:
    """Spoken sentences naming the brand, and whether the product counts as named (trivially so with no brand)."""
    brand_words = [w for w in re.findall(r"[a-z]+", (ad.page_name or "").lower()) if len(w) > 2]
    named = [s for s in spoken if any(w in s.text.lower() for w in brand_words)]
    return named, bool(named) or not brand_words


def _benefits(spoken: list[Sentence], brand: list[Sentence], cta_hit: Hit | None) -> list[str]:
    """Up to three spoken sentences that are neither the hook, the CTA nor the brand line."""
    cta_sentence = cta_hit.sentence if cta_hit else None
    return [s.text for s in spoken if s not in spoken[:1] and s is not cta_sentence and s not in brand][:3]


def _read(ad: AdInput) -> _Reading:
    spoken, copy, screen = ad.sentences(), _copy_sentences(ad), _screen_sentences(ad)
    urgent = bool(find_all(URGENCY, spoken, copy, screen))
    decided = decide(spoken, copy, screen, _hook(spoken, copy, screen), _cta_hit(spoken, copy, screen), urgent)
    cta_hit = decided.cta[1] if decided.cta else None
    offer = _offer(decided.offer_types, decided.offer_hits)
    brand_sentences, product_named = _brand_sentences(ad, spoken)
    return _Reading(
        ad=ad,
        spoken=spoken,
        copy=copy,
        screen=screen,
        hook=decided.hook,
        cta=_cta(decided.cta, decided.urgent),
        cta_hit=cta_hit,
        offer=offer,
        offer_hits=[hit for hit in decided.offer_hits if offer.present],
        urgent=decided.urgent,
        pains=find_all(PAIN, spoken, []),
        emotions=find_all(EMOTION, spoken, copy, screen),
        brand_sentences=brand_sentences,
        product_named=product_named,
        benefits=_benefits(spoken, brand_sentences, cta_hit),
    )


def _findings(r: _Reading) -> Findings:
    return Findings(
        hook_type=r.hook.type,
        hook_in_window=r.hook.within_first_3s,
        opening_names_pain=bool(r.pains) and r.pains[0].sentence == r.spoken[0],
        cta_type=r.cta.type,
        offer_present=r.offer.present,
        offer_types=tuple(r.offer.types),
        big_discount=any(int(n) >= BIG_DISCOUNT_PERCENT for n in PERCENT_FIGURE.findall(r.offer.details or "")),
        urgent=r.urgent,
        has_pain=bool(r.pains),
        has_speech=bool(r.spoken),
        product_named=r.product_named,
        benefit_count=len(r.benefits),
        quantified=any(re.search(r"\d", s.text) for s in r.spoken),
        emotion_count=len(r.emotions),
        frames_seen=bool(r.ad.pacing),
        screen_read=r.ad.extras.get("ocr") == "read",
    )


def _callouts(transcript: str) -> list[str]:
    """Who the speech addresses, in the order spoken."""
    named = (next((m.group(g) for g in AUDIENCE_GROUPS if m.group(g)), None) for m in AUDIENCE.finditer(transcript))
    return [c.strip() for c in named if c and c.strip()]


def _structure(r: _Reading) -> list[StructureBeat]:
    """The spoken beats that can be placed in time, in time order."""
    beats: list[tuple[Beat, Sentence]] = [("hook", s) for s in r.spoken[:1]]
    beats += [("problem", hit.sentence) for hit in r.pains[1:2]]
    beats += [("offer", hit.sentence) for hit in [h for h in r.offer_hits if h.source == "transcript"][:1]]
    beats += [("solution", s) for s in r.brand_sentences[:1]]
    if r.cta_hit and r.cta_hit.source == "transcript":
        beats.append(("cta", r.cta_hit.sentence))
    structure = [StructureBeat(beat=beat, start_s=s.start_s, end_s=s.end_s) for beat, s in beats]
    structure.sort(key=lambda b: b.start_s if b.start_s is not None else 0.0)
    return structure


def _summary(r: _Reading, persona: str | None) -> str:
    bits = [f"{r.ad.page_name or 'the product'} ad" + (f" aimed at {persona}" if persona else "") + "."]
    if r.hook.type != "none":
        close = f" and closes with a {readable(r.cta.type)} call to action." if r.cta.type != "none" else "."
        bits.append(f"It opens with a {readable(r.hook.type)} hook{close}")
    else:
        bits.append(
            "It has no usable video; only the ad copy was analysed."
            if r.ad.extras.get("video_missing")
            else "It has no speech; its on-screen text and copy were analysed."
            if r.screen
            else "It has no speech; only the ad copy was analysed."
        )
    if r.offer.present:
        bits.append(f"Offer: {', '.join(readable(t) for t in r.offer.types)}.")
    return " ".join(bits)


def _inferred_from(ad: AdInput) -> InferredFrom:
    if ad.extras.get("video_missing"):
        return "copy_only"
    if ad.pacing or ad.screen_text:
        return "transcript_copy_and_frames"
    return "transcript_and_copy" if ad.copy else "transcript_only"


def _emotional_triggers(emotions: list[Hit]) -> list[Labelled]:
    return [
        Labelled(label=m.group(0).lower(), evidence=[hit.evidence()])
        for hit in emotions[:3]
        if (m := EMOTION.search(hit.sentence.text))
    ]


def analyse(ad: AdInput) -> AdAnalysis:
    """Read the ad once, judge what was found with the decision tables, and fill every field of the schema."""
    r = _read(ad)
    findings = _findings(r)
    scores = rate(findings)
    assessment = Assessment(findings, scores)
    callouts = _callouts(ad.transcript + " ")
    persona = callouts[0] if callouts else None
    angle = pick(ANGLES, findings)
    tone = pick(TONES, findings)
    return AdAnalysis(
        summary=_summary(r, persona),
        hook=r.hook,
        value_proposition=ValueProposition(
            statement=r.brand_sentences[0].text if r.brand_sentences else (r.copy[0].text if r.copy else None),
            key_benefits=r.benefits,
            differentiator=None,
        ),
        offer=r.offer,
        cta=r.cta,
        target_audience=TargetAudience(
            persona=persona, explicit_callouts=callouts, awareness_level=pick(AWARENESS, findings)
        ),
        pain_points=[PainPoint(pain=hit.sentence.text, evidence=[hit.evidence()]) for hit in r.pains[:3]],
        messaging_angle=MessagingAngle(
            primary=angle.primary, narrative_framework=angle.framework, description=angle.description
        ),
        emotional_triggers=_emotional_triggers(r.emotions),
        persuasion_tactics=[
            Labelled(label=label, evidence=[hits[0].evidence()])
            for label, hits in labels_found(TACTIC_RULES, r.spoken, r.copy)
        ],
        tone=Tone(primary=tone.primary, descriptors=list(tone.descriptors)),
        format_style=FormatStyle(
            format="voiceover" if r.spoken else "music only",
            production_level="unknown",
            speaker="single narrator" if r.spoken else "none",
            inferred_from=_inferred_from(ad),
        ),
        structure=_structure(r),
        scores=scores,
        recommendations=[
            Recommendation(area=advice.area, suggestion=advice.suggestion, rationale=advice.because(assessment))
            for advice in all_that_hold(ADVICE, assessment)
        ],
    )
