"""Benchmark of the job database's checks at start, on a data folder with 1000 finished jobs and 7000 analysed
ads (tests/synthetic.py): SQLite's quick_check as every start runs it (core/db.py check_file), a whole open of
the database when there is nothing to migrate, and the day's backup (online backup plus quick_check of the
copy; once a day). Prints the median of several runs of each; last line: one JSON object.

Usage: python bench/startup_check.py [--jobs N] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core import db_health  # noqa: E402
from desktop_app.core.db import Database, check_file  # noqa: E402
from tests.synthetic import add_analysed_ads  # noqa: E402


def median_ms(action: object, runs: int) -> float:
    times = []
    for n in range(runs):
        began = time.perf_counter()
        action(n)  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "jobs.sqlite3"
        db = Database(database)
        add_analysed_ads(db, count=7 * args.jobs, jobs=args.jobs)
        db.dispose()
        Database(database).dispose()  # the day's backup is made: the next opens take the fast way
        day = datetime.now()
        figures = {
            "jobs": args.jobs,
            "database_mb": round(database.stat().st_size / 1e6, 1),
            "quick_check_ms": median_ms(lambda _n: check_file(database), args.runs),
            "open_ms": median_ms(lambda _n: Database(database).dispose(), args.runs),
            "backup_ms": median_ms(lambda n: db_health.make_backup(database, day + timedelta(days=n + 1)), args.runs),
        }
    for name, value in figures.items():
        print(f"{name:>15}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
