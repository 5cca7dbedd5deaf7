"""The `ad-analysis` console script: the window when called alone, else the command line.

Deliberately tiny: a spawned child (the transcriber) re-imports the entry script's module, so everything
else is imported only when the command really runs."""

from __future__ import annotations

import sys


def main() -> int:
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
