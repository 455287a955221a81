"""``optimise --front``: the Pareto set of two objectives on designs whose truth is known.

Two halls of M/M/c desks (tests/validation/data/two_halls.yaml): officer-hours a day are exact
(24 h per desk) and Erlang C gives every design's mean wait. More desks cost more and wait
less, so where the officer-hours differ the truth is a trade-off; at equal officer-hours the
design with the lower exact wait dominates the others."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from portsim.experiment.optimise.front import Front, front, parse_front, sense
from portsim.experiment.optimise.problem import OptimiseError, parse_constraint, parse_item
from portsim.experiment.optimise.space import build_space, parse_axes
from portsim.experiment.options import RunOptions
from portsim.scenario import load_scenario
from portsim.theory.erlang import mmc

TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"


def exact_wait(a: int, b: int) -> float:
    rate_a, rate_b = 1.0, 40 / 60
    return (rate_a * mmc(rate_a, 3.0, a).wait_mean
            + rate_b * mmc(rate_b, 3.0, b).wait_mean) / (rate_a + rate_b)


def true_front(designs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The designs no other beats on both exact figures (officer-hours, wait)."""
    def cost(d: tuple[int, int]) -> int:
        return 24 * (d[0] + d[1])

    return {d for d in designs if not any(
        cost(o) <= cost(d) and exact_wait(*o) <= exact_wait(*d)
        and (cost(o), exact_wait(*o)) != (cost(d), exact_wait(*d)) for o in designs)}


def _front(axes: list[str], text: str = "officer_hours,wait_mean",
           constraints: tuple[str, ...] = (), replications: int = 10) -> Front:
    scenario = load_scenario(TWO_HALLS)
    space = build_space(scenario, parse_axes(axes))
    return front(scenario, space, parse_front(text),
                 [parse_constraint(c) for c in constraints], RunOptions(workers=1),
                 replications=replications)


def _pairs(result: Front, designs: list[int]) -> set[tuple[int, int]]:
    return {tuple(result.space.assignments[i].values()) for i in designs}  # type: ignore[misc]


def test_more_desks_cost_more_and_wait_less_so_every_design_is_on_the_front() -> None:
    result = _front(["stations.hall_a.servers=4:7:1"])
    assert result.on_front() == [0, 1, 2, 3]  # by officer-hours, lowest first
    assert [result.status(i) for i in range(4)] == ["front"] * 4
    assert result.replications == 10
    hours = [result.estimate(i, 0) for i in range(4)]
    assert [h.mean for h in hours] == [24.0 * (a + 4) for a in range(4, 8)]
    assert all(h.half_width == 0 for h in hours)  # exact: no interval


def test_the_front_is_the_erlang_c_front_and_a_design_worse_on_both_is_dominated() -> None:
    result = _front(["stations.hall_a.servers=4:6:1", "stations.hall_b.servers=3:5:1"])
    designs = [(a, b) for a in (4, 5, 6) for b in (3, 4, 5)]
    truth = true_front(designs)
    assert truth == {(4, 3), (5, 3), (5, 4), (6, 4), (6, 5)}
    assert _pairs(result, result.on_front()) == truth
    # (4, 5): as many officer-hours as (5, 4), three times its exact wait.
    worse = designs.index((4, 5))
    assert result.status(worse) == "dominated"
    assert designs.index((5, 4)) in result.dominated_by(worse)
    assert not result.dominates(worse, designs.index((5, 4)))


def test_infeasible_designs_are_marked_and_dominate_none() -> None:
    result = _front(["stations.hall_a.servers=4:6:1", "stations.hall_b.servers=3:5:1"],
                    constraints=("officer_hours<=216",))
    designs = [(a, b) for a in (4, 5, 6) for b in (3, 4, 5)]
    infeasible = {d for i, d in enumerate(designs) if result.status(i) == "infeasible"}
    assert infeasible == {(5, 5), (6, 4), (6, 5)}
    assert _pairs(result, result.on_front()) == {(4, 3), (5, 3), (5, 4)}
    assert result.broken(designs.index((6, 5))) == ["officer_hours<=216"]
    # (5, 5) would be dominated by (6, 4), which is itself infeasible: it dominates nobody.
    assert result.dominated_by(designs.index((5, 5))) == []


def test_a_share_within_the_standard_is_maximised() -> None:
    result = _front(["stations.hall_a.servers=4:6:1"], "officer_hours,wait_sla_share")
    first, second = result.objectives
    assert not first.maximise and second.maximise
    assert result.on_front() == [0, 1, 2]


def test_dominance_needs_a_clear_interval_on_one_objective() -> None:
    result = _front(["stations.hall_a.servers=4,5"], replications=4)
    # Design 1 against a copy of design 0 whose waits are nudged within the noise: neither
    # dominates, as no interval excludes 0 on either objective.
    noise = np.array([0.3, -0.3, 0.2, -0.1])
    result.values[1, 0] = result.values[0, 0]
    result.values[1, 1] = result.values[0, 1] + noise
    assert not result.dominates(0, 1) and not result.dominates(1, 0)
    # Shifted clearly (the same shift in every replication): the lower waits dominate.
    result.values[1, 1] = result.values[0, 1] + 0.5
    assert result.dominates(0, 1) and not result.dominates(1, 0)


def test_senses_follow_the_catalogue() -> None:
    assert sense(parse_item("cost", "--front")) == -1
    assert sense(parse_item("officer_hours", "--front")) == -1
    assert sense(parse_item("wait_p95", "--front")) == -1
    assert sense(parse_item("classes.pax_a.wait_sla_share", "--front")) == 1


@pytest.mark.parametrize(("text", "fragment"), [
    ("cost", "expected two objectives A,B"),
    ("cost,wait_mean,wait_p95", "expected two objectives A,B"),
    ("wait_mean,wait_mean", "the two objectives are the same"),
    ("cost,stations.hall_a.utilisation", "neither lower nor higher is better"),
])
def test_bad_fronts(text: str, fragment: str) -> None:
    with pytest.raises(OptimiseError, match=fragment):
        parse_front(text)


def test_the_python_entry_matches_the_command_s_procedure() -> None:
    import portsim

    result = portsim.pareto_front(TWO_HALLS, ["stations.hall_a.servers=4:6:1"],
                                  "officer_hours,wait_mean", replications=5, workers=1)
    assert isinstance(result, portsim.Front)
    assert result.replications == 5
    assert result.on_front() == [0, 1, 2]
