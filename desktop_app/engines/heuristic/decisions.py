"""The learned decisions (learned.py) laid over what the rule tables found: the model says which hook type,
CTA type, offer types and urgency the ad has; the rules' matches, or failing them the sentence the model
rates highest, are quoted as the evidence. Without a trained model the rules decide alone."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.facts import Sentence
from desktop_app.core.schema import CtaType, Hook, HookType, OfferType
from desktop_app.engines.heuristic.engine import Hit, labels_found
from desktop_app.engines.heuristic.learned import Model, model
from desktop_app.engines.heuristic.rules import OFFER_RULES

# Rules that were right at least 95 % of the times they fired (5 times or more) on the training scripts, never
# the held-out ones: a hook or CTA rule's label stands over the model's, an offer rule's type and the urgency
# rule add to the model's. 5-fold cross-validation on the training scripts when they were chosen: hook type
# 75.1 -> 76.6 %, CTA type 87.9 -> 89.2 %, offer types 69.1 -> 71.0 %, urgency 94.5 -> 95.1 %. Every rule's
# verdict is now also one of the model's features, so the model weighs the rules it does not defer to.
TRUSTED_HOOK_RULES: frozenset[str] = frozenset({"question", "demonstration", "negative", "pattern_interrupt"})
TRUSTED_CTA_RULES: frozenset[str] = frozenset({"book", "download", "subscribe", "sign_up", "watch_more"})
TRUSTED_OFFER_RULES: frozenset[str] = frozenset(
    {"discount", "limited_time", "lead_magnet", "bundle", "bogo", "financing", "free_trial", "free_shipping"}
)


@dataclass(frozen=True)
class Decided:
    hook: Hook
    cta: tuple[CtaType, Hit] | None
    offer_types: list[OfferType]
    offer_hits: list[Hit]
    urgent: bool


def candidates_for_action(spoken: list[Sentence], copy: list[Sentence], screen: list[Sentence]) -> list[Hit]:
    """Where a CTA or an offer may be quoted from: the speech from its end (ads close on the action), the
    on-screen text from its end (the end card), then the copy."""
    return (
        [Hit(s, "transcript") for s in reversed(spoken)]
        + [Hit(s, "on_screen") for s in reversed(screen)]
        + [Hit(s, "ad_copy") for s in copy]
    )


def _best(m: Model, head: str, label: str, hits: list[Hit]) -> Hit | None:
    """The sentence the model, reading it alone, rates most likely to carry `label`."""
    if not hits:
        return None
    return max(hits, key=lambda hit: m.scores(head, [hit.sentence.text])[label])


def decide(
    spoken: list[Sentence],
    copy: list[Sentence],
    screen: list[Sentence],
    hook: Hook,
    cta: tuple[CtaType, Hit] | None,
    urgent: bool,
) -> Decided:
    """The ad's labels, learned where a model is shipped, with the evidence for each."""
    found = labels_found(OFFER_RULES, spoken, copy, screen)
    m = model()
    texts = [s.text for s in spoken] + [s.text for s in screen] + [s.text for s in copy]
    if m is None or not texts:
        ruled = [offer_type for offer_type, _ in found]
        return Decided(hook, cta, ruled, [hit for _, hits in found for hit in hits], urgent)
    candidates = candidates_for_action(spoken, copy, screen)
    if (spoken or screen) and hook.type not in TRUSTED_HOOK_RULES:  # the opening: said first, or shown first
        opening = [s.text for s in spoken] if spoken else [s.text for s in screen]
        hook_type: HookType = m.label("hook", opening + [s.text for s in copy])  # type: ignore[assignment]
        hook = hook.model_copy(update={"type": hook_type})
    cta_type: CtaType = m.label("cta", texts)  # type: ignore[assignment]
    if cta is not None and cta[0] in TRUSTED_CTA_RULES and cta_type != "none":
        cta_type = cta[0]
    if cta_type == "none":
        cta = None
    else:
        hit = cta[1] if cta else _best(m, "cta", cta_type, candidates)
        cta = (cta_type, hit) if hit else None
    by_type = dict(found)
    learned_types: list[OfferType] = m.offer_types(texts)  # type: ignore[assignment]
    types = sorted(set(learned_types) | {t for t, _ in found if t in TRUSTED_OFFER_RULES})
    hits: list[Hit] = []
    for offer_type in types:
        quoted = by_type.get(offer_type) or [h for h in [_best(m, "offer", offer_type, candidates)] if h]
        hits += [hit for hit in quoted if hit not in hits]
    return Decided(hook, cta, types, hits, urgent or bool(m.labels("urgency", texts)))
