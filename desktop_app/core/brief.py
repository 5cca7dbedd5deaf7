"""A board as a brief a marketer hands to their team: per ad its name, page, hook, call to action, offer,
scores with their rationale, transcript, the board's tags and note, and a thumbnail (the video's poster).

Markdown for chat and docs; the same brief as HTML for the PDF (engines/pdf_brief.py lays it out with Qt).
Ad copy and transcripts come from strangers, so the HTML escapes every text and the Markdown keeps each
field on its own line."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.boards import BoardStore
from desktop_app.core.results import AdResult, ResultStore
from desktop_app.core.schema import Score
from desktop_app.core.text import plural, readable

SCORE_LABELS = {
    "hook_strength": "Hook strength",
    "clarity": "Clarity",
    "value_prop": "Value proposition",
    "offer_strength": "Offer strength",
    "cta_strength": "Call to action",
    "emotional_pull": "Emotional pull",
    "overall": "Overall",
}
SCORE_COLOURS = {1: "#c62828", 2: "#c62828", 3: "#b8860b", 4: "#2e7d32", 5: "#2e7d32"}  # as the Results view
THUMB_WIDTH = 120  # points in the PDF, pixels in a browser; a portrait video's poster is about 210 tall


class BriefWriteError(RuntimeError):
    """A brief could not be written (engines/pdf_brief.py), in words a person reads."""


@dataclass(frozen=True)
class BriefAd:
    result: AdResult
    tags: list[str]
    note: str
    poster: Path | None  # the video's poster image, when it was looked at and the file is still there


@dataclass(frozen=True)
class Brief:
    board: str
    ads: list[BriefAd]
    made_at: float


def load_brief(boards: BoardStore, results: ResultStore, board_id: int) -> Brief:
    """A board's brief from the stores: its ads in the order they were pinned."""
    board = boards.get(board_id)
    items = boards.items(board_id)
    ids = [item.analysis_id for item in items]
    found = {r.analysis_id: r for r in results.results_by_id(ids)}
    posters = boards.posters(ids)
    ads = [
        BriefAd(found[item.analysis_id], item.tags, item.note, _existing(posters.get(item.analysis_id)))
        for item in items
        if item.analysis_id in found
    ]
    return Brief(board.name, ads, time.time())


def _existing(path: str | None) -> Path | None:
    return Path(path) if path and Path(path).is_file() else None


def _line(text: str | None) -> str:
    """One line of stranger text: whitespace (newlines too) collapsed, so it cannot start a heading or list."""
    return " ".join((text or "").split())


def _offer(result: AdResult) -> str:
    offer = result.analysis.offer
    if not offer.present:
        return "none"
    kinds = ", ".join(readable(t) for t in offer.types) or "other"
    return f"{kinds}: {_line(offer.details)}" if offer.details else kinds


def _scores(result: AdResult) -> list[tuple[str, Score]]:
    out = []
    for key, label in SCORE_LABELS.items():
        score = getattr(result.analysis.scores, key)
        if isinstance(score, Score):
            out.append((label, score))
    return out


def _made(brief: Brief) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(brief.made_at))


# ---- Markdown ----------------------------------------------------------------------------------------


def brief_markdown(brief: Brief) -> str:
    """The brief as Markdown; thumbnails link to the poster files on this computer."""
    lines = [f"# {_line(brief.board)}", "", f"Swipe-file brief: {plural(len(brief.ads), 'ad')}, made {_made(brief)}."]
    if not brief.ads:
        lines += ["", "No ads are pinned to this board yet."]
    for number, ad in enumerate(brief.ads, start=1):
        lines += ["", *_ad_markdown(number, ad)]
    return "\n".join(lines) + "\n"


