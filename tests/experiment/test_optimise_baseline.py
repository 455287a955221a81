"""The selected design against the baseline: paired on the same replications, and free when
the baseline is itself one of the designs."""

from __future__ import annotations

from pathlib import Path

import pytest

from portsim.experiment import runner
from portsim.experiment.optimise.api import optimise
from portsim.experiment.optimise.baseline import SELECTED, against_baseline
from portsim.experiment.options import RunOptions
from portsim.scenario import load_scenario

TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    ran: list[int] = []
    execute = runner.execute

    def counted(tasks, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(len(tasks))
        return execute(tasks, **kwargs)

    monkeypatch.setattr(runner, "execute", counted)
    return ran


def test_a_baseline_among_the_designs_runs_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(TWO_HALLS)  # hall_a 5, hall_b 4: the best of these four
    result = optimise(scenario, ["stations.hall_a.servers=4,5", "stations.hall_b.servers=3,4"],
                      minimise="wait_mean", delta="0.1min", workers=1)
    assert result.selected is not None
    assert result.space.assignments[result.selected] == {"stations.hall_a.servers": 5,
                                                         "stations.hall_b.servers": 4}
    ran = _counting(monkeypatch)
    comparison = against_baseline(result, scenario, RunOptions(workers=1))
    assert comparison is not None
    assert sum(ran) == 0
    assert comparison.changes[SELECTED] == []
    assert comparison.replications == result.outcome.replications(result.selected)
    difference = comparison.difference(SELECTED, "system", "all", "wait_mean")
    assert difference is not None and difference.mean == 0.0


def test_a_baseline_outside_the_space_runs_the_selected_designs_replications(
        monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(TWO_HALLS)
    result = optimise(scenario, ["stations.hall_a.servers=6", "stations.hall_b.servers=3,4"],
                      minimise="wait_mean", delta="0.1min", workers=1, replications=4)
    assert result.selected is not None
    count = result.outcome.replications(result.selected)
    ran = _counting(monkeypatch)
    comparison = against_baseline(result, scenario, RunOptions(workers=1))
    assert comparison is not None
    assert sum(ran) == count == comparison.replications
    assert [change.path for change in comparison.changes[SELECTED]] == [
        "stations.hall_a.servers", *(["stations.hall_b.servers"]
                                     if result.space.assignments[result.selected][
                                         "stations.hall_b.servers"] != 4 else [])]
    # Paired: the baseline's replication j is the file's own run j, whoever asks for it.
    own = runner.simulate(scenario, replications=count, workers=1)
    assert [r.kpis["system"]["all"]["wait_mean"] for r in comparison.baseline.replications] \
        == [r.kpis["system"]["all"]["wait_mean"] for r in own.replications]
    hours = comparison.difference(SELECTED, "system", "all", "officer_hours")
    assert hours is not None and hours.mean == 24.0 * (
        1 + result.space.assignments[result.selected]["stations.hall_b.servers"] - 4)


def test_no_design_selected_means_no_comparison() -> None:
    scenario = load_scenario(TWO_HALLS)
    result = optimise(scenario, ["stations.hall_a.servers=4,5"], minimise="wait_mean",
                      subject_to=["officer_hours<=100"], delta="0.1min", workers=1)
    assert result.selected is None
    assert against_baseline(result, scenario, RunOptions(workers=1)) is None


def test_the_report_escapes_what_the_scenario_names(tmp_path: Path) -> None:
    from portsim.report.optimise_page import write_optimisation

    file = tmp_path / "halls.yaml"
    file.write_text(TWO_HALLS.read_text().replace("name: Two halls of M/M/c desks",
                                                  "name: Halls <script>x</script> & co"))
    scenario = load_scenario(file)
    result = optimise(scenario, ["stations.hall_a.servers=4,5"], minimise="wait_mean",
                      delta="0.1min", workers=1, replications=3)
    out = tmp_path / "out"
    out.mkdir()
    write_optimisation(result, out, "best", None,
                       against_baseline(result, scenario, RunOptions(workers=1)))
    page = (out / "report.html").read_text()
    assert "<script>" not in page
    assert "portsim optimise: Halls &lt;script&gt;x&lt;/script&gt; &amp; co" in page
