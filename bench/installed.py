"""Time the app as a user runs it, whatever the checkout's environment: an app that has run once has its modules'
bytecode (Python writes it at the first import, installers compile it, the frozen build carries it), but a checkout
run with PYTHONDONTWRITEBYTECODE set compiles every module it imports again in every process: the app, each Whisper
child and the OCR child. That cost is the checkout's, not the app's; the timing benches write the bytecode first."""

from __future__ import annotations

import compileall
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "desktop_app"


def compile_like_an_install() -> None:
    """Write the bytecode of every module of the app (as installing it would); fresh modules are left as they are."""
    compileall.compile_dir(APP, quiet=1)
