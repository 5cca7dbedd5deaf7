"""Work that concurrent jobs of one app share: a video's content being transcribed by one job is never
transcribed again by another at the same time; the other waits for the first one's stored result.

The stores already keep a finished transcript once per content; this covers the window before it is stored,
when two jobs (two watchlists, a folder and a search) reach the same video together."""

from __future__ import annotations

import threading
from collections.abc import Hashable

from desktop_app.core.context import CancelToken


class InFlight:
    """Keys (a content hash and a model) claimed by the job working on them; thread-safe, one per app."""

    def __init__(self) -> None:
        self._owners: dict[Hashable, object] = {}
        self._changed = threading.Condition()

    def claim(self, key: Hashable, owner: object) -> bool:
        """Whether `owner` now works on `key` (it did already, or nobody did); False while another owner does."""
        with self._changed:
            holder = self._owners.setdefault(key, owner)
            return holder is owner

    def release(self, key: Hashable, owner: object) -> None:
        """`owner` is done with `key` (its result is stored, or it gave up): waiters wake and look for it."""
        with self._changed:
            if self._owners.get(key) is owner:
                del self._owners[key]
                self._changed.notify_all()

    def release_all(self, owner: object) -> None:
        """Everything `owner` still holds, when its job ends early (stopped, failed) or its stage is done."""
        with self._changed:
            for key in [k for k, held in self._owners.items() if held is owner]:
                del self._owners[key]
            self._changed.notify_all()

    def wait(self, key: Hashable, token: CancelToken) -> None:
        """Until nobody works on `key`; a stop of `token` ends the wait at once (JobStopped)."""
        with self._changed:
            token.wait_for(self._changed, lambda: key not in self._owners)
