"""Ad-derived text for a model, as one fenced block of JSON that nothing inside it can close.

Ad copy, transcripts and page names come from strangers; a prompt quotes them as data. Inside the fence
`<` and `>` are written as the JSON escapes \\u003c and \\u003e (still the same JSON to any parser), so no
content can spell the closing tag, or any tag, however it is crafted."""

from __future__ import annotations

import json
from typing import Any


def quoted_json(data: Any) -> str:
    """JSON without a literal `<` or `>` (they can only occur inside its strings, where escapes are valid)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def fenced(tag: str, data: Any) -> str:
    """`<tag>`, the data as quoted JSON, `</tag>`, each on its own line."""
    return f"<{tag}>\n{quoted_json(data)}\n</{tag}>"
