"""`ad-analysis --self-test`: the sample ads through the whole pipeline, offline, in a throwaway folder."""

from __future__ import annotations

import platform
import tempfile
import time
from pathlib import Path

from desktop_app import __version__
from desktop_app.cli.exits import EXIT_FAILED, EXIT_OK
from desktop_app.cli.follow import WAIT_POLL_S, start_runner
from desktop_app.composition import open_services
from desktop_app.core.results import AdResult
from desktop_app.core.runner import StagesFactory
from desktop_app.core.types import Job, JobItem, JobStatus, SourceSpec


def self_test(stages: StagesFactory | None) -> int:
    """Exit 0 only if every sample ad was transcribed and analysed."""
    began = time.monotonic()
    job, results, items = _run_sample(stages)
    where = f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    print(f"Ad Analysis Desktop {__version__} self-test ({where})")
    for item in items:
        result = results.get(item.key)
        if result is None:
            print(f"  FAIL {item.key}  {item.status.value}: {item.reason}")
            continue
        words = len(result.transcript.split())
        speech = f"{words} words transcribed" if words else "no speech"
        a = result.analysis
        print(f"  ok   {item.key}  {result.page_name or '-'}: {speech}; hook {a.hook.type}, CTA {a.cta.type}")
    passed = job.status == JobStatus.COMPLETED and bool(items) and len(results) == len(items)
    print(
        f"{'PASSED' if passed else 'FAILED'}: {len(results)} of {len(items)} sample ads transcribed and analysed "
        f"in {time.monotonic() - began:.1f} s ({job.status.value}{': ' + job.error if job.error else ''})"
    )
    return EXIT_OK if passed else EXIT_FAILED


def _run_sample(stages: StagesFactory | None) -> tuple[Job, dict[str, AdResult], list[JobItem]]:
    """The sample job, run to its end: the job, its results by ad id, and its items."""
    with tempfile.TemporaryDirectory(prefix="ad-analysis-self-test-") as tmp:
        app = open_services(Path(tmp))
        try:
            job_id = app.service.start_analysis(SourceSpec("sample")).job_id
            runner = start_runner(app, stages, only=[job_id])
            try:
                while app.service.status(job_id).status.is_active:
                    time.sleep(WAIT_POLL_S)
            finally:
                runner.shutdown()
            job = app.service.status(job_id)
            return job, {r.ad_id: r for r in app.results.results(job_id)}, app.service.items(job_id)
        finally:
            app.close()
