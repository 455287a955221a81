"""The KPI catalogue: every KPI portsim reports, with whom it counts and how it is shown.

One entry per (scope, KPI): its key in results, its words and unit, who or what it counts and
when, and how replications are combined. The engine's collection computes exactly these keys in
this order; the results API, the report's tables and plots, the sweep's KPI names and the KPI
table of ``docs/results.md`` all read them from here. Adding a KPI means adding it here and
computing it in ``portsim.engine.collect``.

Scopes: ``classes`` (per entity class), ``stations`` (per station), ``system`` (the whole
port, named ``all``). Families of tally KPIs (``wait``, ``sojourn``, a milestone's
``until_<name>``) share one shape: mean, 50/90/95/99th percentiles, maximum, share within the
scenario's standard.

The KPI tables of ``docs/results.md`` are generated from here by :mod:`portsim.stats.kpi_doc`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import replace

from portsim.stats.kpi_delay import DUE_KPIS, INSPECTION_KPIS
from portsim.stats.kpi_keys import (  # the keys' names, used from here too
    _BALKED_SLOT_KEY,
    _CLOCK_KEY,
    _RESOURCE_KEY,
    _SLOT_KEY,
    clock_name,  # noqa: F401 (catalogue.clock_name)
    is_balked_slot,
    parse_slot_key,  # noqa: F401 (catalogue.parse_slot_key)
    slot_name,  # noqa: F401 (catalogue.slot_name)
)
from portsim.stats.kpi_types import (  # the catalogue's vocabulary, used from here too
    AFTER_WARMUP,
    COST_A_DAY,
    COUNT,
    HOURS_A_DAY,
    LEVEL,
    MEAN_OF_MAXIMA,
    MEAN_OF_QUANTILES,
    MEAN_OVER_REPLICATIONS,
    MINUTES,
    PER_HOUR,
    SCOPES,  # noqa: F401 - part of the catalogue's name space
    SHARE,
    Kpi,
    Scope,
)


def _tally_family(prefix: str, noun: str, counts: str, *,
                  only_for: str | None = None) -> tuple[Kpi, ...]:
    """The seven KPIs of a tally: mean, percentiles, maximum, share within the standard."""
    shapes = (("mean", f"mean {noun}", MINUTES, MEAN_OVER_REPLICATIONS),
              ("p50", f"median {noun}", MINUTES, MEAN_OF_QUANTILES),
              ("p90", f"90th percentile {noun}", MINUTES, MEAN_OF_QUANTILES),
              ("p95", f"95th percentile {noun}", MINUTES, MEAN_OF_QUANTILES),
              ("p99", f"99th percentile {noun}", MINUTES, MEAN_OF_QUANTILES),
              ("max", f"longest {noun}", MINUTES, MEAN_OF_MAXIMA),
              ("sla_share", f"share with {noun} ≤ {{sla}}", SHARE, MEAN_OVER_REPLICATIONS))
    return tuple(Kpi(f"{prefix}_{suffix}", label, unit, counts, aggregate, only_for, prefix)
                 for suffix, label, unit, aggregate in shapes)


def _flow(subject: str, arrive: str, leave: str) -> tuple[Kpi, ...]:
    return (
        Kpi("arrivals", "arrivals", COUNT, f"{subject} that {arrive} {AFTER_WARMUP}"),
        Kpi("completions", "completions", COUNT, f"{subject} that {leave} {AFTER_WARMUP}"),
    )


def _rates(subject: str, arrive: str, leave: str) -> tuple[Kpi, ...]:
    return (
        Kpi("arrival_rate_per_hour", "arrivals per hour", PER_HOUR,
            f"{subject} that {arrive} {AFTER_WARMUP}, per hour of the measured span"),
        Kpi("throughput_per_hour", "cleared per hour", PER_HOUR,
            f"{subject} that {leave} {AFTER_WARMUP}, per hour of the measured span"),
    )


_CLASS_WAIT = ("members who left the port after the warm-up; a member's wait is the sum of its "
               "queue waits at every station of its route")
_STATION_WAIT = ("customers who started service here after the warm-up; the wait is the time "
                 "in this station's queue (or until a booked server took it)")
_SOJOURN = ("members who left the port after the warm-up: time from arrival to departure; the "
            "quantiles, maximum and share within the standard also count those still in the "
            "port at the end (queueing, in service or on their way), with their time so far (a "
            "lower bound); the mean does not")
_CENSORED = ("; the quantiles, maximum and share within the standard also count those still "
             "queueing at the end, with their wait so far (a lower bound); the mean does not")
_PROB_WAIT = "share of the same customers whose wait was longer than zero"

CLASS_KPIS: tuple[Kpi, ...] = (
    *_flow("members of the class", "arrived", "left the port"),
    *_rates("members of the class", "arrived", "left the port"),
    *_tally_family("wait", "wait", _CLASS_WAIT + _CENSORED),
    Kpi("prob_wait", "share who waited", SHARE, _PROB_WAIT),
    Kpi("waiting_end", "still queueing at the end", COUNT,
        "members in a queue when the run ended (their waits are not over)"),
    *_tally_family("sojourn", "time in system", _SOJOURN),
)

#: The KPIs of a milestone step (``until_<name>_...``): time from arrival to the milestone.
MILESTONE_KPIS: tuple[Kpi, ...] = _tally_family(
    "until_{milestone}", "time until {milestone}",
    "members who passed the milestone after the warm-up: time from their arrival to it",
    only_for="classes whose route has the milestone")

def _impatience(subject: str, where: str, joined: str, still: str,
                only_for: str) -> tuple[Kpi, ...]:
    """The KPIs of balking and reneging: counts, shares of arrivals, waits of those who gave
    up (see ``portsim.engine.impatience``)."""
    return (
        Kpi("balked", "balked", COUNT,
            f"{subject} that {joined} {AFTER_WARMUP} and refused to join a queue {where} "
            "(too long); they left the port at once", only_for=only_for),
        Kpi("abandoned", "gave up waiting", COUNT,
            f"{subject} that gave up waiting in a queue {where} {AFTER_WARMUP} (patience ran "
            "out before service started); they left the port", only_for=only_for),
        Kpi("balked_share", "share who balked", SHARE,
            f"balked over arrivals: {subject} that {joined} {AFTER_WARMUP}", only_for=only_for),
        Kpi("abandoned_share", "share who gave up", SHARE,
            f"abandoned over arrivals: {subject} that {joined} {AFTER_WARMUP} ({still} at the "
            "end count in the arrivals only)", only_for=only_for),
        *_tally_family(
            "abandoned_wait", "wait before giving up",
            f"{subject} that gave up waiting {where} {AFTER_WARMUP}: "
            + ("their whole queue wait in the port, the last queue included; the wait_ KPIs "
               "count the members who finished their route" if where == "in the port" else
               "their time in this station's queue; the wait_ KPIs count those served"),
            only_for=only_for),
    )


#: Balking and reneging (only in models where customers may give up, so that other models'
#: results keep their shape).
IMPATIENCE_KPIS: dict[str, tuple[Kpi, ...]] = {
    "classes": _impatience("members of the class", "in the port", "arrived",
                           "those still in the port",
                           "classes that may give up at a station of their route"),
    "stations": (*_impatience("customers", "here", "came to the station",
                              "those still queueing or in service here",
                              "stations with patience or balking"),
                 Kpi("retried", "came back to try again", COUNT,
                     "customers who balked or gave up here and came back after the warm-up "
                     "later to join this queue again (each return counts, and counts again in "
                     "the arrivals; with retrials, balked and abandoned count attempts, not "
                     "customers)", only_for="stations with patience or balking")),
}

STATION_KPIS: tuple[Kpi, ...] = (
    *_flow("customers", "joined the station", "finished service here"),
    *_rates("customers", "joined the station", "finished service here"),
    *_tally_family("wait", "wait", _STATION_WAIT + _CENSORED),
    Kpi("prob_wait", "share who waited", SHARE, _PROB_WAIT),
    Kpi("waiting_end", "still queueing at the end", COUNT,
        "customers in this station's queue when the run ended"),
    Kpi("queue_mean", "mean queue length", LEVEL,
        "customers waiting in the queue, averaged over time after the warm-up (those still "
        "waiting at the end included)"),
    Kpi("queue_max", "longest queue", COUNT,
        "the most customers waiting at once after the warm-up (the queue as it stands once "
        "everything at an instant has happened)", MEAN_OF_MAXIMA),
    Kpi("utilisation", "utilisation", SHARE,
        "busy server time (a server held for a booking counts as busy) over available server "
        "time after the warm-up; a server a shift cut stays available until its service ends"),
    Kpi("servers_mean", "servers on duty", LEVEL,
        "scheduled plus queue-reactive servers, averaged over time after the warm-up"),
    Kpi("server_hours", "server-hours on duty a day", HOURS_A_DAY,
        "servers on duty (the shift schedule, plus queue-reactive servers from when they "
        "opened to when they closed) times the hours they were on duty, after the warm-up, "
        "per 24 hours (servers_mean x 24 h); a server finishing a service after its shift "
        "is not counted; what a server is (an officer, a lane, a gate) is the station's "
        "resource"),
    Kpi("positions", "positions", COUNT,
        "the places there are to serve at (desks, booths, lanes, gates): the most the station "
        "declares at any hour, or, where it declares none, the most servers its schedule and "
        "its queue-reactive rule can put on duty at once"),
)

#: The cost a day of a station or of the whole port (only where the scenario has ``costs:``).
PRICED_KPIS: dict[str, Kpi] = {
    "stations": Kpi("cost", "cost a day", COST_A_DAY,
                    "server-hours, call-out hours and positions a day, each times its price "
                    "for the station's resource in the scenario's costs", only_for="scenarios "
                    "with costs"),
    "system": Kpi("cost", "cost a day", COST_A_DAY,
                  "the stations' costs a day added up", only_for="scenarios with costs"),
}

#: Servers called in for bookings (only at stations that have them, so that other stations'
#: results keep their shape).
ON_CALL_KPIS: tuple[Kpi, ...] = (
    Kpi("on_call_mean", "called-in servers at work", LEVEL,
        "off-duty servers called in for bookings (held for a booked customer or serving it), "
        "averaged over time after the warm-up; times 24 h, the call-out hours a day",
        only_for="stations with servers on call for bookings"),
    Kpi("on_call_hours", "call-out hours a day", HOURS_A_DAY,
        "hours off-duty servers were called in for bookings (held for a booked customer or "
        "serving it) after the warm-up, per 24 hours (on_call_mean x 24 h)",
        only_for="stations with servers on call for bookings"),
)

RELIABILITY_KPIS: tuple[Kpi, ...] = (
    Kpi("broken_mean", "servers out of order", LEVEL,
        "servers on duty that cannot work because they are broken or in an outage window, "
        "averaged over time after the warm-up (servers_mean counts them on duty)",
        only_for="stations with breakdowns or outages"),
    Kpi("out_of_order_share", "share of time out of order", SHARE,
        "share of the time after the warm-up in which the station was out of order: an "
        "outage, or every server on duty broken (a station closed by its schedule is not)",
        only_for="stations with breakdowns or outages"),
    Kpi("interrupted", "services interrupted", COUNT,
        "services in progress cut short by a failure or an outage after the warm-up; the "
        "customer went back to the head of the queue (its second wait is in its class's "
        "waits, not in this station's, which keep the wait before the first start)",
        only_for="stations with breakdowns or outages"),
    Kpi("diverted", "sent to the fallback", COUNT,
        "customers sent to the fallback station while this one was out of order (on "
        "arrival, or from the queue) after the warm-up; they count in the arrivals here "
        "and there",
        only_for="stations with breakdowns or outages"),
)

SYSTEM_KPIS: tuple[Kpi, ...] = (
    *_flow("entities of every class", "arrived", "left the port"),
    Kpi("in_system_start", "in system at the end of the warm-up", COUNT,
        "entities in the port when the warm-up ended"),
    Kpi("in_system_end", "in system at the end", COUNT,
        "entities still in the port at the end of the run (waiting, in service or travelling)"),
    Kpi("in_system_mean", "mean number in system", LEVEL,
        "entities in the port, averaged over time after the warm-up"),
    *_rates("entities of every class", "arrived", "left the port"),
    Kpi("sojourn_mean", "mean time in system", MINUTES,
        "entities of every class that left after the warm-up"),
    Kpi("wait_mean", "mean wait", MINUTES,
        "entities of every class that left after the warm-up (their total queue wait)"),
    Kpi("wait_sla_share", "share with wait ≤ {sla}", SHARE,
        "entities of every class that left after the warm-up, and those still queueing at the "
        "end with their wait so far"),
    Kpi("waiting_end", "still queueing at the end", COUNT,
        "entities of every class in a queue when the run ended"),
    Kpi("waiting_hours", "waiting-hours a day", HOURS_A_DAY,
        "minutes waited at every station by the customers its wait KPIs count (a booked "
        "customer until its server took it), those who gave up and those still queueing at "
        "the end (their wait so far), in hours per 24 measured hours (an entity queueing at "
        "two stations counts twice as long)"),
)

#: The ledger of resource use of the whole port, by resource (a station's ``resource``:
#: ``officer_hours``, ``lane_positions``), and the call-out hours where servers are on call.
RESOURCE_KPIS: tuple[Kpi, ...] = (
    Kpi("{resource}_hours", "{resource}-hours on duty a day", HOURS_A_DAY,
        "server_hours of the stations whose servers are this resource, added up"),
    Kpi("{resource}_positions", "{resource} positions", COUNT,
        "positions of the stations whose servers are this resource, added up"),
)
SYSTEM_ON_CALL = Kpi("on_call_hours", "call-out hours a day", HOURS_A_DAY,
                     "on_call_hours of the stations, added up",
                     only_for="models with servers on call for bookings")


_SLOT_COUNTS = {
    "classes": "members who arrived at the port in the slot (after the warm-up): those who left "
               "with their whole wait, those still queueing at the end with their wait so far; "
               "for a class the pledge counts, with pledge.stations only members who queued "
               "at one of those stations, with their waits there alone",
    "stations": "customers who joined the station in the slot (after the warm-up): those served "
                "with their wait, those still queueing at the end with their wait so far",
}


def _slot_family(scope: str) -> tuple[Kpi, ...]:
    counts = _SLOT_COUNTS[scope]
    return (
        Kpi("wait_{slot}_count", "arrivals from {slot}", COUNT, counts),
        Kpi("wait_{slot}_mean", "mean wait, arriving from {slot}", MINUTES, counts),
        Kpi("wait_{slot}_p95", "95th percentile wait, arriving from {slot}", MINUTES,
            counts + "; read at the middle of bins at most 1/64 of their value wide (within "
            "0.8 %)", MEAN_OF_QUANTILES),
        Kpi("wait_{slot}_beyond_share", "share waiting > {sla}, arriving from {slot}", SHARE,
            counts),
        Kpi("wait_{slot}_max", "longest wait, arriving from {slot}", MINUTES, counts,
            only_for="scenarios whose pledge is judged on the longest wait (pledge.measure: "
                     "longest)"),
    ) + ((MONITOR_SLOT,) if scope == "classes" else ())


MONITOR_SLOT = Kpi(  # the queue as a monitor reads it (see portsim.engine.monitor)
    "wait_{slot}_monitor", "longest monitor reading, {slot}", MINUTES,
    "readings every 15 minutes of the slot (after the warm-up): at each, the class's last "
    "member in the queue of each station the pledge counts, with its wait there (still "
    "queueing at the end: its wait so far); 0 when none of its members queues; the longest "
    "of the slot's readings, every measured day pooled",
    only_for="scenarios whose pledge is judged on the monitor (pledge.measure: monitor)")


#: Waits by clock slot of arrival: ``wait_h0800_mean`` is the slot from 08:00, every measured
#: day pooled; ``wait_d2_h0800_mean`` the same slot of day 2 alone (given when more than one
#: day is measured). Only slots that lie after the warm-up are given.
SLOT_KPIS: dict[str, tuple[Kpi, ...]] = {scope: _slot_family(scope)
                                          for scope in ("classes", "stations")}
#: The balked share by clock slot of arrival, at stations where customers may give up: a queue
#: cap (a road that holds so many vehicles) turns customers away at the peak hours only.
BALKED_SLOT = Kpi("balked_{slot}_share", "share who balked, arriving from {slot}", SHARE,
                  "customers who came to the station in the slot (after the warm-up; one who "
                  "comes back to try again counts again): those who refused to join",
                  only_for="stations whose own balk rule turns customers away for good: not "
                           "one class's rule, not a callback where every one comes back")
QUEUE_AT = Kpi("queue_at_{clock}", "queue length at {clock}", LEVEL,
               "customers waiting in the station's queue at that clock time, averaged over the "
               "measured days (``queue_at_d2_0800``: day 2 alone)")


@functools.lru_cache(maxsize=4096)
def _for_slot(kpi: Kpi, slot: str) -> Kpi:
    clock = slot.rsplit("_h", maxsplit=1)[-1].removeprefix("h")
    words = f"{clock[:2]}:{clock[2:]}" + (f" (day {slot[1:].split('_', maxsplit=1)[0]})"
                                           if slot.startswith("d") else "")
    return replace(kpi, key=kpi.key.replace("{slot}", slot),
                   label=kpi.label.replace("{slot}", words), family=None)


def _for_clock(clock: str) -> Kpi:
    time = clock.rsplit("_", maxsplit=1)[-1]
    words = f"{time[:2]}:{time[2:]}" + (f" (day {clock[1:].split('_', maxsplit=1)[0]})"
                                         if clock.startswith("d") else "")
    return replace(QUEUE_AT, key=QUEUE_AT.key.replace("{clock}", clock),
                   label=QUEUE_AT.label.replace("{clock}", words))


def slot_kpis(scope: str, slots: Sequence[str], longest: bool = False,
              monitor: bool = False) -> Iterator[Kpi]:
    """The slot KPIs of ``scope`` for these slot names, slot by slot (a single day's slot has
    no 95th percentile: memory must not grow with the days; the longest wait only with
    ``longest``, the monitor's reading only with ``monitor``)."""
    return iter(_slot_kpis(scope, tuple(slots), longest, monitor))


@functools.lru_cache(maxsize=256)
def _slot_kpis(scope: str, slots: tuple[str, ...], longest: bool,
               monitor: bool) -> tuple[Kpi, ...]:
    # NOTE: cached, for performance reasons: every replication's rows ask for the same ones
    return tuple(_for_slot(kpi, slot) for slot in slots for kpi in SLOT_KPIS[scope]
                 if not (slot.startswith("d") and kpi.key.endswith("_p95"))
                 and (longest or not kpi.key.endswith("_max"))
                 and (monitor or not kpi.key.endswith("_monitor")))


def class_kpis(milestones: Sequence[str] = (), due: bool = False,
               slots: Sequence[str] = (), impatient: bool = False,
               longest: bool = False, monitor: bool = False) -> Iterator[Kpi]:
    """The KPIs of a class, in the order results list them (``impatient``: its members may
    balk or renege somewhere; ``longest``, ``monitor``: those slot KPIs too)."""
    yield from CLASS_KPIS
    for milestone in milestones:
        for kpi in MILESTONE_KPIS:
            yield _for_milestone(kpi, milestone)
    if due:
        yield from DUE_KPIS
    if impatient:
        yield from IMPATIENCE_KPIS["classes"]
    yield from slot_kpis("classes", slots, longest, monitor)


def station_kpis(slots: Sequence[str] = (), clocks: Sequence[str] = (),
                 impatient: bool = False, on_call: bool = False,
                 refuses: bool = False, unreliable: bool = False,
                 priced: bool = False, longest: bool = False) -> Iterator[Kpi]:
    """The KPIs of a station, in the order results list them (``impatient``: customers may
    balk or renege here; ``on_call``: off-duty servers may be called in for bookings;
    ``refuses``: the station's own balk rule turns customers away, hour by hour;
    ``unreliable``: servers may break down or the station have outages; ``priced``: the
    scenario prices resource use; ``longest``: the pledge is judged on the longest wait)."""
    yield from STATION_KPIS
    if on_call:
        yield from ON_CALL_KPIS
    if priced:
        yield PRICED_KPIS["stations"]
    if unreliable:
        yield from RELIABILITY_KPIS
    if impatient:
        yield from IMPATIENCE_KPIS["stations"]
    yield from slot_kpis("stations", slots, longest)
    if refuses:
        for slot in slots:
            yield _for_slot(BALKED_SLOT, slot)
    for clock in clocks:
        yield _for_clock(clock)


def system_kpis(resources: Sequence[str] = (), on_call: bool = False,
                priced: bool = False) -> Iterator[Kpi]:
    """The KPIs of the whole port, in the order results list them: the ledger of each
    resource its stations have (``resources``), the call-out hours where servers are on call,
    the cost where the scenario prices resource use."""
    yield from SYSTEM_KPIS
    for resource in resources:
        for kpi in RESOURCE_KPIS:
            yield _for_resource(kpi, resource)
    if on_call:
        yield SYSTEM_ON_CALL
    if priced:
        yield PRICED_KPIS["system"]


def _for_resource(kpi: Kpi, resource: str) -> Kpi:
    return replace(kpi, key=kpi.key.replace("{resource}", resource),
                   label=kpi.label.replace("{resource}", resource.replace("_", " ")))


def _for_milestone(kpi: Kpi, milestone: str) -> Kpi:
    return replace(kpi, key=kpi.key.replace("{milestone}", milestone),
                   label=kpi.label.replace("{milestone}", milestone.replace("_", " ")),
                   family=(kpi.family or "").replace("{milestone}", milestone) or None)


def direction(key: str) -> int:
    """Which way is better for a KPI: -1 lower (waits, queues, lateness), +1 higher (shares
    within the standard, throughput), 0 neither (counts, utilisation, staffing)."""
    if key.endswith("_sla_share") or key == "throughput_per_hour":
        return 1
    lower = ("wait_", "sojourn_", "until_", "lateness_", "queue_", "inspection_")
    if key.startswith(lower) or key in ("late_share", "prob_wait", "in_system_mean",
                                        "waiting_hours",
                                        "in_system_end", "balked_share", "abandoned_share",
                                        "broken_mean", "out_of_order_share", "interrupted",
                                        "diverted") \
            or is_balked_slot(key):
        return -1
    return 0


def scope_kpis(scope: Scope) -> tuple[Kpi, ...]:
    """The KPIs every member of ``scope`` has (conditional ones not included)."""
    return {"classes": CLASS_KPIS, "stations": STATION_KPIS, "system": SYSTEM_KPIS}[scope]


def lookup(scope: str, key: str) -> Kpi | None:
    """The catalogue entry of ``key`` in ``scope``, milestones and due-time KPIs included."""
    if scope == "classes" and key.startswith("until_"):
        for kpi in MILESTONE_KPIS:
            head, tail = kpi.key.split("{milestone}")
            if key.startswith(head) and key.endswith(tail) and len(key) > len(head + tail):
                return _for_milestone(kpi, key[len(head):len(key) - len(tail)])
        return None
    slot = _SLOT_KEY.match(key)
    if slot is not None and scope in SLOT_KPIS and not (
            slot.group("slot").startswith("d") and slot.group("kpi") == "p95"):
        found = next((k for k in SLOT_KPIS[scope]
                      if k.key == f"wait_{{slot}}_{slot.group('kpi')}"), None)
        return None if found is None else _for_slot(found, slot.group("slot"))
    balked = _BALKED_SLOT_KEY.match(key)
    if balked is not None and scope == "stations":
        return _for_slot(BALKED_SLOT, balked.group("slot"))
    clock = _CLOCK_KEY.match(key)
    if clock is not None and scope == "stations":
        return _for_clock(clock.group("clock"))
    candidates = (scope_kpis(scope)  # type: ignore[arg-type]
                  + (DUE_KPIS + INSPECTION_KPIS if scope == "classes" else ())
                  + IMPATIENCE_KPIS.get(scope, ())
                  + (ON_CALL_KPIS + RELIABILITY_KPIS if scope == "stations" else ())
                  + ((SYSTEM_ON_CALL,) if scope == "system" else ())
                  + ((PRICED_KPIS[scope],) if scope in PRICED_KPIS else ()))
    found = next((kpi for kpi in candidates if kpi.key == key), None)
    resource = _RESOURCE_KEY.match(key) if found is None and scope == "system" else None
    if resource is not None:
        template = next(kpi for kpi in RESOURCE_KPIS
                        if kpi.key.endswith("_" + resource.group("what")))
        return _for_resource(template, resource.group("resource"))
    return found


@functools.lru_cache(maxsize=16384)
def bounds(scope: str, key: str) -> tuple[float, float]:
    """The physical range of a KPI's values (unbounded for a key the catalogue lacks)."""
    entry = lookup(scope, key)
    return (-math.inf, math.inf) if entry is None else entry.bounds


def difference_bounds(scope: str, key: str) -> tuple[float, float]:
    """The range of a difference of two of the KPI's values: [-1, 1] for a share; a time or a
    count has none."""
    low, high = bounds(scope, key)
    return (low - high, high - low)
