"""The station specs of a model: servers by shift, queue-reactive extras, impatience, server
pools with skills, breakdowns and outages, and the station that holds them.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field
from typing import Literal

from portsim.engine.distributions import Distribution

__all__ = ["MINUTES_PER_DAY", "Breakdowns", "Impatience", "ReactiveStaffing", "ServerPool",
           "ShiftSchedule", "StationSpec", "over_positions", "pooled_servers"]

#: A day, the period of shift schedules and appointment slots and the span of clock times.
MINUTES_PER_DAY = 1440.0


@dataclass(frozen=True, slots=True)
class ShiftSchedule:
    """Servers as a step function of time, repeating every ``period`` minutes.

    ``steps`` are ``(offset, servers)`` pairs sorted by offset, the first at offset 0; a step
    holds until the next one. ``period=None`` means the steps do not repeat (the last holds for
    ever).
    """

    steps: tuple[tuple[float, int], ...]
    period: float | None = MINUTES_PER_DAY

    def __post_init__(self) -> None:
        if not self.steps or self.steps[0][0] != 0:
            raise ValueError("a shift schedule needs a step at offset 0")
        offsets = [offset for offset, _ in self.steps]
        if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
            raise ValueError("shift schedule offsets must be strictly increasing")
        if any(servers < 0 for _, servers in self.steps):
            raise ValueError("servers cannot be negative")
        if self.period is not None and offsets[-1] >= self.period:
            raise ValueError("shift schedule offsets must lie within the period")

    @classmethod
    def constant(cls, servers: int) -> ShiftSchedule:
        return cls(steps=((0.0, servers),), period=None)

    @property
    def is_constant(self) -> bool:
        return len(self.steps) == 1

    @property
    def max_servers(self) -> int:
        return max(servers for _, servers in self.steps)

    def servers_at(self, time: float) -> int:
        offset = time % self.period if self.period is not None else time
        index = bisect.bisect_right([start for start, _ in self.steps], offset) - 1
        return self.steps[index][1]

    def offsets(self) -> tuple[float, ...]:
        """The offsets at which the servers change, within one period."""
        return tuple(offset for offset, _ in self.steps)

    def mean_servers(self) -> float:
        """Long-run average servers: over one period, or the last step if it holds for ever."""
        if self.period is None:
            return float(self.steps[-1][1])
        ends = [start for start, _ in self.steps[1:]] + [self.period]
        pairs = zip(self.steps, ends, strict=True)
        return sum((end - start) * n for (start, n), end in pairs) / self.period


@dataclass(frozen=True, slots=True)
class ReactiveStaffing:
    """Open extra servers while the queue's head has waited too long.

    Every ``check_every`` minutes: if the customer at the head of the queue has waited more than
    ``open_above`` minutes, one more server opens (up to ``max_extra`` above the schedule, and
    never beyond the station's positions); if it has waited less than ``close_below`` (or nobody
    waits), one extra server closes. Closing never preempts a customer in service.
    """

    open_above: float
    close_below: float
    max_extra: int
    check_every: float = 1.0

    def __post_init__(self) -> None:
        if self.close_below > self.open_above:
            raise ValueError("reactive staffing: close_below must not exceed open_above")
        if self.max_extra < 1 or self.check_every <= 0:
            raise ValueError("reactive staffing needs max_extra >= 1 and check_every > 0")


@dataclass(frozen=True, slots=True)
class Impatience:
    """How a customer gives up at a station it would have to queue at.

    ``patience`` (reneging): the longest it waits in the queue; when that runs out before its
    service starts it leaves the queue and the system (never once in service). Balking: when it
    would have to wait, it refuses to join if ``balk_at`` or more customers already wait, else
    with ``balk_probabilities[n]`` when ``n`` wait (the last value holds for longer queues). A
    customer who finds a free server always joins.
    """

    patience: Distribution | None = None
    balk_at: int | None = None
    balk_probabilities: tuple[float, ...] = ()
    retry: float = 0.0
    """Share of those who balk or renege who come back, ``retry_after`` later, to join the
    same queue again (with the same rules: they may give up and come back again)."""
    retry_after: Distribution | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.retry <= 1.0:
            raise ValueError("the retry share must lie in [0, 1]")
        if self.retry > 0 and self.retry_after is None:
            raise ValueError("retrying customers need a time away (retry_after)")
        if self.balk_at is not None and self.balk_at < 0:
            raise ValueError("balk_at cannot be negative")
        if any(not 0.0 <= p <= 1.0 for p in self.balk_probabilities):
            raise ValueError("balking probabilities must lie in [0, 1]")


@dataclass(frozen=True, slots=True)
class Breakdowns:
    """Servers that fail and are repaired, each on its own clock.

    Every server position of the station (as many as it ever has on duty) alternates between
    working for ``between`` and being repaired for ``repair``, in calendar time (idle, busy or
    off duty alike), starting as good as new at time 0: the long-run share of time a server
    is broken is E[repair] / (E[between] + E[repair]). See :mod:`portsim.engine.breakdowns`.
    """

    between: Distribution
    repair: Distribution


@dataclass(frozen=True, slots=True)
class ServerPool:
    """Servers of a station that share a set of skills (see :mod:`portsim.engine.skills`)."""

    name: str
    skills: tuple[str, ...]
    servers: ShiftSchedule

    def __post_init__(self) -> None:
        if not self.skills:
            raise ValueError("a server pool needs skills")


def pooled_servers(pools: tuple[ServerPool, ...]) -> ShiftSchedule:
    """The servers of all pools together, step by step."""
    if all(pool.servers.is_constant for pool in pools):
        return ShiftSchedule.constant(sum(pool.servers.steps[0][1] for pool in pools))
    periods = {pool.servers.period for pool in pools if not pool.servers.is_constant}
    if len(periods) != 1 or None in periods:
        raise ValueError("pools' shift schedules must repeat with one period")
    period = periods.pop()
    assert period is not None
    offsets = sorted({offset for pool in pools for offset, _ in pool.servers.steps})
    steps: list[tuple[float, int]] = []
    for offset in offsets:
        total = sum(pool.servers.servers_at(offset) for pool in pools)
        if not steps or steps[-1][1] != total:
            steps.append((offset, total))
    if len(steps) == 1:
        return ShiftSchedule.constant(steps[0][1])
    return ShiftSchedule(tuple(steps), period)


@dataclass(frozen=True, slots=True)
class StationSpec:
    """A station: servers (possibly by shift), a queue discipline and service times."""

    name: str
    servers: ShiftSchedule
    service: Distribution
    service_by_class: dict[str, Distribution] = field(default_factory=dict)
    discipline: Literal["fifo", "priority"] = "fifo"
    reactive: ReactiveStaffing | None = None
    booking_servers: int = 0
    """Servers that may work on bookings (``Visit.reserve_ahead``) at any hour: when fewer are
    on duty, off-duty ones are called in for bookings only (a team arranged around the clock
    for a declared ship). 0: bookings use the servers on duty only."""
    impatience: Impatience | None = None
    """How every class gives up here (None: customers wait as long as it takes)."""
    impatience_by_class: dict[str, Impatience] = field(default_factory=dict)
    """A class's own impatience here, by class name (overrides ``impatience``)."""
    pools: tuple[ServerPool, ...] = ()
    """Skilled server pools (their servers replace ``servers``, which must be their total:
    :func:`pooled_servers`); empty: interchangeable servers."""
    skill_by_class: dict[str, str] = field(default_factory=dict)
    """The skill each class needs here (with ``pools``)."""
    breakdowns: Breakdowns | None = None
    """Servers that fail and are repaired (None: they never fail)."""
    outages: tuple[tuple[float, float], ...] = ()
    """Windows ``(start, end)`` in minutes from the start of the run in which the whole
    station is out of order, in time order and apart."""
    interrupted: Literal["resume", "restart"] = "resume"
    """What happens to a service a failure or an outage interrupts: the customer goes back to
    the head of the queue and later finishes the rest of its service (``resume``) or starts it
    again from the beginning (``restart``, a fresh service time)."""
    positions: ShiftSchedule | None = None
    """The most servers that can be on duty at once, by time (the places there are to serve
    at); None: no limit. The schedule (pools included) must stay within them
    (:func:`over_positions`, checked before a run), and queue-reactive extras open only while
    a position is free."""
    resource: str = "server"
    """What one server is, a label for the ledger of resource use: the server-hours,
    positions and call-out hours of stations of one resource are added up together."""

    def __post_init__(self) -> None:
        if self.pools and self.servers != pooled_servers(self.pools):
            raise ValueError(f"station {self.name!r}: with pools, servers must be the pools' "
                             "total (pooled_servers)")
        if any(start >= end for start, end in self.outages) or any(
                before[1] > after[0]
                for before, after in itertools.pairwise(self.outages)):
            raise ValueError(f"station {self.name!r}: outage windows must be in time order, "
                             "apart, and end after they start")
        if self.unreliable and (self.pools or self.impatient or self.booking_servers):
            raise ValueError(f"station {self.name!r}: breakdowns and outages are not supported "
                             "together with skill pools, impatience or servers on call")

    @property
    def installed_positions(self) -> int:
        """The positions the station has: the most it declares at any time, else the most
        servers its schedule and its queue-reactive rule can put on duty at once."""
        if self.positions is not None:
            return self.positions.max_servers
        extra = self.reactive.max_extra if self.reactive is not None else 0
        return self.servers.max_servers + extra

    @property
    def unreliable(self) -> bool:
        """Whether the station can be out of order (breakdowns or outage windows)."""
        return self.breakdowns is not None or bool(self.outages)

    def service_for(self, class_name: str) -> Distribution:
        return self.service_by_class.get(class_name, self.service)

    def impatience_for(self, class_name: str) -> Impatience | None:
        return self.impatience_by_class.get(class_name, self.impatience)

    @property
    def impatient(self) -> bool:
        """Whether some class may give up here (reneging or balking)."""
        return self.impatience is not None or bool(self.impatience_by_class)

    @property
    def refuses(self) -> bool:
        """Whether the station's own rule turns customers away for good (a queue limit or
        balking by queue length -- a road that holds so many -- with not all of them coming
        back): not only one class's rule, not a callback queue where every one returns."""
        rule = self.impatience
        return rule is not None and rule.retry < 1.0 and (
            rule.balk_at is not None or bool(rule.balk_probabilities))



