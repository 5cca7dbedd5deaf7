"""The command line's grammar (argparse), and the analysis source that `run`'s options describe."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from desktop_app import __version__
from desktop_app.cli.exits import CliError
from desktop_app.core.types import META_COVERAGE_NOTE, SourceSpec


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ad-analysis", description="Analyse Meta video ads in background jobs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="run the sample ads through the whole pipeline in a temporary data folder and report",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    _add_run(sub.add_parser("run", help="start an analysis job (prints its id at once)"))

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


def _add_run(run: argparse.ArgumentParser) -> None:
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


def source_spec(args: argparse.Namespace) -> SourceSpec:
    """What `run` analyses, from its options (the sample ads when none is given)."""
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
        return SourceSpec("urls", {"urls": read_urls(args.urls)})
    if args.folder:
        folder = Path(args.folder).expanduser()
        if not folder.is_dir():
            raise CliError(f"--folder {args.folder}: not a folder")
        return SourceSpec("folder", {"path": str(folder.resolve())})
    return SourceSpec("sample")


def read_urls(values: Sequence[str]) -> list[str]:
    """URLs and ad ids as given, or read from text files (one a line, # comments)."""
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
