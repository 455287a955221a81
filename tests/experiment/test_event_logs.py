"""Event logs for process mining: XES and OCEL 2.0 written from a run, read back by pm4py."""

from __future__ import annotations

from pathlib import Path

import pytest

from portsim.engine import model as m
from portsim.engine.distributions import Deterministic, Exponential, Uniform
from portsim.engine.simulation import run_replication
from portsim.experiment.trace import TraceWriter

pm4py = pytest.importorskip("pm4py")


def _coaches() -> m.Model:
    """Coaches bring 5 to 9 passengers each to the desks and leave when all are cleared."""
    desk = m.StationSpec("desk", m.ShiftSchedule.constant(2), Exponential(1.0))
    bay = m.StationSpec("bay", m.ShiftSchedule.constant(1), Deterministic(0.5))
    coach = m.ClassSpec("coach", m.Poisson(1 / 20.0), (
        m.Visit("bay"),
        m.Spawn("passenger", Uniform(5.0, 9.0), spread=3.0, wait=True)))
    passenger = m.ClassSpec("passenger", m.Trace(()), (m.Visit("desk"),))
    return m.Model((desk, bay), (coach, passenger), horizon=600.0)


def _run(tmp_path: Path, name: str):
    path = tmp_path / name
    with TraceWriter(path) as writer:
        result = run_replication(_coaches(), 4, 0, trace=writer)
    return path, result, writer.rows_written


def test_xes_has_a_case_per_entity_and_an_event_per_row(tmp_path: Path) -> None:
    path, result, rows = _run(tmp_path, "run.xes")
    log = pm4py.read_xes(str(path))
    kpis = result.kpis["classes"]
    assert len(log) == rows
    assert log["case:concept:name"].nunique() == kpis["coach"]["arrivals"] + \
        kpis["passenger"]["arrivals"]
    finished = (log["concept:name"] == "finish at desk").sum()
    assert finished == result.kpis["stations"]["desk"]["completions"]
    passengers = log[log["case:class"] == "passenger"].drop_duplicates("case:concept:name")
    assert passengers["case:batch"].str.startswith("coach-").all()


@pytest.mark.parametrize("name", ["run.jsonocel", "run.json", "run.sqlite"])
def test_ocel_objects_are_the_entities_and_members_link_to_their_batch(
        tmp_path: Path, name: str) -> None:
    path, result, rows = _run(tmp_path, name)
    reader = pm4py.read_ocel2_sqlite if name.endswith(".sqlite") else pm4py.read_ocel2_json
    ocel = reader(str(path))
    kpis = result.kpis["classes"]
    counts = ocel.objects["ocel:type"].value_counts().to_dict()
    assert counts == {"coach": kpis["coach"]["arrivals"],
                      "passenger": kpis["passenger"]["arrivals"]}
    assert len(ocel.events) == rows
    activities = ocel.events["ocel:activity"].value_counts().to_dict()
    assert activities["queue at desk"] == result.kpis["stations"]["desk"]["arrivals"]
    assert activities["finish at bay"] == result.kpis["stations"]["bay"]["completions"]
    assert activities["arrive"] == kpis["coach"]["arrivals"] + kpis["passenger"]["arrivals"]
    # Every passenger is a member of one coach; its arrival event names the coach too.
    assert len(ocel.o2o) == kpis["passenger"]["arrivals"]
    assert set(ocel.o2o["ocel:qualifier"]) == {"member of"}
    batch = ocel.relations[ocel.relations["ocel:qualifier"] == "batch"]
    assert len(batch) == kpis["passenger"]["arrivals"]
    assert set(batch["ocel:type"]) == {"coach"}
