"""`ad-analysis --self-test`: the sample ads through the whole pipeline, offline, in a throwaway folder."""

from __future__ import annotations

import platform
import tempfile
import time
from pathlib import Path

from desktop_app import __version__
from desktop_app.cli.exits import EXIT_FAILED, EXIT_OK
from desktop_app.cli.follow import WAIT_POLL_S, start_runner
from desktop_app.composition import AppServices, open_services, resources_dir
from desktop_app.core.results import AdResult
from desktop_app.core.runner import StagesFactory
from desktop_app.core.types import Job, JobItem, JobStatus, SourceSpec

SCREEN_AD = resources_dir() / "self_test" / "on-screen-offer.mp4"  # supers only: scripts/make_self_test_ad.py


def self_test(stages: StagesFactory | None) -> int:
    """Exit 0 only if every sample ad was transcribed and analysed, and (with the real pipeline) an ad whose offer
    is only on screen was read from its frames."""
    began = time.monotonic()
    (job, results, items), screen = _run_sample(stages)
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
    screen_ok = screen is None or _report_screen(screen)
    passed = job.status == JobStatus.COMPLETED and bool(items) and len(results) == len(items) and screen_ok
    print(
        f"{'PASSED' if passed else 'FAILED'}: {len(results)} of {len(items)} sample ads transcribed and analysed"
        f"{', and the on-screen offer read' if screen_ok and screen is not None else ''} "
        f"in {time.monotonic() - began:.1f} s ({job.status.value}{': ' + job.error if job.error else ''})"
    )
    return EXIT_OK if passed else EXIT_FAILED


Run = tuple[Job, dict[str, AdResult], list[JobItem]]


def _run_sample(stages: StagesFactory | None) -> tuple[Run, Run | None]:
    """The sample job, then (with the real pipeline) the silent ad of supers, each run to its end: the job, its
    results by ad id, and its items."""
    with tempfile.TemporaryDirectory(prefix="ad-analysis-self-test-") as tmp:
        app = open_services(Path(tmp))
        try:
            sample = _run(app, SourceSpec("sample"), stages)
            if stages is not None or not app.settings.look_at_videos:
                return sample, None
            return sample, _run(app, SourceSpec("folder", {"path": str(SCREEN_AD.parent)}), None)
        finally:
            app.close()


def _run(app: AppServices, source: SourceSpec, stages: StagesFactory | None) -> Run:
    job_id = app.service.start_analysis(source).job_id
    runner = start_runner(app, stages, only=[job_id])
    try:
        while app.service.status(job_id).status.is_active:
            time.sleep(WAIT_POLL_S)
    finally:
        runner.shutdown()
    job = app.service.status(job_id)
    return job, {r.ad_id: r for r in app.results.results(job_id)}, app.service.items(job_id)


def _report_screen(run: Run) -> bool:
    """One line on the ad whose offer is only on screen: read from its frames, with the second it shows."""
    _job, results, _items = run
    analysis = next(iter(results.values())).analysis if results else None
    seen = [e for e in analysis.offer.evidence if e.source == "on_screen"] if analysis is not None else []
    if analysis is None or "discount" not in analysis.offer.types or not seen:
        print("  FAIL on-screen offer: the discount shown only on screen was not read from the video's frames")
        return False
    when = seen[0].timestamp_s
    at = f" at {int(when // 60)}:{int(when % 60):02d}" if when is not None else ""
    print(f'  ok   on-screen offer: "{seen[0].quote}" read from the screen{at}; CTA {analysis.cta.type}')
    return True
