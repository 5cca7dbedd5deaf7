"""The offline analyser: fills the full analysis schema from the transcript, word timings and ad copy
with transparent rules, so the app is useful with no LLM configured. Confidence is always "low"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.context import CancelToken
from desktop_app.core.facts import HOOK_WINDOW_S, AdInput, Sentence
from desktop_app.core.results import AnalyserKey
from desktop_app.core.schema import (
    AdAnalysis,
    Awareness,
    Beat,
    Cta,
    CtaType,
    Evidence,
    FormatStyle,
    Hook,
    HookType,
    Labelled,
    MessagingAngle,
    Offer,
    OfferType,
    PainPoint,
    Recommendation,
    Score,
    Scores,
    StructureBeat,
    TargetAudience,
    Tone,
    ValueProposition,
)

PROMPT_VERSION = "heuristic-1"

_NUM = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|hundred)"


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Hook types, tested in this order on the opening sentence: the first match wins.
HOOK_RULES: list[tuple[HookType, re.Pattern[str]]] = [
    ("pattern_interrupt", _rx(r"^(stop scrolling|wait|hold on|pause)\b")),
    (
        "urgency",
        _rx(r"^(last chance|hurry|final hours|ends (tonight|today))", r"\b(ends tonight|today only)\b"),
    ),
    ("before_after", _rx(r"\bbefore and after\b", r"\bwent from\b.+\bto\b")),
    ("statistic", _rx(r"\d+ ?%", r"\bpercent\b", rf"\b{_NUM} (out of|in) {_NUM}\b")),
    (
        "social_proof",
        _rx(
            rf"\b(over|more than|join) {_NUM}[\w,]* (million |thousand )?\w+",
            r"\b\d[\d,.]* (million|thousand)\b",
            r"\b(customers|reviews) (love|agree)\b",
            r"\bfive[- ]star\b",
        ),
    ),
    (
        "direct_callout",
        _rx(
            r"^(attention|calling all|hey|hi|dear|to all)\b",
            r"^if you('re| are) an? \w+",
            r"^(all |busy |new )?(moms|mums|dads|parents|teachers|homeowners|runners|gamers|nurses)\b",
        ),
    ),
    (
        "testimonial",
        _rx(
            r"^i (used to|was|had|tried|have tried|never|spent|struggled|couldn't)\b",
            r"^my \w+ (was|used)",
            r"^(our|real) customers say\b",
        ),
    ),
    (
        "story",
        _rx(
            r"^(every (morning|day|night|saturday|sunday|week)|once|years ago|last (summer|year|winter)|"
            r"when i was|it was)\b",
            r"^in (19|20)\d\d\b",
        ),
    ),
    (
        "authority",
        _rx(
            r"\b(doctors|dermatologists|dentists|experts|scientists|nutritionists) (recommend|agree|say)",
            "as seen on",
        ),
    ),
    (
        "negative",
        _rx(r"^(stop|don't|do not|never) (buying|using|doing|eating|wasting|paying)", r"\bbiggest mistake\b"),
    ),
    (
        "curiosity_gap",
        _rx(
            r"^(here'?s|this is) (why|how|what)\b",
            r"\bthe secret\b",
            r"\bnobody tells you\b",
            r"^what happens",
        ),
    ),
    ("demonstration", _rx(r"^(watch|look at) (this|me|how)\b", r"^let me show you")),
    (
        "question",
        _rx(
            r"\?\s*$",
            r"^(tired of|sick of|struggling|still|ever|are you|do you|did you|have you|is your|can you|"
            r"what if|why do|how do|want to)\b",
        ),
    ),
    (
        "bold_claim",
        _rx(
            r"\b(only|best|last|fastest|easiest|lightest|world's)\b.{0,40}\b(you|ever|need)",
            r"\bworld's\b",
            "#1|number one",
        ),
    ),
    ("problem_callout", _rx(r"^your \w+ (is|isn't|are|aren't|keeps)", r"\b(problem|struggle|pain)\b")),
]

# CTA types; the CTA is the last match in the transcript, then in the copy.
CTA_RULES: list[tuple[CtaType, re.Pattern[str]]] = [
    (
        "shop_now",
        _rx(
            r"\b(shop|order|buy) (now|today|yours|online|the)\b",
            r"\bget yours\b",
            r"\border yours\b",
            r"\badd to (cart|basket)\b",
            r"\bgrab yours\b",
        ),
    ),
    ("download", _rx(r"\bdownload\b", r"\bget the app\b", r"\binstall (it|the app|now)\b")),
    ("book", _rx(r"\b(book|schedule|reserve) (a|an|your)\b")),
    (
        "get_offer",
        _rx(
            r"\bget (a|your) (free )?quote\b",
            r"\bclaim (your|the) (offer|deal|discount)\b",
            r"\bget the deal\b",
        ),
    ),
    ("subscribe", _rx(r"\bsubscribe\b")),
    ("contact", _rx(r"\b(contact|call|message|text) us\b")),
    ("watch_more", _rx(r"\bwatch the (full|whole) \w+", r"\bwatch more\b")),
    (
        "sign_up",
        _rx(
            r"\bsign up\b",
            r"\bjoin (free|now|today|us)\b",
            r"\bregister\b",
            r"\bcreate (an|your) account\b",
            r"\bstart your (free )?(\d+[- ]day )?trial\b",
        ),
    ),
    (
        "learn_more",
        _rx(
            r"\blearn more\b",
            r"\bfind out (more|how)\b",
            r"\bdiscover (more|the)\b",
            r"\bvisit (our|the) (site|website|store)\b",
            r"\bon our (site|website)\b",
        ),
    ),
]

OFFER_RULES: list[tuple[OfferType, re.Pattern[str]]] = [
    (
        "discount",
        _rx(
            r"\d+ ?% off",
            rf"{_NUM} percent off",
            r"\$\d+ off",
            r"\bsave \d+ ?%",
            r"\bsave (up to )?\d+ percent",
            r"\bhalf price\b",
            r"\bdiscount\b",
        ),
    ),
    ("free_shipping", _rx(r"\bfree (shipping|delivery)\b")),
    (
        "free_trial",
        _rx(
            r"\bfree trial\b",
            r"\btry (it )?(for )?free\b",
            r"\bfree \d+[- ]day trial\b",
            r"\b\d+[- ]day free trial\b",
            r"\bfree for \d+ days\b",
        ),
    ),
    ("guarantee", _rx(r"\bmoney[- ]back\b", r"\bguarantee\b", r"\bwarranty\b", r"\brisk[- ]free\b")),
    ("bogo", _rx(r"\bbuy one,? get one\b", r"\bbogo\b")),
    ("bundle", _rx(r"\bbundle\b")),
    ("gift", _rx(r"\bfree (gift|toy|sample)\b")),
    (
        "lead_magnet",
        _rx(r"\bfree (\w+ )?(guide|e-?book|checklist|webinar|consultation|inspection|report|class)\b"),
    ),
    (
        "financing",
        _rx(r"\bfinancing\b", r"\b0 ?% apr\b", r"\bpay in \d+\b", r"\binstal?ments\b", r"\bmoney down\b"),
    ),
    ("subscription", _rx(r"\b(a|per) month\b", r"\bsubscribe and save\b", r"\bsubscription\b")),
]

URGENCY = _rx(
    r"\b(this|the) (week|weekend|month) only\b",
    r"\b(today|tonight) only\b",
    r"\bends (tonight|today|sunday|soon|at midnight)\b",
    r"\buntil (sunday|monday|friday|saturday|midnight)\b",
    r"\blimited time\b",
    r"\blast chance\b",
    r"\bonly \d+ left\b",
    r"\bhurry\b",
    r"\bwhile (stocks|supplies) last\b",
    r"\bbefore the sale ends\b",
    r"\b(this|the) (week|weekend|month)\b.{0,20}\bonly\b",
    r"\bwith every order this (week|month)\b",
)

PAIN = _rx(
    r"\b(tired|sick) of\b",
    r"\bstruggl\w+",
    r"\bhate\b",
    r"\bfrustrat\w+",
    r"\bworried\b",
    r"\bhid(e|ing)\b",
    r"\bembarrass\w+",
    r"\bstress\w*",
    r"\bwast(e|ing)\b",
    r"\bdebt\b",
    r"\bpain\b",
    r"\bquit\b",
    r"\bfail\w*\b",
    r"\bbreak\b",
    r"\bdying\b",
    r"\bbored\b",
    r"\bstill (doing|using|paying)\b",
    r"\bhigher than\b",
    r"\btakes hours\b",
)

EMOTION = _rx(r"\b(love|confident|happy|proud|finally|dream|care|family|free|relief|joy|fear|worried|alone|hide)\b")

AUDIENCE = _rx(
    r"\b(attention|calling all|hey|dear)\s+([a-z ]+?)[.,!?]",
    r"\b((?:small |new |busy )?(?:business owners|parents|moms|dads|teachers|homeowners|runners|drivers|"
    r"gym members|students|nurses|gamers|dog owners))\b",
)


@dataclass(frozen=True)
class _Found:
    sentence: Sentence
    source: str  # "transcript" or "ad_copy"

    def evidence(self) -> Evidence:
        ts = self.sentence.start_s if self.source == "transcript" else None
        return Evidence(quote=self.sentence.text, source=self.source, timestamp_s=ts)  # type: ignore[arg-type]


class HeuristicAnalyser:
    """Rule-based analysis, the default when no LLM is configured."""

    key = AnalyserKey(analyser="heuristic", prompt_version=PROMPT_VERSION)

    def analyse(
        self, ad: AdInput, token: CancelToken, on_wait: Callable[[str], None] | None = None
    ) -> tuple[AdAnalysis, dict[str, int] | None]:
        return analyse(ad), None


def _sentences(ad: AdInput) -> tuple[list[Sentence], list[Sentence]]:
    spoken = ad.sentences()
    copy = [Sentence(part, None, None) for text in ad.copy for part in re.split(r"(?<=[.!?])\s+", text) if part]
    return spoken, copy


def _find_all(pattern: re.Pattern[str], spoken: list[Sentence], copy: list[Sentence]) -> list[_Found]:
    return [_Found(s, "transcript") for s in spoken if pattern.search(s.text)] + [
        _Found(s, "ad_copy") for s in copy if pattern.search(s.text)
    ]


def _hook(ad: AdInput, spoken: list[Sentence], copy: list[Sentence]) -> Hook:
    if not spoken:
        return Hook(
            text=copy[0].text if copy else None,
            start_s=None,
            end_s=None,
            modality="visual_only" if not copy else "unknown",
            type="none",
            within_first_3s=False,
            evidence=[Evidence(quote=copy[0].text, source="ad_copy", timestamp_s=None)] if copy else [],
        )
    first = spoken[0]
    text = first.text.strip()
    hook_type: HookType = next((t for t, rx in HOOK_RULES if rx.search(text)), "other")
    if hook_type == "question" and not text.rstrip().endswith("?") and spoken[1:] and spoken[1].text.endswith("?"):
        text = f"{text} {spoken[1].text}"
    start = first.start_s or 0.0
    return Hook(
        text=text,
        start_s=first.start_s,
        end_s=first.end_s,
        modality="spoken",
        type=hook_type,
        within_first_3s=start < HOOK_WINDOW_S,
        evidence=[Evidence(quote=first.text, source="transcript", timestamp_s=first.start_s)],
    )


def _cta(spoken: list[Sentence], copy: list[Sentence]) -> tuple[Cta, _Found | None]:
    best: tuple[int, CtaType, _Found] | None = None
    candidates = [(i, _Found(s, "transcript")) for i, s in enumerate(spoken)]
    candidates += [(-1, _Found(s, "ad_copy")) for s in copy]
    for order, found in candidates:
        for cta_type, rx in CTA_RULES:
            if rx.search(found.sentence.text):
                if best is None or order > best[0]:
                    best = (order, cta_type, found)
                break
    if best is None:
        return Cta(text=None, timestamp_s=None, type="none", urgency=False, evidence=[]), None
    _, cta_type, found = best
    return (
        Cta(
            text=found.sentence.text,
            timestamp_s=found.sentence.start_s,
            type=cta_type,
            urgency=bool(URGENCY.search(found.sentence.text)),
            evidence=[found.evidence()],
        ),
        found,
    )


def _offer(spoken: list[Sentence], copy: list[Sentence]) -> tuple[Offer, bool, list[_Found]]:
    types: list[OfferType] = []
    evidence: list[_Found] = []
    for offer_type, rx in OFFER_RULES:
        hits = _find_all(rx, spoken, copy)
        if hits:
            types.append(offer_type)
            evidence.extend(h for h in hits if h not in evidence)
    urgent = _find_all(URGENCY, spoken, copy)
    if urgent:
        types.append("limited_time")
        evidence.extend(h for h in urgent if h not in evidence)
    present = any(t != "limited_time" for t in types)
    details = " ".join(dict.fromkeys(f.sentence.text for f in evidence)) or None
    offer = Offer(present=present, types=types, details=details, evidence=[f.evidence() for f in evidence[:4]])
    return offer, bool(urgent), evidence


def _band(value: int) -> int:
    return max(1, min(5, value))


def analyse(ad: AdInput) -> AdAnalysis:
    spoken, copy = _sentences(ad)
    hook = _hook(ad, spoken, copy)
    cta, cta_found = _cta(spoken, copy)
    offer, urgent, offer_found = _offer(spoken, copy)
    pains = _find_all(PAIN, spoken, [])
    emotions = _find_all(EMOTION, spoken, copy)
    brand = (ad.page_name or "").lower()
    brand_words = [w for w in re.findall(r"[a-z]+", brand) if len(w) > 2]
    product_sentences = [s for s in spoken if any(w in s.text.lower() for w in brand_words)]
    benefits = [
        s.text
        for s in spoken
        if s not in spoken[:1] and s is not (cta_found.sentence if cta_found else None) and s not in product_sentences
    ][:3]
    quantified = any(re.search(r"\d", s.text) for s in spoken)

    callouts = [m.group(2) or m.group(3) for m in AUDIENCE.finditer(ad.transcript + " ")]
    callouts = [c.strip() for c in callouts if c and c.strip()]
    persona = callouts[0] if callouts else None

    # ---- scores, following the rubric given to the LLM ----
    strong_hooks = {
        "question",
        "statistic",
        "problem_callout",
        "direct_callout",
        "pattern_interrupt",
        "curiosity_gap",
    }
    if hook.type == "none":
        hook_score = Score(score=1, rationale="No spoken hook: the video has no speech to open with.")
    elif hook.type == "other":
        hook_score = Score(score=2, rationale="Generic opener that does not call out a pain, audience or claim.")
    elif not hook.within_first_3s:
        hook_score = Score(score=3, rationale="Relevant hook, but it starts after the first 3 seconds.")
    elif hook.type in strong_hooks and (pains and pains[0].sentence == spoken[0]) and hook.type != "direct_callout":
        hook_score = Score(score=5, rationale=f"A {hook.type.replace('_', ' ')} within 3 s that names a pain.")
    elif hook.type in strong_hooks or hook.type in {"testimonial", "social_proof"}:
        hook_score = Score(
            score=4, rationale=f"Specific {hook.type.replace('_', ' ')} hook within the first 3 seconds."
        )
    else:
        hook_score = Score(score=3, rationale=f"A {hook.type.replace('_', ' ')} opener: relevant but slower to land.")

    if cta.type == "none":
        cta_score = Score(score=1, rationale="No call to action.")
    elif cta.type == "learn_more":
        cta_score = Score(score=3, rationale="Explicit but generic call to action.")
    elif urgent and offer.present:
        cta_score = Score(score=5, rationale="Specific action with urgency and the offer restated.")
    else:
        cta_score = Score(score=4, rationale="Explicit, specific action.")

    if not offer.present:
        offer_score = None
    else:
        strong = bool({"free_trial", "guarantee", "bogo"} & set(offer.types)) or any(
            int(m) >= 25 for m in re.findall(r"(\d+) ?(?:%|percent)", offer.details or "")
        )
        value = 4 if strong else 3 if {"discount", "free_shipping", "gift"} & set(offer.types) else 2
        if strong and urgent:
            value = 5
        offer_score = Score(score=value, rationale=f"Offer: {', '.join(offer.types)}.")

    named = bool(product_sentences) or not brand_words
    clarity = _band(2 + int(named) + int(cta.type != "none") + int(bool(benefits)))
    value_prop = _band(1 + min(2, len(benefits)) + int(quantified))
    emotional = _band(1 + min(3, len(emotions)) + int(hook.type in {"testimonial", "story"}))
    overall = _band(
        round(
            0.3 * hook_score.score
            + 0.2 * cta_score.score
            + 0.2 * value_prop
            + 0.15 * clarity
            + 0.15 * emotional
            + (0.3 if offer_score and offer_score.score >= 4 else 0)
        )
    )
    limitations = ["heuristic analysis", "visuals not analysed", "on-screen text not analysed"]
    if not spoken:
        limitations.append("no speech")

    # ---- angle, framework, awareness, tone ----
    angle: MessagingAngle
    if hook.type == "social_proof":
        angle = MessagingAngle(
            primary="social_proof",
            narrative_framework="FAB",
            description="Leads with how many people use it.",
        )
    elif hook.type in {"testimonial", "before_after"}:
        angle = MessagingAngle(
            primary="transformation",
            narrative_framework="testimonial",
            description="A personal before-and-after.",
        )
    elif hook.type == "story":
        angle = MessagingAngle(
            primary="quality",
            narrative_framework="other",
            description="A story about how the product is made.",
        )
    elif hook.type == "authority":
        angle = MessagingAngle(
            primary="authority", narrative_framework="FAB", description="Borrows expert credibility."
        )
    elif pains:
        angle = MessagingAngle(
            primary="problem_solution",
            narrative_framework="PAS",
            description="Names a problem, then offers the fix.",
        )
    elif offer.present:
        angle = MessagingAngle(primary="price_value", narrative_framework="AIDA", description="Leads with the deal.")
    else:
        angle = MessagingAngle(primary="other", narrative_framework="none" if not spoken else "other", description=None)
    awareness: Awareness = (
        "problem_aware"
        if pains
        else "product_aware"
        if offer.present
        else "unaware"
        if hook.type in {"story", "none"}
        else "solution_aware"
    )
    if urgent:
        tone = Tone(primary="urgent", descriptors=["energetic", "promotional"])
    elif hook.type in {"testimonial", "story"}:
        tone = Tone(primary="warm", descriptors=["personal", "sincere"])
    elif hook.type in {"statistic", "authority"}:
        tone = Tone(primary="informative", descriptors=["confident", "factual"])
    elif not spoken:
        tone = Tone(primary="unknown", descriptors=[])
    else:
        tone = Tone(primary="friendly", descriptors=["conversational"])

    structure: list[StructureBeat] = []
    if spoken:
        structure.append(StructureBeat(beat="hook", start_s=spoken[0].start_s, end_s=spoken[0].end_s))
    beats: list[tuple[Beat, list[_Found]]] = [
        ("problem", pains[1:2]),
        ("offer", [f for f in offer_found if f.source == "transcript"][:1]),
    ]
    for beat, found in beats:
        structure.extend(StructureBeat(beat=beat, start_s=f.sentence.start_s, end_s=f.sentence.end_s) for f in found)
    if product_sentences:
        s = product_sentences[0]
        structure.append(StructureBeat(beat="solution", start_s=s.start_s, end_s=s.end_s))
    if cta_found and cta_found.source == "transcript":
        structure.append(StructureBeat(beat="cta", start_s=cta_found.sentence.start_s, end_s=cta_found.sentence.end_s))
    structure.sort(key=lambda b: b.start_s if b.start_s is not None else 0.0)

    advice = [
        (
            hook_score.score <= 3,
            "hook",
            "Open with the viewer's problem or a specific number in the first 3 seconds.",
            hook_score.rationale,
        ),
        (
            cta_score.score <= 3,
            "cta",
            "End with one specific action (shop, book, download) and a reason to act now.",
            cta_score.rationale,
        ),
        (
            not offer.present,
            "offer",
            "Test an offer or risk reversal (free trial, guarantee) to lower the barrier.",
            "No offer detected.",
        ),
    ]
    recommendations = [Recommendation(area=a, suggestion=s, rationale=r) for weak, a, s, r in advice if weak]

    product = ad.page_name or "the product"
    summary_bits = [f"{product} ad" + (f" aimed at {persona}" if persona else "") + "."]
    if hook.type != "none":
        summary_bits.append(f"It opens with a {hook.type.replace('_', ' ')} hook")
        summary_bits[-1] += (
            f" and closes with a {cta.type.replace('_', ' ')} call to action." if cta.type != "none" else "."
        )
    else:
        summary_bits.append("It has no speech; only the ad copy was analysed.")
    if offer.present:
        summary_bits.append(f"Offer: {', '.join(offer.types)}.")

    return AdAnalysis(
        summary=" ".join(summary_bits),
        hook=hook,
        value_proposition=ValueProposition(
            statement=product_sentences[0].text if product_sentences else (copy[0].text if copy else None),
            key_benefits=benefits,
            differentiator=None,
        ),
        offer=offer,
        cta=cta,
        target_audience=TargetAudience(persona=persona, explicit_callouts=callouts, awareness_level=awareness),
        pain_points=[PainPoint(pain=f.sentence.text, evidence=[f.evidence()]) for f in pains[:3]],
        messaging_angle=angle,
        emotional_triggers=[
            Labelled(label=m.group(0).lower(), evidence=[f.evidence()])
            for f in emotions[:3]
            if (m := EMOTION.search(f.sentence.text))
        ],
        persuasion_tactics=[
            Labelled(label=label, evidence=[f.evidence() for f in found[:1]])
            for label, found in (
                ("urgency", _find_all(URGENCY, spoken, copy)),
                ("social proof", _find_all(HOOK_RULES[4][1], spoken, copy)),
                ("risk reversal", _find_all(OFFER_RULES[3][1], spoken, copy)),
            )
            if found
        ],
        tone=tone,
        format_style=FormatStyle(
            format="voiceover" if spoken else "music only",
            production_level="unknown",
            speaker="single narrator" if spoken else "none",
            inferred_from="transcript_and_copy" if ad.copy else "transcript_only",
        ),
        structure=structure,
        scores=Scores(
            hook_strength=hook_score,
            clarity=Score(
                score=clarity,
                rationale="Product named, benefit and action present."
                if clarity >= 4
                else "Some of product, benefit or action is unclear.",
            ),
            value_prop=Score(
                score=value_prop,
                rationale="Concrete, quantified benefits." if quantified else "Benefits stated without figures.",
            ),
            offer_strength=offer_score,
            cta_strength=cta_score,
            emotional_pull=Score(score=emotional, rationale=f"{len(emotions)} emotional cue(s) in copy and speech."),
            overall=Score(score=overall, rationale="Holistic estimate from hook, offer, CTA and clarity."),
            confidence="low",
            limitations=limitations,
        ),
        recommendations=recommendations,
    )
