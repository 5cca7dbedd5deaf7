"""One gallery card, painted: the poster (or a placeholder), the overall score, the ad's name, the opening
words of its hook, hook/CTA/offer badges, and days running, EU reach and language; what the analysis could
use (no speech, copy only) is written over the picture. Every card has the same slots at the same heights,
measured from the font, so cards in a row line up and nothing is cut at any font size or scale. Painting
reads only the row's summary and the pixmap cache, so a scroll through ten thousand cards stays within a
frame."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.core.summaries import ResultSummary
from desktop_app.core.text import readable
from desktop_app.ui.analysis_html import band
from desktop_app.ui.results_table import ad_label, facts_line, outcome
from desktop_app.ui.thumbnails import Thumbnails

Index = QModelIndex | QPersistentModelIndex

CARD_MIN_WIDTH = 228  # with the margin; narrower and the hook and CTA badges stop fitting side by side
CARD_MAX_WIDTH = 330  # a lone column of cards stops here rather than cropping the poster to a thin strip
MARGIN = 5
# Posters are decoded once at the widest card's picture size; a narrower card shows the middle of it,
# unscaled, so painting never resamples a picture.
PICTURE = QSize(CARD_MAX_WIDTH - 2 * MARGIN - 2, 124)
PAD = 8
GAP = 6  # between the hook, the badges and the facts
HOOK_WORDS = 14
HOOK_LINES = 2
PLACEHOLDER = QColor("#e4e4e4")
CHIP = QColor(127, 127, 127, 40)
CAPTION = QColor(0, 0, 0, 165)  # behind words written over a picture


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
        self.metrics = {id(f): QFontMetrics(f) for f in (self.base, self.bold, self.small)}
        self.chip = self.of(self.small).height() + 4

    def of(self, font: QFont) -> QFontMetrics:
        return self.metrics[id(font)]

    def text_height(self) -> int:
        """Every text slot a card has, filled or not: name, page, the hook's lines, badges, facts."""
        base, small = self.of(self.base).height(), self.of(self.small).height()
        return self.of(self.bold).height() + small + 2 + HOOK_LINES * base + GAP + self.chip + GAP + small


def card_height(fonts: Fonts) -> int:
    """The height of every card with its margin: the picture, then all the text slots."""
    return 2 * MARGIN + 1 + PICTURE.height() + PAD + fonts.text_height() + PAD + 1


