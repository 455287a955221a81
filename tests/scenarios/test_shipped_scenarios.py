"""Every shipped scenario and every variant loads, compiles and runs (a short horizon)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import portsim
from portsim.engine import model as m

SCENARIOS = Path(__file__).parents[2] / "scenarios"
PORTS = ("airport", "land_port", "water_port", "railway_port")
FILES = sorted(path for port in PORTS for path in (SCENARIOS / port).glob("*.yaml"))
#: The administration's other services run on the same engine and are checked the same way.
SERVICES = sorted((SCENARIOS / "services").glob("*.yaml"))
CASES = [(path, variant) for path in FILES + SERVICES
         for variant in [None, *portsim.load_scenario(path).variant_names]]


def test_every_kind_of_port_is_shipped() -> None:
    assert {path.parent.name for path in FILES} == set(PORTS)
    assert len(FILES) >= 5 and len(CASES) >= 15


@pytest.mark.parametrize(("path", "variant"), CASES,
                         ids=[f"{p.parent.name}/{p.stem}:{v or 'baseline'}" for p, v in CASES])
def test_loads_compiles_and_runs(path: Path, variant: str | None) -> None:
    scenario = portsim.load_scenario(path)
    model = portsim.compile_model(scenario, variant)
    # A quarter of a day after a short warm-up, two replications (a service hall opens at
    # 09:00: a day and a half for those).
    horizon, warmup = (36, 12) if path.parent.name == "services" else (8, 2)
    short = dataclasses.replace(model, horizon=horizon * 60.0, warmup=warmup * 60.0)
    results = portsim.simulate(short, replications=2, seed=1)
    system = results.summary("system", "all", "arrivals")
    assert system.mean > 0
    for replication in results.replications:
        assert replication.kpis["system"]["all"]["completions"] > 0
    # The resolved scenario (provenance) is itself a scenario that compiles to the same model.
    again = portsim.load_scenario(scenario.resolved(variant), base_dir=path.parent)
    assert dataclasses.replace(portsim.compile_model(again), name=model.name) == model


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_default_horizon_is_one_to_three_days_with_warmup(path: Path) -> None:
    scenario = portsim.load_scenario(path)
    for variant in [None, *scenario.variant_names]:
        time = scenario.document(variant).time
        assert m.MINUTES_PER_DAY <= time.horizon <= 3 * m.MINUTES_PER_DAY
        assert time.warmup > 0


def test_every_figure_says_where_it_comes_from() -> None:
    # Each shipped file cites the sources of docs/sources.md ([n]) and marks unsourced values
    # "assumed".
    for path in FILES:
        text = path.read_text()
        assert "[" in text and "assumed" in text, path
