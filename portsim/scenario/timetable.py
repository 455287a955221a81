"""Timetable CSV files: a header, then one batch per row (columns ``time,count[,spread]``).

Each row means what the same batch written in YAML means, checked by the same
:class:`~portsim.scenario.schema.Batch` model (leniently, since every CSV cell is text), and any
mistake is reported with the CSV file's name, the row number (the header is row 1) and the column.

The file is read row by row, never whole, within two limits (:mod:`portsim.limits`): its size in
bytes (checked before reading) and its number of rows. Rows need not be in time order: a timetable
is a set of batches, and the arrivals it describes are the same in any order (the engine sorts
them). Well-formed rows take a fast path through the unit parsers; only a row that fails it goes
through pydantic, for the exact message.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portsim import limits as limits_
from portsim.scenario.schema import Batch
from portsim.scenario.units import MAX_COUNT, parse_duration

COLUMNS = ("time", "count", "spread")
REQUIRED = ("time", "count")

_DIGITS = re.compile(r"^[0-9]{1,18}$")
_PLAIN = re.compile(r"^[0-9]{1,15}(?:\.[0-9]{0,15})?$")  # minutes, exactly as parse_duration


class TimetableFileError(ValueError):
    """A timetable CSV that is missing or malformed; the message names the file and the row."""


def _open(path: Path, shown: str, limits: limits_.Limits) -> Any:
    try:
        size = os.stat(path).st_size
        if path.is_dir():
            raise IsADirectoryError
        if size > limits.max_csv_bytes:
            raise TimetableFileError(
                f"timetable file {shown!r} is {limits_.format_bytes(size)}, more than the limit "
                f"of {limits_.format_bytes(limits.max_csv_bytes)} "
                f"({limits_.describe('max_csv_bytes')})")
        return path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise TimetableFileError(f"timetable file {shown!r} not found (looked for {path})") \
            from None
    except IsADirectoryError:
        raise TimetableFileError(f"timetable file {shown!r} is a folder, not a CSV file") from None
    except PermissionError:
        raise TimetableFileError(f"timetable file {shown!r} cannot be read (permission denied)") \
            from None
    except OSError as error:
        raise TimetableFileError(f"timetable file {shown!r} cannot be read: {error.strerror}") \
            from None


def _rows(handle: Any, shown: str, limits: limits_.Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells) of every non-blank row, within the row limit."""
    reader = csv.reader(handle)
    rows = 0
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            if not any(stripped):
                continue
            rows += 1
            if rows > limits.max_csv_rows + 1:  # the header is not a batch
                raise TimetableFileError(
                    f"{shown} has more than {limits.max_csv_rows:,} rows (the limit is "
                    f"{limits_.describe('max_csv_rows')}); give a day or a week of batches and "
                    "a repeat period instead")
            yield reader.line_num, stripped
    except UnicodeDecodeError as error:
        raise TimetableFileError(
            f"timetable file {shown!r} is not UTF-8 text (near row {reader.line_num + 1}, "
            f"byte {error.start} of its chunk)"
        ) from None
    except csv.Error as error:  # a NUL byte, a field larger than csv.field_size_limit()
        raise TimetableFileError(f"{shown} row {reader.line_num}: not a CSV row ({error})") \
            from None


def _minutes(cell: str) -> float:
    return float(cell) if _PLAIN.match(cell) else parse_duration(cell)


def _fast(row: dict[str, str]) -> dict[str, Any] | None:
    """The batch of a well-formed row, as Batch.model_dump() gives it; None to ask pydantic."""
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
    try:
        # Lax on purpose: every cell is text, so "180" must become the count 180.
        batch = Batch.model_validate(row, strict=False)
    except ValidationError as error:
        first = error.errors()[0]
        column = first["loc"][0] if first["loc"] else "?"
        cell = row.get(str(column))
        message = first["msg"].removeprefix("Value error, ")
        got = f" (got {cell!r})" if cell is not None and repr(cell) not in message else ""
        raise TimetableFileError(
            f"{shown} row {number}, column {column!r}: {message}{got}"
        ) from None
    return batch.model_dump()


def read_timetable(path: Path, *, shown: str,
                   limits: limits_.Limits | None = None) -> list[dict[str, Any]]:
    """The batches of a timetable CSV as plain data (minutes), ready for the Batch model.

    ``shown`` is how messages name the file (as written in the scenario); ``limits`` default to
    :func:`portsim.limits.current`.
    """
    limits = limits if limits is not None else limits_.current()
    with _open(path, shown, limits) as handle:
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
                f"(got {','.join(header)!r})"
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
