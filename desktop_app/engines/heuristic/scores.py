"""The scores block: graded scores come from the decision tables in judgements.py, the rest from small
formulas over the findings, following the rubric the LLM is given so the two analysers' scores compare."""

from __future__ import annotations

from desktop_app.core.schema import Score, Scores
from desktop_app.engines.heuristic.engine import Case, pick
from desktop_app.engines.heuristic.judgements import CTA_GRADES, HOOK_GRADES, OFFER_GRADES, Findings, Grade

LIMITATIONS = ("heuristic analysis", "visuals not analysed", "on-screen text not analysed")


def _band(value: int) -> int:
    """Clamp to the 1-5 scale."""
    return max(1, min(5, value))


def _graded(table: tuple[Case[Findings, Grade], ...], f: Findings) -> Score:
    grade = pick(table, f)
    rationale = grade.rationale.format(hook=f.hook_type.replace("_", " "), offer=", ".join(f.offer_types))
    return Score(score=grade.score, rationale=rationale)


def _overall(hook: Score, cta: Score, offer: Score | None, value_prop: int, clarity: int, emotional: int) -> int:
    """A weighted blend, with a bonus for a strong offer (summed in this order; rounding depends on it)."""
    return _band(
        round(
            0.3 * hook.score
            + 0.2 * cta.score
            + 0.2 * value_prop
            + 0.15 * clarity
            + 0.15 * emotional
            + (0.3 if offer and offer.score >= 4 else 0)
        )
    )


def rate(f: Findings) -> Scores:
    """Every score in the schema, always at low confidence: rules cannot judge the way a reader does."""
    hook = _graded(HOOK_GRADES, f)
    cta = _graded(CTA_GRADES, f)
    offer = _graded(OFFER_GRADES, f) if f.offer_present else None
    clarity = _band(2 + int(f.product_named) + int(f.cta_type != "none") + int(f.benefit_count > 0))
    value_prop = _band(1 + min(2, f.benefit_count) + int(f.quantified))
    emotional = _band(1 + min(3, f.emotion_count) + int(f.hook_type in {"testimonial", "story"}))
    limitations = [*LIMITATIONS, *([] if f.has_speech else ["no speech"])]
    return Scores(
        hook_strength=hook,
        clarity=Score(
            score=clarity,
            rationale="Product named, benefit and action present."
            if clarity >= 4
            else "Some of product, benefit or action is unclear.",
        ),
        value_prop=Score(
            score=value_prop,
            rationale="Concrete, quantified benefits." if f.quantified else "Benefits stated without figures.",
        ),
        offer_strength=offer,
        cta_strength=cta,
        emotional_pull=Score(score=emotional, rationale=f"{f.emotion_count} emotional cue(s) in copy and speech."),
        overall=Score(
            score=_overall(hook, cta, offer, value_prop, clarity, emotional),
            rationale="Holistic estimate from hook, offer, CTA and clarity.",
        ),
        confidence="low",
        limitations=limitations,
    )
