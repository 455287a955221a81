"""What ``portsim optimise`` is asked, parsed: the objective (a KPI, or the cost ledger's
``cost``), the constraints (the pledge, or a bound on a KPI's mean) and how a replication's
KPIs give each its value.

A constraint is judged on the KPI's mean over replications, the quantity the procedure's
feasibility check can vouch for: ``wait_p95<=30min`` asks that the whole port's mean 95th
percentile wait be at most 30 minutes; ``classes.mainland.wait_sla_share>=95%`` that the
mainland citizens' mean share within the standard be at least 95 %. ``pledge`` asks what the
pledge verdict asks (see :mod:`portsim.experiment.pledge`): in every clock slot and for every
class the pledge counts, the slot's measure — the share waiting longer than the standard, or
the longest wait — at most what the pledge allows; each (class, slot) is one constraint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from portsim.errors import PortsimError
from portsim.experiment import sweeps
from portsim.experiment.pledge import LONGEST, MONITOR
from portsim.experiment.results import SCOPES
from portsim.experiment.sweeps import KPI, SweepError, check_kpi

#: The cost ledger's figure: the whole port's cost a day (scenarios with ``costs:``).
COST = KPI("system", "all", "cost")
PLEDGE = "pledge"
_BOUND = re.compile(r"^\s*(?P<kpi>[A-Za-z0-9_.]+?)\s*(?P<op><=|>=)\s*(?P<value>\S.*?)\s*$")
#: The slot KPI each pledge measure is judged on (see portsim.experiment.pledge).
_SLOT_KPI = {"share": "beyond_share", LONGEST: "max", MONITOR: "monitor"}


class OptimiseError(PortsimError):
    """A question ``portsim optimise`` cannot answer as asked."""


def parse_item(text: str, option: str) -> KPI:
    """``cost``, a whole-port KPI (``wait_mean``) or ``SCOPE.NAME.KPI``."""
    written = text.strip()
    if written == "cost":
        return COST
    parts = written.split(".")
    if len(parts) == 1 and parts[0]:
        return KPI("system", "all", parts[0])
    if len(parts) != 3 or parts[0] not in SCOPES or not all(parts):
        raise OptimiseError(f"{option} {text!r}: expected cost, a whole-port KPI such as "
                            "wait_mean, or SCOPE.NAME.KPI with SCOPE one of "
                            f"{', '.join(SCOPES)} (e.g. classes.mainland.wait_p95)")
    return KPI(*parts)


def parse_amount(text: str, option: str) -> float:
    """A share (``95%``), a duration (``30min``, in minutes) or a plain number; ``option``
    names where it was given."""
    try:
        return sweeps.parse_amount(text, option)
    except SweepError as error:
        raise OptimiseError(str(error)) from None


@dataclass(frozen=True)
class Objective:
    """The KPI whose mean is minimised (or maximised)."""

    kpi: KPI
    maximise: bool = False

    @property
    def sign(self) -> float:
        """The procedure minimises: a maximised KPI enters with its sign turned."""
        return -1.0 if self.maximise else 1.0

    @property
    def text(self) -> str:
        return "cost" if self.kpi == COST else str(self.kpi)


@dataclass(frozen=True)
class Bound:
    """One constraint the procedure checks: E[value] <= bound (or >= with ``floor``)."""

    label: str
    scope: str
    name: str
    kpi: str
    bound: float
    floor: bool = False
    missing_is_zero: bool = False
    """A pledge slot nobody arrived in has no value: nobody waited beyond the standard."""

    def value(self, kpis: Mapping[str, Mapping[str, Mapping[str, float]]]) -> float:
        """This replication's value of the constraint, oriented so that <= 0 is met."""
        found = kpis.get(self.scope, {}).get(self.name, {}).get(self.kpi, math.nan)
        value = float(found) if found is not None else math.nan
        if math.isnan(value) and self.missing_is_zero:
            value = 0.0
        return self.bound - value if self.floor else value - self.bound


@dataclass(frozen=True)
class Constraint:
    """A constraint as written: the pledge, or one bound on a KPI's mean."""

    text: str
    kpi: KPI | None = None
    bound: float = 0.0
    floor: bool = False

    @property
    def is_pledge(self) -> bool:
        return self.kpi is None


