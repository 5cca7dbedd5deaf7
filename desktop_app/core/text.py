"""Text for narrow places (list titles, chart labels)."""

from __future__ import annotations


def readable(label: str) -> str:
    """An analysis label as people write it ("free_trial" -> "free trial"): snake case is for the app."""
    return label.replace("_", " ").strip()


def plural(n: int, noun: str, nouns: str = "") -> str:
    """'1 ad', '1,200 ads'; `nouns` for a plural not made with s ('analyses')."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def one_line(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


OFFLINE = "offline (no AI model set up)"


def analyser_words(analyser: str, short: bool = False) -> str:
    """Which analyser, as a marketer knows it: "offline (no AI model set up)", or the AI model's name."""
    if analyser == "heuristic":
        return "offline" if short else OFFLINE
    if analyser.startswith("llm:"):
        return analyser[4:] if short else f"by the AI model {analyser[4:]}"
    return analyser
