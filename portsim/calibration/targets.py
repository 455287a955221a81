"""A targets file: observed figures a scenario is calibrated to (``use: fit``) or must predict
without being fitted to them (``use: hold-out``), each with its source and its uncertainty.

The file is YAML read as scenario files are (safe, every path's line kept); its mistakes come
back as one :class:`~portsim.errors.ScenarioError` naming the file, the field and the line. What
the file can only be checked against a scenario for (the variant, the class or station, the
KPI) is checked by :func:`check_against`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from portsim.document.fields import Name, TimeOfDay
from portsim.document.parts import StrictModel
from portsim.document.problems import line_of, problems_from
from portsim.document.yamlsource import Lines, parse_yaml
from portsim.errors import PathPart, Problem, ScenarioError
from portsim.stats.kpi_keys import slot_name
from portsim.units import parse_duration

#: A normal distribution's 97.5 % point: an interval given for an observed figure is read as
#: its 95 % interval, so its half-width is this many standard errors.
Z95 = 1.959963984540054
#: The most targets a file may list (each is a KPI read from every candidate's runs).
MOST_TARGETS = 1000
#: The slot KPIs a target may ask for by ``slot`` (docs/results.md, "per clock slot").
SLOT_KPIS = ("wait_count", "wait_mean", "wait_p95", "wait_beyond_share", "wait_max")


def parse_figure(value: object) -> float:
    """An observed figure: a number as the KPI reports it, a duration (``90min``: minutes) or
    a percentage (``98.2%``: 0.982)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, a duration such as 90min or a percentage such "
                         f"as 98.2% (got {value!r})")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else parse_duration(text)
        except ValueError:
            raise ValueError(f"expected a number, a duration such as 90min or a percentage "
                             f"such as 98.2% (got {value!r})") from None
    else:
        number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number (got {value!r})")
    return number


def _figure(value: object) -> float:
    try:
        return parse_figure(value)
    except ValueError as error:
        raise PydanticCustomError("figure", "{message}", {"message": str(error)}) from None


Figure = Annotated[float, BeforeValidator(_figure)]


