"""`ad-analysis`: the headless face of the job service (and, with no arguments, the window)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from desktop_app import __version__
from desktop_app.composition import AppServices, open_services
from desktop_app.core.db import DatabaseTooNewError
from desktop_app.core.export import result_dict, write_csv
from desktop_app.core.paths import DataFolderError
from desktop_app.core.results import AdResult
from desktop_app.core.runner import JobUpdate, StagesFactory, Update
from desktop_app.core.store import JobNotFoundError, JobStateError
from desktop_app.core.types import (
    META_COVERAGE_NOTE,
    ItemStatus,
    Job,
    JobItem,
    JobStatus,
    SourceError,
    SourceSpec,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130
WAIT_POLL_S = 0.2


class CliError(Exception):
    """A user-facing problem: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ad-analysis", description="Analyse Meta video ads in background jobs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="run the sample ads through the whole pipeline in a temporary data folder and report",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", help="start an analysis job (prints its id at once)")
    source = run.add_mutually_exclusive_group()
    source.add_argument("--sample", action="store_true", help="the bundled sample ads (default)")
    source.add_argument("--search", metavar="TERMS", help="Meta Ad Library search terms")
    source.add_argument("--page-id", action="append", default=[], metavar="ID", help="Meta page id (repeatable)")
    source.add_argument("--urls", nargs="+", metavar="FILE_OR_URL", help="ad or video URLs, or a text file of them")
    source.add_argument("--folder", metavar="DIR", help="a folder of local video files")
    run.add_argument(
        "--country",
        action="append",
        default=[],
        metavar="CC",
        help="reached country, repeatable. " + META_COVERAGE_NOTE,
    )
    run.add_argument("--max-ads", type=int, default=100, help="stop a Meta search after this many ads (100)")
    run.add_argument("--reanalyse", action="store_true", help="analyse ads again even if analysed before")
    run.add_argument("--wait", action="store_true", help="follow the job until it ends")
    run.add_argument("--json", action="store_true", help="print JSON")

    status = sub.add_parser("status", help="show one job")
    status.add_argument("job_id")
    status.add_argument("--json", action="store_true")

    jobs = sub.add_parser("jobs", help="the most recent jobs")
    jobs.add_argument("--limit", type=int, default=20)
    jobs.add_argument("--json", action="store_true")

    cancel = sub.add_parser("cancel", help="ask a pending or running job to stop")
    cancel.add_argument("job_id")

    retry = sub.add_parser("retry", help="resume a failed or cancelled job from its checkpoints")
    retry.add_argument("job_id")
    retry.add_argument("--wait", action="store_true")
    retry.add_argument("--json", action="store_true")

    results = sub.add_parser("results", help="the analysed ads of a job")
    results.add_argument("job_id")
    fmt = results.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")

    resume = sub.add_parser("resume", help="run interrupted and queued jobs to completion, headless")
    resume.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    return parser


def _source(args: argparse.Namespace) -> SourceSpec:
    spec = _plain_source(args)
    if args.reanalyse:
        return SourceSpec(spec.kind, {**spec.params, "reanalyse": True})
    return spec


def _plain_source(args: argparse.Namespace) -> SourceSpec:
    if args.search or args.page_id:
        countries = [c.strip().upper() for c in args.country if c.strip()]
        if args.max_ads < 1:
            raise CliError("--max-ads must be at least 1")
        params = {"terms": args.search or "", "page_ids": args.page_id, "countries": countries, "max_ads": args.max_ads}
        return SourceSpec("meta_search", params)
    if args.urls:
        return SourceSpec("urls", {"urls": _read_urls(args.urls)})
    if args.folder:
        folder = Path(args.folder).expanduser()
        if not folder.is_dir():
            raise CliError(f"--folder {args.folder}: not a folder")
        return SourceSpec("folder", {"path": str(folder.resolve())})
    return SourceSpec("sample")


