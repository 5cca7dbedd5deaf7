"""The full-text index of analysed ads (SQLite FTS5): what is indexed for each analysis, and the search the
Results filter and Chat's retrieval run over it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop_app.core.db import Database

HIT_START, HIT_END = "\x02", "\x03"  # around search hits in snippets; no ad text contains them

# Words that never narrow a search: those every analysed ad matches, and common English words.
SEARCH_STOP_WORDS = frozenset([
    "ad", "ads", "advert", "adverts", "brand", "brands", "competitor", "competitors", "video", "videos",
    "a", "an", "and", "any", "are", "be", "can", "did", "do", "does", "for", "from", "has", "have", "how", "i",
    "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "them", "they", "this", "to", "use", "uses",
    "using", "was", "what", "when", "where", "which", "who", "why", "with",
])  # fmt: skip

NOT_INDEXED = frozenset(
    ["recommendations", "limitations", "scores", "structure", "source", "modality", "inferred_from", "confidence"]
)

# Columns of search_index: 0 analysis_id, 1 ad_id, 2 page_name, 3 copy, 4 transcript, 5 analysis.
# The passage shown is the first of transcript, copy and page name with a hit in it. The analysis column
# holds labels ("urgency ... urgent") that read as noise when quoted: a match there gets no passage here.
_SNIPPETS = ", ".join(f"snippet(search_index, {c}, '{HIT_START}', '{HIT_END}', '...', 14)" for c in (4, 3, 2))
# A match in the page name or ad copy weighs more than one in the transcript.
_RANK = "bm25(search_index, 0, 0, 4.0, 2.0, 1.0, 1.0)"


def index_analysis(
    session: Session,
    analysis_id: int,
    *,
    ad_id: str,
    page_name: str | None,
    copy: str,
    transcript: str,
    analysis: dict[str, Any],
) -> None:
    """(Re)index one analysis, inside the caller's write transaction."""
    session.execute(text("DELETE FROM search_index WHERE analysis_id = :id"), {"id": analysis_id})
    session.execute(
        text(
            "INSERT INTO search_index (analysis_id, ad_id, page_name, copy, transcript, analysis)"
            " VALUES (:id, :ad, :page, :copy, :transcript, :analysis)"
        ),
        {
            "id": analysis_id,
            "ad": ad_id,
            "page": page_name,
            "copy": copy,
            "transcript": transcript,
            "analysis": analysis_text(analysis),
        },
    )


def search(db: Database, query: str, limit: int = 20, pages: Sequence[str] = ()) -> list[tuple[int, str, str]]:
    """Full-text search: (analysis id, ad id, snippet with hits between HIT_START and HIT_END, or "" when
    the words are only in the analysis), best first.

    Words no ad contains are dropped; ads with every remaining word come first (the most specific
    answer), else ads with any of them. A match in the page name or ad copy weighs more than one in
    the transcript. `pages` limits the search to those pages' ads."""
    words = [w for w in re.findall(r"\w+", query.lower()) if w not in SEARCH_STOP_WORDS]
    in_pages = f" AND page_name IN ({', '.join(f':p{i}' for i in range(len(pages)))})" if pages else ""
    params: dict[str, Any] = {"n": limit} | {f"p{i}": page for i, page in enumerate(pages)}
    statement = text(
        f"SELECT analysis_id, ad_id, {_SNIPPETS} FROM search_index WHERE search_index MATCH :q{in_pages}"
        f" ORDER BY {_RANK} LIMIT :n"
    )
    rows: Sequence[Any] = []
    with db.read() as session:
        known = [f'"{w}"' for w in dict.fromkeys(words) if _indexed(session, w)]
        for match in (" ".join(known), " OR ".join(known)) if known else ():
            rows = session.execute(statement, params | {"q": match}).all()
            if rows:
                break
    return [(int(r[0]), str(r[1]), next((p for p in r[2:] if HIT_START in p), "")) for r in rows]


def _indexed(session: Session, word: str) -> bool:
    """Some ad contains the word (quoted, so it is a term, never FTS5 syntax)."""
    found = session.execute(text("SELECT 1 FROM search_index WHERE search_index MATCH :q LIMIT 1"), {"q": f'"{word}"'})
    return found.first() is not None


def analysis_text(analysis: dict[str, Any]) -> str:
    """Flatten what the analysis says about the ad (labels, quotes, summary) into searchable words.

    Left out: recommendations and limitations (advice, not facts about the ad), scores and their
    rationales (judgements, worded alike for every ad), the structure's beat labels, and bookkeeping
    (where a quote came from, how sure the analyser is), which every ad shares."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in NOT_INDEXED:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            parts.append(value.replace("_", " "))

    walk(analysis)
    return " ".join(parts)
