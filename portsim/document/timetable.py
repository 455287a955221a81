"""Timetable CSV files: a header, then one batch per row (columns ``time,count[,spread]``).

Each row means what the same batch written in YAML means, checked by the same
:class:`~portsim.document.classes.Batch` model (leniently, since every CSV cell is text), and any
mistake is reported with the CSV file's name, the row number (the header is row 1) and the column.

Where a timetable may live: in the scenario file's folder or below it (after following symbolic
links), or below a folder listed in ``PORTSIM_TIMETABLE_DIRS``; a scenario cannot make portsim
read, and inline into its results, any file on the machine. Only a regular file is read (never a
device or a FIFO, which never end or block), row by row, never whole, within two limits
(:mod:`portsim.limits`): its size in bytes (checked before reading, and again while reading, for
a file that grows) and its number of rows. A message quotes at most a short, visibly cut excerpt
of a bad cell, never a whole line of a file that is not a timetable.

Rows need not be in time order: a timetable is a set of batches, and the arrivals it describes
are the same in any order (the engine sorts them). Well-formed rows take a fast path through the
unit parsers; only a row that fails it goes through pydantic, for the exact message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portsim import limits as limits_
from portsim.document import sidefiles
from portsim.document.classes import Batch
from portsim.document.fields import MAX_COUNT
from portsim.document.sidefiles import EXCERPT, SideFileError, csv_rows, excerpt, open_capped
from portsim.units import parse_duration

COLUMNS = ("time", "count", "spread")
REQUIRED = ("time", "count")

_DIGITS = re.compile(r"^[0-9]{1,18}$")
_PLAIN = re.compile(r"^[0-9]{1,15}(?:\.[0-9]{0,15})?$")  # minutes, exactly as parse_duration


#: Environment variable: more folders (separated by ``os.pathsep``) timetables may be read from.
FOLDERS_VARIABLE = "PORTSIM_TIMETABLE_DIRS"
_WHAT = "timetable file"


class TimetableFileError(SideFileError):
    """A timetable CSV that is missing or malformed; the message names the file and the row."""


def locate(folder: Path, written: str) -> Path:
    """The timetable file ``written`` (relative to a scenario's ``folder``), refused if it lies
    outside the folders allowed (see :func:`portsim.document.sidefiles.locate`)."""
    try:
        return sidefiles.locate(folder, written, what=_WHAT, owner="scenario",
                                variable=FOLDERS_VARIABLE)
    except SideFileError as error:
        raise TimetableFileError(str(error)) from None


def _rows(handle: Any, shown: str, limits: limits_.Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells) of every non-blank row, within the row limit."""
    read = csv_rows(handle, shown, _WHAT, "max_csv_bytes", limits)
    for rows, (number, cells) in enumerate(read, start=1):
        if rows > limits.max_csv_rows + 1:  # the header is not a batch
            raise TimetableFileError(
                f"{shown} has more than {limits.max_csv_rows:,} rows (the limit is "
                f"{limits_.describe('max_csv_rows')}); give a day or a week of batches and "
                "a repeat period instead")
        yield number, cells


def _minutes(cell: str) -> float:
    return float(cell) if _PLAIN.match(cell) else parse_duration(cell)


def _fast(row: dict[str, str]) -> dict[str, Any] | None:
    """The batch of a well-formed row, as Batch.model_dump() gives it; None to ask pydantic."""
    if any(len(cell) > EXCERPT for cell in row.values()):
        return None  # let _slow refuse it with a short excerpt
    count = row.get("count")
    if count is None or not _DIGITS.match(count) or not 1 <= int(count) <= MAX_COUNT:
        return None
    try:
        time = _minutes(row["time"]) if "time" in row else None
        spread = _minutes(row["spread"]) if "spread" in row else 0.0
    except ValueError:
        return None
    if time is None:
        return None
    return {"time": time, "count": int(count), "spread": spread}


def _slow(row: dict[str, str], shown: str, number: int) -> dict[str, Any]:
    for name, text in row.items():
        if len(text) > EXCERPT:
            # No time, count or spread is this long; quoting it whole would echo a file that
            # is not a timetable (a row of /etc/passwd) into the message.
            raise TimetableFileError(f"{shown} row {number}, column {name!r}: not a "
                                     f"{name} (got {excerpt(text)})")
    try:
        # Lax on purpose: every cell is text, so "180" must become the count 180.
        batch = Batch.model_validate(row, strict=False)
    except ValidationError as error:
        first = error.errors()[0]
        column = first["loc"][0] if first["loc"] else "?"
        cell = row.get(str(column))
        message = first["msg"].removeprefix("Value error, ")
        got = f" (got {excerpt(cell)})" if cell is not None and repr(cell) not in message \
            else ""
        raise TimetableFileError(
            f"{shown} row {number}, column {column!r}: {message}{got}"
        ) from None
    return batch.model_dump()


def _header_fault(header: list[str], unknown: list[str], missing: list[str]) -> str:
    """What is wrong with a header, quoting at most one short cell of it."""
    if unknown:
        return f"got the unknown column {excerpt(unknown[0], 20)}"
    if missing:
        return f"the column {missing[0]!r} is missing"
    return "a column is named twice"


def read_timetable(path: Path, *, shown: str,
                   limits: limits_.Limits | None = None) -> list[dict[str, Any]]:
    """The batches of a timetable CSV as plain data (minutes), ready for the Batch model.

    ``shown`` is how messages name the file (as written in the scenario); ``limits`` default to
    :func:`portsim.limits.current`.
    """
    limits = limits if limits is not None else limits_.current()
    try:
        return _batches(open_capped(path, shown, _WHAT, "max_csv_bytes", limits), shown, limits)
    except SideFileError as error:
        if isinstance(error, TimetableFileError):
            raise
        raise TimetableFileError(str(error)) from None


def _batches(opened: Any, shown: str, limits: limits_.Limits) -> list[dict[str, Any]]:
    with opened as handle:
        rows = _rows(handle, shown, limits)
        first = next(rows, None)
        if first is None:
            raise TimetableFileError(f"{shown}: the file is empty; it needs a header "
                                     f"time,count[,spread] and one row per batch")
        header_row, header = first
        unknown = [name for name in header if name not in COLUMNS]
        missing = [name for name in REQUIRED if name not in header]
        if unknown or missing or len(set(header)) != len(header):
            raise TimetableFileError(
                f"{shown} row {header_row}: the header must name the columns time,count[,spread] "
                f"({_header_fault(header, unknown, missing)})"
            )
        batches: list[dict[str, Any]] = []
        for number, cells in rows:
            if len(cells) != len(header):
                raise TimetableFileError(
                    f"{shown} row {number}: expected {len(header)} values "
                    f"({','.join(header)}), got {len(cells)}"
                )
            row = {name: cell for name, cell in zip(header, cells, strict=True) if cell != ""}
            batch = _fast(row)
            batches.append(batch if batch is not None else _slow(row, shown, number))
    if not batches:
        raise TimetableFileError(f"{shown}: no batches below the header")
    return batches
