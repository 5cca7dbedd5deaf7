"""The commands that need the job service: each opens the data folder's services, does its work and
prints. Errors a user's input or data folder causes come back as one-line CliErrors."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from desktop_app.cli import boards, cancel, follow
from desktop_app.cli.arguments import source_spec
from desktop_app.cli.exits import EXIT_OK, CliError
from desktop_app.cli.output import as_json, describe, jobs_table, results_table
from desktop_app.cli.watch import watch_command
from desktop_app.composition import AppServices, open_services
from desktop_app.core.db import DatabaseTooNewError
from desktop_app.core.db_health import DatabaseUnusableError
from desktop_app.core.export import job_report, write_csv
from desktop_app.core.job_details import technical_details
from desktop_app.core.logs import configure_logging
from desktop_app.core.paths import DataFolderError
from desktop_app.core.runner import StagesFactory
from desktop_app.core.store import JobNotFoundError, JobStateError
from desktop_app.core.types import SourceError

# A damaged or locked database has exit codes of its own (cli/__init__.py, cli/repair.py).
USER_ERRORS = (
    SourceError,
    JobNotFoundError,
    JobStateError,
    DataFolderError,
    DatabaseTooNewError,
    DatabaseUnusableError,
)

Command = Callable[[AppServices, argparse.Namespace, StagesFactory | None], int]


@contextmanager
def user_errors() -> Iterator[None]:
    """A bad id, source, job state or data folder, as a one-line CliError (exit code 2)."""
    try:
        yield
    except USER_ERRORS as exc:
        raise CliError(str(exc)) from exc


def run_command(args: argparse.Namespace, stages: StagesFactory | None) -> int:
    command = COMMANDS.get(args.command)
    if command is None:
        raise CliError(f"unknown command {args.command}")
    with user_errors():
        app = open_services()
        detached = args.command == "resume" and args.quiet
        configure_logging(app.paths.logs, "worker" if detached else "cli")
        try:
            return command(app, args, stages)
        finally:
            app.close()


def run(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    source = source_spec(args)
    if args.wait:
        with follow.CtrlC() as ctrl_c:
            job_id = app.service.start_analysis(source).job_id
            if not args.json:  # with --json, stdout is one JSON document (`| jq` works)
                print(job_id, flush=True)
            return follow.follow(app, job_id, args, stages, ctrl_c)
    job = app.service.status(app.service.start_analysis(source).job_id)
    follow.spawn_worker(app)
    if args.json:
        print(json.dumps({"job_id": job.job_id, "status": job.status.value, "message": job.message}))
    else:
        print(job.job_id, flush=True)
    return EXIT_OK


def status(app: AppServices, args: argparse.Namespace, _stages: StagesFactory | None) -> int:
    job = app.service.status(args.job_id)
    if args.details:
        items, events = app.service.items(job.job_id), app.service.events(job.job_id)
        print(technical_details(job, items, events, app.paths.logs))
    else:
        print(json.dumps(job.to_dict(), indent=2) if args.json else describe(job))
    return EXIT_OK


def jobs(app: AppServices, args: argparse.Namespace, _stages: StagesFactory | None) -> int:
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    history = app.service.history(args.limit)
    print(json.dumps([j.to_dict() for j in history], indent=2) if args.json else jobs_table(history))
    return EXIT_OK


def cancel_job(app: AppServices, args: argparse.Namespace, _stages: StagesFactory | None) -> int:
    """Through the job service, when the quick way (cli/cancel.py) could not answer."""
    job_id = app.store.full_id(args.job_id)
    asked = app.service.cancel(job_id)
    return cancel.report(job_id, asked, app.service.status(job_id).status.value)


def retry(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    if args.wait:
        with follow.CtrlC() as ctrl_c:
            job_id = app.service.retry(args.job_id)
            if not args.json:
                print(job_id, flush=True)
            return follow.follow(app, job_id, args, stages, ctrl_c)
    job_id = app.service.retry(args.job_id)
    print(job_id, flush=True)
    follow.spawn_worker(app)
    return EXIT_OK


def results(app: AppServices, args: argparse.Namespace, _stages: StagesFactory | None) -> int:
    job_id = app.store.full_id(args.job_id)
    rows = app.results.results(job_id)
    if args.json:
        print(as_json(job_report(rows, app.service.items(job_id))))
    elif args.csv:
        write_csv(rows, sys.stdout)
    else:
        print(results_table(rows, app.service.items(job_id)))
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "run": run,
    "status": status,
    "jobs": jobs,
    "cancel": cancel_job,
    "retry": retry,
    "results": results,
    "resume": follow.resume,
    "board": boards.board,
    "watch": watch_command,
}