def _ad_markdown(number: int, ad: BriefAd) -> list[str]:
    r, a = ad.result, ad.result.analysis
    lines = [f"## {number}. {_line(r.name)}", ""]
    if ad.poster is not None:
        lines += [f"![Thumbnail of {_line(r.name)}]({ad.poster.as_uri()})", ""]
    lines.append(f"- **Page**: {_line(r.page_name) or '-'}")
    if ad.tags:
        lines.append(f"- **Tags**: {', '.join('#' + t for t in ad.tags)}")
    lines.append(f"- **Hook** ({readable(a.hook.type)}): “{_line(a.hook.text) or 'no hook found'}”")
    cta = f": “{_line(a.cta.text)}”" if a.cta.text else ""
    lines.append(f"- **Call to action** ({readable(a.cta.type)}){cta}")
    lines.append(f"- **Offer**: {_offer(r)}")
    if r.library_url:
        lines.append(f"- **Ad Library**: <{r.library_url}>")
    if ad.note:
        lines += ["", "**Note**", "", *(f"> {line}" for line in ad.note.splitlines())]
    lines += ["", "**Scores**", ""]
    lines += [f"- {label}: {score.score}/5, {_line(score.rationale)}" for label, score in _scores(r)]
    transcript = _line(r.transcript)
    lines += ["", "**Transcript**", "", f"> {transcript}" if transcript else "No speech in this video."]
    return lines


# ---- HTML (for the PDF) ------------------------------------------------------------------------------


def file_src(ad: BriefAd) -> str:
    """An image's address in the HTML: the poster file itself (a browser); the PDF writer names its own."""
    return ad.poster.as_uri() if ad.poster is not None else ""


def brief_html(brief: Brief, image_src: Callable[[BriefAd], str] = file_src) -> str:
    """The brief as HTML in the subset Qt's text layout draws (tables, inline styles, no scripts)."""
    e = html.escape
    parts = [
        "<html><body style='font-family: sans-serif; font-size: 10pt;'>",
        f"<h1>{e(_line(brief.board))}</h1>",
        f"<p style='color: #555;'>Swipe-file brief: {plural(len(brief.ads), 'ad')}, made {_made(brief)}.</p>",
    ]
    if not brief.ads:
        parts.append("<p>No ads are pinned to this board yet.</p>")
    for number, ad in enumerate(brief.ads, start=1):
        parts.append(_ad_html(number, ad, image_src(ad) if ad.poster is not None else ""))
    parts.append("</body></html>")
    return "\n".join(parts)


def _ad_html(number: int, ad: BriefAd, src: str) -> str:
    e = html.escape
    r, a = ad.result, ad.result.analysis
    facts = [("Page", e(_line(r.page_name) or "-"))]
    if ad.tags:
        facts.append(("Tags", " ".join(f"<span style='color: #1565c0;'>#{e(t)}</span>" for t in ad.tags)))
    facts.append(("Hook", f"<i>{e(readable(a.hook.type))}</i>: “{e(_line(a.hook.text) or 'no hook found')}”"))
    cta = f": “{e(_line(a.cta.text))}”" if a.cta.text else ""
    facts.append(("Call to action", f"<i>{e(readable(a.cta.type))}</i>{cta}"))
    facts.append(("Offer", e(_offer(r))))
    rows = "".join(f"<tr><td style='color: #555;'><b>{k}</b></td><td>{v}</td></tr>" for k, v in facts)
    thumb = f"<img src='{e(src, quote=True)}' width='{THUMB_WIDTH}'>" if src else ""
    # One ad a page in print, so a page of the brief can be handed round on its own.
    style = " style='page-break-before: always;'" if number > 1 else ""
    parts = [
        f"<h2{style}>{number}. {e(_line(r.name))}</h2>",
        "<table cellspacing='0' cellpadding='4' width='100%'><tr>",
        f"<td width='{THUMB_WIDTH + 10}' valign='top'>{thumb}</td>" if thumb else "",
        f"<td valign='top'><table cellspacing='0' cellpadding='2'>{rows}</table></td></tr></table>",
    ]
    if ad.note:
        note = "<br>".join(e(line) for line in ad.note.splitlines())
        parts.append(f"<p style='background-color: #fff8e1;'><b>Note:</b> {note}</p>")
    parts.append("<h3>Scores</h3><table cellspacing='0' cellpadding='2'>")
    for label, score in _scores(r):
        colour = SCORE_COLOURS.get(score.score, "#555")
        parts.append(
            f"<tr><td>{label}</td><td style='color: {colour};'><b>{score.score}/5</b></td>"
            f"<td>{e(_line(score.rationale))}</td></tr>"
        )
    parts.append("</table><h3>Transcript</h3>")
    transcript = _line(r.transcript)
    parts.append(f"<p style='color: #333;'>{e(transcript)}</p>" if transcript else "<p>No speech in this video.</p>")
    return "\n".join(parts)
