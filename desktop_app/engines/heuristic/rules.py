"""What the offline analyser looks for in the words of an ad: one table of named pattern rules per field.

Tables are data, not code, so a rule can be read, added or re-ranked without touching the engine. Where
several rules match, the one with the highest `priority` wins (priorities are spaced by ten to leave room)."""

from __future__ import annotations

import re

from desktop_app.core.schema import CtaType, HookType, OfferType
from desktop_app.engines.heuristic.engine import PatternRule

# A count written as digits or as a word ("2,000", "five", "hundred").
_NUM = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|hundred)"


def any_of(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of `patterns`, so a rule can list its phrasings separately."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# ---- patterns that more than one table uses ----

URGENCY = any_of(
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

SOCIAL_PROOF = any_of(
    rf"\b(over|more than|join) {_NUM}[\w,]* (million |thousand )?\w+",
    r"\b\d[\d,.]* (million|thousand)\b",
    r"\b(customers|reviews) (love|agree)\b",
    r"\bfive[- ]star\b",
)

GUARANTEE = any_of(r"\bmoney[- ]back\b", r"\bguarantee\b", r"\bwarranty\b", r"\brisk[- ]free\b")

# ---- hook type: tried on the opening spoken sentence; no match means "other" ----

HOOK_RULES: tuple[PatternRule[HookType], ...] = (
    PatternRule("pattern_interrupt", 150, any_of(r"^(stop scrolling|wait|hold on|pause)\b")),
    PatternRule(
        "urgency",
        140,
        any_of(r"^(last chance|hurry|final hours|ends (tonight|today))", r"\b(ends tonight|today only)\b"),
    ),
    PatternRule("before_after", 130, any_of(r"\bbefore and after\b", r"\bwent from\b.+\bto\b")),
    PatternRule("statistic", 120, any_of(r"\d+ ?%", r"\bpercent\b", rf"\b{_NUM} (out of|in) {_NUM}\b")),
    PatternRule("social_proof", 110, SOCIAL_PROOF),
    PatternRule(
        "direct_callout",
        100,
        any_of(
            r"^(attention|calling all|hey|hi|dear|to all)\b",
            r"^if you('re| are) an? \w+",
            r"^(all |busy |new )?(moms|mums|dads|parents|teachers|homeowners|runners|gamers|nurses)\b",
        ),
    ),
    PatternRule(
        "testimonial",
        90,
        any_of(
            r"^i (used to|was|had|tried|have tried|never|spent|struggled|couldn't)\b",
            r"^my \w+ (was|used)",
            r"^(our|real) customers say\b",
        ),
    ),
    PatternRule(
        "story",
        80,
        any_of(
            r"^(every (morning|day|night|saturday|sunday|week)|once|years ago|last (summer|year|winter)|"
            r"when i was|it was)\b",
            r"^in (19|20)\d\d\b",
        ),
    ),
    PatternRule(
        "authority",
        70,
        any_of(
            r"\b(doctors|dermatologists|dentists|experts|scientists|nutritionists) (recommend|agree|say)",
            "as seen on",
        ),
    ),
    PatternRule(
        "negative",
        60,
        any_of(r"^(stop|don't|do not|never) (buying|using|doing|eating|wasting|paying)", r"\bbiggest mistake\b"),
    ),
    PatternRule(
        "curiosity_gap",
        50,
        any_of(r"^(here'?s|this is) (why|how|what)\b", r"\bthe secret\b", r"\bnobody tells you\b", r"^what happens"),
    ),
    PatternRule("demonstration", 40, any_of(r"^(watch|look at) (this|me|how)\b", r"^let me show you")),
    PatternRule(
        "question",
        30,
        any_of(
            r"\?\s*$",
            r"^(tired of|sick of|struggling|still|ever|are you|do you|did you|have you|is your|can you|"
            r"what if|why do|how do|want to)\b",
        ),
    ),
    PatternRule(
        "bold_claim",
        20,
        any_of(
            r"\b(only|best|last|fastest|easiest|lightest|world's)\b.{0,40}\b(you|ever|need)",
            r"\bworld's\b",
            "#1|number one",
        ),
    ),
    PatternRule(
        "problem_callout", 10, any_of(r"^your \w+ (is|isn't|are|aren't|keeps)", r"\b(problem|struggle|pain)\b")
    ),
)

# ---- CTA type: decides the type of each sentence; the CTA is the last such sentence spoken, else in the copy ----

CTA_RULES: tuple[PatternRule[CtaType], ...] = (
    PatternRule(
        "shop_now",
        90,
        any_of(
            r"\b(shop|order|buy) (now|today|yours|online|the)\b",
            r"\bget yours\b",
            r"\border yours\b",
            r"\badd to (cart|basket)\b",
            r"\bgrab yours\b",
        ),
    ),
    PatternRule("download", 80, any_of(r"\bdownload\b", r"\bget the app\b", r"\binstall (it|the app|now)\b")),
    PatternRule("book", 70, any_of(r"\b(book|schedule|reserve) (a|an|your)\b")),
    PatternRule(
        "get_offer",
        60,
        any_of(
            r"\bget (a|your) (free )?quote\b",
            r"\bclaim (your|the) (offer|deal|discount)\b",
            r"\bget the deal\b",
        ),
    ),
    PatternRule("subscribe", 50, any_of(r"\bsubscribe\b")),
    PatternRule("contact", 40, any_of(r"\b(contact|call|message|text) us\b")),
    PatternRule("watch_more", 30, any_of(r"\bwatch the (full|whole) \w+", r"\bwatch more\b")),
    PatternRule(
        "sign_up",
        20,
        any_of(
            r"\bsign up\b",
            r"\bjoin (free|now|today|us)\b",
            r"\bregister\b",
            r"\bcreate (an|your) account\b",
            r"\bstart your (free )?(\d+[- ]day )?trial\b",
        ),
    ),
    PatternRule(
        "learn_more",
        10,
        any_of(
            r"\blearn more\b",
            r"\bfind out (more|how)\b",
            r"\bdiscover (more|the)\b",
            r"\bvisit (our|the) (site|website|store)\b",
            r"\bon our (site|website)\b",
        ),
    ),
)

# ---- offer types: every rule that matches anywhere adds its type, listed highest priority first ----

OFFER_RULES: tuple[PatternRule[OfferType], ...] = (
    PatternRule(
        "discount",
        100,
        any_of(
            r"\d+ ?% off",
            rf"{_NUM} percent off",
            r"\$\d+ off",
            r"\bsave \d+ ?%",
            r"\bsave (up to )?\d+ percent",
            r"\bhalf price\b",
            r"\bdiscount\b",
        ),
    ),
    PatternRule("free_shipping", 90, any_of(r"\bfree (shipping|delivery)\b")),
    PatternRule(
        "free_trial",
        80,
        any_of(
            r"\bfree trial\b",
            r"\btry (it )?(for )?free\b",
            r"\bfree \d+[- ]day trial\b",
            r"\b\d+[- ]day free trial\b",
            r"\bfree for \d+ days\b",
        ),
    ),
    PatternRule("guarantee", 70, GUARANTEE),
    PatternRule("bogo", 60, any_of(r"\bbuy one,? get one\b", r"\bbogo\b")),
    PatternRule("bundle", 50, any_of(r"\bbundle\b")),
    PatternRule("gift", 40, any_of(r"\bfree (gift|toy|sample)\b")),
    PatternRule(
        "lead_magnet",
        30,
        any_of(r"\bfree (\w+ )?(guide|e-?book|checklist|webinar|consultation|inspection|report|class)\b"),
    ),
    PatternRule(
        "financing",
        20,
        any_of(r"\bfinancing\b", r"\b0 ?% apr\b", r"\bpay in \d+\b", r"\binstal?ments\b", r"\bmoney down\b"),
    ),
    PatternRule("subscription", 10, any_of(r"\b(a|per) month\b", r"\bsubscribe and save\b", r"\bsubscription\b")),
    PatternRule("limited_time", 0, URGENCY),
)

# Offer types that qualify an offer but are not one on their own ("this week only" with nothing on sale).
NOT_AN_OFFER_ALONE: frozenset[OfferType] = frozenset({"limited_time"})

# A percentage figure in the offer text ("30%", "25 percent"); case-sensitive, as the rule has always been.
PERCENT_FIGURE = re.compile(r"(\d+) ?(?:%|percent)")

# ---- persuasion tactics: each label is listed, highest priority first, when its pattern matches anywhere ----

TACTIC_RULES: tuple[PatternRule[str], ...] = (
    PatternRule("urgency", 30, URGENCY),
    PatternRule("social proof", 20, SOCIAL_PROOF),
    PatternRule("risk reversal", 10, GUARANTEE),
)

# ---- single patterns: pains (spoken only), emotional cues, and who the ad calls out ----

PAIN = any_of(
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

EMOTION = any_of(r"\b(love|confident|happy|proud|finally|dream|care|family|free|relief|joy|fear|worried|alone|hide)\b")

# Two phrasings in one pattern, so matches come in transcript order; the audience is in group 2 (after a
# greeting such as "attention ...") or group 3 (a known audience noun).
AUDIENCE = any_of(
    r"\b(attention|calling all|hey|dear)\s+([a-z ]+?)[.,!?]",
    r"\b((?:small |new |busy )?(?:business owners|parents|moms|dads|teachers|homeowners|runners|drivers|"
    r"gym members|students|nurses|gamers|dog owners))\b",
)
AUDIENCE_GROUPS = (2, 3)
