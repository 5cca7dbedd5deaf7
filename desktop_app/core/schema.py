"""The validated structure every analyser fills (analysis-schema.md), so results compare and aggregate.

Absent things are None or "none", never invented; judgements carry evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


HookType = Literal[
    "problem_callout", "question", "bold_claim", "statistic", "social_proof", "testimonial",
    "pattern_interrupt", "curiosity_gap", "negative", "direct_callout", "before_after", "authority",
    "urgency", "demonstration", "story", "other", "none",
]  # fmt: skip
OfferType = Literal[
    "discount", "free_trial", "free_shipping", "bundle", "bogo", "guarantee", "gift", "limited_time",
    "lead_magnet", "financing", "subscription", "other",
]  # fmt: skip
CtaType = Literal[
    "shop_now", "learn_more", "sign_up", "download", "book", "get_offer", "contact", "subscribe",
    "watch_more", "other", "none",
]  # fmt: skip
Angle = Literal[
    "problem_solution", "transformation", "social_proof", "authority", "comparison", "price_value",
    "convenience", "quality", "health_safety", "status_identity", "fomo", "education", "founder_story",
    "novelty", "other",
]  # fmt: skip
Framework = Literal["AIDA", "PAS", "BAB", "FAB", "4Cs", "testimonial", "listicle", "demo", "other", "none"]
Awareness = Literal["unaware", "problem_aware", "solution_aware", "product_aware", "most_aware"]
Beat = Literal["hook", "problem", "agitate", "solution", "mechanism", "proof", "offer", "cta", "other"]


class Evidence(Strict):
    quote: str
    source: Literal["transcript", "ad_copy", "on_screen"]
    timestamp_s: float | None


class Hook(Strict):
    text: str | None
    start_s: float | None
    end_s: float | None
    modality: Literal["spoken", "on_screen_text", "visual_only", "unknown"]
    type: HookType
    within_first_3s: bool
    evidence: list[Evidence]


class ValueProposition(Strict):
    statement: str | None
    key_benefits: list[str]
    differentiator: str | None


class Offer(Strict):
    present: bool
    types: list[OfferType]
    details: str | None
    evidence: list[Evidence]


class Cta(Strict):
    text: str | None
    timestamp_s: float | None
    type: CtaType
    urgency: bool
    evidence: list[Evidence]


class TargetAudience(Strict):
    persona: str | None
    explicit_callouts: list[str]
    awareness_level: Awareness


class PainPoint(Strict):
    pain: str
    evidence: list[Evidence]


class MessagingAngle(Strict):
    primary: Angle
    narrative_framework: Framework
    description: str | None


class Labelled(Strict):
    label: str
    evidence: list[Evidence]


class Tone(Strict):
    primary: str
    descriptors: list[str]


InferredFrom = Literal["transcript_only", "transcript_and_copy", "transcript_copy_and_frames", "copy_only"]


class FormatStyle(Strict):
    format: str
    production_level: str
    speaker: str
    inferred_from: InferredFrom


class StructureBeat(Strict):
    beat: Beat
    start_s: float | None
    end_s: float | None


class Score(Strict):
    score: int = Field(ge=1, le=5)
    rationale: str


class Scores(Strict):
    hook_strength: Score
    clarity: Score
    value_prop: Score
    offer_strength: Score | None
    cta_strength: Score
    emotional_pull: Score
    overall: Score
    confidence: Literal["low", "medium", "high"]
    limitations: list[str]


class Recommendation(Strict):
    area: str
    suggestion: str
    rationale: str


class AdAnalysis(Strict):
    summary: str
    hook: Hook
    value_proposition: ValueProposition
    offer: Offer
    cta: Cta
    target_audience: TargetAudience
    pain_points: list[PainPoint]
    messaging_angle: MessagingAngle
    emotional_triggers: list[Labelled]
    persuasion_tactics: list[Labelled]
    tone: Tone
    format_style: FormatStyle
    structure: list[StructureBeat]
    scores: Scores
    recommendations: list[Recommendation]
