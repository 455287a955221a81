"""Files that another file or a command names (timetable CSVs, a study's port files, event
logs): where they may live, and how they are read within the limits.

A file given to portsim is untrusted: what it names must not make portsim read, and quote in a
message, any file of the machine (:func:`locate`), nor block or never end (:func:`regular_file`),
nor cost more than its size limit (:func:`open_capped`, checked before reading and again while
reading, for a file that grows). A message quotes at most a short, visibly cut excerpt of what
was read (:func:`excerpt`). CSV rows come with their row numbers, and an undecodable byte or a
malformed row is one message naming the file and the row (:func:`csv_rows`).
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from portsim import limits as limits_

#: Longest excerpt of a cell or header quoted in a message.
EXCERPT = 40


class SideFileError(ValueError):
    """A file named by another file or by a command that is missing, not allowed or malformed;
    the message names the file (and the row)."""


def excerpt(text: str, size: int = EXCERPT) -> str:
    """``text`` quoted, cut to ``size`` characters with a visible mark when longer."""
    if len(text) <= size:
        return repr(text)
    return f"{text[:size]!r}… ({len(text):,} characters, cut)"


def allowed_folders(folder: Path, variable: str) -> list[Path]:
    """Where files named by a file in ``folder`` may live: that folder, and the folders listed
    (separated by ``os.pathsep``) in the environment ``variable``."""
    extra = os.environ.get(variable, "")
    return [Path(entry).resolve() for entry in [str(folder), *extra.split(os.pathsep)]
            if entry.strip()]


def locate(folder: Path, written: str, *, what: str, owner: str, variable: str) -> Path:
    """The ``what`` named ``written`` by an ``owner`` file in ``folder``, refused (before it is
    opened) if it lies outside the allowed folders (:func:`allowed_folders`), symbolic links
    followed."""
    path = (folder / written).resolve()
    allowed = allowed_folders(folder, variable)
    if not any(path.is_relative_to(root) for root in allowed):
        raise SideFileError(
            f"{what} {excerpt(written, 200)} is outside the {owner}'s folder "
            f"({allowed[0]}); it must be in that folder or below it (list other "
            f"folders in {variable} to allow them)")
    return path



def named_file(folder: Path, written: str, *, what: str, owner: str, variable: str) -> Path:
    """The regular file an ``owner`` file in ``folder`` names ``written`` (a study's port
    file, a calendar's scenario): located within the allowed folders (:func:`locate`), a
    regular file, and there; :class:`SideFileError` saying which rule it breaks."""
    file = locate(folder, written, what=what, owner=owner, variable=variable)
    regular_file(file, excerpt(written, 200), what)
    if not file.is_file():
        raise SideFileError(f"{what} {excerpt(written, 200)} not found (looked for {file})")
    return file


def regular_file(path: Path, shown: str, what: str) -> None:
    """Refuse ``path`` unless it is a regular file (or a folder, which the reader names), before
    it is opened: a device never ends and a FIFO blocks in ``open()``."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing or unreadable: the reader says so in its own words
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise SideFileError(f"{what} {shown!r} is not a regular file (a device, FIFO or socket)")


def _too_large(what: str, shown: str, limit_name: str, limits: limits_.Limits,
               size: int | None = None) -> SideFileError:
    cap = getattr(limits, limit_name)
    have = f"is {limits_.format_bytes(size)}, " if size is not None else "is "
    return SideFileError(f"{what} {shown!r} {have}more than the limit of "
                         f"{limits_.format_bytes(cap)} ({limits_.describe(limit_name)})")


def check_size(path: Path, shown: str, what: str, limit_name: str,
               limits: limits_.Limits, kind: str = "file") -> None:
    """Refuse a folder (not the ``kind`` of file wanted), a missing, unreadable or special
    file, or one larger than the limit ``limit_name``, before it is opened."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise SideFileError(f"{what} {shown!r} not found (looked for {path})") from None
    except PermissionError:
        raise SideFileError(f"{what} {shown!r} cannot be read (permission denied)") from None
    except OSError as error:
        raise SideFileError(f"{what} {shown!r} cannot be read: {error.strerror}") from None
    if stat.S_ISDIR(status.st_mode):
        raise SideFileError(f"{what} {shown!r} is a folder, not a {kind}")
    regular_file(path, shown, what)
    if status.st_size > getattr(limits, limit_name):
        raise _too_large(what, shown, limit_name, limits, status.st_size)


def open_capped(path: Path, shown: str, what: str, limit_name: str,
                limits: limits_.Limits) -> IO[str]:
    """``path`` opened as UTF-8 text (a byte-order mark skipped) for CSV reading, after
    :func:`check_size`."""
    check_size(path, shown, what, limit_name, limits, "CSV file")
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise SideFileError(f"{what} {shown!r} cannot be read: {error.strerror}") from None


def capped(handle: Iterable[str], shown: str, what: str, limit_name: str,
           limits: limits_.Limits) -> Iterator[str]:
    """The lines of ``handle``, stopping at the size limit (a file that grows while read)."""
    read = 0
    cap = getattr(limits, limit_name)
    for line in handle:
        read += len(line)  # characters: at most the bytes they were decoded from
        if read > cap:
            raise _too_large(what, shown, limit_name, limits)
        yield line


def csv_rows(handle: Iterable[str], shown: str, what: str, limit_name: str,
             limits: limits_.Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells) of every non-blank CSV row of ``handle``, within the size
    limit; a byte that is not UTF-8 or a malformed row (a NUL byte, a cell longer than
    ``csv.field_size_limit()``) is one message naming the file and the row."""
    reader = csv.reader(capped(handle, shown, what, limit_name, limits))
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            if any(stripped):
                yield reader.line_num, stripped
    except UnicodeDecodeError as error:
        hint = " (UTF-16?)" if error.object[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        where = _first_undecodable(getattr(handle, "name", None))
        place = (f"row {where[0]}, byte 0x{where[1]:02x}" if where is not None
                 else f"near row {reader.line_num + 1}")
        raise SideFileError(f"{what} {shown!r} is not UTF-8 text{hint} ({place}); save it "
                            "as UTF-8") from None
    except csv.Error as error:
        raise SideFileError(f"{shown} row {reader.line_num}: not a CSV row ({error})") \
            from None


def _first_undecodable(name: object) -> tuple[int, int] | None:
    """(line, byte) of the first line of the file ``name`` that is not UTF-8 (the text reader
    decodes in chunks, so its error knows no line); None if it cannot be found again."""
    if not isinstance(name, str | os.PathLike):
        return None
    try:
        with open(name, "rb") as raw:
            for number, line in enumerate(raw, start=1):
                text = line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line
                try:
                    text.decode("utf-8")
                except UnicodeDecodeError as error:
                    return number, text[error.start]
    except OSError:
        return None
    return None


__all__ = ["EXCERPT", "SideFileError", "allowed_folders", "capped", "check_size", "csv_rows",
           "excerpt", "locate", "named_file", "open_capped", "regular_file"]
