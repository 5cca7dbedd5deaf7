"""Swipe-file boards: marketers keep competitors' ads worth remembering in named collections, each ad with
the board's own tags and note, and hand a board to their team as a brief (core/brief.py).

A board holds analysed ads by analysis id; when an analysis is deleted its pins go with it."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text

from desktop_app.core.db import Database
from desktop_app.core.models import AnalysisRow, BoardItemRow, BoardRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_NAME_CHARS = 80
MAX_TAG_CHARS = 40
MAX_NOTE_CHARS = 4000


class BoardError(ValueError):
    """A board request that cannot be done, in words a person reads (a name taken, an unknown ad...)."""


class BoardNotFoundError(BoardError):
    """No board has this name or id."""


@dataclass(frozen=True)
class Board:
    id: int
    name: str
    created_at: float
    count: int = 0  # ads pinned to it


@dataclass(frozen=True)
class BoardItem:
    """One pinned ad: the analysis it points at, and the board's tags and note for it."""

    board_id: int
    analysis_id: int
    tags: list[str] = field(default_factory=list)
    note: str = ""
    added_at: float = 0.0


def clean_name(name: str) -> str:
    """A board name as stored: trimmed, inner runs of spaces made one; refused when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BoardError("a board needs a name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise BoardError(f"a board name can have at most {MAX_NAME_CHARS} characters")
    return cleaned


def edited_tags(own: Sequence[str], shared: Sequence[str], entered: Iterable[str]) -> list[str]:
    """One ad's tags after several ads' tags were edited at once. The dialog showed the tags they all share;
    those taken out go, those typed in come, and a tag only some of the ads had stays where it was."""
    wanted = clean_tags(entered)
    return [t for t in own if t in wanted or t not in shared] + [t for t in wanted if t not in own]


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, lower case, without a leading #, each once, in the order given. Commas
    separate tags too, so "hooks, ugc" is two."""
    out: list[str] = []
    for raw in tags:
        for part in raw.split(","):
            tag = " ".join(part.strip().lstrip("#").split()).lower()
            if not tag:
                continue
            if len(tag) > MAX_TAG_CHARS:
                raise BoardError(f"a tag can have at most {MAX_TAG_CHARS} characters: “{tag[:MAX_TAG_CHARS]}...”")
            if tag not in out:
                out.append(tag)
    return out


def clean_note(note: str) -> str:
    cleaned = note.strip()
    if len(cleaned) > MAX_NOTE_CHARS:
        raise BoardError(f"a note can have at most {MAX_NOTE_CHARS} characters")
    return cleaned


class BoardStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- boards --------------------------------------------------------------------------------

    def create(self, name: str) -> Board:
        cleaned = clean_name(name)
        with self.db.write() as session:
            _refuse_taken(session, cleaned)
            row = BoardRow(name=cleaned, created_at=time.time())
            session.add(row)
            session.flush()
            return Board(row.id, row.name, row.created_at)

    def rename(self, board_id: int, name: str) -> Board:
        cleaned = clean_name(name)
        with self.db.write() as session:
            row = session.get(BoardRow, board_id)
            if row is None:
                raise BoardNotFoundError("that board no longer exists")
            _refuse_taken(session, cleaned, board_id)
            row.name = cleaned
        return self.get(board_id)

    def delete(self, board_id: int) -> None:
        """Delete the board and its pins (the analysed ads stay)."""
        with self.db.write() as session:
            row = session.get(BoardRow, board_id)
            if row is None:
                raise BoardNotFoundError("that board no longer exists")
            session.delete(row)

    def boards(self) -> list[Board]:
        """Every board, by name, with how many ads are pinned to it."""
        count = func.count(BoardItemRow.analysis_id)
        query = (
            select(BoardRow, count)
            .outerjoin(BoardItemRow, BoardItemRow.board_id == BoardRow.id)
            .group_by(BoardRow.id)
            .order_by(BoardRow.name)
        )
        with self.db.read() as session:
            return [Board(row.id, row.name, row.created_at, int(n)) for row, n in session.execute(query)]

    def get(self, board_id: int) -> Board:
        found = [b for b in self.boards() if b.id == board_id]
        if not found:
            raise BoardNotFoundError("that board no longer exists")
        return found[0]

    def find(self, name: str) -> Board:
        """The board with this name (case and extra spaces ignored)."""
        cleaned = " ".join(name.split())
        found = [b for b in self.boards() if b.name.casefold() == cleaned.casefold()]
        if not found:
            raise BoardNotFoundError(f"there is no board named “{cleaned}”")
        return found[0]

    # ---- pinned ads ----------------------------------------------------------------------------

    def pin(
        self, board_id: int, analysis_ids: Sequence[int], tags: Iterable[str] | None = None, note: str | None = None
    ) -> int:
        """Pin analysed ads to a board; returns how many were new to it. Given tags are added to each ad's
        tags, and a given note replaces its note; an ad already pinned keeps the rest."""
        ids = list(dict.fromkeys(int(i) for i in analysis_ids))
        new_tags = clean_tags(tags or [])
        new_note = clean_note(note) if note is not None else None
        with self.db.write() as session:
            if session.get(BoardRow, board_id) is None:
                raise BoardNotFoundError("that board no longer exists")
            known = set(session.scalars(select(AnalysisRow.id).where(AnalysisRow.id.in_(ids))))
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise BoardError(f"no analysed ad has the id {unknown[0]}")
            existing = {
                row.analysis_id: row
                for row in session.scalars(
                    select(BoardItemRow).where(BoardItemRow.board_id == board_id, BoardItemRow.analysis_id.in_(ids))
                )
            }
            now = time.time()
            for analysis_id in ids:
                row = existing.get(analysis_id)
                if row is None:
                    row = BoardItemRow(board_id=board_id, analysis_id=analysis_id, tags=[], note="", added_at=now)
                    session.add(row)
                row.tags = clean_tags([*row.tags, *new_tags])
                if new_note is not None:
                    row.note = new_note
            return len(ids) - len(existing)

    def unpin(self, board_id: int, analysis_ids: Sequence[int]) -> int:
        """Take ads off a board; returns how many were on it."""
        ids = [int(i) for i in analysis_ids]
        with self.db.write() as session:
            rows = list(
                session.scalars(
                    select(BoardItemRow).where(BoardItemRow.board_id == board_id, BoardItemRow.analysis_id.in_(ids))
                )
            )
            for row in rows:
                session.delete(row)
            return len(rows)

    def set_item(self, board_id: int, analysis_id: int, tags: Iterable[str], note: str) -> BoardItem:
        """Replace a pinned ad's tags and note (the edit dialog's save)."""
        cleaned_tags, cleaned_note = clean_tags(tags), clean_note(note)
        with self.db.write() as session:
            row = session.get(BoardItemRow, (board_id, analysis_id))
            if row is None:
                raise BoardNotFoundError("that ad is no longer on the board")
            row.tags, row.note = cleaned_tags, cleaned_note
            return _item(row)

    def item(self, board_id: int, analysis_id: int) -> BoardItem | None:
        with self.db.read() as session:
            row = session.get(BoardItemRow, (board_id, analysis_id))
            return _item(row) if row is not None else None

    def items(self, board_id: int) -> list[BoardItem]:
        """The ads pinned to a board, in the order they were pinned."""
        query = (
            select(BoardItemRow)
            .where(BoardItemRow.board_id == board_id)
            .order_by(BoardItemRow.added_at, BoardItemRow.analysis_id)
        )
        with self.db.read() as session:
            return [_item(row) for row in session.scalars(query)]

    def boards_of(self, analysis_id: int) -> set[int]:
        """The boards an ad is pinned to (the menu ticks them)."""
        with self.db.read() as session:
            return set(session.scalars(select(BoardItemRow.board_id).where(BoardItemRow.analysis_id == analysis_id)))

    def tags(self, board_id: int | None = None) -> list[str]:
        """Every tag in use (on one board, or on all), sorted: what a tag box offers."""
        where = "WHERE i.board_id = :board" if board_id is not None else ""
        statement = text(f"SELECT DISTINCT t.value FROM board_items i, json_each(i.tags) t {where} ORDER BY t.value")
        with self.db.read() as session:
            return [str(v) for v in session.scalars(statement, {"board": board_id})]

    def analysis_ids(self, board_id: int | None = None, tag: str | None = None) -> set[int]:
        """The analysed ads on a board (any board when None), narrowed to those tagged `tag` when given."""
        wanted = clean_tags([tag]) if tag else []
        clauses = ["1 = 1"]
        if board_id is not None:
            clauses.append("i.board_id = :board")
        if wanted:
            clauses.append("EXISTS (SELECT 1 FROM json_each(i.tags) t WHERE t.value = :tag)")
        statement = text(f"SELECT DISTINCT i.analysis_id FROM board_items i WHERE {' AND '.join(clauses)}")
        with self.db.read() as session:
            rows = session.scalars(statement, {"board": board_id, "tag": wanted[0] if wanted else None})
            return {int(v) for v in rows}

    def posters(self, analysis_ids: Sequence[int]) -> dict[int, str]:
        """The poster image file of each analysed ad whose video was looked at (engines/frames.py)."""
        if not analysis_ids:
            return {}
        marks = ", ".join(str(int(i)) for i in analysis_ids)
        statement = text(
            "SELECT a.id, json_extract(v.data, '$.poster') FROM analyses a JOIN visuals v ON v.sha256 = a.video_sha256"
            f" WHERE a.id IN ({marks})"
        )
        with self.db.read() as session:
            return {int(r[0]): str(r[1]) for r in session.execute(statement) if r[1]}

    def pin_new(self, name: str, analysis_ids: Sequence[int]) -> Board:
        """Create a board and pin ads to it in one go (the menu's "New board…")."""
        board = self.create(name)
        try:
            self.pin(board.id, analysis_ids)
        except BoardError:
            self.delete(board.id)
            raise
        return self.get(board.id)


def _refuse_taken(session: Session, name: str, board_id: int | None = None) -> None:
    """Names are unique ignoring case (the column's NOCASE collation); the error names the board that has it."""
    query = select(BoardRow.name).where(BoardRow.name == name)
    if board_id is not None:
        query = query.where(BoardRow.id != board_id)
    taken = session.scalar(query)
    if taken is not None:
        raise BoardError(f"there is already a board named “{taken}”")


def _item(row: BoardItemRow) -> BoardItem:
    return BoardItem(row.board_id, row.analysis_id, list(row.tags or []), row.note or "", row.added_at)