class Target(StrictModel):
    """One observed figure: what the model reports for it, where it is from, how sure it is."""

    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=False)

    kpi: Name
    """The KPI's name as results.json has it (``sojourn_mean``, ``wait_sla_share``)."""
    class_name: Name | None = Field(default=None, alias="class")
    """The class it is about (else a station, else the whole system)."""
    station: Name | None = None
    """The station it is about."""
    slot: TimeOfDay | None = None
    """A clock slot's start (``08:00``): the KPI of the customers who joined in that slot."""
    per: Annotated[list[Name], Field(min_length=1)] | None = None
    """KPIs (``SCOPE.NAME.KPI``) whose sum divides this one, replication by replication: a
    share of a total (``stations.egates.completions`` per the passengers' completions)."""
    variant: Name | None = None
    """The scenario's variant the figure was observed under (default: the baseline)."""
    relative_to: Name | None = None
    """A variant (or ``baseline``) the figure is relative to: the KPI under ``variant`` over
    the same KPI under this one, replication by replication on common random numbers (a
    change's effect as a ratio, e.g. throughput after over before)."""
    observed: Figure | None = None
    """The observed figure (default: the middle of ``interval``)."""
    se: Figure | None = None
    """Its standard error, in the KPI's unit."""
    interval: Annotated[list[Figure], Field(min_length=2, max_length=2)] | None = None
    """Its 95 % interval, [low, high], in the KPI's unit."""
    use: Literal["fit", "hold-out"]
    """``fit``: the calibration matches it; ``hold-out``: never used in the fit, only checked."""
    source: Name
    """Where the figure is from: a source number of docs/sources.md (``[14]``) or a citation."""
    confidence: Literal["H", "M", "L"] | None = None
    """How far to trust the source (docs/sources.md): H, M or L."""
    note: str | None = None
    """How the figure was read (free text)."""

    @model_validator(mode="after")
    def _uncertainty(self) -> Target:
        if self.se is None and self.interval is None:
            raise PydanticCustomError(
                "target", "a target needs its uncertainty: give se (a standard error) or "
                "interval ([low, high], its 95 % interval)", {})
        if self.se is not None and self.interval is not None:
            raise PydanticCustomError(
                "target", "give se or interval, not both", {})
        if self.se is not None and self.se <= 0:
            raise PydanticCustomError("target", "se must be above 0 (got {se})",
                                      {"se": f"{self.se:g}"})
        if self.interval is not None:
            low, high = self.interval
            if not low < high:
                raise PydanticCustomError(
                    "target", "interval [{low}, {high}] is empty: low must be below high",
                    {"low": f"{low:g}", "high": f"{high:g}"})
            if self.observed is not None and not low <= self.observed <= high:
                raise PydanticCustomError(
                    "target", "observed {observed} lies outside its interval",
                    {"observed": f"{self.observed:g}"})
        if self.class_name is not None and self.station is not None:
            raise PydanticCustomError("target", "give class or station, not both", {})
        for index, address in enumerate(self.per or ()):
            parts = address.split(".")
            if len(parts) != 3 or parts[0] not in ("classes", "stations", "system"):
                raise PydanticCustomError(
                    "target", "per.{index}: {address!r} is not SCOPE.NAME.KPI with SCOPE "
                    "classes, stations or system (e.g. classes.pax.completions)",
                    {"index": index, "address": address})
        if self.relative_to is not None and self.per:
            raise PydanticCustomError("target", "give per or relative_to, not both", {})
        if self.relative_to is not None and self.relative_to == (self.variant or "baseline"):
            raise PydanticCustomError(
                "target", "relative_to names the target's own variant: a ratio needs two", {})
        if self.slot is not None and self.kpi not in SLOT_KPIS:
            raise PydanticCustomError(
                "target", "slot needs a waiting-time KPI of a clock slot ({kpis}), not "
                "{kpi!r}", {"kpis": ", ".join(SLOT_KPIS), "kpi": self.kpi})
        return self

    @property
    def value(self) -> float:
        if self.observed is not None:
            return self.observed
        assert self.interval is not None  # the validator insists on one of them
        return (self.interval[0] + self.interval[1]) / 2

    @property
    def standard_error(self) -> float:
        if self.se is not None:
            return self.se
        assert self.interval is not None
        return (self.interval[1] - self.interval[0]) / (2 * Z95)

    @property
    def scope(self) -> tuple[str, str]:
        """(scope, name) of results.json: ``classes``/``stations``/``system`` and the name."""
        if self.class_name is not None:
            return "classes", self.class_name
        if self.station is not None:
            return "stations", self.station
        return "system", "all"

    @property
    def kpi_key(self) -> str:
        """The KPI's key in results.json, the slot's name put in (``wait_h0800_mean``)."""
        if self.slot is None:
            return self.kpi
        return f"wait_{slot_name(self.slot)}_{self.kpi.removeprefix('wait_')}"

    @property
    def address(self) -> str:
        scope, name = self.scope
        own = f"{scope}.{name}.{self.kpi_key}"
        if self.relative_to is not None:
            return f"{own} / (the same under {self.relative_to})"
        return own if not self.per else f"{own} / ({' + '.join(self.per)})"

    @property
    def reference(self) -> str | None:
        """The variant the figure is relative to (None: the baseline), if it is a ratio."""
        return None if self.relative_to in (None, "baseline") else self.relative_to

    def variants(self) -> list[str | None]:
        """The runs the figure reads: its variant, and the one it is relative to."""
        return [self.variant, *([self.reference] if self.relative_to is not None else [])]

    def divisors(self) -> list[tuple[str, str, str]]:
        """(scope, name, KPI) of each KPI in ``per``."""
        return [(scope, name, kpi) for scope, name, kpi in
                (address.split(".") for address in self.per or ())]


