"""Starts the window. A placeholder until the window issue lands: it shows the job history."""

from __future__ import annotations

import sys


def run_gui() -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from desktop_app.composition import open_services

    app = QApplication(sys.argv)
    services = open_services()
    window = QMainWindow()
    window.setWindowTitle("Ad Analysis Desktop")
    jobs = services.service.history(20)
    text = "\n".join(f"{j.status.value:<10} {j.progress:>4.0f}%  {j.source.describe()}" for j in jobs)
    window.setCentralWidget(QLabel(text or "No analyses yet. Run: ad-analysis run --sample"))
    window.resize(800, 500)
    window.show()
    try:
        return app.exec()
    finally:
        services.close()
