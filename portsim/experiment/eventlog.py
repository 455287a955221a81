"""Event logs for process mining: a replication's trace as XES or OCEL 2.0, written by pm4py.

Needs the optional extra ``portsim[mining]`` (pm4py). The trace rows ``(time, entity, class,
station, event)`` become:

- **objects** (OCEL): one per entity, its type the entity's class (passenger, flight, ship,
  vehicle... as the scenario names them), its id ``<class>-<entity number>``; a member a spawn
  step brought is linked to its batch object (object-to-object, qualifier ``member of``), and
  its arrival event names the batch too (qualifier ``batch``);
- **events**: each row; the activity is ``arrive``, ``depart`` or ``queue at S``, ``start at
  S``, ``finish at S`` (joining the queue, service start and end at station S);
- **XES**: one case per entity (``case:concept:name``), ``case:class`` its class and
  ``case:batch`` the batch that brought it, if any.

Times: the run's minutes after 2000-01-01 00:00 (day 1 of the run is 1 January 2000).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The date the run's minute 0 is written as.
ORIGIN = "2000-01-01"
#: Trace file suffixes written as event logs, and their formats.
EVENT_LOG_FORMATS = {".xes": "xes", ".jsonocel": "ocel-json", ".json": "ocel-json",
                     ".sqlite": "ocel-sqlite"}

Row = tuple[float, int, str, str, str]


def activity(station: str, event: str) -> str:
    """The activity name of a trace row."""
    return f"{event} at {station}" if station else event


def write_event_log(path: Path, kind: str, rows: Sequence[Row],
                    links: dict[int, int]) -> None:
    """Write ``rows`` (and member -> batch ``links``) to ``path`` as ``kind`` (a value of
    :data:`EVENT_LOG_FORMATS`)."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=["time", "entity", "class", "station", "event"])
    frame["timestamp"] = pd.Timestamp(ORIGIN) + pd.to_timedelta(frame["time"], unit="min")
    frame["activity"] = [activity(s, e) for s, e in zip(frame["station"], frame["event"],
                                                       strict=True)]
    classes = dict(zip(frame["entity"], frame["class"], strict=False))
    oid = {entity: f"{name}-{entity}" for entity, name in classes.items()}
    frame["object"] = frame["entity"].map(oid)
    if kind == "xes":
        _write_xes(path, frame, {oid[m]: oid[b] for m, b in links.items()
                                 if m in oid and b in oid})
    else:
        _write_ocel(path, kind, frame, classes, oid, links)


def _write_xes(path: Path, frame: Any, batches: dict[str, str]) -> None:
    import pm4py

    log = frame.rename(columns={"object": "case:concept:name", "activity": "concept:name",
                                "timestamp": "time:timestamp", "class": "case:class"})
    log["case:batch"] = log["case:concept:name"].map(lambda case: batches.get(case, ""))
    log = log[["case:concept:name", "concept:name", "time:timestamp", "case:class",
               "case:batch", "station"]]
    pm4py.write_xes(log, str(path), case_id_key="case:concept:name")


def _write_ocel(path: Path, kind: str, frame: Any, classes: dict[int, str],
                oid: dict[int, str], links: dict[int, int]) -> None:
    import pandas as pd
    import pm4py
    from pm4py.objects.ocel.obj import OCEL

    eids = [f"e{index}" for index in range(len(frame))]
    events = pd.DataFrame({"ocel:eid": eids, "ocel:activity": frame["activity"],
                           "ocel:timestamp": frame["timestamp"], "station": frame["station"]})
    objects = pd.DataFrame({"ocel:oid": list(oid.values()),
                            "ocel:type": [classes[e] for e in oid]})
    relations = pd.DataFrame({"ocel:eid": eids, "ocel:oid": frame["object"],
                              "ocel:activity": frame["activity"],
                              "ocel:timestamp": frame["timestamp"],
                              "ocel:type": frame["class"], "ocel:qualifier": "customer"})
    arrivals = frame[frame["event"] == "arrive"]
    brought = arrivals[arrivals["entity"].map(lambda e: links.get(e) in oid)]
    if len(brought):
        batch = brought["entity"].map(lambda e: oid[links[e]])
        relations = pd.concat([relations, pd.DataFrame({
            "ocel:eid": [eids[i] for i in brought.index], "ocel:oid": batch,
            "ocel:activity": brought["activity"], "ocel:timestamp": brought["timestamp"],
            "ocel:type": batch.map(lambda o: o.rsplit("-", 1)[0]),
            "ocel:qualifier": "batch"})], ignore_index=True)
    o2o = pd.DataFrame({"ocel:oid": [oid[m] for m, b in links.items() if m in oid and b in oid],
                        "ocel:oid_2": [oid[b] for m, b in links.items()
                                       if m in oid and b in oid],
                        "ocel:qualifier": "member of"})
    ocel = OCEL(events=events, objects=objects, relations=relations, o2o=o2o)
    if kind == "ocel-sqlite":
        path.unlink(missing_ok=True)  # pm4py adds to an existing database
        pm4py.write_ocel2_sqlite(ocel, str(path))
    else:
        pm4py.write_ocel2_json(ocel, str(path))


__all__ = ["EVENT_LOG_FORMATS", "ORIGIN", "activity", "write_event_log"]
