"""Event traces of one replication, streamed to CSV (or Parquet when pyarrow is installed), or
written as an event log for process mining (XES, OCEL 2.0 JSON or SQLite; see
:mod:`portsim.experiment.eventlog`).

A trace is the only output whose size grows with the number of entities, so a CSV or Parquet
trace is never held in memory: the sink buffers a bounded chunk of rows and appends it to the
file. An event log is written whole at the end by pm4py, so its rows are kept until then. The
file is written under a temporary name beside it and renamed when complete
(:mod:`portsim.writing`), so an interrupted run or a full disk leaves no truncated trace, no
temporary and any earlier file as it was.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from portsim.errors import PortsimError
from portsim.experiment.eventlog import EVENT_LOG_FORMATS, write_event_log
from portsim.writing import new_file

COLUMNS = ("time", "entity", "class", "station", "event")
#: The trace file names accepted, for messages.
TRACE_SUFFIXES = (".csv or .parquet, or for an event log .xes, .jsonocel, .json (OCEL 2.0) "
                  "or .sqlite (OCEL 2.0)")
#: Rows buffered before a chunk is written: bounds memory, keeps writes large.
CHUNK_ROWS = 65_536


class TraceFormatError(PortsimError):
    """The trace file's extension names a format that cannot be written here."""


def trace_format(path: str | os.PathLike[str]) -> str:
    """``"csv"``, ``"parquet"`` or an event-log format from the file name; raises
    :class:`TraceFormatError`."""
    suffix = Path(path).suffix.lower()
    if suffix in EVENT_LOG_FORMATS:
        if importlib.util.find_spec("pm4py") is None:
            raise TraceFormatError(
                f"{path}: writing an event log ({suffix}) needs pm4py "
                "(pip install 'portsim[mining]'); or give a .csv file")
        return EVENT_LOG_FORMATS[suffix]
    if suffix == ".csv":
        return "csv"
    if suffix == ".parquet":
        if importlib.util.find_spec("pyarrow") is None:
            raise TraceFormatError(
                f"{path}: writing Parquet needs pyarrow (pip install pyarrow); "
                "or give a .csv file")
        return "parquet"
    raise TraceFormatError(f"{path}: a trace file must end in {TRACE_SUFFIXES}")


class TraceWriter:
    """A trace sink: call it as ``writer(time, entity, class_name, station, event)``.

    Use as a context manager; the file appears under its name only on a clean exit. An
    existing file is replaced unless ``replace`` is false (the command line checks ``--force``
    before the run).
    """

    def __init__(self, path: str | os.PathLike[str], chunk_rows: int = CHUNK_ROWS, *,
                 replace: bool = True) -> None:
        self.path = Path(path)
        self.format = trace_format(self.path)
        self.chunk_rows = chunk_rows
        self.rows_written = 0
        self._rows: list[tuple[float, int, str, str, str]] = []
        self._file: AbstractContextManager[Path] = new_file(self.path, replace=replace)
        self._partial = self.path  # the temporary, once entered
        self._kept: list[tuple[float, int, str, str, str]] = []  # an event log's rows
        self._links: dict[int, int] = {}  # member -> the batch entity that brought it
        self._handle: IO[str] | None = None
        self._csv: Any = None
        self._parquet: Any = None

    def __enter__(self) -> TraceWriter:
        self._partial = self._file.__enter__()
        if self.format == "csv":
            try:
                self._handle = self._partial.open("w", newline="", encoding="utf-8")
                self._csv = csv.writer(self._handle, lineterminator="\n")
                self._csv.writerow(COLUMNS)
            except BaseException as error:
                self._file.__exit__(type(error), error, error.__traceback__)
                raise
        return self

    def __call__(self, time: float, entity: int, class_name: str, station: str | None,
                 event: str) -> None:
        self._rows.append((time, entity, class_name, station or "", event))
        if len(self._rows) >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one chunk."""
        if not self._rows:
            return
        if self.format == "csv":
            self._csv.writerows(self._rows)
        elif self.format == "parquet":
            self._write_parquet_chunk()
        else:
            self._kept.extend(self._rows)
        self.rows_written += len(self._rows)
        self._rows = []

    @property
    def needs_links(self) -> bool:
        """Whether the file links spawned members to their batch (event logs for process
        mining; CSV and Parquet traces do not)."""
        return self.format not in ("csv", "parquet")

    def link(self, member: int, batch: int) -> None:
        """Entity ``member`` was brought by entity ``batch`` (a spawn step)."""
        self._links[member] = batch

    def _write_parquet_chunk(self) -> None:
        import pyarrow as pa  # optional: only for .parquet traces
        import pyarrow.parquet as pq

        schema = pa.schema([("time", pa.float64()), ("entity", pa.int64()),
                            ("class", pa.string()), ("station", pa.string()),
                            ("event", pa.string())])
        columns = list(zip(*self._rows, strict=True)) or [()] * len(COLUMNS)
        table = pa.table([list(values) for values in columns], schema=schema)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(str(self._partial), schema)
        self._parquet.write_table(table)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            try:
                if kind is None:
                    self._finish()
            finally:
                if self._handle is not None:
                    self._handle.close()
                if self._parquet is not None:
                    self._parquet.close()
        except BaseException as failure:  # writing failed (a full disk): no file, no temporary
            self._file.__exit__(type(failure), failure, failure.__traceback__)
            raise self._named(failure) from None
        try:
            self._file.__exit__(kind, error, traceback)  # renamed into place, or removed
        except OSError as failure:
            raise self._named(failure) from None

    def _finish(self) -> None:
        """Write what is buffered and, for an event log, the whole file."""
        self.flush()
        if self.format == "parquet" and self._parquet is None:
            self._write_parquet_chunk()  # an empty trace is still a valid file
        if self.format in EVENT_LOG_FORMATS.values():
            write_event_log(self._partial, self.format, self._kept, self._links)

    def _named(self, failure: BaseException) -> BaseException:
        """A failed write of the machine's (ENOSPC names no file) said to be this trace's."""
        if isinstance(failure, OSError) and failure.filename in (None, str(self._partial)):
            failure.filename = str(self.path)
        return failure