class TargetsDocument(StrictModel):
    """A targets file."""

    description: str | None = None
    """What the figures are (free text)."""
    scenario: str | None = None
    """The scenario these targets are for, relative to this file (for a reader and for tests)."""
    targets: Annotated[dict[Name, Target], Field(min_length=1, max_length=MOST_TARGETS)]
    """The figures by name."""

    @model_validator(mode="after")
    def _something_to_fit(self) -> TargetsDocument:
        if not any(target.use == "fit" for target in self.targets.values()):
            raise PydanticCustomError(
                "targets", "no target has use: fit; the calibration needs at least one to fit "
                "(the others can be held out)", {})
        return self


@dataclass(frozen=True)
class Targets:
    """A loaded targets file: its document, where it came from and the line of every path."""

    document: TargetsDocument
    file: str
    lines: Lines

    def located(self, path: tuple[PathPart, ...], message: str) -> ScenarioError:
        return ScenarioError([Problem(path=path, line=line_of(path, self.lines),
                                      message=message)], file=self.file)

    def items(self) -> list[tuple[str, Target]]:
        return list(self.document.targets.items())


def load_targets(path: str | os.PathLike[str]) -> Targets:
    """Read and validate a targets file; one ScenarioError naming the file, field and line."""
    shown = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ScenarioError.single(f"cannot read the file: {error.strerror or error}",
                                   file=shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError.single(f"not UTF-8 text (invalid byte at position {error.start})",
                                   file=shown) from None
    raw, lines = parse_yaml(text, file=shown)
    if not isinstance(raw, Mapping):
        raise ScenarioError.single("a targets file is a mapping with targets: {NAME: ...}",
                                   file=shown, line=lines.get(()))
    try:
        document = TargetsDocument.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(problems_from(error, raw=raw, lines=lines, root=TargetsDocument),
                            file=shown) from None
    return Targets(document, shown, lines)


def check_against(targets: Targets, variants: list[str],
                  known: Mapping[str | None, Mapping[str, Mapping[str, Any]]]) -> None:
    """Refuse a target whose variant, class, station or KPI the scenario does not have
    (``known``: per variant, the KPIs by scope and name a run reports)."""
    for name, target in targets.items():
        where: tuple[PathPart, ...] = ("targets", name)
        if target.variant is not None and target.variant not in variants:
            raise targets.located((*where, "variant"), _unknown(
                "variant", target.variant, variants))
        if target.reference is not None and target.reference not in variants:
            raise targets.located((*where, "relative_to"), _unknown(
                "variant", target.reference, ["baseline", *variants]))
        reported = known[target.variant]
        scope, owner = target.scope
        field = {"classes": "class", "stations": "station"}.get(scope, "kpi")
        if owner not in reported.get(scope, {}):
            raise targets.located((*where, field), _unknown(
                field, owner, list(reported.get(scope, {}))))
        kpis = list(reported[scope][owner])
        if target.kpi_key not in kpis:
            key = "slot" if target.slot is not None and target.kpi in SLOT_KPIS else "kpi"
            raise targets.located((*where, key), _unknown(
                "KPI", target.kpi_key, kpis, f" of {scope} {owner!r}"))
        for index, (scope, owner, kpi) in enumerate(target.divisors()):
            names = reported.get(scope, {})
            if owner not in names or kpi not in names[owner]:
                known_here = [f"{scope}.{n}.{kpi}" for n in names if kpi in names[n]]
                raise targets.located((*where, "per", index), _unknown(
                    "KPI", f"{scope}.{owner}.{kpi}", known_here or list(names)))


def _unknown(kind: str, name: str, known: list[str], of: str = "") -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return f"no {kind} named {name!r}{of}{hint} (known: {listed})"


__all__ = ["SLOT_KPIS", "Z95", "Target", "Targets", "TargetsDocument", "check_against",
           "load_targets", "parse_figure"]
