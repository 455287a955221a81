"""A state from an event log at a clock time agrees with the run's own snapshot at that time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine import model as m
from portsim.engine.distributions import Exponential, Lognormal
from portsim.engine.simulation import run_replication
from portsim.engine.state import StartState
from portsim.experiment.logstate import state_from_log
from portsim.experiment.trace import TraceWriter

MINI = Path(__file__).parent / "data" / "mini_port.yaml"


def _tandem() -> m.Model:
    desks = m.StationSpec("desks", m.ShiftSchedule.constant(3), Lognormal(1.5, 0.7))
    gate = m.StationSpec("gate", m.ShiftSchedule.constant(1), Exponential(0.5))
    kinds = (m.ClassSpec("a", m.Poisson(1.2), (m.Visit("desks"), m.Visit("gate"))),
             m.ClassSpec("b", m.Poisson(0.6), (m.Visit("gate"), m.Visit("desks")), priority=1))
    return m.Model((desks, gate), kinds, horizon=600.0)


def _by_station(state: StartState) -> dict[str, tuple[list, list]]:
    def rounded(values: tuple) -> list:
        return sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in item)
                      for item in values)

    return {s.name: (rounded(tuple((w.class_name, w.waited, w.waited_before, w.in_system)
                                   for w in s.waiting)),
                     rounded(tuple((i.class_name, i.waited, i.in_system)
                                   for i in s.in_service)))
            for s in state.stations}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_log_state_is_the_snapshot(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"log{suffix}"
    with TraceWriter(path) as writer:
        result = run_replication(replace(_tandem(), snapshot_at=400.0), 2, 0, trace=writer)
    snapshot = result.snapshot
    assert snapshot is not None and snapshot.customers > 5
    from_log = state_from_log(path, 400.0)
    assert _by_station(from_log) == _by_station(snapshot)
    assert from_log.customers == snapshot.customers and from_log.not_recorded == ()
    # The log knows the elapsed service, the snapshot the time still to run.
    assert all(i.elapsed > 0 for s in from_log.stations for i in s.in_service)


def test_the_command_writes_a_state_file_a_run_starts_from(tmp_path: Path) -> None:
    runner = CliRunner()
    log, state = tmp_path / "day.csv", tmp_path / "now.yaml"
    ran = runner.invoke(app, ["run", str(MINI), "--out", str(tmp_path / "day"),
                              "--replications", "1", "--workers", "1", "--trace", str(log)])
    assert ran.exit_code == 0, ran.output
    made = runner.invoke(app, ["state-from-log", str(log), "--at", "08:30", "--out", str(state),
                               "--scenario", str(MINI)])
    assert made.exit_code == 0, made.output
    assert "customers) written to" in made.output and state.is_file()
    forecast = runner.invoke(app, ["run", str(MINI), "--out", str(tmp_path / "next"),
                                   "--replications", "2", "--workers", "1",
                                   "--from-state", str(state), "--horizon", "2h"])
    assert forecast.exit_code == 0, forecast.output


def test_a_log_without_the_trace_columns_exits_2(tmp_path: Path) -> None:
    log = tmp_path / "bad.csv"
    log.write_text("when,who\n1,2\n")
    result = CliRunner().invoke(app, ["state-from-log", str(log), "--at", "08:00",
                                      "--out", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2
    assert "needs the columns time, entity, class, station, event" in result.output
