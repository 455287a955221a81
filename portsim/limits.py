"""Limits that protect the machine from hostile or mistaken input, overridable from the environment.

A scenario file is untrusted input: it may be huge, nested without end, expand enormously through
YAML aliases, or describe a run that would never finish. Each limit below turns such input into
one clear error before the work (or the memory) is spent. The defaults are generous for real
ports; every limit can be raised (or lowered) by an environment variable:

========================  ========================  ====================================
variable                  default                   what it bounds
========================  ========================  ====================================
PORTSIM_MAX_FILE_BYTES    10 MiB                    size of a scenario (YAML) file
PORTSIM_MAX_CSV_BYTES     32 MiB                    size of a timetable CSV file
PORTSIM_MAX_CSV_ROWS      200,000                   rows of one timetable CSV file
PORTSIM_MAX_DEPTH         64 (at most 256)          nesting of mappings and lists in YAML
PORTSIM_MAX_NODES         1,000,000                 YAML values once aliases are expanded
PORTSIM_MAX_HORIZON       100y (36,525 days)        simulated time of one replication
PORTSIM_MAX_ENTITIES      10,000,000                entities arriving in one replication
PORTSIM_MAX_REPLICATIONS  10,000                    replications a scenario file asks for
PORTSIM_MAX_TASKS         100,000                   replications one command runs in all
PORTSIM_MAX_LOG_BYTES     2 GiB                     size of an event log (state-from-log)
========================  ========================  ====================================

Byte sizes may carry a binary suffix (``KiB``, ``MiB``, ``GiB``); counts may use ``_`` or ``,``
between digits; the horizon is a duration as in scenario files (``36525d``, minutes) or a number of
years (``100y``). :func:`current` reads the environment on every call, so a changed variable takes
effect at once (and in worker processes, which inherit it).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields

from portsim.errors import PortsimError
from portsim.units import parse_duration
from portsim.wording import format_duration

MINUTES_PER_YEAR = 365.25 * 1440.0


class LimitsError(PortsimError):
    """An environment variable that sets a limit holds something that is not a valid limit."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits in force; sizes in bytes, the horizon in minutes."""

    max_file_bytes: int = 10 * 1024**2
    """Largest scenario file read (checked before reading it)."""
    max_csv_bytes: int = 32 * 1024**2
    """Largest timetable CSV file read (checked before reading it)."""
    max_csv_rows: int = 200_000
    """Most rows (batches) in one timetable CSV file."""
    max_depth: int = 64
    """Deepest nesting of mappings and lists in a scenario file."""
    max_nodes: int = 1_000_000
    """Most YAML values in a scenario file, counting each alias as the values it stands for."""
    max_horizon: float = 100 * MINUTES_PER_YEAR
    """Longest simulated time of one replication, in minutes."""
    max_entities: int = 10_000_000
    """Most entities arriving in one replication."""
    max_replications: int = 10_000
    """Most replications a scenario file may ask for."""
    max_tasks: int = 100_000
    """Most replications one command runs in all (variants, sweep points, study ports and
    copies, precision rounds): each finished one is held until the command reports."""
    max_log_bytes: int = 2 * 1024**3
    """Largest event log ``state-from-log`` reads (checked before reading it)."""


#: The environment variable of each limit.
ENVIRONMENT: dict[str, str] = {
    "max_file_bytes": "PORTSIM_MAX_FILE_BYTES",
    "max_csv_bytes": "PORTSIM_MAX_CSV_BYTES",
    "max_csv_rows": "PORTSIM_MAX_CSV_ROWS",
    "max_depth": "PORTSIM_MAX_DEPTH",
    "max_nodes": "PORTSIM_MAX_NODES",
    "max_horizon": "PORTSIM_MAX_HORIZON",
    "max_entities": "PORTSIM_MAX_ENTITIES",
    "max_replications": "PORTSIM_MAX_REPLICATIONS",
    "max_tasks": "PORTSIM_MAX_TASKS",
    "max_log_bytes": "PORTSIM_MAX_LOG_BYTES",
}

DEFAULTS = Limits()

#: Highest nesting a user may allow: reading, validating and copying a document recurse once or
#: a few times per level, and Python's recursion limit (1000 frames) must never be what stops
#: a deep document. A route nests four levels per branch, so this still allows 60 nested
#: branches.
DEPTH_CEILING = 256

