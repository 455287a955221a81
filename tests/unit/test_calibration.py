"""The targets schema, the free parameters' schema and the standardised distance."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from portsim.calibration.free import Free, with_values
from portsim.calibration.objective import Compared, Evaluation
from portsim.calibration.targets import Z95, Target, load_targets, parse_figure
from portsim.document.calibrate import FreeParameter, parse_bound
from portsim.errors import ScenarioError
from portsim.scenario import load_scenario
from portsim.stats.summary import Interval

GOOD = """\
description: two figures
targets:
  stop:
    kpi: sojourn_mean
    class: trains
    observed: 2.5h
    se: 5min
    use: fit
    source: "[14]"
    confidence: M
  share:
    kpi: wait_sla_share
    station: desks
    interval: [97.4%, 99.1%]
    use: hold-out
    source: "[42]"
  morning:
    kpi: wait_mean
    slot: "08:00"
    observed: 12
    se: 1
    use: fit
    source: a survey
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_targets_file_reads_units_intervals_and_slots(tmp_path: Path) -> None:
    targets = load_targets(_write(tmp_path, GOOD))
    stop, share, morning = (target for _, target in targets.items())
    assert (stop.value, stop.standard_error) == (150.0, 5.0)
    assert stop.address == "classes.trains.sojourn_mean"
    assert share.value == pytest.approx(0.9825)
    assert share.standard_error == pytest.approx((0.991 - 0.974) / (2 * Z95))
    assert share.address == "stations.desks.wait_sla_share"
    assert morning.address == "system.all.wait_h0800_mean"
    assert [target.use for _, target in targets.items()] == ["fit", "hold-out", "fit"]


@pytest.mark.parametrize(("old", "new", "line", "fragment"), [
    ("    se: 5min\n", "", 3, "needs its uncertainty"),
    ("    se: 5min\n", "    se: 5min\n    interval: [1, 2]\n", 3, "not both"),
    ("    interval: [97.4%, 99.1%]", "    interval: [99.1%, 97.4%]", 11, "is empty"),
    ("    use: fit\n    source: \"[14]\"", "    use: fitted\n    source: \"[14]\"", 8,
     "'fit' or 'hold-out'"),
    ("    confidence: M\n", "    confidance: M\n", 10, "confidance"),
    ("    observed: 2.5h", "    observed: lots", 6, "expected a number"),
    ("    class: trains\n", "    class: trains\n    station: desks\n", 3, "not both"),
    ("    slot: \"08:00\"", "    slot: \"08:00\"\n    kpi: sojourn_mean", 20, "duplicate key"),
    ("    kpi: wait_mean\n    slot", "    kpi: sojourn_mean\n    slot", 17,
     "slot needs a waiting-time KPI"),
])
def test_bad_targets_are_named_with_their_line(tmp_path: Path, old: str, new: str, line: int,
                                               fragment: str) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as caught:
        load_targets(path)
    message = str(caught.value)
    assert f"{path}:{line}: targets." in message
    assert fragment in message


def test_a_targets_file_needs_something_to_fit(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("use: fit", "use: hold-out"))
    with pytest.raises(ScenarioError, match="no target has use: fit"):
        load_targets(path)


def test_a_targets_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, "targets: [unclosed\n")
    with pytest.raises(ScenarioError, match=f"{path}:2:"):
        load_targets(path)


def test_figures_and_bounds_read_units() -> None:
    assert parse_figure("90min") == 90.0
    assert parse_figure("98.2%") == pytest.approx(0.982)
    assert parse_figure(3) == 3.0
    assert parse_bound("-10s") == pytest.approx(-1 / 6)
    assert parse_bound("2%") == pytest.approx(0.02)
    for bad in ("soon", float("nan"), True):
        with pytest.raises(ValueError):
            parse_figure(bad)


def _target(observed: float, se: float) -> Target:
    return Target.model_validate({"kpi": "wait_mean", "observed": observed, "se": se,
                                  "use": "fit", "source": "x"})


def _compared(mean: float, model_se: float, observed: float, se: float,
              use: str = "fit") -> Compared:
    target = _target(observed, se).model_copy(update={"use": use})
    return Compared("t", target, Interval(mean, mean - 1, mean + 1, 1.0, 5), model_se)


def test_the_distance_folds_in_both_standard_errors() -> None:
    compared = _compared(13.0, 3.0, 9.0, 4.0)
    assert compared.z == pytest.approx(4.0 / 5.0)  # (13 - 9) / sqrt(4² + 3²)
    assert compared.error == 4.0
    assert compared.within
    assert not _compared(20.0, 3.0, 9.0, 4.0).within  # z = 2.2
    assert _compared(9.0 + Z95 * 5.0, 3.0, 9.0, 4.0).within  # the edge counts as within
    evaluation = Evaluation((1.0,), (_compared(13.0, 3.0, 9.0, 4.0),
                                     _compared(7.0, 0.0, 9.0, 1.0),
                                     _compared(100.0, 0.0, 9.0, 1.0, use="hold-out")))
    # Held-out targets never count: 0.8² + 2²
    assert evaluation.distance == pytest.approx(0.64 + 4.0)
    assert [c.target.use for c in evaluation.used("hold-out")] == ["hold-out"]


