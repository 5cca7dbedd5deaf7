"""Who owns a running job: this process's identity, and whether another owner still lives.

A process is named by host, pid and start time, because pids are reused and start times are not."""

from __future__ import annotations

import os
import socket

import psutil


def current_owner() -> str:
    """Identifies this process: host, pid and start time (pids are reused, start times are not)."""
    return f"{socket.gethostname()}|{os.getpid()}|{psutil.Process().create_time():.2f}"


def owner_alive(owner: str) -> bool | None:
    """Whether the owning process lives: exact on this host (a stopped process is alive); None for another
    host, where only the lease can tell."""
    try:
        host, pid, created = owner.rsplit("|", 2)
        if host != socket.gethostname():
            return None
        process = psutil.Process(int(pid))
        same_process = abs(process.create_time() - float(created)) < 0.05
        return same_process and bool(process.status() != psutil.STATUS_ZOMBIE)
    except (ValueError, psutil.Error):
        return False
