"""The command line's grammar (argparse), and the analysis source that `run`'s options describe."""

from __future__ import annotations

import argparse
import stat
from collections.abc import Sequence
from pathlib import Path

from desktop_app import __version__
from desktop_app.cli.boards import add_parser as add_board_parser
from desktop_app.cli.exits import CliError
from desktop_app.cli.repair import add_parser as add_repair_parser
from desktop_app.cli.watch import add_parser as add_watch_parser
from desktop_app.core.settings import WHISPER_MODEL_ENV, whisper_model_override
from desktop_app.core.source_rules import MAX_TERMS_CHARS, country_problem, is_ad_id, url_problem
from desktop_app.core.types import META_COVERAGE_NOTE, SourceSpec
from desktop_app.core.whisper_catalogue import BUNDLED_MODEL, is_local_folder, model_problem

MAX_URL_FILE_BYTES = 1_000_000
MAX_JOBS_LIMIT = 100_000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    return _check_whisper_model(_check_bounds(build_parser().parse_args(argv)))


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
    shown = status.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true")
    shown.add_argument(
        "--details", action="store_true", help="the technical detail behind its problems (errors, tracebacks, logs)"
    )

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
    add_repair_parser(sub)
    add_board_parser(sub)
    add_watch_parser(sub)
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
    run.add_argument(
        "--whisper-model",
        metavar="NAME",
        help=f"the Whisper model for this job: {BUNDLED_MODEL} (bundled, the default), tiny, base, small, medium, "
        "large-v3, turbo, an English-only variant such as base.en, or a CTranslate2 model folder "
        f"(overrides {WHISPER_MODEL_ENV} and the setting)",
    )
    run.add_argument("--wait", action="store_true", help="follow the job until it ends")
    run.add_argument("--json", action="store_true", help="print JSON")


def source_spec(args: argparse.Namespace) -> SourceSpec:
    """What `run` analyses, from its options (the sample ads when none is given)."""
    spec = _plain_source(args)
    extra: dict[str, object] = {}
    if args.reanalyse:
        extra["reanalyse"] = True
    if args.whisper_model:
        extra["whisper_model"] = _job_model(args.whisper_model)
    return SourceSpec(spec.kind, {**spec.params, **extra}) if extra else spec


def _job_model(value: str) -> str:
    """A catalogue name as given; a folder as an absolute path, since a worker in another folder runs the job."""
    name = value.strip()
    return str(Path(name).expanduser().resolve()) if is_local_folder(name) else name


def _plain_source(args: argparse.Namespace) -> SourceSpec:
    # `is not None`: an empty --search or --folder is a mistake to refuse, not a request for the samples.
    if args.search is not None or args.page_id:
        return _search_source(args)
    if args.urls:
        return SourceSpec("urls", {"urls": read_urls(args.urls)})
    if args.folder is not None:
        if not args.folder.strip():
            raise CliError("--folder needs a folder")
        folder = Path(args.folder).expanduser()
        if not folder.is_dir():
            raise CliError(f"--folder {args.folder}: not a folder")
        return SourceSpec("folder", {"path": str(folder.resolve())})
    return SourceSpec("sample")


def _search_source(args: argparse.Namespace) -> SourceSpec:
    terms = (args.search or "").strip()
    if args.search is not None and not terms:
        raise CliError("--search needs search terms (or search by --page-id)")
    if len(terms) > MAX_TERMS_CHARS:
        raise CliError(
            f"--search: the terms are {len(terms)} characters long; Meta's Ad Library accepts at most {MAX_TERMS_CHARS}"
        )
    bad_ids = [p for p in args.page_id if not is_ad_id(p.strip())]
    if bad_ids:
        raise CliError(f"--page-id {bad_ids[0]}: a page id is a number written with the digits 0-9")
    if args.max_ads < 1:
        raise CliError("--max-ads must be at least 1")
    countries = [country_code(c) for c in args.country if c.strip()]
    params = {
        "terms": terms,
        "page_ids": [p.strip() for p in args.page_id],
        "countries": countries,
        "max_ads": args.max_ads,
    }
    return SourceSpec("meta_search", params)


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; anything else refused in words."""
    code = value.strip().upper()
    problem = country_problem(code)
    if problem:
        raise CliError(f"--country {value}: {problem}")
    return code


def read_urls(values: Sequence[str]) -> list[str]:
    """URLs and ad ids as given, or read from text files (one a line, # comments). Every line is checked
    here, so a bad one is refused with its line number instead of failing the job later."""
    urls: list[str] = []
    for value in values:
        value = value.strip()
        if not value:
            raise CliError("--urls needs a URL, an Ad Library id or a file of them, not an empty value")
        if value.isdigit() and not value.isascii():
            raise CliError(f"--urls {value}: Ad Library ids are written with the digits 0-9")
        if "://" in value or is_ad_id(value):
            problem = url_problem(value)
            if problem:
                raise CliError(f"--urls {value} {problem}")
            urls.append(value)
            continue
        for number, line in enumerate(_url_file_lines(value), start=1):
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            problem = url_problem(entry)
            if problem:
                raise CliError(f"--urls {value}: line {number} {problem}: {_shown(entry)}")
            urls.append(entry)
    return urls


def _url_file_lines(value: str) -> list[str]:
    """The lines of a URL list file: a regular text file of at most MAX_URL_FILE_BYTES, refused in words
    otherwise (a device such as /dev/zero would be read forever)."""
    path = Path(value).expanduser()
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise CliError(f"--urls {value}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_URL_FILE_BYTES + 1)
    except OSError as exc:
        raise CliError(f"--urls {value}: neither a URL nor a readable file ({exc.strerror or 'unreadable'})") from exc
    if len(data) > MAX_URL_FILE_BYTES:
        raise CliError(f"--urls {value}: the file is larger than {MAX_URL_FILE_BYTES // 1_000_000} MB; split it")
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise CliError(f"--urls {value}: not a text file (UTF-8 expected)") from None


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_bounds(args: argparse.Namespace) -> argparse.Namespace:
    """Bounds argparse's int type cannot say: a huge --limit would overflow the database's integers."""
    if args.command == "jobs" and not 1 <= args.limit <= MAX_JOBS_LIMIT:
        raise CliError(f"--limit must be at least 1 and at most {MAX_JOBS_LIMIT:,}")
    return args


def _check_whisper_model(args: argparse.Namespace) -> argparse.Namespace:
    """`run`'s Whisper model (--whisper-model, else AD_ANALYSIS_WHISPER_MODEL) is refused now, in the words
    Settings uses, instead of failing the job at its transcription."""
    if args.command != "run":
        return args
    if args.whisper_model is not None:
        if problem := model_problem(args.whisper_model.strip()):
            raise CliError(f"--whisper-model {args.whisper_model}: {problem}")
    elif (override := whisper_model_override()) and (problem := model_problem(override)):
        raise CliError(f"{WHISPER_MODEL_ENV} {override}: {problem}")
    return args
