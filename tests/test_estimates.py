"""Time left on a job card: from past jobs and the current stage's own pace, shown from the first job, and
never "0 s" while work remains."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

from desktop_app.core.estimates import seconds_left, time_weighted
from desktop_app.core.stages import ANALYSIS_STAGES
from desktop_app.core.types import Job, JobStatus, SourceSpec

TRANSCRIBE = next(s for s in ANALYSIS_STAGES if s.key == "transcribe")
ANALYSE = next(s for s in ANALYSIS_STAGES if s.key == "analyse")
HALFWAY = (TRANSCRIBE.percent + ANALYSE.percent) / 2


def running(progress: float, stage_key: str, started_s_ago: float) -> Job:
    now = datetime.now(UTC)
    return Job("e" * 32, 1, JobStatus.RUNNING, progress, "Transcribing videos", "", SourceSpec("sample"), now,
               now - timedelta(seconds=started_s_ago), None, None, None, 1, False, stage_key=stage_key)  # fmt: skip


def test_a_stage_running_longer_than_usual_is_not_nearly_done() -> None:
    history = {"transcribe": 10.0, "analyse": 2.0, "finalise": 0.5}
    job = running(HALFWAY, "transcribe", 40)
    left = seconds_left(job, ANALYSIS_STAGES, history, stage_started=time.time() - 30)
    assert left is not None and 30 <= left <= 34, "half of the stage in 30 s: about 30 s more, plus what follows"


def test_the_first_job_has_a_time_left_from_its_own_pace() -> None:
    left = seconds_left(running(50.0, "transcribe", 20), ANALYSIS_STAGES, {}, stage_started=time.time() - 10)
    assert left is not None and 19 <= left <= 21
    assert seconds_left(running(6.0, "start", 1), ANALYSIS_STAGES, {}, stage_started=None) is None


def test_never_zero_while_work_remains() -> None:
    history = {"transcribe": 1.0, "analyse": 0.0, "finalise": 0.0}
    job = running(ANALYSE.percent - 0.01, "transcribe", 100)
    left = seconds_left(job, ANALYSIS_STAGES, history, stage_started=time.time() - 90)
    assert left is not None and left >= 1.0


def test_the_bar_gives_each_stage_its_share_of_the_time_and_never_steps_back() -> None:
    """Transcription is most of a job's time, so it is most of the bar; measured medians replace the typical
    ones; the mapping is monotonic and keeps 0 and 100 where they are."""
    steps = [p / 10 for p in range(0, 1001)]
    typical = [time_weighted(p, ANALYSIS_STAGES, {}) for p in steps]
    assert all(b >= a for a, b in itertools.pairwise(typical))
    assert typical[0] == 0 and typical[-1] == 100
    transcribe_share = time_weighted(80, ANALYSIS_STAGES, {}) - time_weighted(65, ANALYSIS_STAGES, {})
    assert transcribe_share > 50  # the spec's 15 points become most of the bar
    measured = {st.key: 1.0 for st in ANALYSIS_STAGES} | {"download": 8.0}
    download_share = time_weighted(65, ANALYSIS_STAGES, measured) - time_weighted(50, ANALYSIS_STAGES, measured)
    assert round(download_share) == round(95 * 8 / 15)
