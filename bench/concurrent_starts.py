"""Benchmark of many CLI starts at once: N `ad-analysis run --sample` processes started together on one data
folder (100 by default), then M on a fresh folder (50), where the first start creates and migrates the
database. Counts clean starts (exit 0, nothing on stderr) and the others by exit code and message, the jobs made (a
second one is no duplicate if the first had ended), and times the round.
The job is cancelled afterwards and the workers `run` started are waited for. Last line: one JSON object.

Usage: python bench/concurrent_starts.py [--existing N] [--fresh M]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import child_env  # noqa: E402
from tests.reliability.test_concurrent_starts import listed_jobs, overlapping, start_many, stop_workers  # noqa: E402


def one_round(home: Path, count: int) -> dict[str, object]:
    began = time.monotonic()
    done = start_many(home, count)
    seconds = time.monotonic() - began
    clean = [d for d in done if d.returncode == 0 and not d.stderr]
    unclean = Counter(f"exit {d.returncode}: {d.stderr.strip()[-200:]}" for d in done if d not in clean)
    jobs = listed_jobs(home)
    stop_workers(home)
    return {
        "starts": count,
        "clean": len(clean),
        "jobs": len(jobs),
        "overlapping_jobs": overlapping(jobs),  # a job made while an identical one was active: a duplicate
        "ids_printed": len({d.stdout.strip() for d in clean}),
        "seconds": round(seconds, 1),
        "unclean": dict(unclean),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=100)
    parser.add_argument("--fresh", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        existing, fresh = Path(folder) / "existing", Path(folder) / "fresh"
        subprocess.run([sys.executable, "-m", "desktop_app", "jobs"], env=child_env(existing), check=True)
        figures = {"existing": one_round(existing, args.existing), "fresh": one_round(fresh, args.fresh)}
    for name, round_ in figures.items():
        print(f"{name:>8}: {round_['clean']}/{round_['starts']} clean, {round_['jobs']} job(s), {round_['seconds']} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