def test_a_free_parameter_needs_one_nonempty_range() -> None:
    assert FreeParameter.model_validate({"path": "a.b", "add": ["-10s", "30s"]}).operation \
        == "+="
    for bad, fragment in (({"path": "a.b"}, "exactly one"),
                          ({"path": "a.b", "range": [1, 2], "scale": [1, 2]}, "exactly one"),
                          ({"path": "a.b", "range": [2, 1]}, "is empty"),
                          ({"path": "a.b", "scale": [0, 2]}, "above 0")):
        with pytest.raises(ValueError, match=fragment):
            FreeParameter.model_validate(bad)


MM1 = """\
name: one desk
time: {horizon: 1d}
stations:
  desk: {servers: 1, service: {dist: exponential, mean: 1min}}
classes:
  pax: {arrivals: {kind: poisson, rate: 0.5/min}, route: [desk]}
calibrate:
  pace: {path: "stations.desk.service.mean, stations.extra.service.mean", scale: [0.5, 2]}
variants:
  more:
    stations:
      desk: {servers: 2}
"""


def test_values_move_the_paths_a_document_has(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(MM1, encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.yaml")
    free = [Free("pace", scenario.base.calibrate["pace"], 1.0)]
    changed = with_values(scenario.resolved(None), free, [1.5])
    assert changed["stations"]["desk"]["service"]["mean"] == 1.5
    assert "extra" not in changed["stations"]  # a path the document lacks is skipped
    # The block changes nothing a run does: it is not in the resolved document.
    assert "calibrate" not in scenario.resolved(None)
    assert math.isclose(scenario.resolved(None)["stations"]["desk"]["service"]["mean"], 1.0)


def test_a_variant_cannot_change_the_free_parameters(tmp_path: Path) -> None:
    text = MM1 + "    calibrate: {}\n"
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"variants\.more\.calibrate: a variant cannot"):
        load_scenario(tmp_path / "s.yaml")


def test_a_share_of_a_total_is_taken_replication_by_replication(tmp_path: Path) -> None:
    import portsim
    from portsim.calibration.objective import model_figure

    (tmp_path / "s.yaml").write_text(MM1, encoding="utf-8")
    run = portsim.simulate(tmp_path / "s.yaml", replications=3, seed=1)
    share = Target.model_validate({
        "kpi": "completions", "station": "desk", "observed": 0.5, "se": 0.1, "use": "fit",
        "source": "x", "per": ["classes.pax.completions", "classes.pax.completions"]})
    interval, se = model_figure({"baseline": run}, share)
    assert interval.mean == pytest.approx(0.5)  # every customer is the desk's, counted twice
    assert se == pytest.approx(0.0)
    assert share.address == ("stations.desk.completions / (classes.pax.completions + "
                             "classes.pax.completions)")


def test_a_ratio_between_variants_is_taken_replication_by_replication(tmp_path: Path) -> None:
    import portsim
    from portsim.calibration.objective import model_figure

    (tmp_path / "s.yaml").write_text(MM1, encoding="utf-8")
    run = portsim.simulate(tmp_path / "s.yaml", replications=3, seed=1)
    other = portsim.simulate(tmp_path / "s.yaml", replications=3, seed=2)
    ratio = Target.model_validate({
        "kpi": "completions", "class": "pax", "variant": "more", "relative_to": "baseline",
        "observed": 1.0, "se": 0.1, "use": "hold-out", "source": "x"})
    assert ratio.variants() == ["more", None]
    interval, _ = model_figure({"baseline": run, "more": other}, ratio)
    after = other.per_replication("classes", "pax", "completions")
    before = run.per_replication("classes", "pax", "completions")
    assert interval.mean == pytest.approx(float((after / before).mean()))
    assert ratio.address == "classes.pax.completions / (the same under baseline)"
    with pytest.raises(ValueError, match="a ratio needs two"):
        Target.model_validate({**ratio.model_dump(by_alias=True, exclude_none=True),
                               "relative_to": "more"})
    with pytest.raises(ValueError, match=r"is not SCOPE\.NAME\.KPI"):
        Target.model_validate({"kpi": "completions", "observed": 0.5, "se": 0.1, "use": "fit",
                               "source": "x", "per": ["pax.completions"]})


def test_a_count_set_outright_stays_whole(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(MM1, encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.yaml")
    servers = FreeParameter.model_validate({"path": "stations.desk.servers", "range": [1, 4]})
    changed = with_values(scenario.resolved(None), [Free("desks", servers, 1.0)], [2.6])
    assert changed["stations"]["desk"]["servers"] == 3
    load_scenario(changed)  # a valid scenario: servers are whole