def over_positions(servers: ShiftSchedule,
                   positions: ShiftSchedule) -> list[tuple[float, float, int, int]]:
    """Where ``servers`` exceed ``positions``: ``(start, end, servers, positions)`` windows
    over one period of the two together (a day for daily schedules; both constant: one window
    ``(0, inf)``), neighbouring windows with the same numbers merged."""
    periods = {s.period for s in (servers, positions) if not s.is_constant}
    span = math.inf if not periods or None in periods else max(p for p in periods if p)
    cuts = {0.0}
    for schedule in (servers, positions):
        # a daily schedule against a longer period repeats within it
        every = schedule.period if schedule.period and math.isfinite(span) else span
        for offset in schedule.offsets():
            repeats = int(span // every) if math.isfinite(span) else 1
            cuts.update(offset + k * every for k in range(repeats))
    ordered = sorted(cut for cut in cuts if cut < span)
    found: list[tuple[float, float, int, int]] = []
    for start, end in zip(ordered, [*ordered[1:], span], strict=True):
        staffed, places = servers.servers_at(start), positions.servers_at(start)
        if staffed <= places:
            continue
        if found and found[-1][1] == start and found[-1][2:] == (staffed, places):
            found[-1] = (found[-1][0], end, staffed, places)
        else:
            found.append((start, end, staffed, places))
    return found
