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