class GalleryDelegate(QStyledItemDelegate):
    def __init__(self, thumbnails: Thumbnails, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.card = QSize(CARD_MIN_WIDTH, 280)  # the gallery's grid cell, set as it resizes
        self._fonts: Fonts | None = None
        self._hook_lines: dict[tuple[int, int, str], list[str]] = {}  # wrapping text is the costly part

    def fonts(self, font: QFont) -> Fonts:
        if self._fonts is None or self._fonts.key != font.key():
            self._fonts = Fonts(font)
            self._hook_lines.clear()
        return self._fonts

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return self.card

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
        picture = QRect(card.left() + 1, card.top() + 1, card.width() - 2, PICTURE.height())
        self._picture(painter, fonts, picture, row)
        _score(painter, fonts, picture, row.overall)
        text_box = QRect(card.left() + PAD, picture.bottom() + PAD, card.width() - 2 * PAD, 0)
        self._texts(painter, fonts, text_box, row, palette)
        painter.restore()

    def _picture(self, painter: QPainter, fonts: Fonts, box: QRect, row: ResultSummary) -> None:
        """The poster from the cache (its middle, as wide as the card), or a placeholder saying why there is
        none (yet); a video without speech says so over its picture."""
        pixmap = self.thumbnails.get(row.picture) if row.picture else None
        if pixmap is not None:
            _middle(painter, box, pixmap)
            if not row.spoken:
                _caption(painter, fonts, box, outcome(row))
            return
        painter.fillRect(box, PLACEHOLDER)
        if row.copy_only:
            words = outcome(row)
        elif not row.picture or self.thumbnails.failed(row.picture):
            words = "no picture"
        else:
            words = ""  # on its way: a plain tile, not a flash of text
        painter.setPen(QColor("#6b6b6b"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)

    def _texts(self, painter: QPainter, fonts: Fonts, box: QRect, row: ResultSummary, palette: QPalette) -> None:
        """Name, page, hook words, badges, then the facts, each in its slot whether or not the one above it
        was filled, so a row of cards lines up."""
        text_colour = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        left, width = box.left(), box.width()
        top = _line(painter, fonts, fonts.bold, text_colour, QRect(left, box.top(), width, 0), ad_label(row))
        top = _line(painter, fonts, fonts.small, muted, QRect(left, top, width, 0), row.page_name) + 2
        hook_top = top
        for line in self._hook(fonts, row, width):
            hook_top = _line(painter, fonts, fonts.base, muted, QRect(left, hook_top, width, 0), line)
        top += HOOK_LINES * fonts.of(fonts.base).height() + GAP
        top = _chips(painter, fonts, QRect(left, top, width, 0), row, text_colour) + GAP
        _line(painter, fonts, fonts.small, muted, QRect(left, top, width, 0), facts_line(row))

    def _hook(self, fonts: Fonts, row: ResultSummary, width: int) -> list[str]:
        """The hook's opening words wrapped to the card, remembered per ad and width."""
        if not row.hook_text:
            return []
        key = (row.analysis_id, width, row.hook_text)
        lines = self._hook_lines.get(key)
        if lines is None:
            if len(self._hook_lines) > 5000:
                self._hook_lines.clear()
            text = f"“{hook_words(row.hook_text)}”"
            lines = self._hook_lines[key] = wrap(fonts.of(fonts.base), text, width, HOOK_LINES)
        return lines


def _middle(painter: QPainter, box: QRect, pixmap: QPixmap) -> None:
    """The middle of the picture, as wide as the box, drawn unscaled (scaled only if it is the smaller)."""
    if pixmap.width() < box.width() or pixmap.height() < box.height():
        painter.drawPixmap(box, pixmap)
        return
    source = QRect((pixmap.width() - box.width()) // 2, 0, box.width(), box.height())
    painter.drawPixmap(box, pixmap, source)


def _caption(painter: QPainter, fonts: Fonts, picture: QRect, text: str) -> None:
    """Words over the bottom left of a picture, on a dark backing so any poster keeps them readable."""
    metrics = fonts.of(fonts.small)
    width = min(picture.width() - 12, metrics.horizontalAdvance(text) + 12)
    box = QRect(picture.left() + 6, picture.bottom() - metrics.height() - 9, width, metrics.height() + 4)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(CAPTION)
    painter.drawRoundedRect(box, 4, 4)
    painter.setFont(fonts.small)
    painter.setPen(QColor("white"))
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width() - 12)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, shown)


def _score(painter: QPainter, fonts: Fonts, picture: QRect, score: int) -> None:
    """The overall score on the picture: its band's colour, ringed in white over a soft shadow, so it stands
    out on a poster of the same colour."""
    metrics = fonts.of(fonts.bold)
    width, height = metrics.horizontalAdvance("5/5") + 18, metrics.height() + 6
    badge = QRect(picture.right() - width - 6, picture.top() + 6, width, height)
    radius = height / 2
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 70))
    painter.drawRoundedRect(badge.adjusted(-1, 0, 1, 2), radius, radius)
    painter.setPen(QPen(QColor("white"), 2))
    painter.setBrush(QColor(band(score)))
    painter.drawRoundedRect(badge, radius, radius)
    painter.setFont(fonts.bold)
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, f"{score}/5")


def _chips(painter: QPainter, fonts: Fonts, box: QRect, row: ResultSummary, colour: QColor) -> int:
    """Hook, CTA and offer labels as badges, left to right while they fit; returns the next line's top."""
    labels = [f"hook: {readable(row.hook_type)}", f"CTA: {readable(row.cta_type)}"]
    labels += [readable(t) for t in row.offer_types] or ["no offer"]
    metrics = fonts.of(fonts.small)
    height = fonts.chip
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
    """One line, elided to the width; returns the next line's top (the slot is kept when there is no text)."""
    metrics = fonts.of(font)
    if text:
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
