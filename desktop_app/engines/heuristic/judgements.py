"""The analyser's judgements as decision tables over what the rules found: score grades (following the rubric
given to the LLM), messaging angle, awareness, tone and recommendations.

Each table is a list of Cases; the highest-priority case whose condition holds decides, and every table that
must always decide ends in a catch-all, so no outcome depends on list position."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.schema import Angle, Awareness, CtaType, Framework, HookType, OfferType, Scores
from desktop_app.engines.heuristic.engine import Case, always


@dataclass(frozen=True)
class Findings:
    """Everything the judgement tables look at, read once from the ad."""

    hook_type: HookType
    hook_in_window: bool  # the spoken hook starts within the first 3 seconds
    opening_names_pain: bool  # the first pain sentence is the opening sentence
    cta_type: CtaType
    offer_present: bool
    offer_types: tuple[OfferType, ...]
    big_discount: bool  # the offer text names a discount of at least BIG_DISCOUNT_PERCENT
    urgent: bool  # urgency language anywhere in speech or copy
    has_pain: bool
    has_speech: bool
    product_named: bool  # the brand is spoken, or there is no brand to speak
    benefit_count: int
    quantified: bool  # some spoken sentence holds a figure
    emotion_count: int
    frames_seen: bool = False  # the video's keyframes and cuts were looked at
    screen_read: bool = False  # the keyframes' text was read (whether or not there was any)


@dataclass(frozen=True)
class Grade:
    """A 1-5 score and its rationale; `{hook}` and `{offer}` in the rationale are filled in when it is given."""

    score: int
    rationale: str


@dataclass(frozen=True)
class AngleChoice:
    primary: Angle
    framework: Framework
    description: str | None


@dataclass(frozen=True)
class ToneChoice:
    primary: str
    descriptors: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    """What the recommendations look at: the findings and the scores given for them."""

    findings: Findings
    scores: Scores


@dataclass(frozen=True)
class Advice:
    area: str
    suggestion: str
    because: Callable[[Assessment], str]


# Hook types that grab attention by themselves; with a pain in the opening sentence they earn the top grade.
STRONG_HOOKS: frozenset[HookType] = frozenset(
    {"question", "statistic", "problem_callout", "direct_callout", "pattern_interrupt", "curiosity_gap"}
)
# Relevant, specific hook types that still earn a 4 within the first 3 seconds.
SPECIFIC_HOOKS: frozenset[HookType] = STRONG_HOOKS | {"testimonial", "social_proof"}
# Offers that remove the risk of trying; a big enough discount counts as strong too.
STRONG_OFFERS: frozenset[OfferType] = frozenset({"free_trial", "guarantee", "bogo"})
BIG_DISCOUNT_PERCENT = 25
# Offers with a plain money value, weaker than STRONG_OFFERS.
VALUE_OFFERS: frozenset[OfferType] = frozenset({"discount", "free_shipping", "gift"})


def strong_offer(f: Findings) -> bool:
    """An offer that lowers the barrier to buying enough to rate a 4 or 5."""
    return bool(STRONG_OFFERS & set(f.offer_types)) or f.big_discount


HOOK_GRADES: tuple[Case[Findings, Grade], ...] = (
    Case(60, lambda f: f.hook_type == "none", Grade(1, "No spoken hook: the video has no speech to open with.")),
    Case(
        50,
        lambda f: f.hook_type == "other",
        Grade(2, "Generic opener that does not call out a pain, audience or claim."),
    ),
    Case(40, lambda f: not f.hook_in_window, Grade(3, "Relevant hook, but it starts after the first 3 seconds.")),
    Case(
        30,
        lambda f: f.hook_type in STRONG_HOOKS and f.opening_names_pain and f.hook_type != "direct_callout",
        Grade(5, "A {hook} within 3 s that names a pain."),
    ),
    Case(20, lambda f: f.hook_type in SPECIFIC_HOOKS, Grade(4, "Specific {hook} hook within the first 3 seconds.")),
    Case(10, always, Grade(3, "A {hook} opener: relevant but slower to land.")),
)

CTA_GRADES: tuple[Case[Findings, Grade], ...] = (
    Case(40, lambda f: f.cta_type == "none", Grade(1, "No call to action.")),
    Case(30, lambda f: f.cta_type == "learn_more", Grade(3, "Explicit but generic call to action.")),
    Case(
        20,
        lambda f: f.urgent and f.offer_present,
        Grade(5, "Specific action with urgency and the offer restated."),
    ),
    Case(10, always, Grade(4, "Explicit, specific action.")),
)

# Only consulted when an offer is present; with none, offer strength is not scored.
OFFER_GRADES: tuple[Case[Findings, Grade], ...] = (
    Case(40, lambda f: strong_offer(f) and f.urgent, Grade(5, "A risk-free or big offer ({offer}) with urgency.")),
    Case(30, strong_offer, Grade(4, "A risk-free or big offer ({offer}), without urgency.")),
    Case(20, lambda f: bool(VALUE_OFFERS & set(f.offer_types)), Grade(3, "A plain money-value offer ({offer}).")),
    Case(10, always, Grade(2, "An offer of little value on its own ({offer}).")),
)

ANGLES: tuple[Case[Findings, AngleChoice], ...] = (
    Case(
        70,
        lambda f: f.hook_type == "social_proof",
        AngleChoice("social_proof", "FAB", "Leads with how many people use it."),
    ),
    Case(
        60,
        lambda f: f.hook_type in {"testimonial", "before_after"},
        AngleChoice("transformation", "testimonial", "A personal before-and-after."),
    ),
    Case(
        50,
        lambda f: f.hook_type == "story",
        AngleChoice("quality", "other", "A story about how the product is made."),
    ),
    Case(40, lambda f: f.hook_type == "authority", AngleChoice("authority", "FAB", "Borrows expert credibility.")),
    Case(
        30,
        lambda f: f.has_pain,
        AngleChoice("problem_solution", "PAS", "Names a problem, then offers the fix."),
    ),
    Case(20, lambda f: f.offer_present, AngleChoice("price_value", "AIDA", "Leads with the deal.")),
    Case(10, lambda f: f.has_speech, AngleChoice("other", "other", None)),
    Case(0, always, AngleChoice("other", "none", None)),
)

AWARENESS: tuple[Case[Findings, Awareness], ...] = (
    Case(40, lambda f: f.has_pain, "problem_aware"),
    Case(30, lambda f: f.offer_present, "product_aware"),
    Case(20, lambda f: f.hook_type in {"story", "none"}, "unaware"),
    Case(10, always, "solution_aware"),
)

TONES: tuple[Case[Findings, ToneChoice], ...] = (
    Case(50, lambda f: f.urgent, ToneChoice("urgent", ("energetic", "promotional"))),
    Case(40, lambda f: f.hook_type in {"testimonial", "story"}, ToneChoice("warm", ("personal", "sincere"))),
    Case(30, lambda f: f.hook_type in {"statistic", "authority"}, ToneChoice("informative", ("confident", "factual"))),
    Case(20, lambda f: not f.has_speech, ToneChoice("unknown", ())),
    Case(10, always, ToneChoice("friendly", ("conversational",))),
)

# Every piece of advice whose weakness holds is given, highest priority first.
ADVICE: tuple[Case[Assessment, Advice], ...] = (
    Case(
        30,
        lambda a: a.scores.hook_strength.score <= 3,
        Advice(
            "hook",
            "Open with the viewer's problem or a specific number in the first 3 seconds.",
            lambda a: a.scores.hook_strength.rationale,
        ),
    ),
    Case(
        20,
        lambda a: a.scores.cta_strength.score <= 3,
        Advice(
            "cta",
            "End with one specific action (shop, book, download) and a reason to act now.",
            lambda a: a.scores.cta_strength.rationale,
        ),
    ),
    Case(
        10,
        lambda a: not a.findings.offer_present,
        Advice(
            "offer",
            "Test an offer or risk reversal (free trial, guarantee) to lower the barrier.",
            lambda a: "No offer detected.",
        ),
    ),
)
