"""Keyframes, a poster thumbnail and pacing facts from one pass over a video's picture (PyAV and numpy only).

Decoding is the cost, so cuts are found, keyframes saved and the poster picked while the frames go by. About five
samples a second are compared as tiny colour thumbnails: a cut is a sample that differs a lot from the one before
and much more than the changes on either side of it, so steady shots, camera moves and slow fades (many moderate
changes in a row) do not count, while a hard cut or a quick dissolve counts once. JPEGs are written by FFmpeg's
own encoder, so this module needs neither Pillow nor OpenCV. av and numpy load inside the functions: this module
is imported by the app's UI process and by spawned children."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from desktop_app.core.context import AdFailed, CancelToken

SAMPLE_STEP_S = 0.2  # about five samples a second: cuts are timed to within this
THUMB_SIZE = (64, 36)  # the thumbnails compared for cuts
CUT_MIN = 0.08  # mean colour difference (0..1) below which no change is a cut
CUT_RATIO = 3.0  # how far a cut stands out from the changes on either side of it
WINDOW = 3  # samples on each side that say what "the changes around it" are
KEYFRAME_WIDTH = 640
POSTER_WIDTH = 320
DARK = 0.08  # mean brightness (0..1) under which a frame is "nearly black" and makes a poor poster
JPEG_QUALITY = 3  # FFmpeg's qscale: 2 (best) .. 31

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Keyframe:
    """One saved frame. `why` is "first", "scene" (a bit after a cut) or "last"; width and height are the JPEG's,
    so text boxes found on it can be measured against the picture."""

    time_s: float
    path: str
    why: str
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Visuals:
    """What the picture of one ad looks like and how fast it moves. An ad with no picture has no keyframes, no
    poster and no shots (average_shot_s 0)."""

    duration_s: float
    keyframes: tuple[Keyframe, ...]
    poster: str | None
    cuts: int
    cuts_per_10s: float
    average_shot_s: float
    cut_times: tuple[float, ...] = ()  # every cut found, even when keyframes were thinned out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["keyframes"] = [asdict(k) for k in self.keyframes]
        data["cut_times"] = list(self.cut_times)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Visuals:
        return cls(
            duration_s=float(data["duration_s"]),
            keyframes=tuple(Keyframe(**k) for k in data.get("keyframes", [])),
            poster=data.get("poster"),
            cuts=int(data.get("cuts", 0)),
            cuts_per_10s=float(data.get("cuts_per_10s", 0.0)),
            average_shot_s=float(data.get("average_shot_s", 0.0)),
            cut_times=tuple(float(t) for t in data.get("cut_times", [])),
        )


def look_at(video: Path, out_dir: Path, token: CancelToken, max_keyframes: int = 12) -> Visuals:
    """Decode the video's picture once and save its first frame, a frame per scene and its last frame (at most
    `max_keyframes` in all, at least the first and last; scenes are thinned to an even spread) plus poster.jpg in
    `out_dir`. Raises AdFailed when the picture cannot be read, JobStopped as soon as the job stops."""
    import av

    token.raise_if_stopped()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("scene_*.jpg"):  # left by an earlier, interrupted look at this ad
        old.unlink()
    try:
        with av.open(str(video)) as container:
            if not container.streams.video:
                duration = container.duration / 1_000_000 if container.duration else 0.0
                return Visuals(round(duration, 2), (), None, 0, 0.0, 0.0)
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            # Frames no other frame is decoded from (most B-frames) are skipped: the scan samples five a second, so
            # it loses nothing it looks at, and decoding costs about half (0.62 -> 0.34 s of CPU on the sample ads).
            stream.codec_context.skip_frame = "NONREF"
            start = float(stream.start_time * stream.time_base) if stream.start_time and stream.time_base else 0.0
            scan = _Scan(out_dir, max(2, max_keyframes), start)
            for frame in _decoded(container, stream, token):
                scan.add(frame)
            if scan.first_frame is None:
                raise AdFailed("the video's picture could not be read (no picture could be decoded)")
            return scan.finish(_duration(container, stream, scan.last_time))
    except av.error.FFmpegError as exc:
        raise AdFailed(f"the video's picture could not be read ({_plain(exc)})") from exc


def _decoded(container: Any, stream: Any, token: CancelToken) -> Any:
    """The video's frames, checking for a stop between them. Damage after some pictures were decoded ends the
    picture there (players show it that far too); damage before any raises."""
    import av

    seen = False
    try:
        for frame in container.decode(stream):
            token.raise_if_stopped()
            seen = True
            yield frame
    except av.error.FFmpegError as exc:
        if not seen:
            raise
        log.warning("the picture ends early at damaged data: %s", exc)


def _duration(container: Any, stream: Any, last_frame_s: float) -> float:
    """The picture's length: the stream's own figure, else the file's, else up to the last frame."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration / 1_000_000)
    rate = float(stream.average_rate or 0) or 25.0
    return last_frame_s + 1 / rate


