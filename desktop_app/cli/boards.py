"""`ad-analysis board ...`: swipe-file boards from the command line. Make and remove boards, pin analysed
ads to them with tags and a note, and export a board as a brief for the team (Markdown or PDF).

Boards are named by their name (case ignored); ads by their analysis id, which `board show` lists and the
Results view shows. A problem is one plain line and exit code 2, as for the other commands.

The grammar is read by every command (cli/arguments.py), so the store is imported only when a board action
runs: `cancel` must answer without loading the database machinery."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.cli.exits import EXIT_OK, CliError
from desktop_app.core.text import plural

if TYPE_CHECKING:
    from desktop_app.composition import AppServices
    from desktop_app.core.boards import Board
    from desktop_app.core.runner import StagesFactory

LIST_HINT = "`ad-analysis board list` shows the boards"


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """The `board` command's grammar, for cli/arguments.py."""
    board = sub.add_parser("board", help="swipe-file boards: collect analysed ads, tag them, export a brief")
    actions = board.add_subparsers(dest="board_command", metavar="ACTION", parser_class=type(board))
    actions.required = True
    actions.add_parser("add", help="make a new, empty board").add_argument("name", metavar="NAME")
    listing = actions.add_parser("list", help="the boards, with how many ads each holds")
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="the ads pinned to a board, with their ids, tags and notes")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true")
    rename = actions.add_parser("rename", help="give a board another name")
    rename.add_argument("name", metavar="NAME")
    rename.add_argument("new_name", metavar="NEW_NAME")
    actions.add_parser("remove", help="delete a board (the analysed ads stay)").add_argument("name", metavar="NAME")
    pin = actions.add_parser("pin", help="pin analysed ads to a board, with tags and a note")
    pin.add_argument("name", metavar="NAME")
    pin.add_argument("analysis_ids", metavar="ANALYSIS_ID", nargs="+", type=_analysis_id)
    pin.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag to add (repeatable)")
    pin.add_argument("--note", metavar="TEXT", help="the board's note for these ads (replaces an earlier one)")
    unpin = actions.add_parser("unpin", help="take analysed ads off a board")
    unpin.add_argument("name", metavar="NAME")
    unpin.add_argument("analysis_ids", metavar="ANALYSIS_ID", nargs="+", type=_analysis_id)
    export = actions.add_parser("export", help="write a board as a brief: Markdown or PDF, with thumbnails")
    export.add_argument("name", metavar="NAME")
    export.add_argument("--format", choices=("md", "pdf"), help="md or pdf (by default, from the file's extension)")
    export.add_argument("-o", "--output", metavar="FILE", help="where to write it (Markdown only: stdout if left out)")


def _analysis_id(value: str) -> int:
    if not value.strip().isdigit() or not value.strip().isascii():
        raise argparse.ArgumentTypeError(f"{value}: an analysis id is a number (see `ad-analysis board show NAME`)")
    return int(value.strip())


def board(app: AppServices, args: argparse.Namespace, _stages: StagesFactory | None) -> int:
    """Run one `board` action; a board problem becomes one plain line (exit code 2)."""
    from desktop_app.core.boards import BoardError, BoardNotFoundError
    from desktop_app.core.brief import BriefWriteError

    action = ACTIONS[args.board_command]
    try:
        return action(app, args)
    except BoardNotFoundError as exc:
        raise CliError(f"{exc}; {LIST_HINT}") from exc
    except (BoardError, BriefWriteError) as exc:
        raise CliError(str(exc)) from exc


def _add(app: AppServices, args: argparse.Namespace) -> int:
    made = app.boards.create(args.name)
    print(f'Made the board “{made.name}”. Pin ads with: ad-analysis board pin "{made.name}" ANALYSIS_ID')
    return EXIT_OK


def _board_dict(found: Board) -> dict[str, Any]:
    created = datetime.fromtimestamp(found.created_at).astimezone().isoformat(timespec="seconds")
    return {"id": found.id, "name": found.name, "ads": found.count, "created_at": created}


def _list(app: AppServices, args: argparse.Namespace) -> int:
    from desktop_app.cli.output import fit

    boards = app.boards.boards()
    if args.json:
        print(json.dumps([_board_dict(b) for b in boards], indent=2))
    elif not boards:
        print("No boards yet. Make one with: ad-analysis board add NAME")
    else:
        print(f"{'BOARD':<40} {'ADS':>5}  CREATED")
        for found in boards:
            created = datetime.fromtimestamp(found.created_at)
            print(f"{fit(found.name, 40):<40} {found.count:>5}  {created:%Y-%m-%d %H:%M}")
    return EXIT_OK


