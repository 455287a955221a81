"""Refusals and degenerate models: bad input is refused at the cost of a small file, and a
hopelessly overloaded model runs in time linear in its entities.

These were wall-clock limits inside the tests (``< 2 s``, ``< 10 s`` …), which failed on a busy
machine and said nothing on a fast one. Here each is a ratio to a reference measured in the same
session, in-process and on CPU time:

* ``refusal.small``: loading a small valid scenario (the reference for the refusals below);
* ``refusal.sparse_yaml``: a sparse 50 MiB scenario file, refused by its size without reading it;
* ``refusal.sparse_csv``: a sparse 40 MiB timetable CSV, refused by its size;
* ``refusal.laughs``: the "billion laughs" (10**30 values once its aliases are expanded),
  refused while the YAML is composed;
* ``refusal.million_rows``: a timetable of a million rows, refused at the row limit, against
  ``refusal.limit_rows``, a valid timetable of exactly the limit (200,000 rows): reading stops
  at the limit, so the million rows cost what the 200,000 cost;
* ``refusal.bad_scheduler``: ``portsim run --scheduler not-a-url`` as a whole process (wall
  clock), against ``refusal.import_dask``, a process that only imports Dask's client: the
  refusal costs the import, with no connection attempt and no stall of Dask's ``Client``
  while the process ends (it once took 20 s more);
* ``degenerate.heavy`` against ``degenerate.light``: the same ~38,400 arrivals at a desk with a
  1-minute service and with a 1,000-hour one (nearly all still waiting at the end, over 4,800
  hourly bins): the heavy run must cost no more than a few light ones (the bug this guards
  against took ~10**8 steps, seconds where the light run takes hundredths).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

import pytest

from benchmarks.processes import run_process
from portsim.engine import run_replication
from portsim.errors import ScenarioError
from portsim.limits import DEFAULTS
from portsim.scenario import compile_model, load_scenario

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="refusals")]

ROUNDS = 3

SMALL = """\
name: small
time: {horizon: 12h, warmup: 1h}
replications: 3
stations:
  desk: {servers: 2, service: {dist: exponential, mean: 1min}}
classes:
  pax:
    arrivals: {kind: poisson, rate: 1/min}
    route: [desk]
"""
TIMETABLE = SMALL.replace("{kind: poisson, rate: 1/min}",
                          "{kind: timetable, file: flights.csv, repeat: 100000h}")


def _laughs(levels: int = 30, fan: int = 10) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * fan)}]")
    return "\n".join(lines) + "\n"


def _timetable(folder: Path, rows: int) -> Path:
    with (folder / "flights.csv").open("w") as handle:
        handle.write("time,count\n")
        handle.writelines(f"{i * 0.5:.1f},1\n" for i in range(rows))
    scenario = folder / "scenario.yaml"
    scenario.write_text(TIMETABLE, encoding="utf-8")
    return scenario


def _cpu(function: Callable[[], Any]) -> tuple[float, float]:
    start, start_cpu = perf_counter(), process_time()
    function()
    return perf_counter() - start, process_time() - start_cpu


def _best(record: Callable[..., None], key: str, function: Callable[[], Any]) -> None:
    timings = [_cpu(function) for _ in range(ROUNDS)]
    record(key, min(wall for wall, _ in timings), cpu=min(cpu for _, cpu in timings),
           rounds=ROUNDS)


def _refused(path: Path, fragment: str) -> Callable[[], None]:
    def load() -> None:
        with pytest.raises(ScenarioError, match=fragment):
            load_scenario(path)
    return load


def test_refusals_cost_a_small_file(record: Callable[..., None], tmp_path: Path) -> None:
    small = tmp_path / "small.yaml"
    small.write_text(SMALL, encoding="utf-8")
    _best(record, "refusal.small", lambda: load_scenario(small))

    sparse = tmp_path / "huge.yaml"
    with sparse.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    _best(record, "refusal.sparse_yaml", _refused(sparse, "more than the limit"))

    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(_laughs(), encoding="utf-8")
    _best(record, "refusal.laughs", _refused(laughs, "once its aliases"))

    folder = tmp_path / "csv"
    folder.mkdir()
    scenario = folder / "scenario.yaml"
    scenario.write_text(TIMETABLE, encoding="utf-8")
    with (folder / "flights.csv").open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)
    _best(record, "refusal.sparse_csv", _refused(scenario, "more than the limit"))


def test_a_million_rows_cost_the_rows_of_the_limit(record: Callable[..., None],
                                                   tmp_path: Path) -> None:
    limit = tmp_path / "limit"
    limit.mkdir()
    at_limit = _timetable(limit, DEFAULTS.max_csv_rows)
    _best(record, "refusal.limit_rows", lambda: load_scenario(at_limit))
    million = tmp_path / "million"
    million.mkdir()
    _best(record, "refusal.million_rows",
          _refused(_timetable(million, 1_000_000), "more than 200,000 rows"))


def test_a_bad_scheduler_is_refused_at_the_cost_of_importing_dask(
        record: Callable[..., None], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    small = tmp_path / "small.yaml"
    small.write_text(SMALL, encoding="utf-8")
    commands = {
        "refusal.import_dask": ([sys.executable, "-c", "import distributed"], 0),
        "refusal.bad_scheduler": ([sys.executable, "-m", "portsim", "run", str(small), "--out",
                                   str(tmp_path / "out"), "--scheduler", "not-a-url"], 2),
    }
    walls: dict[str, list[float]] = {key: [] for key in commands}
    for _ in range(ROUNDS):  # one after the other, so that a busy neighbour slows both alike
        for key, (command, expect) in commands.items():
            walls[key].append(run_process(command, accept=(expect,))[0])
    for key, seconds in walls.items():
        record(key, min(seconds), rounds=ROUNDS)


def _desk(mean_service: str) -> Callable[[], Any]:
    model = compile_model(load_scenario({
        "name": "load", "time": {"horizon": "200d"},
        "stations": {"desk": {"servers": 1,
                              "service": {"dist": "exponential", "mean": mean_service}}},
        "classes": {"pax": {"arrivals": {"kind": "poisson", "rate": "8/h"}, "route": ["desk"]}},
    }))
    return lambda: run_replication(model, seed=0)


def test_a_degenerate_load_runs_in_time_linear_in_the_entities(
        record: Callable[..., None]) -> None:
    _best(record, "degenerate.light", _desk("1min"))
    _best(record, "degenerate.heavy", _desk("1000h"))
