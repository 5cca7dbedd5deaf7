"""Runs the real CLI over the test workload in a child process: `python -m tests.workload_cli ARGS`."""

import os
import sys

from desktop_app.cli import main
from tests.workload import FileWorkload

if __name__ == "__main__":
    items = int(os.environ.get("WORKLOAD_ITEMS", "6"))
    delay = float(os.environ.get("WORKLOAD_DELAY", "0.02"))
    poison = frozenset(int(i) for i in os.environ.get("WORKLOAD_POISON", "").split(",") if i)
    sys.exit(main(sys.argv[1:], stages=FileWorkload(items=items, delay=delay, poison=poison)))
