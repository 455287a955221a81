"""``compare --decompose``: a variant split into its separate changes, run alone and together on
common random numbers, each main effect and interaction with its paired interval."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml
from exp_support import DATA
from rich.console import Console

from portsim.experiment.comparison import compare
from portsim.experiment.decomposition import (
    INTERACTION,
    MAIN,
    ONE_AT_A_TIME,
    TOGETHER,
    WHOLE,
    Decomposition,
    DecompositionError,
    decompose,
    plan,
)
from portsim.report.decomposition import decomposition_html, print_decomposition
from portsim.scenario import Scenario, load_scenario
from portsim.scenario.levers import applied, levers

LEVERS = DATA / "lever_port.yaml"
SHIPPED = Path(__file__).parents[2] / "scenarios"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(LEVERS)


@pytest.fixture(scope="module")
def two(scenario: Scenario) -> Decomposition:
    return decompose(scenario, "two_levers", workers=1)


def _by_kind(decomposition: Decomposition, kind: str) -> list:
    return [effect for effect in decomposition.plan.effects() if effect.kind == kind]


def test_a_no_op_change_decomposes_to_exactly_zero(scenario: Scenario) -> None:
    # The inspector's one desk written as a day-long shift compiles to the same model: its main
    # effect and its interaction with the extra lane are 0 in every replication, interval too.
    decomposition = decompose(scenario, "with_noop", workers=1)
    assert [lever.name for lever in decomposition.plan.levers] == [
        "car_lanes.servers", "inspection.servers"]
    noop = [effect for effect in decomposition.plan.effects()
            if 1 in effect.levers and effect.kind != WHOLE]
    assert [effect.kind for effect in noop] == [MAIN, INTERACTION]
    for item in decomposition.kpis:
        for effect in noop:
            values = decomposition.values(effect, item)
            assert values is not None and np.all(values == 0.0), (item, effect)
            interval = decomposition.interval(effect, item)
            assert interval is not None
            assert (interval.mean, interval.low, interval.high, interval.half_width) == (
                0.0, 0.0, 0.0, 0.0)
    # ... while the lane's own effect is a real one.
    lane = _by_kind(decomposition, MAIN)[0]
    wait = decomposition.interval(lane, ("classes", "car", "wait_mean"))
    assert wait is not None and wait.high < 0


def test_two_changes_add_up_to_the_whole_in_every_replication(two: Decomposition) -> None:
    (first, second), (both,), (whole,) = (_by_kind(two, MAIN), _by_kind(two, INTERACTION),
                                          _by_kind(two, WHOLE))
    assert both.name == "car_lanes.servers × inspection.servers"
    assert two.kpis  # the variant's headline KPIs
    for item in two.kpis:
        parts = [two.values(effect, item) for effect in (first, second, both)]
        total = two.values(whole, item)
        assert total is not None and all(part is not None for part in parts)
        np.testing.assert_allclose(sum(parts), total, rtol=1e-12, atol=1e-12)
    # A real interaction: the inspector's wait falls less with a second desk once a third lane
    # sends cars on faster (not zero in every replication).
    item = ("stations", "inspection", "wait_mean")
    interaction = two.values(both, item)
    assert interaction is not None and np.any(interaction != 0.0)


def test_effects_are_the_runs_compare_makes(scenario: Scenario, two: Decomposition) -> None:
    # The whole is the variant's paired difference in a plain comparison, and the lane's main
    # effect that of a variant written by hand with only the lane: same seeds, same numbers.
    plain = compare(scenario, variants=["two_levers", "one_lane"], workers=1)
    lane, whole = _by_kind(two, MAIN)[0], _by_kind(two, WHOLE)[0]
    for item in two.kpis:
        assert np.array_equal(two.values(whole, item),
                              plain.difference_values("two_levers", *item))
        assert np.array_equal(two.values(lane, item),
                              plain.difference_values("one_lane", *item))


def test_more_than_four_changes_run_one_at_a_time(scenario: Scenario) -> None:
    planned = plan(scenario, "five_levers")
    assert planned.design == ONE_AT_A_TIME
    assert len(planned.levers) == 5
    assert list(planned.runs.values()) == [(0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4)]
    decomposition = decompose(scenario, "five_levers", workers=1, replications=2)
    kinds = [effect.kind for effect in decomposition.plan.effects()]
    assert kinds == [MAIN] * 5 + [TOGETHER, WHOLE]
    effects = decomposition.plan.effects()
    for item in decomposition.kpis:
        values = [decomposition.values(effect, item) for effect in effects]
        np.testing.assert_allclose(sum(values[:-1]), values[-1], rtol=1e-12, atol=1e-12)


def test_refusals(scenario: Scenario) -> None:
    with pytest.raises(DecompositionError, match="changes nothing of the baseline"):
        plan(scenario, "renamed_only")
    with pytest.raises(DecompositionError, match=r"car\.route made alone is not a valid"):
        plan(scenario, "needs_each_other")
    with pytest.raises(Exception, match="no variant 'two_lever'"):
        plan(scenario, "two_lever")


def test_a_policys_parameters_count_separately() -> None:
    # airport_peak's more_egates adds gates, opens them to more travellers by share and
    # enrols more mainland citizens by document: three levers.
    peak = load_scenario(SHIPPED / "airport" / "airport_peak.yaml")
    planned = plan(peak, "more_egates")
    assert [(lever.name, lever.dotted) for lever in planned.levers] == [
        ("egates.gates", "policies.egates.gates"),
        ("egates.eligible", "policies.egates.eligible"),
        ("egates.documents", "policies.egates.documents")]
    assert planned.levers[0].baseline == 30 and planned.levers[0].variant == 40
    assert planned.labels[:3] == ["egates.gates", "egates.eligible", "egates.documents"]
    assert planned.labels[-1] == "more_egates"


def test_a_policy_switched_on_whole_is_one_change() -> None:
    # The e-gates of a port without any: gates, service, replaces and eligible cannot be made
    # one without another, so the policy is one change (with the other change beside it).
    data = load_scenario(DATA / "policy_port.yaml").resolved(None)
    egates = data["policies"]["egates"]
    data["policies"]["egates"] = None
    data["variants"] = {"gates_and_lane": {"policies": {"egates": egates},
                                           "stations": {"truck_lanes": {"servers": 3}}}}
    planned = plan(load_scenario(data), "gates_and_lane")
    assert [lever.name for lever in planned.levers] == ["truck_lanes.servers", "egates"]


def _names_other_files(path: Path) -> bool:
    """A study (its ports' files) or a holiday calendar (its scenario's file), not a scenario."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(document, dict) and bool({"ports", "scenario"} & set(document))


