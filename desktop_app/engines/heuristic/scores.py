"""The scores block: graded scores come from the decision tables in judgements.py, the rest from small
formulas over the findings, following the rubric the LLM is given so the two analysers' scores compare."""

from __future__ import annotations

from desktop_app.core.schema import Score, Scores
from desktop_app.core.text import readable
from desktop_app.engines.heuristic.engine import Case, pick
from desktop_app.engines.heuristic.judgements import CTA_GRADES, HOOK_GRADES, OFFER_GRADES, Findings, Grade


def limitations(f: Findings) -> list[str]:
    """What this analysis could not judge, said from what was actually looked at."""
    said = ["heuristic analysis"]
    said.append("pictures judged only by their cuts and on-screen text" if f.frames_seen else "visuals not analysed")
    if not f.screen_read:
        said.append("on-screen text not analysed")
    return said + ([] if f.has_speech else ["no speech"])


def _band(value: int) -> int:
    """Clamp to the 1-5 scale."""
    return max(1, min(5, value))


def _graded(table: tuple[Case[Findings, Grade], ...], f: Findings) -> Score:
    grade = pick(table, f)
    rationale = grade.rationale.format(hook=readable(f.hook_type), offer=", ".join(readable(t) for t in f.offer_types))
    return Score(score=grade.score, rationale=rationale)


# overall = the weighted blend below, rounded and kept on the 1-5 scale; a strong offer (4 or 5) adds a bonus.
OVERALL_WEIGHTS = (("hook", 0.3), ("CTA", 0.2), ("value", 0.2), ("clarity", 0.15), ("emotion", 0.15))
STRONG_OFFER_BONUS = 0.3


def overall_score(hook: int, cta: int, value_prop: int, clarity: int, emotional: int, offer: int | None) -> Score:
    """The documented blend of the sub-scores, with a rationale that shows the sum it was computed from."""
    parts = dict(zip((name for name, _ in OVERALL_WEIGHTS), (hook, cta, value_prop, clarity, emotional), strict=True))
    total = sum(weight * parts[name] for name, weight in OVERALL_WEIGHTS)
    bonus = STRONG_OFFER_BONUS if offer is not None and offer >= 4 else 0.0
    shown = " + ".join(f"{weight:g} x {name} {parts[name]}" for name, weight in OVERALL_WEIGHTS)
    extra = f" + {bonus:g} for a strong offer" if bonus else ""
    return Score(score=_band(round(total + bonus)), rationale=f"Weighted blend: {shown}{extra} = {total + bonus:.2f}.")


CLARITY_PARTS = (
    ("the product is named", "the product is not named"),
    ("a benefit is stated", "no benefit is stated"),
    ("there is a call to action", "there is no call to action"),
)


def _clarity(f: Findings) -> Score:
    """Product, benefit and action, each counted and said from the same findings the other scores use."""
    found = (f.product_named, f.benefit_count > 0, f.cta_type != "none")
    said = "; ".join(yes if ok else no for (yes, no), ok in zip(CLARITY_PARTS, found, strict=True))
    return Score(score=_band(2 + sum(found)), rationale=said[0].upper() + said[1:] + ".")


def rate(f: Findings) -> Scores:
    """Every score in the schema, always at low confidence: rules cannot judge the way a reader does."""
    hook = _graded(HOOK_GRADES, f)
    cta = _graded(CTA_GRADES, f)
    offer = _graded(OFFER_GRADES, f) if f.offer_present else None
    clarity = _clarity(f)
    value_prop = _band(1 + min(2, f.benefit_count) + int(f.quantified))
    emotional = _band(1 + min(3, f.emotion_count) + int(f.hook_type in {"testimonial", "story"}))
    return Scores(
        hook_strength=hook,
        clarity=clarity,
        value_prop=Score(
            score=value_prop,
            rationale=f"{f.benefit_count} benefit(s) stated, "
            + ("with figures." if f.quantified else "without figures."),
        ),
        offer_strength=offer,
        cta_strength=cta,
        emotional_pull=Score(score=emotional, rationale=f"{f.emotion_count} emotional cue(s) in copy and speech."),
        overall=overall_score(
            hook.score, cta.score, value_prop, clarity.score, emotional, offer.score if offer else None
        ),
        confidence="low",
        limitations=limitations(f),
    )
