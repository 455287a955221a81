"""The staffing target — a bound on a clock-slot KPI that every interval must meet — parsed from
``--target``, judged on simulated intervals (the pledge verdict) or on a stationary M/M/c
(Erlang C, where the search starts); and :class:`StaffingError`, which every step of the solver
raises for a request it cannot answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from portsim.errors import PortsimError
from portsim.experiment.pledge import judge
from portsim.stats.summary import Interval
from portsim.theory import erlang as theory
from portsim.units import parse_duration


class StaffingError(PortsimError):
    """A staffing request that cannot be answered as asked."""


_TARGET = re.compile(r"^\s*(?:(?P<classes>[^:<>=]+?)\s*:\s*)?"
                     r"(?P<kpi>wait_p95|wait_mean|wait_sla_share)\s*(?P<op><=|>=)\s*"
                     r"(?P<value>\S.*?)\s*$")


@dataclass(frozen=True)
class Target:
    """What every interval must meet: a bound on a slot KPI of the staffed stations."""

    text: str
    slot_kpi: str
    """``p95``, ``mean`` or ``beyond_share`` (of ``wait_{slot}_...``)."""
    bound: float
    """Minutes, or the largest allowed share waiting longer than the standard."""
    sla: float | None = None
    """For a share target: the standard (minutes) it counts within."""
    classes: tuple[str, ...] = ()
    """Judge these classes' waits (their whole queue wait, by hour of arrival at the port)
    instead of each station's over all its classes."""

    def key(self, slot: str) -> str:
        return f"wait_{slot}_{self.slot_kpi}"

    def judge(self, value: Interval) -> str:
        return judge(value, self.bound)

    def met_by(self, arrival_rate: float, service_mean: float, servers: int) -> bool:
        """Whether a stationary M/M/c with these figures meets the target (Erlang C)."""
        if arrival_rate <= 0:
            return True
        if arrival_rate * service_mean >= servers:
            return False
        if self.slot_kpi == "mean":
            return theory.mmc(arrival_rate, service_mean, servers).wait_mean <= self.bound
        if self.slot_kpi == "p95":
            return theory.mmc_wait_quantile(arrival_rate, service_mean, servers,
                                            0.95) <= self.bound
        assert self.sla is not None
        return theory.mmc_wait_tail(arrival_rate, service_mean, servers,
                                    self.sla) <= self.bound


def parse_target(text: str, sla: float) -> Target:
    """``wait_p95<=30min``, ``wait_mean<=10min`` or ``wait_sla_share>=0.95`` (or ``95%``; the
    share within the scenario's standard ``sla``), for the stations' customers; with
    ``CLASS[,CLASS]:`` in front, for those classes' waits."""
    match = _TARGET.match(text)
    if match is None:
        raise StaffingError(f"--target {text!r}: expected [CLASS,...:]wait_p95<=DURATION, "
                            "wait_mean<=DURATION or wait_sla_share>=SHARE")
    classes = tuple(name.strip() for name in (match.group("classes") or "").split(",")
                    if name.strip())
    target = _parse_bound(text, match.group("kpi"), match.group("op"), match.group("value"),
                          sla)
    return replace(target, classes=classes)


def _parse_bound(text: str, kpi: str, op: str, value: str, sla: float) -> Target:
    if kpi == "wait_sla_share":
        if op != ">=":
            raise StaffingError(f"--target {text!r}: a share target is a floor (>=)")
        try:
            share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise StaffingError(f"--target {text!r}: {value!r} is not a share "
                                "(0.95 or 95%)") from None
        if not 0 < share < 1:
            raise StaffingError(f"--target {text!r}: the share must lie between 0 and 1")
        return Target(text.strip(), "beyond_share", 1.0 - share, sla)
    if op != "<=":
        raise StaffingError(f"--target {text!r}: a waiting-time target is a ceiling (<=)")
    try:
        minutes = parse_duration(value)
    except ValueError as error:
        raise StaffingError(f"--target {text!r}: {error}") from None
    if minutes <= 0:
        raise StaffingError(f"--target {text!r}: the bound must be positive")
    return Target(text.strip(), "p95" if kpi == "wait_p95" else "mean", minutes)


__all__ = ["StaffingError", "Target", "parse_target"]
