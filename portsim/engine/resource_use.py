"""A station's and the whole port's ledger of resource use a day (server-hours on duty,
positions, call-out hours, their cost), read from a finished replication's levels."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from portsim.engine import model as m

if TYPE_CHECKING:
    from portsim.engine.station import Station

Values = dict[str, Callable[[], float]]


@dataclass(frozen=True)
class Ledger:
    """What a station's ledger of resource use needs besides its statistics."""

    spec: m.StationSpec | None = None
    prices: m.Prices | None = None


#: A station's ledger with nothing known beyond its statistics.
NO_LEDGER = Ledger()


def ledger_values(station: Station, ledger: Ledger, on_call: bool) -> Values:
    """A station's resource use a day: server-hours on duty, positions, call-out hours, and
    their cost where the scenario prices them."""
    day_hours = m.MINUTES_PER_DAY / 60.0
    values: Values = {
        "server_hours": lambda: station.servers_level.time_average() * day_hours,
        "positions": lambda: (float(ledger.spec.installed_positions) if ledger.spec is not None
                              else float(station.servers_level.maximum)),
    }
    if on_call:
        values["on_call_hours"] = lambda: station.on_call_level.time_average() * day_hours
    prices, spec = ledger.prices, ledger.spec
    if prices is not None and spec is not None:
        values["cost"] = lambda: prices.cost(
            spec.resource, values["server_hours"](),
            values["on_call_hours"]() if on_call else 0.0, values["positions"]())
    return values


def waited_minutes(stations: Iterable[Station],
                   still: Iterable[tuple[np.ndarray, np.ndarray]]) -> float:
    """Every minute waited at the stations by customers counted after the warm-up: the waits
    that ended in a start (a booked customer's until its server took it, which no queue
    holds), the waits given up, and the waits so far of those still queueing at the end."""
    tallies = [tally for station in stations
               for tally in (station.waits, getattr(station, "abandon_waits", None))
               if tally is not None]
    for tally in tallies:
        tally.flush()
    return math.fsum([*(tally.total for tally in tallies),
                      *(float(np.sum(waits)) for waits, _ in still)])


def system_ledger(model: m.Model, stations: dict[str, dict[str, float]],
                  waited: float) -> dict[str, float]:
    """The whole port's ledger: each resource's hours and positions, the call-out hours and
    the cost added up over the stations, in the catalogue's order; and the waiting-hours a day
    (``waited`` minutes over the measured days)."""
    measured = model.horizon - model.warmup
    totals: dict[str, float] = {"waiting_hours": (
        waited / 60.0 * m.MINUTES_PER_DAY / measured if measured > 0 else math.nan)}
    for resource in model.resources:
        chosen = [stations[spec.name] for spec in model.stations if spec.resource == resource]
        totals[f"{resource}_hours"] = math.fsum(row["server_hours"] for row in chosen)
        totals[f"{resource}_positions"] = math.fsum(row["positions"] for row in chosen)
    for key in ("on_call_hours", "cost"):
        found = [row[key] for row in stations.values() if key in row]
        if found:
            totals[key] = math.fsum(found)
    return totals
