"""An analysis as a readable HTML page for the Results detail pane, and the colour bands of scores
(also used by the Results table and gallery).

The analysers' own words are shown as a marketer reads them: counts pluralised ("1 benefit", "no emotional
cues"), the offline analyser named for what it is rather than "heuristic", and the overall score's formula
kept behind a link (FORMULA_LINK), since the score beside it already says the result."""

from __future__ import annotations

import html
import re

from desktop_app.core.schema import AdAnalysis, Evidence, Score, Scores
from desktop_app.core.text import OFFLINE
from desktop_app.ui.style import GREEN, RED, YELLOW

FORMULA_LINK = "#formula"  # the anchor that shows or hides how the overall score is worked out
FORMULA_PREFIX = "Weighted blend:"  # how the offline analyser's overall rationale begins (a formula)
COUNTED = re.compile(r"\b(\d+) ((?:[a-z]+ )*)([a-z]+)\(s\)")
# Words in the analyser's list of limitations, as the display says them.
LIMITATION_WORDS = {"heuristic analysis": f"analysed {OFFLINE}"}


def band(score: int | None) -> str:
    if score is None:
        return "#9e9e9e"
    return GREEN if score >= 4 else YELLOW if score == 3 else RED


def timecode(seconds: float) -> str:
    """A moment in a video as minutes:seconds (75.2 -> "1:15")."""
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def counted(text: str) -> str:
    """ "1 benefit(s)" as "1 benefit", "0 emotional cue(s)" as "no emotional cues"."""

    def said(match: re.Match[str]) -> str:
        number, words, noun = int(match[1]), match[2], match[3]
        return f"{'no' if number == 0 else number} {words}{noun}{'' if number == 1 else 's'}"

    shown = COUNTED.sub(said, text)
    return shown[:1].upper() + shown[1:] if text[:1].isdigit() else shown


def evidence_html(items: list[Evidence]) -> str:
    quotes = []
    for e in items:
        at = f" at {timecode(e.timestamp_s)}" if e.timestamp_s is not None else ""
        quotes.append(f"<i>“{html.escape(e.quote)}”</i> <small>({e.source.replace('_', ' ')}{at})</small>")
    return "<br>".join(quotes)


SCORE_LABELS = (
    ("overall", "Overall"),
    ("hook_strength", "Hook"),
    ("clarity", "Clarity"),
    ("value_prop", "Value proposition"),
    ("offer_strength", "Offer"),
    ("cta_strength", "Call to action"),
    ("emotional_pull", "Emotional pull"),
)


def overall_html(score: Score, show_formula: bool) -> str:
    """The overall score's rationale; a formula is summarised, shown in full only when asked for."""
    if not score.rationale.startswith(FORMULA_PREFIX):
        return html.escape(counted(score.rationale))
    if not show_formula:
        return f"A weighted blend of the scores below. <a href='{FORMULA_LINK}'>How the overall score is worked out</a>"
    formula = score.rationale[len(FORMULA_PREFIX) :].strip().rstrip(".")
    return (
        f"A weighted blend of the scores below: {html.escape(formula)}, shown as {score.score}/5."
        f" <a href='{FORMULA_LINK}'>Hide</a>"
    )


def scores_html(scores: Scores, show_formula: bool = False) -> str:
    """The scores as coloured bands beside their rationales."""
    rows = []
    for key, label in SCORE_LABELS:
        score: Score | None = getattr(scores, key)
        value = score.score if score else None
        shown = f"{value}/5" if value else "n/a"
        if score is None:
            rationale = "No offer in this ad."
        elif key == "overall":
            rationale = overall_html(score, show_formula)
        else:
            rationale = html.escape(counted(score.rationale))
        rows.append(
            f"<tr><td>{label}</td><td style='background:{band(value)};color:white;padding:2px 8px;"
            f"text-align:center'><b>{shown}</b></td><td>{rationale}</td></tr>"
        )
    return "<table cellspacing='4'>" + "".join(rows) + "</table>"


def confidence_html(scores: Scores) -> str:
    """How sure the analysis is and what it could not judge, in the page's own type size."""
    limits = [LIMITATION_WORDS.get(limit, limit) for limit in scores.limitations]
    said = f"<b>How sure:</b> {html.escape(scores.confidence)}"
    return f"<p>{said}{' · ' + html.escape('; '.join(limits)) if limits else ''}.</p>"


def analysis_html(a: AdAnalysis, show_formula: bool = False) -> str:
    """The analysis as a readable page: summary, scores as bands, then every field with evidence."""
    hook, cta, offer, scores = a.hook, a.cta, a.offer, a.scores
    parts = [
        f"<p>{html.escape(a.summary)}</p>",
        scores_html(scores, show_formula),
        confidence_html(scores),
        f"<h4>Hook: {hook.type.replace('_', ' ')}</h4><p>{html.escape(hook.text or '-')}"
        f" <small>({'within' if hook.within_first_3s else 'after'} the first 3 s, {hook.modality})</small></p>"
        + evidence_html(hook.evidence),
        f"<h4>Call to action: {cta.type.replace('_', ' ')}</h4><p>{html.escape(cta.text or 'none')}"
        + (" <b>(urgent)</b>" if cta.urgency else "")
        + "</p>",
        f"<h4>Offer</h4><p>{html.escape(', '.join(offer.types) or 'none')}</p>" + evidence_html(offer.evidence),
        f"<h4>Audience</h4><p>{html.escape(a.target_audience.persona or 'not stated')}"
        f" · {a.target_audience.awareness_level.replace('_', ' ')}</p>",
        f"<h4>Angle</h4><p>{a.messaging_angle.primary.replace('_', ' ')} ({a.messaging_angle.narrative_framework})</p>",
        "<h4>Pain points</h4>"
        + ("".join(f"<p>{html.escape(p.pain)}</p>" for p in a.pain_points) or "<p>none found</p>"),
        f"<h4>Tone</h4><p>{html.escape(a.tone.primary)} {html.escape(', '.join(a.tone.descriptors))}</p>",
        "<h4>Recommendations</h4>"
        + (
            "".join(f"<p><b>{html.escape(r.area)}</b>: {html.escape(r.suggestion)}</p>" for r in a.recommendations)
            or "<p>none</p>"
        ),
    ]
    return "".join(parts)
