"""`ad-analysis watch`: competitor watchlists from the command line. A check is an ordinary job, so it shows up
in `jobs`, the window and the history; `watch run --wait` follows the checks and names the ads each found."""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop_app.cli.exits import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, CliError

if TYPE_CHECKING:
    from desktop_app.composition import AppServices
    from desktop_app.core.runner import StagesFactory
    from desktop_app.core.types import Job
    from desktop_app.core.watchlists import Watchlist, WatchStore

POLL_S = 0.2


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """The `watch` command's grammar, for cli/arguments.py."""
    watch = sub.add_parser("watch", help="competitor watchlists: pages or searches checked on a schedule")
    commands = watch.add_subparsers(dest="watch_command")
    add = commands.add_parser("add", help="follow a Meta page or search")
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("--page-id", metavar="ID", help="the Meta page to follow")
    what.add_argument("--search", metavar="TERMS", help="Ad Library search terms to follow")
    what.add_argument("--page-name", metavar="NAME", help="the Meta page to follow, found by its name")
    add.add_argument("--name", default="", help="what to call it (default: the page's name)")
    add.add_argument("--country", action="append", default=[], metavar="CC", help="reached country, repeatable")
    add.add_argument("--every", choices=("daily", "weekly", "manual"), default="daily", help="how often to check")
    listing = commands.add_parser("list", help="the watchlists, with their ads' counts")
    listing.add_argument("--json", action="store_true")
    remove = commands.add_parser("remove", help="stop following a watchlist (its analyses stay)")
    remove.add_argument("watchlist_id", type=int)
    run = commands.add_parser("run", help="check watchlists now (a job each)")
    run.add_argument("watchlist_id", type=int, nargs="?")
    run.add_argument("--due", action="store_true", help="check every watchlist whose scheduled check is due")
    run.add_argument("--wait", action="store_true", help="follow the checks and name the ads they found")
    run.add_argument("--json", action="store_true")


