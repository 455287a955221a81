"""What each shipped validation scenario must reproduce, computed from :mod:`portsim.theory`.

Each scenario lists its queueing parameters (checked against the compiled model, so the file and
the formula cannot drift apart) and the KPIs theory predicts. A *sharp* target is one the
scenario is sized for: its 95% half-width must stay below :data:`SHARP_HALF_WIDTH` of the target,
so that a 5% error in the engine cannot hide inside the interval.

Why a tolerance on top of the interval (:data:`TOLERANCE`): the interval covers sampling noise
only. Every replication starts empty, and per-replication means of a strongly autocorrelated
queue are slightly biased (O(relaxation time / run length), ~0.1% here) and slightly skewed, so
with 20 replications the t-interval's coverage is a little below nominal; quantiles are read from
a histogram with 0.2% bins. 1% relative slack absorbs these without letting a 5% error through:
with half-widths below 2.5% the acceptance band stays below 3.5% of the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portsim.stats.summary import t_interval
from portsim.theory.erlang import mm1, mmc, mmc_wait_quantile, mmc_wait_tail
from portsim.theory.jackson import NetworkMetrics, jackson_network
from portsim.theory.metrics import QueueMetrics
from portsim.theory.mg1 import PriorityClass, md1, mg1, priority_waits

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "validation"
TOLERANCE = 0.01
SHARP_HALF_WIDTH = 0.025


@dataclass(frozen=True)
class Target:
    """One KPI's analytic value: ``results.summary(scope, name, kpi)`` should contain it."""

    scope: str
    name: str
    kpi: str
    value: float
    sharp: bool = False

    @property
    def label(self) -> str:
        return f"{self.scope}/{self.name}/{self.kpi}"


@dataclass(frozen=True)
class StationParams:
    """Arrival rate (per minute), mean service (minutes) and servers a station should have."""

    arrival_rate: float
    mean_service: float
    servers: int


def _queue_targets(station: str, m: QueueMetrics, sharp: frozenset[str]) -> list[Target]:
    """A station's wait, probability of waiting, queue, utilisation and throughput."""
    values = {
        "wait_mean": m.wait_mean,
        "prob_wait": m.prob_wait,
        "queue_mean": m.queue_mean,
        "utilisation": m.utilisation,
        "throughput_per_hour": m.arrival_rate * 60,
    }
    return [Target("stations", station, k, v, sharp=k in sharp) for k, v in values.items()]


def _single_queue(m: QueueMetrics, sharp: str, sla: float | None = None) -> list[Target]:
    """One class ``customer`` through one station ``server``; ``sharp`` names the KPI the
    scenario is sized for (at the station and for the class)."""
    sharp_set = frozenset({sharp})
    found = _queue_targets("server", m, sharp_set)
    values = {"wait_mean": m.wait_mean, "prob_wait": m.prob_wait, "sojourn_mean": m.sojourn_mean}
    if sla is not None:  # the M/M/c tail: share within the SLA and the 90th percentile
        lam, s, c = m.arrival_rate, m.service_mean, m.servers
        values["wait_sla_share"] = 1 - mmc_wait_tail(lam, s, c, sla)
        values["wait_p90"] = mmc_wait_quantile(lam, s, c, 0.9)
    found += [Target("classes", "customer", k, v, sharp=k in sharp_set) for k, v in values.items()]
    found += [
        Target("system", "all", "in_system_mean", m.in_system_mean),
        Target("system", "all", "sojourn_mean", m.sojourn_mean),
    ]
    return found


def _mm1() -> list[Target]:
    return _single_queue(mm1(0.8, 1.0), "wait_mean", sla=10.0)


def _mmc() -> list[Target]:
    # At rho = 0.9 the mean wait of M/M/10 scatters too much for a sharp test within the time
    # budget; the probability of waiting (Erlang C itself) is the sharp check.
    return _single_queue(mmc(9.0, 1.0, 10), "prob_wait", sla=1.0)


def _md1() -> list[Target]:
    return _single_queue(md1(0.8, 1.0), "wait_mean")


def _mg1() -> list[Target]:
    return _single_queue(mg1(0.7, 1.0, 1.5**2), "wait_mean")


URGENT = PriorityClass.from_scv(0.2, 1.5, 0.0)
REGULAR = PriorityClass.from_scv(0.4, 1.0, 1.0)