def _plain(exc: Exception) -> str:
    """FFmpeg's own words for what went wrong ("invalid data found when processing input"), without the error
    number, path or class name."""
    words = str(getattr(exc, "strerror", "") or "").strip().rstrip(".")
    if not words:
        return "the file is damaged or is not a video"
    return words[0].lower() + words[1:]


def _save_jpeg(frame: Any, path: Path, max_width: int) -> tuple[int, int]:
    """Write `frame` as a JPEG at most `max_width` wide (aspect kept, even sides for 4:2:0); returns its size."""
    import av

    width = min(max_width, frame.width) // 2 * 2 or 2
    height = max(2, round(frame.height * width / frame.width / 2) * 2)
    small = frame.reformat(width=width, height=height, format="yuvj420p")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.options = {"qmin": str(JPEG_QUALITY), "qmax": str(JPEG_QUALITY)}
    packets = list(encoder.encode(small)) + list(encoder.encode(None))
    path.write_bytes(b"".join(bytes(p) for p in packets))
    return width, height


def _even_spread(count: int, keep: int) -> list[int]:
    """`keep` indices out of range(count), evenly spread and including both ends when there is room."""
    if keep >= count:
        return list(range(count))
    if keep <= 0:
        return []
    if keep == 1:
        return [count // 2]
    return sorted({round(k * (count - 1) / (keep - 1)) for k in range(keep)})


class _Scan:
    """The state of one pass: samples, their differences, recent frames and the keyframes saved so far."""

    def __init__(self, out_dir: Path, max_keyframes: int, start_s: float) -> None:
        from av.video.reformatter import VideoReformatter

        self.out_dir = out_dir
        self.max_keyframes = max_keyframes
        self.start_s = start_s
        self.next_sample = 0.0
        self.times: list[float] = []
        self.diffs: list[float] = []  # diffs[i]: how sample i differs from sample i - 1 (0 for the first)
        self.previous: Any = None  # the last sample's thumbnail
        self.recent: dict[int, Any] = {}  # sample index -> frame, for the samples not yet decided
        self.decided = 0
        self.run: tuple[float, int] | None = None  # a cut being confirmed: (its time, its latest sample)
        self.cut_times: list[float] = []
        self.scenes: list[Keyframe] = []
        self.first_frame: Any = None
        self.first: Keyframe | None = None
        self.last_frame: Any = None
        self.last_time = 0.0
        self.poster: str | None = None
        # One scaler for every thumbnail: frame.reformat sets up a new one per call, which took 4x the time of
        # the scaling itself (the same pixels either way).
        self.thumbs = VideoReformatter()

    def add(self, frame: Any) -> None:
        import numpy as np

        index = len(self.times)
        time_s = self._time(frame)
        self.last_frame, self.last_time = frame, time_s
        if self.first_frame is None:
            self.first_frame = frame
            self.first = self._keyframe(frame, time_s, "first", "first.jpg")
        if time_s + 1e-3 < self.next_sample:
            return
        while self.next_sample <= time_s + 1e-3:
            self.next_sample += SAMPLE_STEP_S
        thumb = self.thumbs.reformat(frame, width=THUMB_SIZE[0], height=THUMB_SIZE[1], format="rgb24").to_ndarray()
        thumb = thumb.astype(np.float32) / 255.0
        diff = 0.0 if self.previous is None else float(np.abs(thumb - self.previous).mean())
        self.previous = thumb
        if self.poster is None and float(thumb.mean()) > DARK:
            self.poster = self._save_poster(frame)
        self.times.append(time_s)
        self.diffs.append(diff)
        self.recent[index] = frame
        while self.decided < len(self.diffs) - WINDOW:
            self._decide(self.decided)

    def finish(self, duration_s: float) -> Visuals:
        while self.decided < len(self.diffs):
            self._decide(self.decided)
        self._close_run()
        if self.poster is None:
            self.poster = self._save_poster(self.first_frame)
        assert self.first is not None
        ends = 1 if self.last_time <= self.first.time_s else 2
        picked = _even_spread(len(self.scenes), self.max_keyframes - ends)
        for n, scene in enumerate(self.scenes):
            if n not in picked:
                Path(scene.path).unlink(missing_ok=True)
        keyframes = [self.first, *(self.scenes[n] for n in picked)]
        if ends == 2:
            keyframes.append(self._keyframe(self.last_frame, self.last_time, "last", "last.jpg"))
        duration_s = max(duration_s, self.last_time)
        cuts = len(self.cut_times)
        return Visuals(
            duration_s=round(duration_s, 2),
            keyframes=tuple(keyframes),
            poster=self.poster,
            cuts=cuts,
            cuts_per_10s=round(cuts / duration_s * 10, 2) if duration_s > 0 else 0.0,
            average_shot_s=round(duration_s / (cuts + 1), 2),
            cut_times=tuple(self.cut_times),
        )

    def _time(self, frame: Any) -> float:
        if frame.time is None:  # no timestamp: assume 25 frames a second after the last one
            return 0.0 if self.first_frame is None else self.last_time + 1 / 25
        return max(0.0, float(frame.time) - self.start_s)

    def _is_cut(self, i: int) -> bool:
        import numpy as np

        if i == 0 or self.diffs[i] < CUT_MIN:
            return False
        before = self.diffs[max(1, i - WINDOW) : i]
        after = self.diffs[i + 1 : i + 1 + WINDOW]
        base = max(float(np.median(side)) if side else 0.0 for side in (before, after))
        return self.diffs[i] >= CUT_RATIO * base

    def _decide(self, i: int) -> None:
        """Settle sample i; consecutive cut samples are one transition, shown by its last (settled) sample."""
        if self._is_cut(i):
            if self.run is not None and self.run[1] == i - 1:
                self.run = (self.run[0], i)
            else:
                self._close_run()
                self.run = (self.times[i], i)
        else:
            self._close_run()
        self.recent.pop(i - 1, None)
        self.decided = i + 1

    def _close_run(self) -> None:
        if self.run is None:
            return
        cut_s, sample = self.run
        self.run = None
        self.cut_times.append(round(cut_s, 2))
        name = f"scene_{len(self.cut_times):03d}.jpg"
        self.scenes.append(self._keyframe(self.recent[sample], self.times[sample], "scene", name))

    def _keyframe(self, frame: Any, time_s: float, why: str, name: str) -> Keyframe:
        path = self.out_dir / name
        width, height = _save_jpeg(frame, path, KEYFRAME_WIDTH)
        return Keyframe(round(time_s, 2), str(path), why, width, height)

    def _save_poster(self, frame: Any) -> str:
        path = self.out_dir / "poster.jpg"
        _save_jpeg(frame, path, POSTER_WIDTH)
        return str(path)
