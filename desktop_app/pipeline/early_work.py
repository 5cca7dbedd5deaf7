"""Transcribing and looking at each video as soon as it is downloaded, while the download stage fetches the next
ones: ad 2 downloads while ad 1 is transcribed and looked at, so a job's network waits and its CPU work overlap
instead of taking turns.

Transcripts and looks land in the stores by content hash, as the transcribe stage's own do. Each video under way
here is claimed in the app's InFlight, so the transcribe stage (of this job or another) waits for it instead of
doing it again. Work that fails here is simply left to the transcribe stage, which reports it."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from desktop_app.core.context import CancelToken, JobContext, JobStopped
from desktop_app.core.in_flight import InFlight
from desktop_app.core.stages import StageKey
from desktop_app.core.untranscribed import to_hear
from desktop_app.core.whisper_catalogue import is_downloaded
from desktop_app.engines.transcriber_pool import TranscriberPool
from desktop_app.pipeline.checkpoints import StoredVideo
from desktop_app.pipeline.env import PipelineEnv
from desktop_app.pipeline.looking import Looking, look_key

log = logging.getLogger(__name__)


class EarlyWork:
    """Hands downloaded videos to the app's transcriber pool (one thread per child) and to the visual look (one
    thread, as the look-ahead has), in the background."""

    def __init__(
        self,
        env: PipelineEnv,
        pool: TranscriberPool,
        looking: Looking | None,
        token: CancelToken,
        progress: Callable[[int], None] = lambda done: None,
    ) -> None:
        self.env = env
        self.pool = pool
        self.looking = looking
        self.token = token
        self.progress = progress  # ads whose videos are all transcribed, as that number grows
        self._ads = itertools.count()
        self._left: dict[int, int] = {}  # per ad added: its transcriptions still to end
        self._done = 0
        self._failed: set[int] = set()  # ads with a transcription that did not end in a transcript
        self._lock = threading.Lock()
        self._hearing = ThreadPoolExecutor(max_workers=pool.size, thread_name_prefix="early-transcript")
        self._seeing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-look")

    @property
    def in_flight(self) -> InFlight:
        return self.env.in_flight

    def add(self, videos: tuple[StoredVideo, ...]) -> None:
        """Start on the videos of an ad just downloaded: what is not stored yet and no one does now."""
        model, ad = self.pool.model_name, next(self._ads)
        hearing: list[tuple[tuple[str, str], Callable[[], None]]] = []
        for video in videos:
            key = (video.sha256, model)
            if self._to_hear(video) and self.in_flight.claim(key, self):
                hearing.append((key, partial(self._hear, video)))
            seen = self.looking is not None and self.looking.store.get(video.sha256) is not None
            if self.looking is not None and not seen and self.in_flight.claim(look_key(video.sha256), self):
                self._seeing.submit(self._claimed, look_key(video.sha256), partial(self._look, video), None)
        with self._lock:
            self._left[ad] = len(hearing) + 1  # + 1: this call's own, ended below once all are submitted
        for key, work in hearing:
            self._hearing.submit(self._claimed, key, work, ad)
        self._ended(ad)

    def close(self) -> None:
        """No more videos come (the download stage is done): what is under way runs on into the next stage."""
        self._hearing.shutdown(wait=False)
        self._seeing.shutdown(wait=False)

    def abandon(self) -> None:
        """The download stage failed: what has not started is dropped and its claims let go (what is running ends
        on its own: its file is in a child already, and the job's cancel still reaches it)."""
        self._hearing.shutdown(wait=False, cancel_futures=True)
        self._seeing.shutdown(wait=False, cancel_futures=True)
        self.in_flight.release_all(self)

    def _to_hear(self, video: StoredVideo) -> bool:
        """Nothing stored for the video, or a transcript an earlier language check cut short (untranscribed.to_hear)."""
        return to_hear(self.env.results.transcript(video.sha256, self.pool.model_name), self.pool.english_only)

    def _hear(self, video: StoredVideo) -> None:
        if not self._to_hear(video):
            return  # stored by another job between the look and the claim
        transcript = self.pool.transcribe(Path(video.path), self.token)
        self.env.results.save_transcript(video.sha256, self.pool.model_name, transcript)

    def _look(self, video: StoredVideo) -> None:
        assert self.looking is not None
        if self.looking.store.get(video.sha256) is not None:
            return
        data = self.looking.reader.look(Path(video.path), video.sha256, self.token)
        self.looking.store.save(video.sha256, data)

    def _claimed(self, key: tuple[str, str], work: Callable[[], None], ad: int | None) -> None:
        done = False
        try:
            if not self.token.stopped:
                work()
                done = True
        except JobStopped:
            pass
        except Exception:  # the transcribe stage does it again and reports it as it does any video
            log.info("early work on %s failed; the transcribe stage tries again", key, exc_info=True)
        finally:
            self.in_flight.release(key, self)
            if ad is not None:  # a transcription (looks are not counted: the stage is called Transcribing)
                self._ended(ad, done)

    def _ended(self, ad: int, done: bool = True) -> None:
        """One of an ad's transcriptions ended; once all have, and none failed, the ad counts as transcribed ahead
        of its stage (an ad whose transcription failed is the transcribe stage's to count, or to report)."""
        with self._lock:
            self._left[ad] -= 1
            if not done:
                self._failed.add(ad)
            if self._left[ad]:
                return
            del self._left[ad]
            if ad in self._failed:
                return
            self._done += 1
            count = self._done
        self.progress(count)


def early_work(env: PipelineEnv, looking: Looking | None, ctx: JobContext) -> EarlyWork | None:
    """Early work for a job, when it will use the app's local pool with a model already on this machine (a
    transcription server, a model of the job's own or one still to download are left to the transcribe stage)."""
    pool = env.transcriber
    if not isinstance(pool, TranscriberPool):
        return None
    wanted = ctx.source.params.get("whisper_model")
    if wanted not in (None, "", pool.model_name) or not is_downloaded(pool.model_name, env.models):
        return None
    # the ads this run downloads (a resumed job's downloaded ones are not handed to early work again)
    total = sum(1 for item in ctx.items() if item.awaits(StageKey.DOWNLOAD))
    return EarlyWork(env, pool, looking, ctx.token, lambda done: ctx.count(StageKey.TRANSCRIBE, done, total))
