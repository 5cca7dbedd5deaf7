"""An analysis as a readable HTML page for the Results detail pane, and the colour bands of scores
(also used by the Results table)."""

from __future__ import annotations

import html

from desktop_app.core.schema import AdAnalysis, Evidence, Score, Scores
from desktop_app.ui.style import GREEN, RED, YELLOW


def band(score: int | None) -> str:
    if score is None:
        return "#9e9e9e"
    return GREEN if score >= 4 else YELLOW if score == 3 else RED


def timecode(seconds: float) -> str:
    """A moment in a video as minutes:seconds (75.2 -> "1:15")."""
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


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


def scores_html(scores: Scores) -> str:
    """The scores as coloured bands beside their rationales."""
    rows = []
    for key, label in SCORE_LABELS:
        score: Score | None = getattr(scores, key)
        value = score.score if score else None
        shown = f"{value}/5" if value else "n/a"
        rationale = html.escape(score.rationale) if score else "No offer in this ad."
        rows.append(
            f"<tr><td>{label}</td><td style='background:{band(value)};color:white;padding:2px 8px;"
            f"text-align:center'><b>{shown}</b></td><td>{rationale}</td></tr>"
        )
    return "<table cellspacing='4'>" + "".join(rows) + "</table>"


def analysis_html(a: AdAnalysis) -> str:
    """The analysis as a readable page: summary, scores as bands, then every field with evidence."""
    hook, cta, offer, scores = a.hook, a.cta, a.offer, a.scores
    parts = [
        f"<p>{html.escape(a.summary)}</p>",
        scores_html(scores),
        f"<p><small>Confidence: {scores.confidence}. Limitations: {html.escape(', '.join(scores.limitations))}"
        "</small></p>",
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
