"""The errors a user can cause with bad input, each one clear message and never a traceback.

Every layer raises a subclass of :class:`PortsimError` for bad input; the command line prints
``str(error)`` and exits with code 2. :class:`ScenarioError` carries one :class:`Problem` per
mistake found in a scenario file, each located by its field path and YAML line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Problems listed in ``str(ScenarioError)`` before the rest are summarised as "... and N more".
MAX_LISTED = 10

PathPart = str | int


class PortsimError(Exception):
    """Base class of the errors caused by bad user input (as opposed to bugs)."""


class ReplicationError(PortsimError):
    """A replication failed (an error in the model run, or its worker process died).

    Defined here, not with the executors, so that the command line can tell it apart (exit
    code 3) without importing the simulation.
    """


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a scenario: where (field path, YAML line) and what."""

    path: tuple[PathPart, ...]
    line: int | None
    message: str

    @property
    def dotted_path(self) -> str:
        return ".".join(str(part) for part in self.path)

    def format(self, file: str | None = None) -> str:
        """``file:line: path: message``, leaving out the parts that are unknown."""
        where = ""
        if file is not None:
            where = f"{file}:{self.line}: " if self.line is not None else f"{file}: "
        elif self.line is not None:
            where = f"line {self.line}: "
        path = f"{self.dotted_path}: " if self.path else ""
        return f"{where}{path}{self.message}"


class ScenarioError(PortsimError):
    """A scenario that cannot be read or does not validate; one line per problem."""

    file: str | None
    problems: list[Problem]

    def __init__(self, problems: Iterable[Problem], *, file: str | None = None) -> None:
        self.file = file
        # Reading order: by line, problems without a line last; stable for equal lines.
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        if not self.problems:
            raise ValueError("a ScenarioError needs at least one problem")
        super().__init__(self._render())

    @classmethod
    def single(cls, message: str, *, file: str | None = None,
               path: tuple[PathPart, ...] = (), line: int | None = None) -> ScenarioError:
        return cls([Problem(path=path, line=line, message=message)], file=file)

    def _render(self) -> str:
        lines = [problem.format(self.file) for problem in self.problems[:MAX_LISTED]]
        hidden = len(self.problems) - MAX_LISTED
        if hidden > 0:
            lines.append(f"... and {hidden} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._render()

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only __init__: tell pickle how to rebuild (errors may cross process pools).
        return (_restore, (type(self), self.problems, self.file))


def _restore(cls: type[ScenarioError], problems: list[Problem], file: str | None) -> ScenarioError:
    return cls(problems, file=file)
