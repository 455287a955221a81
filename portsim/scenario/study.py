"""Study files: several ports' scenario files run together as one study (a national day).

A study file lists ports, each a scenario file (its path relative to the study file), an
optional variant, the classes whose members count as crossings (travellers; vehicles and the
flights or trains that bring travellers are left out) and a number of independent copies (the
second direction of a port modelled one way, or several like-sized ports). Every port is loaded
and compiled when the study loads, so a bad port file, an unknown variant or class, or a waiting
standard other than the study's is one message naming the study file, the field and its line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from portsim import limits as limits_
from portsim.document.fields import MAX_COUNT, Name, PositiveDuration
from portsim.document.parts import StrictModel
from portsim.document.problems import Loc, line_of, suggest
from portsim.document.sidefiles import SideFileError, named_file
from portsim.engine.model import Model
from portsim.errors import Problem, ScenarioError
from portsim.scenario.loader import Scenario, load_scenario, load_side_file
from portsim.wording import standard_words

KINDS = ("airport", "land", "water", "railway")


class PortEntry(StrictModel):
    """One port of a study."""

    name: Name
    """How the report names the port (unique in the study)."""
    kind: Literal["airport", "land", "water", "railway"]
    """The kind of port: airport, land (road) port, water port or railway port."""
    file: Name
    """Its scenario file, relative to the study file."""
    variant: Name | None = None
    """Run this variant of the scenario instead of its baseline."""
    travellers: Annotated[list[Name], Field(min_length=1)] | None = None
    """The classes whose members count as crossings (default: every class)."""
    copies: Annotated[int, Field(ge=1, le=100)] = 1
    """Independent copies of the scenario, copy k drawing from seed + k: the other direction
    of a port whose file models one, or several ports of the same size."""
    seed: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None
    """The first copy's seed (default: the scenario file's)."""


class StudyDocument(StrictModel):
    """A study file."""

    name: Name
    description: str | None = None
    replications: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 10
    standard: PositiveDuration = 30.0
    """The waiting-time standard of the pledge; every port's ``sla`` must equal it."""
    ports: Annotated[list[PortEntry], Field(min_length=1)]


@dataclass(frozen=True)
class Port:
    """A port of a loaded study: its entry, scenario and compiled model."""

    entry: PortEntry
    scenario: Scenario
    model: Model
    travellers: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def seeds(self) -> tuple[int, ...]:
        first = self.entry.seed if self.entry.seed is not None else self.scenario.seed
        return tuple(first + copy for copy in range(self.entry.copies))


@dataclass(frozen=True)
class Study:
    """A loaded study file."""

    document: StudyDocument
    ports: tuple[Port, ...]
    source_file: Path

    @property
    def name(self) -> str:
        return self.document.name


#: Environment variable: more folders (separated by ``os.pathsep``) port files may be read from.
PORT_FOLDERS_VARIABLE = "PORTSIM_STUDY_DIRS"


def load_study(path: str | os.PathLike[str]) -> Study:
    """Load a study file and every port it names; :class:`ScenarioError` (file, field, line)
    on any problem. A port file that does not validate is reported as that file's own error.

    A port file must lie in the study file's folder or below it (symbolic links followed), or
    below a folder of ``PORTSIM_STUDY_DIRS``, and be a regular file: a study file cannot make
    portsim read, and quote in a message, any other file of the machine."""
    document, lines, shown = load_side_file(
        path, StudyDocument, "a study file must be a mapping with name and ports")
    source = Path(path)
    problems: list[Problem] = []

    def problem(where: Loc, message: str) -> None:
        problems.append(Problem(path=where, line=line_of(where, lines), message=message))

    _check_size(document, problem)
    ports: list[Port] = []
    seen: set[str] = set()
    for index, entry in enumerate(document.ports):
        here: Loc = ("ports", index)
        if entry.name in seen:
            problem((*here, "name"), f"port {entry.name!r} is named twice; names must differ")
        seen.add(entry.name)
        port = _port(entry, here, source.parent, document, problem)
        if port is not None:
            ports.append(port)
    if problems:
        raise ScenarioError(problems, file=shown)
    return Study(document, tuple(ports), source)


def _check_size(document: StudyDocument, problem: Callable[[Loc, str], None]) -> None:
    """The study's replications and its tasks in all (ports × copies × replications) held to
    the limits, before any port file is read."""
    limits = limits_.current()
    if document.replications > limits.max_replications:
        problem(("replications",),
                f"{document.replications:,} replications is more than the limit of "
                f"{limits.max_replications:,} (set {limits_.describe('max_replications')} to "
                "allow more)")
        return
    copies = sum(entry.copies for entry in document.ports)
    total = copies * document.replications
    if total > limits.max_tasks:
        problem(("replications",),
                f"{len(document.ports):,} ports with {copies:,} copies in all × "
                f"{document.replications:,} replications make {total:,} replications, more "
                f"than the limit of {limits.max_tasks:,} for one command (set "
                f"{limits_.describe('max_tasks')} to allow more)")


def _port(entry: PortEntry, here: Loc, folder: Path, document: StudyDocument,
          problem: Callable[[Loc, str], None]) -> Port | None:
    """The port of the study's entry at ``here``, loaded and checked (None, with its problems
    said, if it is not fit); a port file that does not load is reported as that file's own
    error."""
    try:
        file = named_file(folder, entry.file, what="port file", owner="study file",
                          variable=PORT_FOLDERS_VARIABLE)
    except SideFileError as error:
        problem((*here, "file"), str(error))
        return None
    scenario = load_scenario(file)
    if entry.variant is not None and entry.variant not in scenario.variant_names:
        known = list(scenario.variant_names)
        problem((*here, "variant"), f"{entry.file} has no variant {entry.variant!r}"
                + (suggest(entry.variant, known) or f" (its variants: "
                   f"{', '.join(known) or 'none'})"))
        return None
    model = scenario.model(entry.variant)
    classes = [spec.name for spec in model.classes]
    for position, name in enumerate(entry.travellers or ()):
        if name not in classes:
            problem((*here, "travellers", position),
                    f"{entry.file} has no class {name!r}{suggest(name, classes)}")
    if model.sla != document.standard:
        problem((*here, "file"), f"{entry.file} measures waits against "
                f"{standard_words(model.sla)} (sla), the study against "
                f"{standard_words(document.standard)} (standard); make them equal")
    return Port(entry, scenario, model, tuple(entry.travellers or classes))


def describe(study: Study) -> dict[str, Any]:
    """What a study's outputs record of its inputs: files, variants, seeds, travellers."""
    return {port.name: {"kind": port.entry.kind, "file": port.entry.file,
                        "variant": port.entry.variant, "copies": port.entry.copies,
                        "seeds": list(port.seeds), "travellers": list(port.travellers)}
            for port in study.ports}


__all__ = ["KINDS", "Port", "PortEntry", "Study", "StudyDocument", "describe", "load_study"]
