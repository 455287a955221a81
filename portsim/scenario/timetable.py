"""Timetable CSV files: a header, then one batch per row (columns ``time,count[,spread]``).

Each row is validated by the same :class:`~portsim.scenario.schema.Batch` model as batches
written in YAML (leniently, since every CSV cell is text), and any mistake is reported with the
CSV file's name, the row number (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portsim.scenario.schema import Batch

COLUMNS = ("time", "count", "spread")
REQUIRED = ("time", "count")


class TimetableFileError(ValueError):
    """A timetable CSV that is missing or malformed; the message names the file and the row."""


def _read_text(path: Path, shown: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise TimetableFileError(f"timetable file {shown!r} not found (looked for {path})") \
            from None
    except IsADirectoryError:
        raise TimetableFileError(f"timetable file {shown!r} is a folder, not a CSV file") from None
    except PermissionError:
        raise TimetableFileError(f"timetable file {shown!r} cannot be read (permission denied)") \
            from None
    except UnicodeDecodeError as error:
        raise TimetableFileError(
            f"timetable file {shown!r} is not UTF-8 text (byte {error.start})"
        ) from None
    except OSError as error:
        raise TimetableFileError(f"timetable file {shown!r} cannot be read: {error.strerror}") \
            from None


def read_timetable(path: Path, *, shown: str) -> list[dict[str, Any]]:
    """The batches of a timetable CSV as plain data (minutes), ready for the Batch model.

    ``shown`` is how messages name the file (as written in the scenario).
    """
    rows = list(csv.reader(_read_text(path, shown).splitlines()))
    numbered = [(n, [cell.strip() for cell in row]) for n, row in enumerate(rows, start=1)
                if any(cell.strip() for cell in row)]
    if not numbered:
        raise TimetableFileError(f"{shown}: the file is empty; it needs a header "
                                 f"time,count[,spread] and one row per batch")
    header_row, header = numbered[0]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise TimetableFileError(
            f"{shown} row {header_row}: the header must name the columns time,count[,spread] "
            f"(got {','.join(header)!r})"
        )
    if len(numbered) == 1:
        raise TimetableFileError(f"{shown}: no batches below the header")
    batches: list[dict[str, Any]] = []
    for number, cells in numbered[1:]:
        if len(cells) != len(header):
            raise TimetableFileError(
                f"{shown} row {number}: expected {len(header)} values "
                f"({','.join(header)}), got {len(cells)}"
            )
        row = {name: cell for name, cell in zip(header, cells, strict=True) if cell != ""}
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
        batches.append(batch.model_dump())
    return batches
