"""One gallery card, painted: the poster (or a placeholder), the overall score, the ad's name, the opening
words of its hook, hook/CTA/offer badges, and days running, EU reach, language and what the analysis could
use. Painting reads only the row's summary and the pixmap cache, so a scroll through ten thousand cards
stays within a frame."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.core.summaries import ResultSummary
from desktop_app.core.text import readable
from desktop_app.ui.analysis_html import band
from desktop_app.ui.results_table import ad_label, facts_line, outcome
from desktop_app.ui.thumbnails import Thumbnails

Index = QModelIndex | QPersistentModelIndex

CARD = QSize(244, 272)  # with the margin around the card
MARGIN = 5
PICTURE = QSize(CARD.width() - 2 * MARGIN - 2, 130)
PAD = 8
HOOK_WORDS = 14
PLACEHOLDER = QColor("#e4e4e4")
CHIP = QColor(127, 127, 127, 40)


def hook_words(text: str, words: int = HOOK_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("..." if len(parts) > words else "")


class Fonts:
    """The card's fonts and their metrics, made once per base font rather than once per card painted."""

    def __init__(self, font: QFont) -> None:
        self.key = font.key()
        self.base = QFont(font)
        self.base.setBold(False)
        self.bold = QFont(self.base)
        self.bold.setBold(True)
        self.small = QFont(self.base)
        self.small.setPointSizeF(max(6.0, self.base.pointSizeF() - 1))
        self.italic = QFont(self.small)
        self.italic.setItalic(True)
        self.metrics = {id(f): QFontMetrics(f) for f in (self.base, self.bold, self.small, self.italic)}

    def of(self, font: QFont) -> QFontMetrics:
        return self.metrics[id(font)]


class GalleryDelegate(QStyledItemDelegate):
    def __init__(self, thumbnails: Thumbnails, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self._fonts: Fonts | None = None
        self._hook_lines: dict[tuple[int, int, str], list[str]] = {}  # wrapping text is the costly part

    def fonts(self, font: QFont) -> Fonts:
        if self._fonts is None or self._fonts.key != font.key():
            self._fonts = Fonts(font)
            self._hook_lines.clear()
        return self._fonts

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return CARD

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(row, ResultSummary):
            return
        palette = option.palette
        card = option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        fonts = self.fonts(option.font)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = palette.color(QPalette.ColorRole.Highlight) if selected else palette.color(QPalette.ColorRole.Mid)
        painter.setPen(border)
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(card, 6, 6)
        if selected:
            tint = QColor(border)
            tint.setAlpha(40)
            painter.setBrush(tint)
            painter.drawRoundedRect(card.adjusted(1, 1, -1, -1), 5, 5)
        picture = QRect(card.left() + 1, card.top() + 1, PICTURE.width(), PICTURE.height())
        self._picture(painter, picture, row)
        _score(painter, fonts, picture, row.overall)
        text_box = QRect(card.left() + PAD, picture.bottom() + PAD, card.width() - 2 * PAD, 0)
        self._texts(painter, fonts, text_box, row, palette)
        painter.restore()

    def _picture(self, painter: QPainter, box: QRect, row: ResultSummary) -> None:
        """The poster from the cache, or a placeholder saying why there is none (yet)."""
        pixmap = self.thumbnails.get(row.picture) if row.picture else None
        if pixmap is not None:
            painter.drawPixmap(box, pixmap)
            return
        painter.fillRect(box, PLACEHOLDER)
        if row.copy_only:
            words = "no video"
        elif not row.picture or self.thumbnails.failed(row.picture):
            words = "no picture"
        else:
            words = ""  # on its way: a plain tile, not a flash of text
        painter.setPen(QColor("#6b6b6b"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)

    def _texts(self, painter: QPainter, fonts: Fonts, box: QRect, row: ResultSummary, palette: QPalette) -> None:
        """Name, page, hook words, badges, then the facts and the outcome, top to bottom."""
        text_colour = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        left, width = box.left(), box.width()
        top = _line(painter, fonts, fonts.bold, text_colour, QRect(left, box.top(), width, 0), ad_label(row))
        if row.page_name:
            top = _line(painter, fonts, fonts.small, muted, QRect(left, top, width, 0), row.page_name)
        if row.hook_text:
            key = (row.analysis_id, width, row.hook_text)
            lines = self._hook_lines.get(key)
            if lines is None:
                if len(self._hook_lines) > 5000:
                    self._hook_lines.clear()
                lines = self._hook_lines[key] = wrap(fonts.of(fonts.base), f"“{hook_words(row.hook_text)}”", width, 2)
            top += 2
            for line in lines:
                top = _line(painter, fonts, fonts.base, muted, QRect(left, top, width, 0), line)
        top = _chips(painter, fonts, QRect(left, top + 6, width, 0), row, text_colour)
        facts = facts_line(row)
        if facts:
            top = _line(painter, fonts, fonts.small, muted, QRect(left, top + 6, width, 0), facts)
        said = outcome(row)
        if said:
            _line(painter, fonts, fonts.italic, muted, QRect(left, top + 2, width, 0), said)


def _score(painter: QPainter, fonts: Fonts, picture: QRect, score: int) -> None:
    badge = QRect(picture.right() - 50, picture.top() + 6, 44, 22)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(band(score)))
    painter.drawRoundedRect(badge, 11, 11)
    painter.setFont(fonts.bold)
    painter.setPen(QColor("white"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, f"{score}/5")


def _chips(painter: QPainter, fonts: Fonts, box: QRect, row: ResultSummary, colour: QColor) -> int:
    """Hook, CTA and offer labels as badges, left to right while they fit; returns the next line's top."""
    labels = [f"hook: {readable(row.hook_type)}", f"CTA: {readable(row.cta_type)}"]
    labels += [readable(t) for t in row.offer_types] or ["no offer"]
    metrics = fonts.of(fonts.small)
    height = metrics.height() + 4
    painter.setFont(fonts.small)
    left = box.left()
    for label in labels:
        width = metrics.horizontalAdvance(label) + 12
        if left + width > box.right():
            if left != box.left():
                break
            label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, box.width() - 12)  # the first shows
            width = box.width()
        chip = QRect(left, box.top(), width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(CHIP)
        painter.drawRoundedRect(chip, height / 2, height / 2)
        painter.setPen(colour)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        left += width + 4
    return box.top() + height


def _line(painter: QPainter, fonts: Fonts, font: QFont, colour: QColor, box: QRect, text: str) -> int:
    """One line, elided to the width; returns the next line's top."""
    metrics = fonts.of(font)
    painter.setFont(font)
    painter.setPen(colour)
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width())
    painter.drawText(QRect(box.left(), box.top(), box.width(), metrics.height()), Qt.AlignmentFlag.AlignLeft, shown)
    return box.top() + metrics.height()


def wrap(metrics: QFontMetrics, text: str, width: int, lines: int) -> list[str]:
    """Up to `lines` lines of words that fit the width, the last one holding the rest (elided when drawn)."""
    words, out = text.split(), list[str]()
    while words and len(out) < lines:
        taken = 1
        while taken < len(words) and metrics.horizontalAdvance(" ".join(words[: taken + 1])) <= width:
            taken += 1
        if len(out) == lines - 1:
            taken = len(words)
        out.append(" ".join(words[:taken]))
        words = words[taken:]
    return out
