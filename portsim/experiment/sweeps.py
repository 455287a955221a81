"""Parameter sweeps: run a scenario over a grid of values set at dotted paths.

A setting such as ``stations.counters.servers=10:30:2`` names a value in the *resolved* scenario
(durations in minutes, rates per minute) and the values to try: ``start:stop:step`` (stop
included), a comma list, or one value. Values that are not numbers (``5min``, ``fifo``) are passed
as written and validated by the scenario schema. Every grid point is a full scenario, validated
like a file, and all points share the seed (common random numbers), so neighbouring points
differ by the parameter and not by luck.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Unpack

from portsim.engine.collect import kpi_names
from portsim.errors import PortsimError, ScenarioError
from portsim.experiment import frames
from portsim.experiment.options import RunOptions, RunSettings, run_options
from portsim.experiment.results import SCOPES, Results
from portsim.experiment.runner import Prepared, prepare, run_prepared
from portsim.scenario.positions import NEEDS_A_POSITION
from portsim.units import parse_duration

if TYPE_CHECKING:
    from portsim.experiment.forecast import Forecast

FORMAT = "portsim-sweep/1"
MAX_POINTS = 10_000


class SweepError(PortsimError):
    """A ``--set`` or ``--kpi`` that cannot be used."""


@dataclass(frozen=True)
class Setting:
    """Dotted paths in the resolved scenario and the values to give them, one grid axis.

    ``path`` may name several paths separated by commas: they move together (both desk halls
    on one axis). ``op`` is ``=`` (replace), ``*=`` (scale) or ``+=`` (add); scaling and adding
    keep a shift schedule's shape by acting on every window's servers.
    """

    path: str
    values: tuple[Any, ...]
    op: str = "="

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.path.split(","))

    @property
    def key(self) -> str:
        """The axis's name in results, tables and plots."""
        return self.path if self.op == "=" else f"{self.path} {self.op}"


@dataclass(frozen=True)
class KPI:
    """A KPI addressed as ``scope.name.kpi`` (e.g. ``classes.car.wait_p95``)."""

    scope: str
    name: str
    kpi: str

    def __str__(self) -> str:
        return f"{self.scope}.{self.name}.{self.kpi}"


