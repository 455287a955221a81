"""A state file from an event log: who was waiting and in service at a clock time.

The log has the columns of a trace (``time, entity, class, station, event``; events ``arrive``,
``queue``, ``start``, ``finish``, ``depart`` and those of impatience and breakdowns; times in
minutes from the start of day 1): a ``--trace`` file of a run, or a real day's observations
written the same way. At the clock time each entity's last event says where it is: after
``queue`` (or ``interrupt``: a service a failure cut short) it waits at that station, after
``start`` it is in service there (with the service time elapsed), after ``depart`` it has left.
Entities between stations (after a ``finish``, a ``balk``, an ``abandon`` or a ``divert``, or an
``arrive`` with nothing yet) cannot be placed and are counted under ``not_recorded``.

A log is untrusted input, read as a scenario file is: its size is checked before it is read
(``PORTSIM_MAX_LOG_BYTES``), its entities are held to ``PORTSIM_MAX_ENTITIES``, and a row that
is not an event (a time that is not a finite number, an unknown event, a name of more than
200 characters, bytes that are not UTF-8) is one message naming the file, the row and the
column, quoting at most a short excerpt.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from portsim import limits as limits_
from portsim.document.sidefiles import SideFileError, check_size, csv_rows, excerpt, open_capped
from portsim.engine.state import InService, StartState, StationState, Waiting
from portsim.errors import PortsimError

REQUIRED = ("time", "entity", "class", "station", "event")
#: The events of a trace (engine: arrivals, stations, impatience, breakdowns).
EVENTS = ("arrive", "queue", "start", "finish", "depart", "interrupt", "divert", "balk",
          "abandon", "retry")
#: Longest entity, class or station name read from a log: no name in a scenario is this long,
#: and a longer cell is not a name (a line of another file, say).
LONGEST_NAME = 200
#: Fewest bytes a row of a CSV log takes ("1,1,a,,arrive" and its line end): a Parquet log
#: may hold at most as many rows as a CSV log of the size limit.
SMALLEST_ROW = 14
_WHAT = "event log"
#: Characters a name may not hold (those a YAML file may not hold either).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")

Row = tuple[float, Any, str, str, str]
#: A row check: (file as shown, row number, the values of the wanted columns) -> the row.
RowCheck = Callable[[str, int, list[Any]], Any]


class LogError(PortsimError):
    """An event log that cannot be read as one."""


def state_from_log(path: str | os.PathLike[str], clock: float) -> StartState:
    """The state at ``clock`` (minutes from the start of day 1) of the log at ``path``: a CSV
    or Parquet file within ``PORTSIM_MAX_LOG_BYTES``; :class:`LogError` naming the file, the
    row and the column for anything that is not an event log."""
    return state_from_rows(log_rows(path), clock, limits_.current().max_entities)


def log_rows(path: str | os.PathLike[str], columns: Sequence[str] = REQUIRED,
             check: RowCheck | None = None) -> Iterator[Any]:
    """The rows of the CSV or Parquet log at ``path`` in file order, each the values of
    ``columns`` passed through ``check(shown, row number, values)`` (default: an event of a
    trace, :func:`event_row`); within ``PORTSIM_MAX_LOG_BYTES``. :class:`LogError` names the
    file, the row and the column of anything that is not such a log."""
    limits = limits_.current()
    shown = os.fspath(path)
    rows = _parquet_rows if Path(path).suffix.lower() == ".parquet" else _csv_rows
    try:
        yield from rows(Path(path), shown, limits, tuple(columns), check or event_row)
    except SideFileError as error:
        raise LogError(str(error)) from None


def log_columns(path: str | os.PathLike[str]) -> list[str]:
    """The column names of the CSV or Parquet log at ``path`` (its header), read within the
    limits; :class:`LogError` for a file that is not a log."""
    limits = limits_.current()
    shown = os.fspath(path)
    try:
        if Path(path).suffix.lower() == ".parquet":
            return list(_parquet_file(Path(path), shown, limits).schema_arrow.names)
        with open_capped(Path(path), shown, _WHAT, "max_log_bytes", limits) as handle:
            first = next(csv_rows(handle, shown, _WHAT, "max_log_bytes", limits), None)
    except SideFileError as error:
        raise LogError(str(error)) from None
    if first is None:
        raise LogError(f"{shown}: the file is empty; an event log needs a header row naming "
                       "its columns and one row per event")
    return first[1]


def _csv_rows(path: Path, shown: str, limits: limits_.Limits, columns: tuple[str, ...],
              check: RowCheck) -> Iterator[Any]:
    """The rows of a CSV log, in file order, each checked."""
    with open_capped(path, shown, _WHAT, "max_log_bytes", limits) as handle:
        rows = csv_rows(handle, shown, _WHAT, "max_log_bytes", limits)
        first = next(rows, None)
        if first is None:
            raise LogError(f"{shown}: the file is empty; an event log needs a header "
                           f"{','.join(columns)} and one row per event")
        header_row, header = first
        positions = _columns(shown, header_row, header, columns)
        for number, cells in rows:
            if len(cells) != len(header):
                raise LogError(f"{shown} row {number}: expected {len(header)} values "
                               f"({excerpt(','.join(header), 80)}), got {len(cells)}")
            yield check(shown, number, [cells[i] for i in positions])


def _columns(shown: str, number: int, header: Sequence[str],
             columns: Sequence[str] = REQUIRED) -> list[int]:
    """Where each wanted column is in ``header``."""
    missing = [name for name in columns if name not in header]
    if missing:
        raise LogError(f"{shown} row {number}: an event log needs the columns "
                       f"{', '.join(columns)} (missing: {', '.join(missing)})")
    return [header.index(name) for name in columns]


def _parquet_file(path: Path, shown: str, limits: limits_.Limits) -> Any:
    """The Parquet file at ``path``, its size checked; :class:`LogError` if unreadable."""
    check_size(path, shown, _WHAT, "max_log_bytes", limits, "Parquet file")
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise LogError(f"{shown}: reading a .parquet event log needs pyarrow (pip install "
                       "pyarrow); or give the log as .csv") from None
    try:
        return pq.ParquetFile(path)
    except Exception as error:
        raise LogError(f"{shown}: not a readable Parquet event log ({type(error).__name__}: "
                       f"{excerpt(str(error), 120)})") from None


def _parquet_rows(path: Path, shown: str, limits: limits_.Limits, columns: tuple[str, ...],
                  check: RowCheck) -> Iterator[Any]:
    """The rows of a Parquet log, in file order, each checked; read in batches, its row count
    held to what a CSV log of the size limit could hold."""
    log = _parquet_file(path, shown, limits)
    try:
        _columns(shown, 1, list(log.schema_arrow.names), columns)
        most = limits.max_log_bytes // SMALLEST_ROW
        if log.metadata.num_rows > most:
            raise LogError(f"{shown}: {log.metadata.num_rows:,} rows, more than a CSV log "
                           f"within {limits_.describe('max_log_bytes')} could hold ({most:,})")
        batches = log.iter_batches(batch_size=65_536, columns=list(columns))
        number = 1  # the header's place in a CSV log: data rows from 2, as there
        for batch in batches:
            values = [batch.column(name).to_pylist() for name in columns]
            for row in zip(*values, strict=True):
                number += 1
                yield check(shown, number, list(row))
    except (LogError, SideFileError):
        raise
    except Exception as error:
        raise LogError(f"{shown}: not a readable Parquet event log ({type(error).__name__}: "
                       f"{excerpt(str(error), 120)})") from None


def row_fault(shown: str, number: int, column: str, what: str, value: Any) -> LogError:
    """The message for a bad cell: the file, the row, the column, a short excerpt."""
    shown_value = excerpt(value) if isinstance(value, str) else repr(value)[:60]
    return LogError(f"{shown} row {number}, column {column!r}: {what} (got {shown_value})")


def minutes(shown: str, number: int, column: str, value: Any) -> float:
    """A cell as a finite number of minutes, or the message naming it."""
    try:
        time = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        time = math.nan
    if not math.isfinite(time):
        raise row_fault(shown, number, column, "not a finite number of minutes", value)
    return time


def name_cell(shown: str, number: int, column: str, value: Any, *,
              required: bool = True) -> str:
    """A cell as a name: short printable text (empty only where not ``required``)."""
    text = "" if value is None else str(value)
    if len(text) > LONGEST_NAME:
        raise row_fault(shown, number, column, f"longer than {LONGEST_NAME} characters", text)
    if not text and required:
        raise row_fault(shown, number, column, "missing", value)
    control = _CONTROL.search(text)
    if control:  # as in YAML files: a name is printable text
        raise row_fault(shown, number, column,
                        f"holds the control character U+{ord(control[0]):04X}", text)
    return text


def event_row(shown: str, number: int, values: list[Any]) -> Row:
    """One event, checked: a finite time in minutes, names that are short text, a known
    event; anything else is one message naming the row and the column."""
    time, entity, kind, station, event = values
    when = minutes(shown, number, "time", time)
    if event not in EVENTS:
        raise row_fault(shown, number, "event",
                        f"not an event of a trace ({', '.join(EVENTS)})", event)
    name_cell(shown, number, "entity", entity)
    kind = name_cell(shown, number, "class", kind)
    station = name_cell(shown, number, "station", station, required=False)
    return when, entity, kind, station, event


def state_from_rows(rows: Iterable[tuple[float, Any, str, str | None, str]],
                    clock: float, max_entities: int | None = None) -> StartState:
    """The state at ``clock`` of trace rows ``(time, entity, class, station, event)``; a log
    naming more than ``max_entities`` entities up to the clock is refused (each costs memory
    here and in the run)."""
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
        if max_entities is not None and entity not in kinds and len(kinds) >= max_entities:
            raise LogError(f"the log names more than {max_entities:,} entities up to the "
                           f"clock time, the limit of one replication (set "
                           f"{limits_.describe('max_entities')} to allow more)")
        kinds[entity] = kind
        if event == "arrive":
            arrived[entity] = time
        elif event in ("queue", "interrupt"):  # an interrupted service queues again
            queued[entity] = time
            open_visit[entity] = (station or "", "queue", time)
        elif event == "start":
            waits[entity] = waits.get(entity, 0.0) + time - queued.get(entity, time)
            open_visit[entity] = (station or "", "start", time)
        elif event in ("finish", "balk", "abandon", "divert"):  # no longer at the station
            open_visit.pop(entity, None)
        elif event == "depart":
            left.add(entity)
    return _placed(clock, kinds, left, open_visit, arrived, waits)


def _placed(clock: float, kinds: dict[Any, str], left: set[Any],
            open_visit: dict[Any, tuple[str, str, float]], arrived: dict[Any, float],
            waits: dict[Any, float]) -> StartState:
    """The state of the entities read: each one that has not left placed where its last event
    left it (waiting or in service), the others counted as between stations."""
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

__all__ = ["EVENTS", "REQUIRED", "LogError", "RowCheck", "event_row", "log_columns", "log_rows",
           "minutes", "name_cell", "row_fault", "state_from_log", "state_from_rows"]
