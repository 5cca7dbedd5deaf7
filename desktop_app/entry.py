"""The `ad-analysis` console script: the window when called alone, else the command line.

Deliberately tiny: a spawned child (the transcriber) re-imports the entry script's module, so everything
else is imported only when the command really runs."""

from __future__ import annotations

import os
import sys


def main() -> int:
    # The offline analyser's readers run numpy in this process while the transcriber children keep every core busy;
    # OpenBLAS's own threads (one per core) then fight them: bench/reader_threads.py, 2 cores, 329 ms an ad with
    # both busy on its threads against 87 ms on one, 94 against 45 with one busy, and as fast on one when the
    # machine is quiet. It reads this once, as numpy loads; a value set by the user is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if getattr(sys, "frozen", False):  # a frozen build's spawned children start through here
        import multiprocessing

        multiprocessing.freeze_support()
    from desktop_app.core.scrub import install_log_scrubbing

    install_log_scrubbing()  # before anything can log: secrets never reach a log line or a traceback
    if len(sys.argv) <= 1:
        from desktop_app.ui.app import run_gui

        return run_gui()
    from desktop_app.cli import main as run

    return run()
