"""An event log read for fitting: per entity its class, arrival and visits.

Two forms are read, both through the one log reader of ``state-from-log``
(:func:`portsim.experiment.logstate.log_rows`: size limit, UTF-8, one message naming the file,
the row and the column), and a trace written as XES (:mod:`portsim.fitting.xes`):

- a **trace** (``time, entity, class, station, event``), as ``portsim run --trace`` writes it;
- the **minimal form** (``entity, class, station, arrival, start, end``): one row per visit of
  an entity to a station, times in minutes from the start of day 1. An empty ``start`` means the
  entity gave up at ``end`` (or balked at ``arrival`` when ``end`` is empty too); an empty
  ``end`` after a ``start`` means it was still in service when the log ends. The entity arrives
  at its first visit's ``arrival`` and leaves after its last visit.

An entity's events must be in time order in the file (a start before its queue, a finish before
its start, is refused naming the row), and times may not be negative.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portsim.experiment.logstate import (
    REQUIRED,
    LogError,
    event_row,
    log_columns,
    log_rows,
    minutes,
    name_cell,
    row_fault,
)

#: The columns of the minimal form.
MINIMAL = ("entity", "class", "station", "arrival", "start", "end")


@dataclass
class Visit:
    """One visit to a station: when the entity joined its queue, started and finished (None:
    not observed), and how it ended: ``served``, ``abandon``, ``balk`` or ``open``."""

    station: str
    queued: float
    start: float | None = None
    finish: float | None = None
    outcome: str = "open"


@dataclass
class Entity:
    """An entity of the log: its class, arrival, visits in order, and whether it left."""

    kind: str
    arrival: float | None = None
    visits: list[Visit] = field(default_factory=list)
    departed: bool = False
    last: float = 0.0


@dataclass
class Log:
    """What fitting needs of a log: its entities and the time it covers (from 0, the start of
    day 1, to its last event)."""

    path: str
    entities: dict[Any, Entity]
    end: float
    form: str


def read_log(path: str | os.PathLike[str]) -> Log:
    """The entities of the log at ``path`` (trace or minimal form, told by its header)."""
    if Path(path).suffix.lower() == ".xes":
        from portsim.fitting.xes import xes_rows

        return _from_trace(path, xes_rows(path))
    header = log_columns(path)
    if all(name in header for name in REQUIRED):
        return _from_trace(path, log_rows(path, REQUIRED, _numbered))
    if all(name in header for name in MINIMAL):
        return _from_minimal(path)
    missing = [name for name in REQUIRED if name not in header]
    short = [name for name in MINIMAL if name not in header]
    raise LogError(f"{os.fspath(path)} row 1: a log to fit needs the columns of a trace "
                   f"({', '.join(REQUIRED)}; missing: {', '.join(missing)}) or of the minimal "
                   f"form ({', '.join(MINIMAL)}; missing: {', '.join(short)})")


def _entity(entities: dict[Any, Entity], shown: str, number: int, key: Any,
            kind: str, time: float, column: str) -> Entity:
    """The entity ``key``, checked: its class unchanged, its events in time order."""
    if time < 0:
        raise row_fault(shown, number, column, "a negative time (minutes from the start of "
                        "day 1)", time)
    entity = entities.setdefault(key, Entity(kind))
    if entity.kind != kind:
        raise row_fault(shown, number, "class", f"entity {key!s} was of class "
                        f"{entity.kind!r} in an earlier row", kind)
    if time < entity.last:
        raise row_fault(shown, number, column, f"earlier than entity {key!s}'s previous "
                        f"event ({entity.last:g}); its events must be in time order", time)
    entity.last = time
    return entity


def _numbered(shown: str, number: int, values: list[Any]) -> tuple[Any, ...]:
    return (number, *event_row(shown, number, values))


def _from_trace(path: str | os.PathLike[str], rows: Iterable[tuple[Any, ...]]) -> Log:
    """The entities of trace ``rows``: (row number, time, entity, class, station, event)."""
    shown = os.fspath(path)
    entities: dict[Any, Entity] = {}
    end = 0.0
    for number, time, key, kind, station, event in rows:
        entity = _entity(entities, shown, number, str(key), kind, time, "time")
        end = max(end, time)
        _apply(entity, shown, number, time, station, event)
    return Log(shown, entities, end, "trace")


def _apply(entity: Entity, shown: str, number: int, time: float, station: str,
           event: str) -> None:
    """One trace event applied to its entity's record. A station's events are matched to the
    entity's open visit there: at one instant a trace may name the next queue before the
    finish of the service before it."""
    if event == "arrive":
        entity.arrival = time
    elif event == "queue":
        entity.visits.append(Visit(station, time))
    elif event == "depart":
        entity.departed = True
    elif event in ("start", "finish", "abandon", "balk"):
        current = next((v for v in reversed(entity.visits)
                        if v.station == station and v.outcome == "open"), None)
        if current is None and event == "balk":  # turned away: it never queued
            entity.visits.append(Visit(station, time, None, time, "balk"))
        elif current is None:
            raise row_fault(shown, number, "event", f"a {event} at {station!r} without a "
                            "queue event there before it", event)
        elif event == "start":
            current.start = time
        else:
            current.finish = time
            current.outcome = "served" if event == "finish" else event


def _from_minimal(path: str | os.PathLike[str]) -> Log:
    shown = os.fspath(path)
    entities: dict[Any, Entity] = {}
    end = 0.0
    for number, key, kind, station, arrival, start, finish in log_rows(path, MINIMAL,
                                                                        _minimal_row):
        entity = _entity(entities, shown, number, key, kind, arrival, "arrival")
        if entity.arrival is None:
            entity.arrival = arrival
        visit = Visit(station, arrival, start, finish)
        if start is not None:
            _entity(entities, shown, number, key, kind, start, "start")
            visit.outcome = "served" if finish is not None else "open"
        else:
            visit.outcome = "abandon" if finish is not None else "balk"
            visit.finish = finish if finish is not None else arrival
        if finish is not None:
            _entity(entities, shown, number, key, kind, finish, "end")
        entity.visits.append(visit)
        entity.departed = visit.outcome != "open"
        end = max(end, arrival, start or 0.0, finish or 0.0)
    return Log(shown, entities, end, "minimal")


def _minimal_row(shown: str, number: int, values: list[Any]) -> tuple[Any, ...]:
    """One visit of the minimal form, checked cell by cell."""
    entity, kind, station, arrival, start, finish = values
    times = [None if value in (None, "") else minutes(shown, number, column, value)
             for column, value in (("arrival", arrival), ("start", start), ("end", finish))]
    if times[0] is None:
        raise row_fault(shown, number, "arrival", "missing", arrival)
    return (number, name_cell(shown, number, "entity", entity),
            name_cell(shown, number, "class", kind), name_cell(shown, number, "station", station),
            *times)


__all__ = ["MINIMAL", "Entity", "Log", "Visit", "read_log"]
