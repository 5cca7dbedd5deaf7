"""A board's brief as a PDF, laid out by Qt's text engine (QTextDocument) and written by QPdfWriter: Qt is
already shipped for the window, so the PDF needs no new dependency.

The only engine that uses Qt (pyproject.toml lets it, narrowly). Qt lays out text only under a
QGuiApplication; the CLI has none, so one is made on the "offscreen" platform, which needs no display."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.core.brief import THUMB_WIDTH, Brief, BriefAd, BriefWriteError, brief_html

_APP: list[Any] = []  # the QGuiApplication made here, kept alive for the process


def _gui_application() -> None:
    """Qt's text layout needs a QGuiApplication: the window's, or one made here without a display."""
    from PySide6.QtGui import QGuiApplication

    existing = QGuiApplication.instance()
    if existing is None:
        _APP.append(QGuiApplication(["ad-analysis", "-platform", "offscreen"]))
    elif not isinstance(existing, QGuiApplication):
        raise BriefWriteError("a PDF cannot be laid out in this process (it runs Qt without its graphics part)")


def _resource_name(ad: BriefAd) -> str:
    return f"poster-{ad.result.analysis_id}"


def write_pdf(brief: Brief, path: Path) -> None:
    """Write the brief to `path` as an A4 PDF, thumbnails embedded as images."""
    _gui_application()
    from PySide6.QtCore import QMarginsF, QUrl
    from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    document = QTextDocument()
    loaded: set[str] = set()
    for ad in brief.ads:
        image = QImage(str(ad.poster)) if ad.poster is not None else QImage()
        if not image.isNull():
            scaled = image.scaledToWidth(THUMB_WIDTH * 2)  # twice the shown width: sharp in print
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(_resource_name(ad)), scaled)
            loaded.add(_resource_name(ad))
    # A poster Qt cannot read is left out rather than drawn as a broken image.
    document.setHtml(brief_html(brief, lambda ad: _resource_name(ad) if _resource_name(ad) in loaded else ""))
    document.setDocumentMargin(0)

    writer = QPdfWriter(str(path))
    writer.setTitle(f"{brief.board}: swipe-file brief")
    writer.setCreator("Ad Analysis Desktop")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    document.print_(writer)
    del writer  # the file is finished when the writer goes
    if not path.is_file() or path.stat().st_size == 0:
        raise BriefWriteError(f"the PDF could not be written to {path}")