_BYTE_SUFFIXES = {"": 1, "b": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3}
_BYTES_RE = re.compile(r"^(\d[\d_,]*)\s*([a-zA-Z]*)$")
_COUNT_RE = re.compile(r"^\d[\d_,]*$")
_YEARS_RE = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)\s*(?:y|yr|yrs|year|years)$", re.IGNORECASE)


def _whole(digits: str) -> int:
    return int(digits.replace("_", "").replace(",", ""))


def _parse_bytes(text: str) -> int:
    match = _BYTES_RE.match(text)
    if not match or match[2].lower() not in _BYTE_SUFFIXES:
        raise ValueError("a number of bytes, optionally with KiB, MiB or GiB (e.g. 20MiB)")
    return _whole(match[1]) * _BYTE_SUFFIXES[match[2].lower()]


def _parse_count(text: str) -> int:
    if not _COUNT_RE.match(text):
        raise ValueError("a whole number (e.g. 2000000 or 2_000_000)")
    return _whole(text)


def _parse_horizon(text: str) -> float:
    years = _YEARS_RE.match(text)
    try:
        minutes = float(years[1]) * MINUTES_PER_YEAR if years else parse_duration(text)
    except ValueError:
        minutes = math.nan
    if not math.isfinite(minutes):
        raise ValueError("a duration such as 100y, 36525d or a number of minutes")
    return minutes


_PARSERS = {"max_file_bytes": _parse_bytes, "max_csv_bytes": _parse_bytes,
            "max_log_bytes": _parse_bytes, "max_horizon": _parse_horizon}


def current() -> Limits:
    """The limits in force: the defaults, overridden by the environment variables that are set.

    Raises :class:`LimitsError` for a variable that is set to something that is not a limit.
    """
    chosen: dict[str, int | float] = {}
    for item in fields(Limits):
        variable = ENVIRONMENT[item.name]
        text = os.environ.get(variable, "").strip()
        if not text:
            continue
        parser = _PARSERS.get(item.name, _parse_count)
        try:
            value = parser(text)
        except ValueError as error:
            raise LimitsError(f"environment variable {variable}={text!r}: expected {error}") \
                from None
        if value <= 0:
            raise LimitsError(f"environment variable {variable}={text!r}: must be above 0")
        if item.name == "max_depth" and value > DEPTH_CEILING:
            raise LimitsError(f"environment variable {variable}={text!r}: must be at most "
                              f"{DEPTH_CEILING} (deeper documents would exhaust Python's "
                              "recursion limit)")
        chosen[item.name] = value
    return Limits(**chosen)  # type: ignore[arg-type]


def describe(name: str) -> str:
    """``"PORTSIM_MAX_DEPTH"``: how a message tells the user which variable raises a limit."""
    return ENVIRONMENT[name]


def check_replications(count: int) -> None:
    """Refuse more replications of one model than :attr:`Limits.max_replications`."""
    most = current().max_replications
    if count > most:
        raise LimitsError(f"{count:,} replications asked for; the limit is {most:,} "
                          f"(set {describe('max_replications')} to allow more)")


def check_tasks(total: int, what: str = "the command") -> None:
    """Refuse a command that would run more than :attr:`Limits.max_tasks` replications in all
    (``what`` says how they multiply), before any task list is built."""
    most = current().max_tasks
    if total > most:
        raise LimitsError(f"{what} would run {total:,} replications in all, more than the "
                          f"limit of {most:,} for one command (set {describe('max_tasks')} to "
                          "allow more)")


def format_bytes(size: int) -> str:
    """``10,485,760 bytes (10 MiB)`` for messages."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size:,} bytes ({size / scale:.3g} {unit})"
    return f"{size:,} bytes"


def format_horizon(minutes: float) -> str:
    """``36525d (100 years)`` for messages."""
    shown = format_duration(minutes) if minutes < 1e12 else f"{minutes:.3g}min"
    return f"{shown} ({minutes / MINUTES_PER_YEAR:.4g} years)"


__all__ = ["DEFAULTS", "DEPTH_CEILING", "ENVIRONMENT", "MINUTES_PER_YEAR", "Limits",
           "LimitsError", "check_replications", "check_tasks", "current", "describe",
           "format_bytes", "format_horizon"]