def _number(text: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def parse_values(text: str) -> tuple[Any, ...]:
    """``10:30:2`` → (10, 12, ..., 30); ``a,b`` → ("a", "b"); ``5`` → (5,)."""
    text = text.strip()
    if not text:
        raise SweepError("no value given")
    if ":" in text and text.count(":") == 2:
        parts = [_number(part) for part in text.split(":")]
        if all(isinstance(part, int | float) for part in parts):
            return _range(*parts)  # type: ignore[arg-type]
    return tuple(_number(part.strip()) for part in text.split(","))


def _range(start: float, stop: float, step: float) -> tuple[Any, ...]:
    if step <= 0 or stop < start:
        raise SweepError(f"a range start:stop:step needs step > 0 and stop >= start "
                         f"(got {start}:{stop}:{step})")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_POINTS:
        raise SweepError(f"{start}:{stop}:{step} has {count} values (at most {MAX_POINTS})")
    if all(isinstance(x, int) for x in (start, stop, step)):
        return tuple(int(start + i * step) for i in range(count))
    # Round away binary noise (0.1 + 0.2), so values print and compare as written.
    return tuple(float(f"{start + i * step:.12g}") for i in range(count))


def parse_setting(text: str) -> Setting:
    """``path=values``, ``path*=factors`` or ``path+=increments`` as written after ``--set``;
    ``path`` may be several comma-separated paths set together."""
    path, equals, values = text.partition("=")
    op = "="
    if path.endswith(("*", "+")):
        op, path = path[-1] + "=", path[:-1]
    path = path.strip()
    paths = [part.strip() for part in path.split(",")]
    if not equals or not path or not all(paths):
        raise SweepError(f"--set {text!r}: expected PATH=VALUES, PATH*=FACTORS or "
                         "PATH+=INCREMENTS, e.g. stations.counters.servers=10:30:2")
    try:
        parsed = parse_values(values)
    except SweepError as error:
        raise SweepError(f"--set {text!r}: {error}") from None
    if op != "=" and not all(isinstance(value, int | float) for value in parsed):
        raise SweepError(f"--set {text!r}: {op} takes numbers")
    return Setting(",".join(paths), parsed, op)


def parse_target(text: str) -> float:
    """A target in a KPI's stored unit: ``95%`` → 0.95; ``20min``, ``1h`` → minutes; a plain
    number as it is (a fraction for shares, minutes for times)."""
    return parse_amount(text, "--target")


def parse_amount(text: str, option: str) -> float:
    """A share (``95%`` → 0.95), a duration (``30min``, in minutes) or a plain number;
    ``option`` names where it was given."""
    written = text.strip()
    try:
        if written.endswith("%"):
            value = float(written[:-1]) / 100.0
        elif written and written[-1].isalpha():
            value = parse_duration(written)
        else:
            value = float(written)
    except ValueError:
        raise SweepError(f"{option}: expected a share (95%), a time (30min) or a number, "
                         f"not {written!r}") from None
    if not math.isfinite(value):
        raise SweepError(f"{option}: must be a finite number, not {written!r}")
    return value


def parse_kpi(text: str) -> KPI:
    parts = text.split(".")
    if len(parts) != 3 or parts[0] not in SCOPES:
        raise SweepError(f"--kpi {text!r}: expected SCOPE.NAME.KPI with SCOPE one of "
                         f"{', '.join(SCOPES)} (e.g. classes.car.wait_p95, system.all.wait_mean)")
    return KPI(*parts)


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at the dotted ``path`` of ``document`` in place (list items by index)."""
    keys = path.split(".")
    here: Any = document
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[:depth]) or "the scenario"
        if isinstance(here, list):
            if not key.isdigit() or int(key) >= len(here):
                raise SweepError(f"--set {path}: {where} is a list of {len(here)}; "
                                 f"{key!r} is not an index in it")
            if last:
                here[int(key)] = value
            here = here[int(key)]
        elif isinstance(here, dict):
            if key not in here and not (last and here):
                close = difflib.get_close_matches(key, list(here), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise SweepError(f"--set {path}: {where} has no {key!r}{hint} "
                                 f"(it has: {', '.join(map(str, here))})")
            if last:
                here[key] = value
            else:
                here = here[key]
        else:
            raise SweepError(f"--set {path}: {where} is a value, not a mapping or list")


#: What :func:`value_at` returns where ``document`` holds nothing at the path.
ABSENT: Any = object()


def value_at(document: Mapping[str, Any], path: str) -> Any:
    """The value at the dotted ``path`` of ``document`` (list items by index), or
    :data:`ABSENT` where it holds none."""
    here: Any = document
    for key in path.split("."):
        if isinstance(here, list) and key.isdigit() and int(key) < len(here):
            here = here[int(key)]
        elif isinstance(here, Mapping) and key in here:
            here = here[key]
        else:
            return ABSENT
    return here


def get_path(document: Mapping[str, Any], path: str) -> Any:
    """The value at the dotted ``path`` of ``document`` (list items by index)."""
    here = value_at(document, path)
    if here is ABSENT:
        # set_path words what is wrong on the way (with a suggestion); a missing leaf,
        # which set_path would add, has nothing to scale.
        set_path(copy.deepcopy(dict(document)), path, None)
        raise SweepError(f"--set {path}: the scenario has no value there to scale or "
                         "add to")
    return here


def _is_schedule(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(window, Mapping) and "servers" in window for window in value))


def _operate(value: Any, op: str, operand: float, path: str) -> Any:
    if _is_schedule(value):
        return [{**window, "servers": _operate(window["servers"], op, operand, path)}
                for window in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SweepError(f"--set {path}{op}: {op} needs a number or a shift schedule there, "
                         f"not {value!r}")
    result = value * operand if op == "*=" else value + operand
    if isinstance(value, int):
        # Servers and counts stay whole: the nearest whole number, halves up, never below 0.
        return max(0, math.floor(result + 0.5))
    return float(result)


def apply_setting(document: dict[str, Any], setting: Setting, value: Any) -> None:
    """Give ``document`` the ``value`` of ``setting`` at each of its paths, in place."""
    for path in setting.paths:
        if setting.op == "=":
            set_path(document, path, value)
        else:
            set_path(document, path, _operate(get_path(document, path), setting.op, value, path))


def flattening_warnings(document: Mapping[str, Any], settings: Sequence[Setting]) -> list[str]:
    """A warning for each ``=`` setting that would replace a shift schedule by one number."""
    warnings = []
    for setting in settings:
        if setting.op != "=":
            continue
        for path in setting.paths:
            try:
                current = get_path(document, path)
            except SweepError:
                continue
            if _is_schedule(current):
                shape = "/".join(str(window["servers"]) for window in current)
                warnings.append(
                    f"--set {path}={setting.values[0]}: replaces a shift schedule of {shape} "
                    f"servers by a flat count; use {path}*=FACTOR or {path}+=N to keep its "
                    "shape")
    return warnings


def grid(settings: Sequence[Setting]) -> list[dict[str, Any]]:
    """Every combination of the settings' values (keyed by :attr:`Setting.key`), the first
    setting varying slowest."""
    every = [path for setting in settings for path in setting.paths]
    if len(set(every)) != len(every):
        raise SweepError(f"a path is set twice: {', '.join(every)}")
    paths = [setting.key for setting in settings]
    for setting in settings:
        written = [json.dumps(value) for value in setting.values]
        if len(set(written)) != len(written):
            raise SweepError(f"--set {setting.path}: a value is given twice "
                             f"({', '.join(map(str, setting.values))})")
    size = math.prod(len(setting.values) for setting in settings)
    if size > MAX_POINTS:  # counted before a single point is built
        raise SweepError(f"the grid has {size:,} points (at most {MAX_POINTS:,}): "
                         f"{' × '.join(str(len(s.values)) for s in settings)} values")
    return [dict(zip(paths, values, strict=True))
            for values in itertools.product(*(s.values for s in settings))]


def point_label(assignment: Mapping[str, Any]) -> str:
    return ", ".join(f"{path}={value}" for path, value in assignment.items())


def check_kpi(kpi: KPI, known: Mapping[str, Mapping[str, Sequence[str]]],
              option: str = "--kpi") -> None:
    """Refuse a KPI that no run of a model with the ``known`` KPIs (by scope and name) reports,
    naming the ``option`` it was given with and suggesting the closest."""
    if kpi.scope not in known:
        raise SweepError(f"{option} {kpi}: no scope {kpi.scope!r} (scopes: "
                         f"{', '.join(known)})")
    names = known[kpi.scope]
    if kpi.name not in names:
        close = difflib.get_close_matches(kpi.name, list(names), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SweepError(f"{option} {kpi}: no {kpi.scope} named {kpi.name!r}{hint} "
                         f"({', '.join(names)})")
    if kpi.kpi not in names[kpi.name]:
        close = difflib.get_close_matches(kpi.kpi, list(names[kpi.name]), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SweepError(f"{option} {kpi}: no KPI {kpi.kpi!r}{hint} "
                         f"(KPIs: {', '.join(names[kpi.name])})")


def _point(base: dict[str, Any], settings: Sequence[Setting], assignment: dict[str, Any],
           folder: Any) -> Any:
    """The scenario at one grid point, or None where its servers on duty would exceed a
    station's positions; any other problem is the sweep's error."""
    from portsim.scenario import load_scenario

    document = copy.deepcopy(base)
    for setting in settings:
        apply_setting(document, setting, assignment[setting.key])
    try:
        return load_scenario(document, base_dir=folder)
    except ScenarioError as error:
        if all(NEEDS_A_POSITION in problem.message for problem in error.problems):
            return None
        raise SweepError(f"at {point_label(assignment)}: {error}") from None


def _beyond_positions(points: list[dict[str, Any]], some_run: bool) -> str:
    """The warning (or, when no point is left, the error) of grid points whose servers on
    duty would exceed a station's positions: they are not run."""
    listed = "; ".join(point_label(point) for point in points[:5])
    listed += f" and {len(points) - 5} more" if len(points) > 5 else ""
    if not some_run:
        raise SweepError(f"every point of the grid puts more servers on duty than a station "
                         f"has positions ({listed}): nothing to run; set the station's "
                         "positions too (a capital change)")
    return (f"not run, beyond a station's positions (the sweep stops at them): {listed}; to "
            "go further, set the station's positions too (a capital change)")


@dataclass
class SweepPoint:
    """One grid point: the values set and the results there."""

    assignment: dict[str, Any]
    results: Results

    @property
    def overloaded(self) -> bool:
        """Whether some station is offered more work than it can do (queues grow without
        bound, so waits depend on the horizon and the point's KPIs describe no steady state)."""
        return self.results.overloaded


@dataclass
class Sweep:
    """Results over a parameter grid."""

    name: str
    variant: str | None
    settings: list[Setting]
    points: list[SweepPoint]
    kpis: list[KPI]
    sla: float | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def timings(self) -> dict[str, Any]:
        per_point = [point.results.timings for point in self.points]
        return {"total_seconds": float(sum(t["total_seconds"] for t in per_point)),
                "points": [{"settings": point.assignment, **timing}
                           for point, timing in zip(self.points, per_point, strict=True)]}

    def rows(self) -> list[dict[str, Any]]:
        """For sweep.csv: one row per (point, KPI) with the parameter values as columns."""
        rows = []
        for point in self.points:
            for kpi in self.kpis:
                interval = point.results.summary(kpi.scope, kpi.name, kpi.kpi)
                rows.append({**point.assignment, "kpi": str(kpi), **interval.as_dict(),
                             "overloaded": point.overloaded})
        return rows

    def to_frame(self) -> Any:
        """A tidy pandas DataFrame: the swept axes' values, then one row per (variant, scope,
        name, kpi, replication) at each point, and ``overloaded``."""
        rows = (row for point in self.points
                for row in point.results.long_rows({**point.assignment,
                                                    "overloaded": point.overloaded}))
        return frames.frame(rows, [s.key for s in self.settings] + list(frames.LONG_COLUMNS))

    def summary_frame(self) -> Any:
        """A pandas DataFrame of :meth:`rows` (the columns of sweep.csv)."""
        return frames.frame(self.rows(), [s.key for s in self.settings])

    def to_dict(self) -> dict[str, Any]:
        first = self.points[0].results if self.points else None
        return {
            "format": FORMAT,
            "portsim_version": first.provenance.get("portsim_version") if first else None,
            "scenario": {"name": self.name, "variant": self.variant, "sla": self.sla},
            "settings": [{"path": s.path, "op": s.op, "values": list(s.values)}
                         for s in self.settings],
            "kpis": [str(kpi) for kpi in self.kpis],
            "warnings": list(self.warnings),
            "points": [{"settings": point.assignment, "overloaded": point.overloaded,
                        "results": point.results.to_dict()} for point in self.points],
        }


def _parsed(settings: Sequence[Setting | str],
            kpis: Sequence[KPI | str]) -> tuple[list[Setting], list[KPI]]:
    """Settings and KPIs given as objects or as written on the command line."""
    axes = [parse_setting(s) if isinstance(s, str) else s for s in settings]
    if not axes:
        raise SweepError("nothing to sweep: give at least one --set PATH=VALUES")
    watched = [parse_kpi(k) if isinstance(k, str) else k for k in kpis]
    return axes, watched or [KPI("system", "all", "wait_mean")]


def sweep(source: Any, settings: Sequence[Setting | str], options: RunOptions | None = None,
          *, kpis: Sequence[KPI | str] = (), variant: str | None = None,
          forecast: Forecast | None = None,
          **run_settings: Unpack[RunSettings]) -> Sweep:
    """Run a scenario (or one of its variants) at every point of the settings' grid.

    ``settings`` and ``kpis`` as :class:`Setting` and :class:`KPI` or as written on the
    command line (``"stations.desk.servers=2:6:1"``, ``"classes.pax.wait_p95"``). Run
    settings come as ``options`` or as keywords (see :class:`RunOptions`). ``forecast``:
    every point starts from its state (read from its file, and checked against each point's
    model) and runs for its horizon.
    """
    from portsim.scenario import Scenario, load_scenario
    from portsim.scenario.state import load_state

    options = run_options(options, run_settings)
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    axes, watched = _parsed(settings, kpis)
    base = scenario.resolved(variant)
    folder = scenario.source_file.parent if scenario.source_file is not None else None
    prepared: list[Prepared] = []
    assignments: dict[str, dict[str, Any]] = {}
    warnings = flattening_warnings(base, axes)
    beyond: list[dict[str, Any]] = []
    for assignment in grid(axes):
        point = _point(base, axes, assignment, folder)
        if point is None:
            beyond.append(assignment)  # the sweep stops at the positions
            continue
        label = json.dumps(assignment, sort_keys=True)
        item, _ = prepare(point, label=label, forecast=forecast)
        if forecast is not None and forecast.state_file is not None:
            try:  # a point may change what the state must fit (a policy's stations)
                load_state(forecast.state_file, item.model)
            except ScenarioError as error:
                raise SweepError(f"at {point_label(assignment)}: {error}") from None
        prepared.append(dataclasses.replace(item, variant=variant))
        assignments[label] = assignment
    if beyond:
        warnings.append(_beyond_positions(beyond, bool(prepared)))
    known = kpi_names(prepared[0].model)
    for kpi in watched:
        check_kpi(kpi, known)
    results = run_prepared(prepared, options, scenario)
    points = [SweepPoint(assignments[label], point_results)
              for label, point_results in results.items()]
    return Sweep(name=scenario.name, variant=variant, settings=axes, points=points,
                 kpis=watched, sla=scenario.sla, warnings=warnings)


__all__ = [
    "ABSENT",
    "KPI",
    "Setting",
    "Sweep",
    "SweepError",
    "SweepPoint",
    "apply_setting",
    "flattening_warnings",
    "get_path",
    "grid",
    "kpi_names",
    "parse_amount",
    "parse_kpi",
    "parse_setting",
    "parse_values",
    "point_label",
    "set_path",
    "sweep",
    "value_at",
]
