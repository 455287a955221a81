"""A state file from an event log: who was waiting and in service at a clock time.

The log has the columns of a trace (``time, entity, class, station, event``; events ``arrive``,
``queue``, ``start``, ``finish``, ``depart``; times in minutes from the start of day 1): a
``--trace`` file of a run, or a real day's observations written the same way. At the clock time
each entity's last event says where it is: after ``queue`` (or ``interrupt``: a service a
failure cut short) it waits at that station, after
``start`` it is in service there (with the service time elapsed), after ``depart`` it has left.
Entities between stations (after a ``finish``, or an ``arrive`` with nothing yet) cannot be
placed and are counted under ``not_recorded``.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from portsim.engine.state import InService, StartState, StationState, Waiting
from portsim.errors import PortsimError

REQUIRED = ("time", "entity", "class", "station", "event")


class LogError(PortsimError):
    """An event log that cannot be read as one."""


def _rows(path: Path) -> Iterator[tuple[float, str, str, str, str]]:
    """The rows of a CSV or Parquet log, in file order."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=list(REQUIRED))
        yield from zip(*(table.column(c).to_pylist() for c in REQUIRED), strict=True)
        return
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise LogError(f"{path}: an event log needs the columns {', '.join(REQUIRED)} "
                           f"(missing: {', '.join(missing)})")
        for line, row in enumerate(reader, start=2):
            try:
                time = float(row["time"])
            except ValueError:
                raise LogError(f"{path}:{line}: time {row['time']!r} is not a number of "
                               "minutes") from None
            yield time, row["entity"], row["class"], row["station"] or "", row["event"]


def state_from_log(path: str | os.PathLike[str], clock: float) -> StartState:
    """The state at ``clock`` (minutes from the start of day 1) of the log at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise LogError(f"{path}: no such event log")
    return state_from_rows(_rows(path), clock)


def state_from_rows(rows: Iterable[tuple[float, Any, str, str | None, str]],
                    clock: float) -> StartState:
    """The state at ``clock`` of trace rows ``(time, entity, class, station, event)``."""
    # Per entity: class, arrival, waits so far, and the open visit (station, event, time).
    kinds: dict[Any, str] = {}
    arrived: dict[Any, float] = {}
    waits: dict[Any, float] = {}
    open_visit: dict[Any, tuple[str, str, float]] = {}
    queued: dict[Any, float] = {}
    left: set[Any] = set()
    for time, entity, kind, station, event in rows:
        if time > clock:
            continue  # a log need not be sorted by time
        kinds[entity] = kind
        if event == "arrive":
            arrived[entity] = time
        elif event in ("queue", "interrupt"):  # an interrupted service queues again
            queued[entity] = time
            open_visit[entity] = (station or "", "queue", time)
        elif event == "start":
            waits[entity] = waits.get(entity, 0.0) + time - queued.get(entity, time)
            open_visit[entity] = (station or "", "start", time)
        elif event == "finish":
            open_visit.pop(entity, None)
        elif event == "depart":
            left.add(entity)
    waiting: dict[str, list[Waiting]] = {}
    serving: dict[str, list[InService]] = {}
    between = 0
    for entity, kind in kinds.items():
        if entity in left:
            continue
        visit = open_visit.get(entity)
        if visit is None:
            between += 1
            continue
        station, event, since = visit
        in_system = clock - arrived.get(entity, since)
        if event == "queue":
            waiting.setdefault(station, []).append(Waiting(
                kind, clock - since, waits.get(entity, 0.0), in_system))
        else:
            serving.setdefault(station, []).append(InService(
                kind, clock - since, None, waits.get(entity, 0.0), in_system))
    stations = tuple(
        StationState(name, tuple(sorted(waiting.get(name, []), key=lambda w: -w.waited)),
                     tuple(serving.get(name, [])))
        for name in sorted(set(waiting) | set(serving)))
    return StartState(clock, stations, not_recorded=(("between_stations", between),)
                      if between else ())


__all__ = ["LogError", "state_from_log", "state_from_rows"]
