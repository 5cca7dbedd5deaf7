"""Looking at the videos (keyframes, poster, pacing, on-screen text) on a thread of its own while the
transcribers listen to them: frames decode here and text is read in the OCR child, so the work runs beside
the transcription instead of after it, and runs ahead of it when transcription is fast (a server farm).
Each video content is looked at once; the result is stored by hash."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.context import CancelToken, JobStopped
from desktop_app.core.in_flight import InFlight
from desktop_app.core.visuals import VisualStore
from desktop_app.engines.visual_reader import VisualReader
from desktop_app.pipeline.checkpoints import StoredVideo

POLL_S = 0.05


@dataclass(frozen=True)
class Looking:
    reader: VisualReader
    store: VisualStore
    in_flight: InFlight = field(default_factory=InFlight)  # looks under way (the download stage starts them early)


def look_key(sha256: str) -> tuple[str, str]:
    """The InFlight key of looking at one video content."""
    return ("look", sha256)


class LookAhead:
    """Looks at `videos` in the order the stage will want them (those not looked at before), one after another
    on one thread; `wait` returns when an ad's videos are done, raising what looking at them raised."""

    def __init__(self, looking: Looking, videos: Sequence[StoredVideo], token: CancelToken) -> None:
        self._looking = looking
        self._token = token
        self._ended: dict[str, BaseException | None] = {}
        self._changed = threading.Condition()
        todo = list({v.sha256: v for v in videos}.values())
        threading.Thread(target=self._run, args=(todo,), name="look-ahead", daemon=True).start()

    def wait(self, videos: Sequence[StoredVideo], token: CancelToken) -> None:
        for video in videos:
            with self._changed:
                while video.sha256 not in self._ended:
                    token.raise_if_stopped()
                    self._changed.wait(POLL_S)
                error = self._ended[video.sha256]
            if error is not None:
                raise error

    def _run(self, videos: list[StoredVideo]) -> None:
        for video in videos:
            outcome: BaseException | None = None
            key = look_key(video.sha256)
            try:
                while not self._looking.in_flight.claim(key, self):  # an early look, or another job's, ends first
                    self._looking.in_flight.wait(key, self._token)
                if self._looking.store.get(video.sha256) is None:
                    data = self._looking.reader.look(Path(video.path), video.sha256, self._token)
                    self._looking.store.save(video.sha256, data)
            except BaseException as exc:  # handed to the stage's thread, which fails the ad or stops the job
                outcome = exc
            finally:
                self._looking.in_flight.release(key, self)
            with self._changed:
                self._ended[video.sha256] = outcome
                self._changed.notify_all()
            if isinstance(outcome, JobStopped):
                return
