"""Filter combo boxes, shared by Results and the Dashboard: an "Any ..." entry first, then the choices
the data offers, refilled as the data changes."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox


def filter_combo(any_label: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(any_label.removeprefix("Any ").title())
    combo.addItem(any_label, "")
    return combo


def set_choices(combo: QComboBox, choices: Iterable[tuple[str, str]]) -> None:
    """Replace the (value, label) choices after "Any ...", keeping the selection while it is still
    offered; no change signal fires, since what is shown stays the same."""
    current = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for value, label in choices:
        combo.addItem(label, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)
