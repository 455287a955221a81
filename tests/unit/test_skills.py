"""Stations whose servers have skills: pools, a skill per class, the longest-waiting first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine import (
    ClassSpec,
    Model,
    Poisson,
    ServerPool,
    ShiftSchedule,
    StationSpec,
    Trace,
    Visit,
    pooled_servers,
    run_replication,
)
from portsim.engine.distributions import Deterministic, Exponential

CLASSES = (ClassSpec("zh", Poisson(0.7), (Visit("agents"),)),
           ClassSpec("en", Poisson(0.3), (Visit("agents"),)))


FOUR_MINUTES = Exponential(4.0)


def pool(name: str, skills: tuple[str, ...], servers: int) -> ServerPool:
    return ServerPool(name, skills, ShiftSchedule.constant(servers))


def pooled(pools: tuple[ServerPool, ...], service=FOUR_MINUTES) -> Model:
    station = StationSpec("agents", pooled_servers(pools), service, pools=pools,
                          skill_by_class={"zh": "zh", "en": "en"})
    return Model(stations=(station,), classes=CLASSES, horizon=5000.0, warmup=500.0)


def test_one_pool_with_every_skill_is_one_fifo_station() -> None:
    """Same station name, same classes: the same service draws, and FIFO across skill lines
    by arrival is FIFO. The whole run is the same."""
    skilled = pooled((pool("all", ("zh", "en"), 5),))
    plain = replace(skilled, stations=(StationSpec("agents", ShiftSchedule.constant(5),
                                                   Exponential(4.0)),))
    for seed in range(3):  # both on the event engine (the plain station would take the fast path)
        assert (run_replication(skilled, seed=seed, engine="events").kpis
                == run_replication(plain, seed=seed, engine="events").kpis)


def test_one_skill_per_pool_is_separate_stations() -> None:
    """Each class served only by its own pool: its waits are those of a station of its own
    (deterministic services, so that the service draws cannot differ)."""
    skilled = pooled((pool("zh", ("zh",), 3), pool("en", ("en",), 2)),
                     service=Deterministic(3.9))
    separate = Model(
        stations=(StationSpec("zh_desk", ShiftSchedule.constant(3), Deterministic(3.9)),
                  StationSpec("en_desk", ShiftSchedule.constant(2), Deterministic(3.9))),
        classes=(ClassSpec("zh", Poisson(0.7), (Visit("zh_desk"),)),
                 ClassSpec("en", Poisson(0.3), (Visit("en_desk"),))),
        horizon=5000.0, warmup=500.0)
    a = run_replication(skilled, seed=4).kpis["classes"]
    b = run_replication(separate, seed=4, engine="events").kpis["classes"]
    assert a == b


def test_generalists_are_kept_for_those_only_they_can_serve() -> None:
    """A Mandarin caller with both a Mandarin agent and a bilingual one free takes the
    Mandarin one; the English caller right after still finds the bilingual agent."""
    station = StationSpec("agents", ShiftSchedule.constant(2), Deterministic(10.0),
                          pools=(pool("bilingual", ("zh", "en"), 1),
                                 pool("mandarin", ("zh",), 1)),
                          skill_by_class={"zh": "zh", "en": "en"})
    model = Model(stations=(station,), horizon=100.0,
                  classes=(ClassSpec("zh", Trace((0.0,)), (Visit("agents"),)),
                           ClassSpec("en", Trace((1.0,)), (Visit("agents"),))))
    log: list[tuple] = []
    run_replication(model, trace=lambda *event: log.append(event))
    starts = [(time, kind) for time, _, kind, _, event in log if event == "start"]
    assert starts == [(0.0, "zh"), (1.0, "en")]


def test_a_freed_agent_takes_the_longest_waiting_caller_it_can_serve() -> None:
    station = StationSpec("agents", ShiftSchedule.constant(1), Deterministic(10.0),
                          pools=(pool("bilingual", ("zh", "en"), 1),),
                          skill_by_class={"zh": "zh", "en": "en"})
    model = Model(stations=(station,), horizon=100.0,
                  classes=(ClassSpec("zh", Trace((0.0, 2.0)), (Visit("agents"),)),
                           ClassSpec("en", Trace((1.0,)), (Visit("agents"),))))
    log: list[tuple] = []
    run_replication(model, trace=lambda *event: log.append(event))
    order = [kind for _, _, kind, _, event in log if event == "start"]
    assert order == ["zh", "en", "zh"]


def test_a_class_without_a_skill_there_is_refused() -> None:
    with pytest.raises(ValueError, match="without a skill some pool there has"):
        Model(stations=(StationSpec("agents", ShiftSchedule.constant(1), Exponential(1.0),
                                    pools=(pool("p", ("zh",), 1),),
                                    skill_by_class={"zh": "zh"}),),
              classes=CLASSES, horizon=10.0)


SCENARIO = """\
name: Hotline
time: {horizon: 2d, warmup: 1d}
stations:
  agents:
%s
    service: {dist: exponential, mean: 4min}
classes:
  zh_callers: {arrivals: {kind: poisson, rate: 60/h}, route: [agents]}
  en_callers: {arrivals: {kind: poisson, rate: 10/h}, route: [agents]}
"""
POOLS = """\
    pools:
      mandarin: {servers: 4, skills: [zh]}
      bilingual: {servers: 2, skills: [zh, en]}
"""


@pytest.mark.parametrize(("block", "message"), [
    (POOLS + "    skills: {zh_callers: zh, en_callers: fr}\n",
     "skills.en_callers: no pool has the skill 'fr'"),
    (POOLS + "    servers: 6\n    skills: {zh_callers: zh, en_callers: en}\n",
     "give servers or pools"),
    ("    servers: 6\n    skills: {zh_callers: zh}\n", "skills need pools"),
    (POOLS + "    skills: {zh_callers: zh}\n",
     "serves by skill: give the skill 'en_callers' needs"),
])
def test_bad_pools_get_one_clear_message(tmp_path: Path, block: str, message: str) -> None:
    path = tmp_path / "hotline.yaml"
    path.write_text(SCENARIO % block.rstrip("\n"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_pool_shifts_with_one_pool_are_the_station_s_shifts() -> None:
    """A pool with every skill following a schedule is the same run as a FIFO station with
    that schedule (cuts finish their services, increases serve the queue)."""
    schedule = ShiftSchedule(((0.0, 2), (300.0, 6), (700.0, 3), (1100.0, 1)), 1440.0)
    skilled = pooled((ServerPool("all", ("zh", "en"), schedule),))
    plain = replace(skilled, stations=(StationSpec("agents", schedule, Exponential(4.0)),))
    assert skilled.stations[0].servers == schedule
    for seed in range(3):
        a = run_replication(skilled, seed=seed, engine="events").kpis
        b = run_replication(plain, seed=seed, engine="events").kpis
        assert a["classes"] == b["classes"]
        # The same waits, summed per clock slot in another order: equal to rounding.
        assert a["stations"]["agents"] == pytest.approx(b["stations"]["agents"], rel=1e-12,
                                                        nan_ok=True)


def test_pooled_servers_add_the_pools_step_by_step() -> None:
    day = ShiftSchedule(((0.0, 1), (480.0, 5)), 1440.0)
    late = ShiftSchedule(((0.0, 2), (600.0, 0)), 1440.0)
    total = pooled_servers((ServerPool("a", ("x",), day), ServerPool("b", ("y",), late)))
    assert total == ShiftSchedule(((0.0, 3), (480.0, 7), (600.0, 5)), 1440.0)