def _read_urls(values: Sequence[str]) -> list[str]:
    urls: list[str] = []
    for value in values:
        if "://" in value or value.isdigit():
            urls.append(value)
            continue
        path = Path(value).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CliError(f"--urls {value}: neither a URL nor a readable file ({exc.strerror})") from exc
        urls.extend(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return urls


# ---- output ------------------------------------------------------------------------------------


def _duration(job: Job) -> str:
    if job.started_at is None:
        return "-"
    end = job.finished_at.timestamp() if job.finished_at else time.time()
    seconds = int(end - job.started_at.timestamp())
    return f"{seconds // 60}m{seconds % 60:02d}s"


def _describe(job: Job) -> str:
    lines = [
        f"job {job.job_id}",
        f"  source:   {job.source.describe()}",
        f"  status:   {job.status.value}"
        + (f" (position {job.queue_position} in queue)" if job.queue_position else "")
        + (" (cancel requested)" if job.cancel_requested and job.status == JobStatus.RUNNING else ""),
        f"  progress: {job.progress:.0f}%  {job.stage}: {job.message}",
        f"  created:  {job.created_at.astimezone():%Y-%m-%d %H:%M:%S}   duration: {_duration(job)}",
    ]
    if job.error:
        lines.append(f"  error:    {job.error}")
    return "\n".join(lines)


def _table(jobs: Sequence[Job]) -> str:
    if not jobs:
        return "No jobs yet. Start one with: ad-analysis run --sample"
    rows = [f"{'JOB':<12} {'STATUS':<10} {'PROGRESS':>8}  {'CREATED':<19}  {'DURATION':>8}  SOURCE"]
    for job in jobs:
        rows.append(
            f"{job.job_id[:12]:<12} {job.status.value:<10} {job.progress:>7.0f}%  "
            f"{job.created_at.astimezone():%Y-%m-%d %H:%M:%S}  {_duration(job):>8}  {job.source.describe()}"
        )
    return "\n".join(rows)


def _results_table(rows: Sequence[AdResult], items: Sequence[JobItem]) -> str:
    lines = [f"{'AD':<18} {'PAGE':<20} {'HOOK':<16} {'CTA':<11} {'OFFER':<22} {'SCORE':>5}  NOTE"]
    for row in rows:
        a = row.analysis
        offer = ",".join(a["offer"]["types"]) or "-"
        note = "no speech" if not row.transcript else ""
        lines.append(
            f"{row.ad_id[:18]:<18} {(row.page_name or '-')[:20]:<20} {a['hook']['type']:<16} "
            f"{a['cta']['type']:<11} {offer[:22]:<22} {a['scores']['overall']['score']:>5}  {note}"
        )
    for item in items:
        if item.status in (ItemStatus.FAILED, ItemStatus.SKIPPED):
            lines.append(f"{item.key[:18]:<18} {item.status.value}: {item.error}")
    return "\n".join(lines) if len(lines) > 1 else "No analysed ads in this job yet."


class _ProgressPrinter:
    """A one-line bar on a terminal; plain lines (one per change of message) otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.last = ""

    def show(self, job: Job) -> None:
        text = f"{job.progress:5.1f}%  {job.message or job.stage}"
        if self.tty:
            filled = int(job.progress / 100 * 30)
            self.out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {text[:70]:<70}")
            self.out.flush()
        elif job.message != self.last:
            self.out.write(f"{job.progress:5.1f}%  {job.stage}: {job.message}\n")
            self.out.flush()
        self.last = job.message

    def end(self) -> None:
        if self.tty:
            self.out.write("\n")


# ---- commands ----------------------------------------------------------------------------------


def _wait(app: AppServices, job_id: str, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    """Run (or watch another process run) one job, with Ctrl-C asking it to cancel."""
    runner = app.make_runner(only=[job_id], stages=stages)
    runner.start()
    printer = None if args.json else _ProgressPrinter(sys.stdout)
    interrupted = False

    def on_sigint(_sig: int, _frame: object) -> None:
        nonlocal interrupted
        interrupted = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        asked = False
        while True:
            job = app.service.status(job_id)
            if printer:
                printer.show(job)
            if not job.status.is_active:
                break
            if interrupted and not asked:
                asked = True
                app.service.cancel(job_id)
                if printer:
                    printer.out.write("\nCancelling...\n")
            time.sleep(WAIT_POLL_S)
    finally:
        signal.signal(signal.SIGINT, previous)
        runner.shutdown()
    if printer:
        printer.end()
        print(_describe(job))
    else:
        print(json.dumps(job.to_dict(), indent=2))
    return {JobStatus.COMPLETED: EXIT_OK, JobStatus.CANCELLED: EXIT_CANCELLED}.get(job.status, EXIT_FAILED)


def _spawn_worker(app: AppServices) -> None:
    """Run the queue in a detached process, so `run` without --wait returns at once."""
    log = (app.paths.logs / "worker.log").open("ab")
    env = {**os.environ, "AD_ANALYSIS_HOME": str(app.paths.home)}
    subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "resume", "--quiet"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    log.close()


def _run(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    source = _source(args)
    job_id = app.service.start_analysis(source)
    job = app.service.status(job_id)
    if not args.wait:
        _spawn_worker(app)
    if args.json and not args.wait:
        print(json.dumps({"job_id": job_id, "status": job.status.value, "message": job.message}))
    else:
        print(job_id, flush=True)
    return _wait(app, job_id, args, stages) if args.wait else EXIT_OK


def _resume(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    ran: dict[str, JobStatus] = {}

    def track(update: Update) -> None:
        if isinstance(update, JobUpdate):
            ran[update.job.job_id] = update.job.status

    app.listeners.add(track)
    runner = app.make_runner(stages=stages)
    recovery = runner.start()
    if not args.quiet and recovery.resumed:
        print(f"Resuming {len(recovery.resumed)} interrupted job(s): {', '.join(recovery.resumed)}")
    for job_id in recovery.failed:
        print(f"Not resumed: {app.service.status(job_id).error}", file=sys.stderr)
    try:
        while not runner.is_idle():
            time.sleep(WAIT_POLL_S)
    except KeyboardInterrupt:
        runner.shutdown()
        return EXIT_CANCELLED
    runner.shutdown()
    finals = {job_id: app.service.status(job_id) for job_id in ran}
    if not args.quiet:
        for job in finals.values():
            print(f"{job.job_id}  {job.status.value:<10} {job.message}")
        if not finals:
            print("Nothing to resume.")
    failed = any(job.status == JobStatus.FAILED for job in finals.values()) or bool(recovery.failed)
    return EXIT_FAILED if failed else EXIT_OK


def _self_test(stages: StagesFactory | None) -> int:
    """Exit 0 only if every sample ad was transcribed and analysed, offline, in a throwaway folder."""
    import platform
    import tempfile

    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ad-analysis-self-test-") as tmp:
        app = open_services(Path(tmp))
        try:
            job_id = app.service.start_analysis(SourceSpec("sample"))
            runner = app.make_runner(only=[job_id], stages=stages)
            runner.start()
            while app.service.status(job_id).status.is_active:
                time.sleep(WAIT_POLL_S)
            runner.shutdown()
            job = app.service.status(job_id)
            results = {r.ad_id: r for r in app.results.results(job_id)}
            items = app.service.items(job_id)
        finally:
            app.close()
    where = f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    print(f"Ad Analysis Desktop {__version__} self-test ({where})")
    for item in items:
        result = results.get(item.key)
        if result is None:
            print(f"  FAIL {item.key}  {item.status.value}: {item.error}")
            continue
        words = len(result.transcript.split())
        speech = f"{words} words transcribed" if words else "no speech"
        a = result.analysis
        print(
            f"  ok   {item.key}  {result.page_name or '-'}: {speech}; hook {a['hook']['type']}, CTA {a['cta']['type']}"
        )
    passed = job.status == JobStatus.COMPLETED and bool(items) and len(results) == len(items)
    print(
        f"{'PASSED' if passed else 'FAILED'}: {len(results)} of {len(items)} sample ads transcribed and analysed "
        f"in {time.monotonic() - began:.1f} s ({job.status.value}{': ' + job.error if job.error else ''})"
    )
    return EXIT_OK if passed else EXIT_FAILED


def _dispatch(app: AppServices, args: argparse.Namespace, stages: StagesFactory | None) -> int:
    if args.command == "run":
        return _run(app, args, stages)
    if args.command == "status":
        job = app.service.status(args.job_id)
        print(json.dumps(job.to_dict(), indent=2) if args.json else _describe(job))
        return EXIT_OK
    if args.command == "jobs":
        if args.limit < 1:
            raise CliError("--limit must be at least 1")
        history = app.service.history(args.limit)
        print(json.dumps([j.to_dict() for j in history], indent=2) if args.json else _table(history))
        return EXIT_OK
    if args.command == "cancel":
        job_id = app.store.resolve(args.job_id)
        if app.service.cancel(job_id):
            print(f"Cancel requested for job {job_id}")
            return EXIT_OK
        job = app.service.status(job_id)
        print(f"Job {job_id} is already {job.status.value}; nothing to cancel")
        return EXIT_FAILED
    if args.command == "retry":
        job_id = app.service.retry(args.job_id)
        print(job_id, flush=True)
        if args.wait:
            return _wait(app, job_id, args, stages)
        _spawn_worker(app)
        return EXIT_OK
    if args.command == "resume":
        return _resume(app, args, stages)
    if args.command == "results":
        job_id = app.store.resolve(args.job_id)
        rows = app.results.results(job_id)
        if args.json:
            print(json.dumps([result_dict(r) for r in rows], indent=2))
        elif args.csv:
            write_csv(rows, sys.stdout)
        else:
            print(_results_table(rows, app.service.items(job_id)))
        return EXIT_OK
    raise CliError(f"unknown command {args.command}")


def main(argv: Sequence[str] | None = None, *, stages: StagesFactory | None = None) -> int:
    """Entry point. `stages` lets a caller run the CLI over another pipeline (the engine tests do)."""
    try:
        args = _parser().parse_args(argv)
        if args.self_test:
            return _self_test(stages)
        if args.command is None:
            raise CliError("no command given: run `ad-analysis` alone to open the window, or see --help")
        app = open_services()
        try:
            return _dispatch(app, args, stages)
        finally:
            app.close()
    except (
        CliError,
        SourceError,
        JobNotFoundError,
        JobStateError,
        DataFolderError,
        DatabaseTooNewError,
    ) as exc:
        print(f"ad-analysis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
