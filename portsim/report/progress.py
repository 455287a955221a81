"""A progress bar for replications: done / total, elapsed and time remaining.

Shown only when the console is a terminal, so logs and pipes stay clean. Replications taken
from an interrupted run (``--resume``) count as done from the start without skewing the speed
estimate, since the bar is reset to them rather than advanced.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class ReplicationProgress:
    """Use as ``with ReplicationProgress(total, console) as bar:`` and pass ``bar`` as the
    ``progress`` callback and ``bar.resumed`` as the ``resumed`` callback of a run."""

    def __init__(self, total: int, console: Console, description: str = "replications",
                 enabled: bool | None = None) -> None:
        self.total = total
        self.enabled = console.is_terminal if enabled is None else enabled
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("remaining"),
            TimeRemainingColumn(), console=console, disable=not self.enabled, transient=False)
        self._task: TaskID = self._progress.add_task(description, total=total)

    def __enter__(self) -> ReplicationProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._progress.stop()

    def __call__(self, result: Any) -> None:
        task = self._progress.tasks[0]
        if task.total is not None and task.completed >= task.total:
            # A run sized by --precision adds rounds beyond the first estimate.
            self._progress.update(self._task, total=task.completed + 1)
        self._progress.advance(self._task)

    def resumed(self, count: int) -> None:
        self._progress.reset(self._task, completed=count,
                             description=f"replications ({count} resumed)")
