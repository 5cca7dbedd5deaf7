"""Benchmark of the Results gallery and table with 10,000 analysed ads (target: under 16 ms a scroll step).

Builds 10,000 synthetic analysed ads in a real database (tests/synthetic.py), loads their summaries as the
pool thread does, gives each a poster from a set of real JPEG files, then, with the real model, filter proxy,
gallery and table (offscreen): the time to set the rows, scroll steps through the gallery (each a scroll and
a synchronous repaint, with thumbnails decoding on their worker threads meanwhile) and through the table,
a search keystroke, and a re-sort. Last line: one JSON object with the figures.

Usage: python bench/gallery.py   (offscreen unless QT_QPA_PLATFORM is set)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ADS = 10_000
POSTERS = 60
STEPS = 300
STEP_PX = 90  # about a mouse-wheel notch and a half


def ms(work: Callable[[], Any]) -> float:
    began = time.perf_counter()
    work()
    return (time.perf_counter() - began) * 1000


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "max": round(ordered[-1], 2),
    }


def posters(folder: Path) -> list[str]:
    """Real JPEG files the size of the visual stage's posters (portrait video frames)."""
    from PySide6.QtGui import QColor, QImage, QPainter

    paths = []
    for n in range(POSTERS):
        image = QImage(540, 960, QImage.Format.Format_RGB32)
        image.fill(QColor.fromHsv(n * 360 // POSTERS, 160, 200))
        painter = QPainter(image)
        painter.drawText(40, 480, f"poster {n}")
        painter.end()
        path = folder / f"poster_{n}.jpg"
        image.save(str(path), "JPEG", 85)
        paths.append(str(path))
    return paths


def scroll_steps(view: Any, app: Any, steps: int) -> list[float]:
    """Each step: move the scroll bar, process events (thumbnails arriving), repaint synchronously."""
    bar = view.verticalScrollBar()
    times = []
    for n in range(steps):
        began = time.perf_counter()
        bar.setValue(min(bar.maximum(), (n + 1) * STEP_PX))
        app.processEvents()
        view.viewport().repaint()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(REPO))
    from PySide6.QtWidgets import QApplication

    from desktop_app.composition import open_services
    from desktop_app.ui.results_gallery import ResultsGallery
    from desktop_app.ui.results_table import OVERALL, PAGE, ResultsFilter, ResultsModel, ResultsTable
    from tests.synthetic import add_analysed_ads

    app = QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="ad-analysis-gallery-bench-"))
    services = open_services(folder / "home")
    add_analysed_ads(services.db, ADS)
    began = time.perf_counter()
    rows = services.results.summaries()
    query_ms = (time.perf_counter() - began) * 1000
    files = posters(folder)
    rows = [replace(r, picture=files[n % POSTERS]) for n, r in enumerate(rows)]

    model, proxy = ResultsModel(), ResultsFilter()
    proxy.setSourceModel(model)
    table = ResultsTable(proxy)
    gallery = ResultsGallery(proxy, table.selectionModel())
    for view in (gallery, table):
        view.resize(540, 680)
        view.show()
    set_rows_ms = ms(lambda: (model.set_rows(rows), app.processEvents()))
    first_paint_ms = ms(gallery.viewport().repaint)
    gallery_steps = scroll_steps(gallery, app, STEPS)
    gallery.thumbnails.wait(10000)
    table_steps = scroll_steps(table, app, STEPS)
    search_ms = ms(lambda: proxy.update(text="brand 1"))
    shown = proxy.rowCount()
    proxy.update(text="")
    sort_ms = ms(lambda: table.sortByColumn(PAGE, table.horizontalHeader().sortIndicatorOrder()))
    table.sortByColumn(OVERALL, table.horizontalHeader().sortIndicatorOrder())

    figures = {
        "ads": ADS,
        "summaries_query_ms": round(query_ms, 1),
        "set_rows_ms": round(set_rows_ms, 1),
        "gallery_first_paint_ms": round(first_paint_ms, 2),
        "gallery_scroll_step_ms": percentiles(gallery_steps),
        "table_scroll_step_ms": percentiles(table_steps),
        "search_keystroke_ms": round(search_ms, 1),
        "search_rows_shown": shown,
        "sort_ms": round(sort_ms, 1),
    }
    print(f"Results with {ADS:,} analysed ads ({POSTERS} distinct posters), views 540 x 680 offscreen")
    print(f"  loading the summaries (pool thread): {figures['summaries_query_ms']} ms")
    print(f"  setting the rows (UI thread): {figures['set_rows_ms']} ms; first gallery paint {first_paint_ms:.1f} ms")
    for name, steps in (("gallery", figures["gallery_scroll_step_ms"]), ("table", figures["table_scroll_step_ms"])):
        print(f"  {name} scroll step + repaint ({STEPS} steps of {STEP_PX} px): {steps} ms (target < 16)")
    print(f"  a search keystroke: {search_ms:.1f} ms ({shown} shown); a re-sort: {sort_ms:.1f} ms")
    print(json.dumps(figures))
    services.close()


if __name__ == "__main__":
    main()