def watch_command(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    from desktop_app.core.watchlists import WatchStore

    store = WatchStore(app.db)
    if args.watch_command == "add":
        if args.page_name:
            args.page_id = _page_named(app, args.page_name, args.country)
        return _add(store, args)
    if args.watch_command == "list":
        return _list(store, args)
    if args.watch_command == "remove":
        if not store.remove(args.watchlist_id):
            raise CliError(f"there is no watchlist {args.watchlist_id}")
        print(f"Watchlist {args.watchlist_id} removed; its analysed ads stay in Results.")
        return EXIT_OK
    if args.watch_command == "run":
        return _run(app, store, args, stages)
    raise CliError("watch needs a command: add, list, remove or run")


def _add(store: WatchStore, args: argparse.Namespace) -> int:
    watch = store.add(
        page_id=args.page_id, terms=args.search, countries=args.country, schedule=args.every, name=args.name
    )
    when = "only when you ask" if watch.schedule == "manual" else watch.schedule
    print(
        f"Watchlist {watch.watchlist_id} added: {watch.title} ({', '.join(watch.countries)}), checked {when}. "
        f"Check it now with: ad-analysis watch run {watch.watchlist_id}"
    )
    return EXIT_OK


def _page_named(app: AppServices, name: str, countries: list[str]) -> str:
    """The id of the one page called `name` among those whose ads mention it; else a plain error naming them."""
    from desktop_app.composition import find_meta_pages
    from desktop_app.core.context import JobError

    try:
        pages = find_meta_pages(app.settings, name, countries or ["DE"])
    except JobError as exc:
        raise CliError(str(exc)) from None
    named = [p for p in pages if p.name.casefold() == name.casefold().strip()]
    if len(named) == 1 or (len(pages) == 1 and not named):
        print(f"Found {(named or pages)[0].name} (page {(named or pages)[0].page_id}).")
        return (named or pages)[0].page_id
    if not pages:
        raise CliError(f'no page has ads mentioning "{name}" in {", ".join(countries or ["DE"])}')
    listed = "; ".join(f"{p.name} (--page-id {p.page_id}, {p.ads} ads)" for p in (named or pages)[:5])
    raise CliError(f'several pages match "{name}": {listed}. Add the one you mean with --page-id')


def _when(stamp: Any) -> str:
    return datetime.fromtimestamp(float(stamp)).strftime("%Y-%m-%d %H:%M") if stamp else "never"


def _list(store: WatchStore, args: argparse.Namespace) -> int:
    rows = []
    for watch in store.all():
        ads = store.ads(watch.watchlist_id)
        rows.append(
            {
                "id": watch.watchlist_id, "title": watch.title, "name": watch.name, "page_id": watch.page_id,
                "terms": watch.terms, "countries": watch.countries, "schedule": watch.schedule,
                "last_checked": watch.last_checked, "last_job_id": watch.last_job_id,
                "active": sum(a.active for a in ads), "new": sum(a.new for a in ads), "seen": len(ads),
            }
        )  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print("No watchlists yet. Add one with: ad-analysis watch add --page-id ID --country CC")
        return EXIT_OK
    print(f"{'ID':>4}  {'NAME':<32} {'SCHEDULE':<8}  {'LAST CHECKED':<16}  {'RUNNING':>7}  {'NEW':>4}")
    for r in rows:
        print(
            f"{r['id']:>4}  {str(r['title'])[:32]:<32} {r['schedule']:<8}  {_when(r['last_checked']):<16}  "
            f"{r['active']:>7}  {r['new']:>4}"
        )
    return EXIT_OK


def _run(app: AppServices, store: WatchStore, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    from desktop_app.cli import follow
    from desktop_app.core.watch_checks import start_check, start_due

    if (args.watchlist_id is None) == (not args.due):
        raise CliError("watch run needs a watchlist id or --due")
    with follow.CtrlC() as ctrl_c:
        started = start_due(app.service, store) if args.due else [start_check(app.service, store, args.watchlist_id)]
        ids = [s.job_id for s in started]
        if not args.wait:
            if ids:
                follow.spawn_worker(app)
            print(json.dumps([{"job_id": i} for i in ids]) if args.json else "\n".join(ids) or "No check is due.")
            return EXIT_OK
        jobs = _wait(app, ids, stages, ctrl_c)
    checks = [_check_report(store, job) for job in jobs]
    if args.json:
        print(json.dumps(checks, indent=2))
    else:
        print("\n".join(_check_text(c) for c in checks) or "No check is due.")
    if any(j.status.value == "cancelled" for j in jobs):
        return EXIT_CANCELLED
    return EXIT_OK if all(j.status.value == "completed" for j in jobs) else EXIT_FAILED


def _wait(app: AppServices, ids: list[str], stages: StagesFactory | None, ctrl_c: Any) -> list[Job]:
    """Run the checks here (queued under the parallel-jobs setting) until each has ended; Ctrl-C cancels them."""
    from desktop_app.cli import follow

    if not ids:
        return []
    runner = follow.start_runner(app, stages, only=ids)
    try:
        while True:
            jobs = [app.service.status(i) for i in ids]
            if not any(j.status.is_active for j in jobs):
                return jobs
            if ctrl_c.pressed:
                ctrl_c.pressed = False
                for job_id in ids:
                    app.service.cancel(job_id)
            time.sleep(POLL_S)
    finally:
        runner.shutdown()


def _check_report(store: WatchStore, job: Job) -> dict[str, Any]:
    from desktop_app.core.watch_checks import summary_of, watchlist_of

    summary = summary_of(job)
    watchlist_id = watchlist_of(job.source)
    report: dict[str, Any] = {"watchlist_id": watchlist_id, "job_id": job.job_id, "status": job.status.value}
    if summary is not None:
        return report | summary.to_dict()
    title = _title(store, watchlist_id)
    return report | {"title": title, "error": job.error, "new": [], "still_active": [], "gone": []}


def _title(store: WatchStore, watchlist_id: int | None) -> str:
    try:
        watch: Watchlist = store.get(int(watchlist_id or 0))
    except ValueError:
        return f"Watchlist {watchlist_id}"
    return watch.title


def _check_text(check: dict[str, Any]) -> str:
    if check["status"] != "completed":
        why = check.get("error") or f"the check was {check['status']}"
        return f"{check['title']}: the check did not complete: {why}"
    lines = [check["headline"]]
    for label, key in (("New", "new"), ("Still running", "still_active"), ("Stopped running", "gone")):
        if check[key]:
            lines.append(f"  {label} ({len(check[key])}):")
            lines += [f"    {name}" for name in check[key]]
    return "\n".join(lines)
