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

import csv
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portsim import limits as limits_
from portsim.document.classes import Batch
from portsim.document.fields import MAX_COUNT
from portsim.units import parse_duration

COLUMNS = ("time", "count", "spread")
REQUIRED = ("time", "count")

_DIGITS = re.compile(r"^[0-9]{1,18}$")
_PLAIN = re.compile(r"^[0-9]{1,15}(?:\.[0-9]{0,15})?$")  # minutes, exactly as parse_duration


#: Environment variable: more folders (separated by ``os.pathsep``) timetables may be read from.
FOLDERS_VARIABLE = "PORTSIM_TIMETABLE_DIRS"
#: Longest excerpt of a cell or header quoted in a message.
EXCERPT = 40


class TimetableFileError(ValueError):
    """A timetable CSV that is missing or malformed; the message names the file and the row."""


def excerpt(text: str, size: int = EXCERPT) -> str:
    """``text`` quoted, cut to ``size`` characters with a visible mark when longer."""
    if len(text) <= size:
        return repr(text)
    return f"{text[:size]!r}… ({len(text):,} characters, cut)"


def allowed_folders(folder: Path, variable: str = FOLDERS_VARIABLE) -> list[Path]:
    """Where files named by a file in ``folder`` may live: that folder, and the folders listed
    in the environment ``variable`` (by default ``PORTSIM_TIMETABLE_DIRS``)."""
    extra = os.environ.get(variable, "")
    return [Path(entry).resolve() for entry in [str(folder), *extra.split(os.pathsep)]
            if entry.strip()]


def locate(folder: Path, written: str, *, what: str = "timetable file",
           owner: str = "scenario", variable: str = FOLDERS_VARIABLE) -> Path:
    """The ``what`` named ``written`` by an ``owner`` file in ``folder``, refused (before it is
    opened) if it lies outside the allowed folders (:func:`allowed_folders`), symbolic links
    followed: a file given to portsim must not make it read, and quote, any file of the
    machine."""
    path = (folder / written).resolve()
    allowed = allowed_folders(folder, variable)
    if not any(path.is_relative_to(root) for root in allowed):
        raise TimetableFileError(
            f"{what} {excerpt(written, 200)} is outside the {owner}'s folder "
            f"({allowed[0]}); it must be in that folder or below it (list other "
            f"folders in {variable} to allow them)")
    return path


def regular_file(path: Path, shown: str, what: str) -> None:
    """Refuse ``path`` unless it is a regular file, before it is opened: a device never ends
    and a FIFO blocks in ``open()``."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing or unreadable: the reader says so in its own words
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise TimetableFileError(
            f"{what} {shown!r} is not a regular file (a device, FIFO or socket)")


def _capped(handle: Iterable[str], shown: str, limits: limits_.Limits) -> Iterator[str]:
    """The lines of ``handle``, stopping at the size limit (a file that grows while read)."""
    read = 0
    for line in handle:
        read += len(line)  # characters: at most the bytes they were decoded from
        if read > limits.max_csv_bytes:
            raise TimetableFileError(
                f"timetable file {shown!r} is more than the limit of "
                f"{limits_.format_bytes(limits.max_csv_bytes)} "
                f"({limits_.describe('max_csv_bytes')})")
        yield line


def _open(path: Path, shown: str, limits: limits_.Limits) -> Any:
    try:
        status = os.stat(path)
        size = status.st_size
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError
        regular_file(path, shown, "timetable file")
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
    reader = csv.reader(_capped(handle, shown, limits))
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
