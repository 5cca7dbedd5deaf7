"""The learned decisions laid over what the rule tables found. The readers (reader.py, two fine-tuned MiniLMs whose
probabilities are averaged) read the whole ad and say which hook type, CTA type, offer types and urgency it has;
for the hook and the CTA the linear model (learned.py) is weighed in beside them, and the offer rules that are
nearly always right add their types. The rules' matches, or failing them the sentence the linear model rates
highest, are quoted as the evidence. Without the shipped models the rules decide alone."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.facts import Sentence
from desktop_app.core.schema import CtaType, Hook, HookType, OfferType
from desktop_app.engines.heuristic.engine import Hit, labels_found
from desktop_app.engines.heuristic.learned import Model, model
from desktop_app.engines.heuristic.reader import EVEN_ODDS, readers
from desktop_app.engines.heuristic.rules import OFFER_RULES

# How the reader, the linear model and the rules are combined was chosen on validation fold 0 of the training
# scripts, with a reader and a linear model that never saw that fold (scripts/choose_reader_policy.py), never on
# the held-out ones. There the linear model's probabilities weighed in beside the reader's made the hook and CTA
# types righter, above all on transcripts, and the offers and urgency wronger; the hook and CTA rules that used
# to stand over the linear model only made the reader's answers wronger; these offer rules add a little. Checked
# again with heuristic-7's way of training (2026-12-01, tests/data/corpus/README.md): no other share, offer
# threshold or blend of the linear model's offer scores raised a heard figure by half a point without lowering
# another. This policy was chosen with one reader and kept for two: the fold-0 trial of the averaged readers ran it
# as it is (tests/data/corpus/third_takes.md), no other share or threshold was tried with them.
LINEAR_SHARE = 0.5  # the linear model's weight beside the readers', for the hook's and the CTA's type
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


def _likeliest(read: dict[str, float], linear: dict[str, float]) -> str:
    """The label the readers and the linear model, weighed by LINEAR_SHARE, find likeliest."""
    return max(read, key=lambda c: (1 - LINEAR_SHARE) * read[c] + LINEAR_SHARE * linear[c])


def decide(
    spoken: list[Sentence],
    copy: list[Sentence],
    screen: list[Sentence],
    hook: Hook,
    cta: tuple[CtaType, Hit] | None,
    urgent: bool,
) -> Decided:
    """The ad's labels, learned where the models are shipped, with the evidence for each."""
    found = labels_found(OFFER_RULES, spoken, copy, screen)
    m, r = model(), readers()
    texts = [s.text for s in spoken] + [s.text for s in screen] + [s.text for s in copy]
    if m is None or r is None or not texts:
        ruled = [offer_type for offer_type, _ in found]
        return Decided(hook, cta, ruled, [hit for _, hits in found for hit in hits], urgent)
    read = r.read([" ".join(texts)])[0]
    candidates = candidates_for_action(spoken, copy, screen)
    if spoken or screen:
        opening = [s.text for s in spoken] if spoken else [s.text for s in screen]  # said first, or shown first
        linear_hook = m.scores("hook", opening + [s.text for s in copy])
        hook_type: HookType = _likeliest(read.hook, linear_hook)  # type: ignore[assignment]
        hook = hook.model_copy(update={"type": hook_type})
    cta_type: CtaType = _likeliest(read.cta, m.scores("cta", texts))  # type: ignore[assignment]
    if cta_type == "none":
        cta = None
    else:
        hit = cta[1] if cta else _best(m, "cta", cta_type, candidates)
        cta = (cta_type, hit) if hit else None
    by_type = dict(found)
    learned_types: list[OfferType] = [t for t, p in read.offer.items() if p > EVEN_ODDS]  # type: ignore[misc]
    types = sorted(set(learned_types) | {t for t, _ in found if t in TRUSTED_OFFER_RULES})
    hits: list[Hit] = []
    for offer_type in types:
        quoted = by_type.get(offer_type) or [h for h in [_best(m, "offer", offer_type, candidates)] if h]
        hits += [hit for hit in quoted if hit not in hits]
    return Decided(hook, cta, types, hits, urgent or read.urgency > EVEN_ODDS)