def _show(app: AppServices, args: argparse.Namespace) -> int:
    from desktop_app.cli.output import fit
    from desktop_app.core.ad_names import names_of

    found = app.boards.find(args.name)
    items = app.boards.items(found.id)
    names = names_of(app.db, [item.analysis_id for item in items])
    if args.json:
        rows = [
            {"analysis_id": i.analysis_id, "name": names.get(i.analysis_id, ""), "tags": i.tags, "note": i.note}
            for i in items
        ]
        print(json.dumps({**_board_dict(found), "items": rows}, indent=2))
        return EXIT_OK
    if not items:
        print(f'No ads on “{found.name}” yet. Pin some with: ad-analysis board pin "{found.name}" ANALYSIS_ID')
        return EXIT_OK
    print(f"{'ID':>6}  {'AD':<44} {'TAGS':<24} NOTE")
    for item in items:
        tags = " ".join("#" + t for t in item.tags) or "-"
        name, note = names.get(item.analysis_id, ""), " ".join(item.note.split())
        print(f"{item.analysis_id:>6}  {fit(name, 44):<44} {fit(tags, 24):<24} {fit(note, 40)}")
    return EXIT_OK


def _rename(app: AppServices, args: argparse.Namespace) -> int:
    found = app.boards.find(args.name)
    renamed = app.boards.rename(found.id, args.new_name)
    print(f"Renamed “{found.name}” to “{renamed.name}”.")
    return EXIT_OK


def _remove(app: AppServices, args: argparse.Namespace) -> int:
    found = app.boards.find(args.name)
    app.boards.delete(found.id)
    print(f"Removed the board “{found.name}” ({plural(found.count, 'ad')} were on it; the analysed ads stay).")
    return EXIT_OK


def _pin(app: AppServices, args: argparse.Namespace) -> int:
    found = app.boards.find(args.name)
    added = app.boards.pin(found.id, args.analysis_ids, tags=args.tag, note=args.note)
    updated = len(set(args.analysis_ids)) - added
    extra = f", {plural(updated, 'ad')} already there updated" if updated else ""
    holds = plural(app.boards.get(found.id).count, "ad")
    print(f"Pinned {plural(added, 'ad')} to “{found.name}”{extra}; it holds {holds}.")
    return EXIT_OK


def _unpin(app: AppServices, args: argparse.Namespace) -> int:
    found = app.boards.find(args.name)
    removed = app.boards.unpin(found.id, args.analysis_ids)
    print(f"Took {plural(removed, 'ad')} off “{found.name}”; it holds {plural(app.boards.get(found.id).count, 'ad')}.")
    return EXIT_OK


def _export(app: AppServices, args: argparse.Namespace) -> int:
    from desktop_app.core.brief import brief_markdown, load_brief

    found = app.boards.find(args.name)
    output = Path(args.output).expanduser() if args.output else None
    kind = args.format or ("pdf" if output is not None and output.suffix.lower() == ".pdf" else "md")
    brief = load_brief(app.boards, app.results, found.id)
    if output is None:
        if kind == "pdf":
            raise CliError("a PDF needs a file to go to: add -o FILE")
        sys.stdout.write(brief_markdown(brief))
        return EXIT_OK
    if not output.parent.is_dir():
        raise CliError(f"-o {args.output}: the folder {output.parent} does not exist")
    if output.is_dir():
        raise CliError(f"-o {args.output}: that is a folder; give a file name")
    try:
        if kind == "pdf":
            from desktop_app.composition import write_brief_pdf

            write_brief_pdf(brief, output)
        else:
            output.write_text(brief_markdown(brief), encoding="utf-8")
    except OSError as exc:
        raise CliError(f"-o {args.output}: could not write the file ({exc.strerror or 'not writable'})") from exc
    print(f"Wrote the brief of “{found.name}” ({plural(len(brief.ads), 'ad')}) to {output}")
    return EXIT_OK


ACTIONS = {
    "add": _add,
    "list": _list,
    "show": _show,
    "rename": _rename,
    "remove": _remove,
    "pin": _pin,
    "unpin": _unpin,
    "export": _export,
}
