"""The `ad-analysis` console script. Deliberately tiny: a spawned child (the transcriber) re-imports
the entry script's module, so everything else is imported only when the command really runs."""

from __future__ import annotations


def main() -> int:
    import multiprocessing

    multiprocessing.freeze_support()
    from desktop_app.cli import main as run

    return run()