@pytest.mark.slow
def test_every_shipped_variant_is_its_changes() -> None:
    # All of a variant's changes made on the baseline give the variant's own model: nothing a
    # variant does is lost or invented when it is split.
    for path in sorted(SHIPPED.rglob("*.yaml")):
        if {"validation", "targets"} & set(path.parts) or _names_other_files(path):
            continue
        shipped = load_scenario(path)
        base = shipped.resolved(None)
        for variant in shipped.variant_names:
            rebuilt = load_scenario(applied(base, levers(base, shipped.resolved(variant))),
                                    base_dir=path.parent)
            model = shipped.model(variant)
            assert dataclasses.replace(rebuilt.model(None), name=model.name) == model, (
                path, variant)


def test_terminal_fits_80_columns_and_the_report_section(two: Decomposition) -> None:
    console = Console(width=80, record=True, emoji=False)
    print_decomposition(two, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    for words in ("2 separate changes", "car_lanes.servers: stations.car_lanes.servers 2 → 3",
                  "car_lanes.servers × inspection.servers", "two_levers (whole)", "main effect"):
        assert words in text.replace("\n", " ") or words in text, words
    assert repr(two) == ("Decomposition(variant='two_levers', design='full factorial', "
                         "changes=['car_lanes.servers', 'inspection.servers'], replications=3)")
    html = decomposition_html(two)
    assert html.startswith('<section id="decomposition">')
    assert "car_lanes.servers × inspection.servers" in html and "two_levers (whole)" in html