def parse_constraint(text: str) -> Constraint:
    """``pledge``, ``KPI<=VALUE`` or ``KPI>=VALUE`` (``wait_p95<=30min``,
    ``classes.mainland.wait_sla_share>=95%``, ``officer_hours<=400``)."""
    if text.strip() == PLEDGE:
        return Constraint(PLEDGE)
    match = _BOUND.match(text)
    if match is None:
        raise OptimiseError(f"--subject-to {text!r}: expected pledge, KPI<=VALUE or "
                            "KPI>=VALUE (e.g. wait_p95<=30min, officer_hours<=400, "
                            "classes.mainland.wait_sla_share>=95%)")
    kpi = parse_item(match.group("kpi"), "--subject-to")
    value = parse_amount(match.group("value"), f"--subject-to {text.strip()!r}")
    return Constraint(text.strip(), kpi, value, match.group("op") == ">=")


def pledge_bounds(model: object, classes: Sequence[str]) -> list[Bound]:
    """One bound per pledged class and clock slot of the day, as the pledge verdict judges."""
    from portsim.experiment.pledge import slot_words

    measure = ("monitor" if getattr(model, "monitor_every", None) is not None
               else LONGEST if getattr(model, "slot_longest", False) else "share")
    sla = getattr(model, "sla", None)
    if measure != "share" and sla is None:
        raise OptimiseError("--subject-to pledge: the scenario has no standard (sla)")
    allowed = (1.0 - float(getattr(model, "sla_share_target", 0.95)) if measure == "share"
               else float(sla))  # type: ignore[arg-type]
    slot = float(getattr(model, "slot_minutes", 60.0))
    bounds = []
    for name in classes:
        for start in range(0, 24 * 60, max(1, round(slot))):
            key = f"h{start // 60:02d}{start % 60:02d}"
            bounds.append(Bound(f"pledge {name} {key[1:3]}:{key[3:5]} ({slot_words(slot)})",
                                "classes", name, f"wait_{key}_{_SLOT_KPI[measure]}", allowed,
                                missing_is_zero=True))
    return bounds


def bounds_of(constraints: Sequence[Constraint], model: object,
              known: Mapping[str, Mapping[str, Sequence[str]]]) -> list[Bound]:
    """Every bound the constraints ask for on ``model`` (KPIs checked against ``known``)."""
    found: list[Bound] = []
    for constraint in constraints:
        if constraint.is_pledge:
            chosen = getattr(model, "sla_classes", None)
            classes = [name for name in known["classes"] if chosen is None or name in chosen]
            if not classes:
                raise OptimiseError("--subject-to pledge: the pledge counts no class")
            slots = [bound for bound in pledge_bounds(model, classes)
                     if bound.kpi in known["classes"][bound.name]]
            if not slots:
                raise OptimiseError("--subject-to pledge: the designs report no pledge slots "
                                    "(the scenario needs a standard, sla)")
            found.extend(slots)
            continue
        assert constraint.kpi is not None
        checked(constraint.kpi, known, "--subject-to")
        found.append(Bound(constraint.text, constraint.kpi.scope, constraint.kpi.name,
                           constraint.kpi.kpi, constraint.bound, constraint.floor))
    return found


def checked(kpi: KPI, known: Mapping[str, Mapping[str, Sequence[str]]], option: str) -> KPI:
    """``kpi`` if the designs report it; else one message with the closest name."""
    if kpi == COST and "cost" not in known["system"]["all"]:
        raise OptimiseError(f"{option} cost: the scenario has no costs: block, so no cost "
                            "ledger figure (add one, see docs/scenario-format.md, or give "
                            "prices with --price, e.g. --price per_hour=40)")
    try:
        check_kpi(kpi, known, option)
    except SweepError as error:
        raise OptimiseError(str(error)) from None
    return kpi


__all__ = ["COST", "PLEDGE", "Bound", "Constraint", "Objective", "OptimiseError", "bounds_of",
           "checked", "parse_amount", "parse_constraint", "parse_item", "pledge_bounds"]
