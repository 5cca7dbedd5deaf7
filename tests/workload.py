"""A test workload for the engine: stages that do real file work, one file per item-stage.

Each item-stage appends a "start" line to a log before its side effect (a file written by rename),
so tests can tell exactly which item-stages ran, and how often."""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.context import AdFailed, ItemReport, ItemSkipped, JobContext, JobError, Stage
from desktop_app.core.types import Job, JobItem, Outcome

STAGE_KEYS = ("fetch", "transcribe", "analyse")


def append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class FileMade:
    """The workload's checkpoint: the file an item-stage wrote; the last stage ends the item."""

    file: str
    outcome: Outcome | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file}


class ListItems:
    key = "list"
    label = "Listing items"
    percent = 20.0

    def __init__(self, count: int) -> None:
        self.count = count

    def run(self, ctx: JobContext) -> None:
        ctx.add_items([(f"ad{i:03d}", {"index": i}) for i in range(self.count)])


@dataclass
class ItemFiles:
    """Writes `<item>.<stage>` for each item. Items whose index is in `fail` raise, in `skip` are skipped, and
    in `poison` kill the whole process at the transcribe stage (a video that crashes the app every time)."""

    key: str
    label: str
    percent: float
    delay: float
    fail: frozenset[int] = frozenset()
    skip: frozenset[int] = frozenset()
    last: bool = False
    poison: frozenset[int] = frozenset()

    def run(self, ctx: JobContext) -> None:
        ctx.each_item(lambda item, report: self.work(ctx, item, report))

    def work(self, ctx: JobContext, item: JobItem, report: ItemReport) -> FileMade:
        append_line(ctx.workdir / "starts.log", f"{item.key} {self.key} {os.getpid()}")
        if int(item.data["index"]) in self.poison and self.key == "transcribe":
            os.kill(os.getpid(), signal.SIGKILL)
        for step in range(4):
            ctx.token.sleep(self.delay / 4)
            report.progress((step + 1) / 4)
        index = int(item.data["index"])
        if index in self.fail:
            raise AdFailed(f"item {item.key} is broken") from OSError(104, "Connection reset by peer")
        if index in self.skip:
            raise ItemSkipped("no video", Outcome.NO_VIDEO)
        target = ctx.workdir / f"{item.key}.{self.key}"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(f"{item.key} {self.key}\n", encoding="utf-8")
        tmp.replace(target)
        return FileMade(target.name, Outcome.ANALYSED if self.last else None)


class FailJob:
    key = "boom"
    label = "Failing on purpose"
    percent = 80.0

    def run(self, ctx: JobContext) -> None:
        raise JobError(
            "The access token is invalid",
            settings_field="meta_token",
            detail='HTTP 400 from /ads_archive: {"error": {"code": 190, "error_subcode": 463}}',
        )


@dataclass
class FileWorkload:
    """A stages factory: list `items` items, then three item stages of `delay` seconds per item."""

    items: int = 6
    delay: float = 0.02
    fail: frozenset[int] = frozenset()
    skip: frozenset[int] = frozenset()
    fail_job: bool = False
    poison: frozenset[int] = frozenset()

    def __call__(self, job: Job) -> Sequence[Stage]:
        from desktop_app.pipeline.finalise import FinaliseStage

        stages: list[Stage] = [ListItems(self.items)]
        for n, key in enumerate(STAGE_KEYS):
            stages.append(
                ItemFiles(
                    key,
                    key.title(),
                    35.0 + 15 * n,
                    self.delay,
                    self.fail,
                    self.skip,
                    last=n == len(STAGE_KEYS) - 1,
                    poison=self.poison,
                )
            )
        if self.fail_job:
            stages.append(FailJob())
        stages.append(FinaliseStage())
        return stages


def starts(workdir: Path) -> list[tuple[str, str]]:
    log = workdir / "starts.log"
    if not log.exists():
        return []
    return [tuple(line.split()[:2]) for line in log.read_text().splitlines() if line.strip()]  # type: ignore[misc]