def _priority() -> list[Target]:
    w_urgent, w_regular = priority_waits([URGENT, REGULAR])
    total = URGENT.arrival_rate + REGULAR.arrival_rate
    station_wait = (URGENT.arrival_rate * w_urgent + REGULAR.arrival_rate * w_regular) / total
    rho = URGENT.utilisation + REGULAR.utilisation
    return [
        Target("classes", "urgent", "wait_mean", w_urgent, sharp=True),
        Target("classes", "regular", "wait_mean", w_regular, sharp=True),
        Target("classes", "urgent", "sojourn_mean", w_urgent + URGENT.service_mean),
        Target("classes", "regular", "sojourn_mean", w_regular + REGULAR.service_mean),
        # PASTA: an arrival of either class waits exactly when the server is busy.
        Target("classes", "urgent", "prob_wait", rho),
        Target("classes", "regular", "prob_wait", rho),
        Target("stations", "server", "wait_mean", station_wait),
        Target("stations", "server", "utilisation", rho),
        Target("stations", "server", "queue_mean", total * station_wait),
        Target("system", "all", "wait_mean", station_wait),
    ]


def _network(
    net: NetworkMetrics, stations: tuple[str, ...], class_prob_wait: float | None
) -> list[Target]:
    """Every station's M/M/c targets (waits sharp) and the class's totals."""
    found: list[Target] = []
    for name, m in zip(stations, net.stations, strict=True):
        found += _queue_targets(name, m, frozenset({"wait_mean"}))
    found += [
        Target("classes", "customer", "wait_mean", net.wait_mean, sharp=True),
        Target("classes", "customer", "sojourn_mean", net.sojourn_mean),
        Target("system", "all", "in_system_mean", net.in_system_mean),
    ]
    if class_prob_wait is not None:
        found.append(Target("classes", "customer", "prob_wait", class_prob_wait))
    return found


def _tandem() -> list[Target]:
    # The class's P(wait somewhere) has no simple closed form in tandem (queue waits at the
    # two stations are dependent), so it is not a target.
    net = jackson_network([0.7, 0.0], [[0, 1], [0, 0]], [2.0, 1.0], [2, 1])
    return _network(net, ("first", "second"), None)


def _split() -> list[Target]:
    net = jackson_network([0.4, 0.6], [[0, 0], [0, 0]], [1.5, 2.0], [1, 2])
    a, b = net.stations
    return _network(net, ("a", "b"), 0.4 * a.prob_wait + 0.6 * b.prob_wait)


TARGETS = {
    "mm1": _mm1(),
    "mmc": _mmc(),
    "md1": _md1(),
    "mg1_lognormal": _mg1(),
    "priority_two_class": _priority(),
    "tandem": _tandem(),
    "split": _split(),
}

PARAMETERS: dict[str, dict[str, StationParams]] = {
    "mm1": {"server": StationParams(0.8, 1.0, 1)},
    "mmc": {"server": StationParams(9.0, 1.0, 10)},
    "md1": {"server": StationParams(0.8, 1.0, 1)},
    "mg1_lognormal": {"server": StationParams(0.7, 1.0, 1)},
    "priority_two_class": {"server": StationParams(0.6, (0.2 * 1.5 + 0.4 * 1.0) / 0.6, 1)},
    "tandem": {"first": StationParams(0.7, 2.0, 2), "second": StationParams(0.7, 1.0, 1)},
    "split": {"a": StationParams(0.4, 1.5, 1), "b": StationParams(0.6, 2.0, 2)},
}

# (station, class) -> (mean, squared coefficient of variation) of the service time there.
SERVICE: dict[str, dict[tuple[str, str], tuple[float, float]]] = {
    "mm1": {("server", "customer"): (1.0, 1.0)},
    "mmc": {("server", "customer"): (1.0, 1.0)},
    "md1": {("server", "customer"): (1.0, 0.0)},
    "mg1_lognormal": {("server", "customer"): (1.0, 2.25)},
    "priority_two_class": {("server", "urgent"): (1.5, 0.0), ("server", "regular"): (1.0, 1.0)},
    "tandem": {("first", "customer"): (2.0, 1.0), ("second", "customer"): (1.0, 1.0)},
    "split": {("a", "customer"): (1.5, 1.0), ("b", "customer"): (2.0, 1.0)},
}

SCENARIOS = tuple(TARGETS)


def scenario_path(name: str) -> Path:
    return SCENARIO_DIR / f"{name}.yaml"


def agrees(values: Any, expected: float, sharp: bool = False) -> None:
    """``expected`` lies in the replications' 95 % interval of ``values`` widened by
    ``TOLERANCE``; ``sharp``: the half-width is also below ``SHARP_HALF_WIDTH`` of it."""
    interval = t_interval(values)
    assert interval.contains(expected, TOLERANCE), (interval, expected)
    if sharp:
        assert interval.half_width < SHARP_HALF_WIDTH * expected, (interval, expected)
