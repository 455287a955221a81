"""The free parameters of a scenario (its ``calibrate:`` block) and the scenario documents a
choice of their values makes.

A free parameter moves the values at its paths in the resolved documents of the baseline and of
the variants the targets name, by the operation of ``portsim sweep --set`` (set, scale, add).
A path one of those documents does not have is skipped there: a parameter fitted on the
baseline's desks may also move the officers a variant adds (that is how a fit carries into a
prediction); a path that none of them has is an error.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portsim.document.calibrate import FreeParameter
from portsim.document.problems import line_of
from portsim.document.yamlsource import parse_yaml
from portsim.errors import Problem, ScenarioError
from portsim.experiment.sweeps import (
    ABSENT,
    Setting,
    SweepError,
    apply_setting,
    get_path,
    value_at,
)
from portsim.scenario.loader import Scenario


@dataclass(frozen=True)
class Free:
    """A free parameter by name, with its range and the value the scenario is written with
    (the factor 1 for ``scale``, 0 for ``add``; for ``range``, the first path's value in the
    first document that has it)."""

    name: str
    parameter: FreeParameter
    written: float

    @property
    def low(self) -> float:
        return self.parameter.bounds[0]

    @property
    def high(self) -> float:
        return self.parameter.bounds[1]

    def setting(self, value: float) -> Setting:
        return Setting(self.parameter.path, (value,), self.parameter.operation)


def free_parameters(scenario: Scenario, documents: Mapping[str | None, dict[str, Any]]
                    ) -> list[Free]:
    """The scenario's free parameters, each path checked against ``documents`` (the resolved
    documents the targets use, by variant): a path none of them holds, or that holds no number
    (or shift schedule, for scale and add), is refused with its line in the file."""
    found: list[Free] = []
    if not scenario.base.calibrate:
        raise _error(scenario, ("calibrate",), "the scenario marks no free parameter: add a "
                     "calibrate: block naming the values to fit and their ranges "
                     "(docs/calibration.md)")
    for name, parameter in scenario.base.calibrate.items():
        written: float | None = None
        for index, path in enumerate(parameter.paths):
            values = [value_at(document, path) for document in documents.values()]
            present = [value for value in values if value is not ABSENT]
            if not present:
                shown = ", ".join("baseline" if v is None else v for v in documents)
                raise _error(scenario, ("calibrate", name, "path"),
                             f"{path}: no value there in the scenario ({shown}); "
                             f"{_why(documents, path)}")
            for value in present:
                if not _movable(value, parameter.operation):
                    raise _error(scenario, ("calibrate", name, "path"),
                                 f"{path}: holds {value!r}, not a number"
                                 + ("" if parameter.operation == "=" else
                                    " or a shift schedule"))
            if index == 0 and isinstance(present[0], int | float):
                written = float(present[0])
        start = {"*=": 1.0, "+=": 0.0}.get(parameter.operation, written)
        found.append(Free(name, parameter, start if start is not None else parameter.bounds[0]))
    return found


def _why(documents: Mapping[str | None, dict[str, Any]], path: str) -> str:
    """What is wrong on the way to ``path``, in the words of ``portsim sweep --set``."""
    try:
        get_path(next(iter(documents.values())), path)
    except SweepError as error:
        return str(error).removeprefix(f"--set {path}: ")
    return "check the path"


def _movable(value: Any, operation: str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return operation != "=" and isinstance(value, list) and bool(value) and all(
        isinstance(window, Mapping) and "servers" in window for window in value)


def _error(scenario: Scenario, path: tuple[str, ...], message: str) -> ScenarioError:
    file = scenario.source_file
    lines = _lines(file) if file is not None else {}
    return ScenarioError([Problem(path=path, line=line_of(path, lines), message=message)],
                         file=str(file) if file is not None else None)


def _lines(file: Path) -> dict[Any, int]:
    try:
        return parse_yaml(file.read_text(encoding="utf-8"), file=str(file))[1]
    except (OSError, UnicodeDecodeError, ScenarioError):
        return {}


def with_values(document: Mapping[str, Any], free: Sequence[Free],
                values: Sequence[float]) -> dict[str, Any]:
    """``document`` (resolved) with each free parameter at its value, at the paths it has."""
    changed = copy.deepcopy(dict(document))
    for parameter, value in zip(free, values, strict=True):
        operation = parameter.parameter.operation
        for path in parameter.parameter.paths:
            current = value_at(changed, path)
            if current is ABSENT:
                continue
            # A count set outright stays a whole number (scale and add round it themselves).
            given: float = (max(0, round(value)) if operation == "=" and isinstance(current, int)
                            else float(value))
            apply_setting(changed, Setting(path, (given,), operation), given)
    return changed


def values_at(document: Mapping[str, Any], free: Sequence[Free]) -> dict[str, Any]:
    """The values at every free path ``document`` holds, by path (for the calibrated
    variant)."""
    found: dict[str, Any] = {}
    for parameter in free:
        for path in parameter.parameter.paths:
            value = value_at(document, path)
            if value is not ABSENT:
                found[path] = value
    return found


__all__ = ["Free", "free_parameters", "values_at", "with_values"]
