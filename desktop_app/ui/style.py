"""Colours, icons and the small style sheet. Colours follow the spec; everything else follows the
system palette (light or dark)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from desktop_app.composition import resources_dir
from desktop_app.core.types import Job, JobStatus

GREEN, RED, BLUE, YELLOW, GRAY = "#2e7d32", "#c62828", "#1565c0", "#f9a825", "#757575"
AMBER = "#ef6c00"  # completed, but some ads failed

STYLE_SHEET = """
QFrame#JobProgress { border: 1px solid palette(mid); border-radius: 8px; padding: 6px; }
QLabel#Muted { color: palette(placeholder-text); }
QLabel#Details { padding: 4px 0; }
QLabel#Banner { background: palette(highlight); color: palette(highlighted-text); padding: 8px;
                border-radius: 6px; }
QLabel#FailureBanner { background: #c62828; color: white; padding: 8px; border-radius: 6px; }
QLabel#EmptyState { color: palette(placeholder-text); font-size: 14px; padding: 24px; }
QLabel#CardTitle { font-weight: bold; font-size: 13px; }
QFrame#ChartCard { border: 1px solid palette(mid); border-radius: 8px; }
QListWidget#Navigation { border: none; font-size: 14px; outline: 0; }
QListWidget#Navigation::item { padding: 10px 12px; }
QProgressBar { border: 1px solid palette(mid); border-radius: 4px; text-align: center; min-height: 18px; }
"""


def status_color(job: Job) -> str:
    """Green completed (amber when some ads failed), red failed, blue running at 50 % or more, yellow below,
    gray cancelled."""
    if job.status == JobStatus.COMPLETED:
        return AMBER if job.failed_ads else GREEN
    if job.status == JobStatus.FAILED:
        return RED
    if job.status == JobStatus.CANCELLED:
        return GRAY
    if job.status == JobStatus.RUNNING:
        return BLUE if job.progress >= 50 else YELLOW
    return YELLOW


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resources_dir() / "icons" / f"{name}.svg"))


def status_icon(job: Job) -> QIcon:
    return icon("warning" if job.failed_ads else job.status.value)


def app_icon() -> QIcon:
    return icon("app")
