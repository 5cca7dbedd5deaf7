"""Card pictures, decoded and scaled on pool threads and kept in Qt's pixmap cache (least recently used first
out), so painting a card never decodes a JPEG on the UI thread: a card asks, gets nothing the first time,
and is repainted when `ready` says its picture has arrived."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRect, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap, QPixmapCache

from desktop_app.ui.bridge import run_in_background

CACHE_KB = 96 * 1024  # about 800 card pictures of 232 x 130 at 4 bytes a pixel (twice that on a HiDPI screen)
WORKERS = 2  # the machine's other cores are the jobs'


def decode(path: str, size: QSize) -> QImage:
    """The picture scaled to cover `size` and cropped to it (centred); a null image when it cannot be read.
    QImageReader scales JPEGs while decoding, which is several times faster than decoding then scaling."""
    reader = QImageReader(path)
    source = reader.size()
    if not source.isValid() or source.isEmpty():
        return QImage()
    scaled = source.scaled(size, Qt.AspectRatioMode.KeepAspectRatioByExpanding)
    reader.setScaledSize(scaled)
    image = reader.read()
    if image.isNull():
        return image
    left, top = (scaled.width() - size.width()) // 2, (scaled.height() - size.height()) // 2
    return image.copy(QRect(left, top, size.width(), size.height()))


class Thumbnails(QObject):
    """Asks for a picture at one size; `ready(path)` once it is in the cache, `ready` too when it failed (so
    the card paints its placeholder for good)."""

    ready = Signal(str)

    def __init__(self, size: QSize, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.size = size
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(WORKERS)
        self._pending: set[str] = set()
        self._failed: set[str] = set()
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), CACHE_KB))

    def _key(self, path: str) -> str:
        return f"thumb:{self.size.width()}x{self.size.height()}:{path}"

    def get(self, path: str) -> QPixmap | None:
        """The picture if it is cached; otherwise None, and a worker is asked for it (once)."""
        found = QPixmap()
        if QPixmapCache.find(self._key(path), found) and not found.isNull():
            return found
        if path and path not in self._pending and path not in self._failed:
            self._pending.add(path)
            size = QSize(self.size)
            run_in_background(
                lambda: decode(path, size),
                lambda image: self._loaded(path, image),
                lambda _error: self._loaded(path, QImage()),
                self,
                self.pool,
            )
        return None

    def failed(self, path: str) -> bool:
        return path in self._failed

    def _loaded(self, path: str, image: QImage) -> None:
        self._pending.discard(path)
        if image.isNull():
            self._failed.add(path)
        else:
            QPixmapCache.insert(self._key(path), QPixmap.fromImage(image))
        self.ready.emit(path)

    def forget(self) -> None:
        """Try failed pictures again (a poster that was missing may have landed since)."""
        self._failed.clear()

    def wait(self, msecs: int = 5000) -> bool:
        """For tests and the benchmark: wait until the workers are idle."""
        return self.pool.waitForDone(msecs)
