"""An XES event log, as ``portsim run --trace FILE.xes`` writes it, read back as trace rows.

Needs pm4py (``portsim[mining]``), which parses the file. The file is held to
``PORTSIM_MAX_LOG_BYTES`` before it is parsed, and every event goes through the same checks as
a CSV row (:func:`portsim.experiment.logstate.event_row`), numbered in file order. Cases are
entities (``case:concept:name``), ``case:class`` their class; an activity ``arrive``,
``depart`` or ``EVENT at STATION``; times in minutes after 2000-01-01 00:00 (day 1 of a run).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portsim import limits as limits_
from portsim.document.sidefiles import SideFileError, check_size, excerpt
from portsim.experiment.eventlog import ORIGIN
from portsim.experiment.logstate import LogError, event_row

#: The columns an XES log must give each event.
XES_COLUMNS = ("concept:name", "time:timestamp", "case:concept:name", "case:class")


def xes_rows(path: str | os.PathLike[str]) -> Iterator[tuple[Any, ...]]:
    """(event number, time, entity, class, station, event) of every event of the XES log."""
    shown = os.fspath(path)
    frame = _read(Path(path), shown)
    missing = [name for name in XES_COLUMNS if name not in frame.columns]
    if missing:
        raise LogError(f"{shown}: an XES log to fit needs the attributes "
                       f"{', '.join(XES_COLUMNS)} (missing: {', '.join(missing)})")
    import pandas as pd

    origin = pd.Timestamp(ORIGIN, tz="UTC")
    minutes = (pd.to_datetime(frame["time:timestamp"], utc=True) - origin).dt.total_seconds() / 60
    for number, (activity, time, case, kind) in enumerate(zip(
            frame["concept:name"], minutes, frame["case:concept:name"], frame["case:class"],
            strict=True), start=1):
        event, _, station = str(activity).partition(" at ")
        yield (number, *event_row(f"{shown} event", number, [time, case, kind, station, event]))


def _read(path: Path, shown: str) -> Any:
    """The XES file parsed by pm4py (its banner and progress bar silenced)."""
    try:
        check_size(path, shown, "event log", "max_log_bytes", limits_.current(), "XES file")
    except SideFileError as error:
        raise LogError(str(error)) from None
    quiet = io.StringIO()
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            import pm4py

            return pm4py.read_xes(str(path))
    except ImportError:
        raise LogError(f"{shown}: reading an XES log needs pm4py (pip install "
                       "'portsim[mining]'); or give the log as .csv") from None
    except Exception as error:
        raise LogError(f"{shown}: not a readable XES event log ({type(error).__name__}: "
                       f"{excerpt(str(error), 120)})") from None


__all__ = ["XES_COLUMNS", "xes_rows"]
