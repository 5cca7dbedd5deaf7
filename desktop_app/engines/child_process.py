"""The one child process an engine owns (the Whisper transcriber, the screen reader): spawned on demand with a
pipe to talk over, killed at once from a stopping thread, reaped before a new one starts. Engines keep their
own protocol over the pipe; this holds only the process's life."""

from __future__ import annotations

import functools
import multiprocessing
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


class OwnsChild:
    """Mixed into an engine that sets `_process` and `_conn` to None in its constructor."""

    _process: multiprocessing.process.BaseProcess | None
    _conn: Connection | None

    def _start_child(self, target: Callable[..., None], args: tuple[Any, ...], name: str) -> Connection:
        """The live child's end of the pipe, starting a child (its pipe end last among `args`) if none runs."""
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._discard()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=target, args=(*args, child), name=name, daemon=True)
        process.start()
        child.close()
        self._process, self._conn = process, parent
        return parent

    def _kill(self) -> None:
        """Called from the stopping thread: interrupt the work at once."""
        process = self._process
        if process is not None and process.is_alive():
            process.kill()

    def _discard(self) -> None:
        """Kill and reap the child; the next request starts a new one."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None


def give_back_memory() -> None:
    """Called by a child after each request: glibc keeps the pages a request freed for later (about 45 MB in a
    Whisper child after a file, 50 MB in the screen reader after a video's keyframes), so children that sit
    between requests, or wait while another is busy, held far more than they use. A no-op off glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl, or no glibc of that name
        return None
