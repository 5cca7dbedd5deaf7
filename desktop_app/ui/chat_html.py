"""Chat's conversation as HTML for a QTextBrowser: questions, answers with their citations as links
(`ad:<analysis id>`), search mode's passages with the hits marked, and notes on failed or stopped answers."""

from __future__ import annotations

import html
import re

from desktop_app.core.chat import CITATION, ChatMessage, MessageStatus, Source
from desktop_app.core.language_names import language_name
from desktop_app.core.search_index import HIT_END, HIT_START
from desktop_app.ui.style import GRAY, RED

CSS = f"""<style>
 .you {{ background: palette(alternate-base); }}
 .muted {{ color: {GRAY}; }}
 .failed {{ color: {RED}; }}
 .stopped {{ color: {GRAY}; font-style: italic; }}
 mark {{ background: #fff59d; color: black; }}
 a {{ text-decoration: none; }}
</style>"""


def highlight(snippet: str) -> str:
    """A search snippet as HTML: the text escaped, the hits marked."""
    return (
        html.escape(snippet)
        .replace(HIT_START, "<span style='background:#fff59d;color:black'>")
        .replace(HIT_END, "</span>")
    )


def answer_html(text: str, sources: list[Source]) -> str:
    """A model's answer as HTML: escaped, light Markdown (bold, bullets), citations as links."""
    by_number = {s.number: s for s in sources}

    def link(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        links = [
            f"<a href='ad:{by_number[n].analysis_id}' title='{html.escape(by_number[n].page_name)}'>{n}</a>"
            if n in by_number
            else str(n)
            for n in numbers
        ]
        return "[" + ", ".join(links) + "]"

    lines = []
    for line in html.escape(text, quote=False).split("\n"):
        line = re.sub(r"^\s*[-*] ", "&#8226; ", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", line)
        lines.append(CITATION.sub(link, line))
    return "<br>".join(lines)


def message_html(message: ChatMessage, live_text: str | None = None) -> str:
    if message.role == "user":
        return (
            "<table width='100%' class='you' cellpadding='8'><tr><td>"
            f"<b>You</b><br>{html.escape(message.content)}</td></tr></table>"
        )
    if message.status == MessageStatus.SEARCH:
        return _search_html(message.sources)
    text = live_text if live_text is not None else message.content
    body = answer_html(text, message.sources) if text else ""
    if live_text is not None:
        body += " <span class='muted'>&#9612;</span>"
    notes = {
        MessageStatus.FAILED: "failed",
        MessageStatus.CANCELLED: "stopped",
        MessageStatus.INTERRUPTED: "stopped",
    }
    if message.status in notes and message.note:
        body += f"<p class='{notes[message.status]}'>{html.escape(message.note)}</p>"
    return f"<p><b>Answer</b><br>{body}</p>{_sources_html(message.sources, live_text is not None)}"


def _sources_html(sources: list[Source], streaming: bool) -> str:
    if not sources:
        return ""
    cited = [s for s in sources if s.cited]
    rest = [s for s in sources if not s.cited]

    def item(s: Source) -> str:
        return f"<a href='ad:{s.analysis_id}'>[{s.number}] {html.escape(s.title)}</a>{spoken(s)}"

    if streaming or not cited:
        return f"<p class='muted'>Ads given to the model: {', '.join(item(s) for s in sources)}</p>"
    also = f"<br>Also given, not cited: {', '.join(item(s) for s in rest)}" if rest else ""
    return f"<p class='muted'>Cited: {', '.join(item(s) for s in cited)}{also}</p>"


def spoken(source: Source) -> str:
    """The speech's language beside a passage, when it is not English (quotes stay in their own language)."""
    if not source.language or source.language == "en":
        return ""
    return f" · speech in {html.escape(language_name(source.language))}"


def _search_html(sources: list[Source]) -> str:
    if not sources:
        return "<p><b>Search</b><br>No analysed ad mentions that. Try other words, or name a page.</p>"
    passages = "".join(
        f"<p><a href='ad:{s.analysis_id}'><b>[{s.number}] {html.escape(s.title)}</b></a>"
        f"<span class='muted'>{spoken(s)}</span><br>{highlight(s.snippet)}</p>"
        for s in sources
    )
    return "<p><b>Passages that match, best first</b></p>" + passages


def welcome_html(examples: tuple[str, ...]) -> str:
    """An empty conversation: what Chat does, and example questions as `ask:<n>` links."""
    items = "".join(f"<li><a href='ask:{n}'>{html.escape(q)}</a></li>" for n, q in enumerate(examples))
    return (
        f"{CSS}<h3>Ask about the ads you have analysed</h3><p class='muted'>Answers cite the ads they use;"
        f" click a citation to open the ad in Results. For example:</p><ul>{items}</ul>"
    )


def conversation_html(messages: list[ChatMessage], live_id: int | None = None, live_text: str = "") -> str:
    """The messages, the one still streaming (`live_id`) shown with what has arrived (`live_text`)."""
    return CSS + "".join(message_html(m, live_text if m.message_id == live_id else None) for m in messages)
