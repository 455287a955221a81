"""Parameter sweeps: parsing, setting values in the resolved scenario, running a grid."""

from __future__ import annotations

import pytest

from portsim.experiment.runner import simulate
from portsim.experiment.sweeps import (
    KPI,
    Setting,
    SweepError,
    apply_setting,
    flattening_warnings,
    grid,
    parse_kpi,
    parse_setting,
    parse_target,
    parse_values,
    set_path,
    sweep,
)


def test_parse_values() -> None:
    assert parse_values("10:30:5") == (10, 15, 20, 25, 30)
    assert parse_values("0.1:0.3:0.1") == (0.1, 0.2, 0.3)  # no binary noise
    assert parse_values("1,2.5,fifo") == (1, 2.5, "fifo")
    assert parse_values("5min") == ("5min",)
    assert parse_values("08:00") == ("08:00",)  # a time of day, passed to the schema
    for bad in ("5:1:1", "1:5:0", ""):
        with pytest.raises(SweepError):
            parse_values(bad)


def test_parse_setting_and_kpi() -> None:
    assert parse_setting("stations.a.servers=1:3:1") == Setting("stations.a.servers", (1, 2, 3))
    with pytest.raises(SweepError, match="expected PATH=VALUES"):
        parse_setting("stations.a.servers")
    assert parse_kpi("classes.car.wait_p95") == KPI("classes", "car", "wait_p95")
    with pytest.raises(SweepError, match=r"SCOPE\.NAME\.KPI"):
        parse_kpi("car.wait_p95")


def test_set_path() -> None:
    doc = {"stations": {"gates": {"servers": [{"servers": 1}, {"servers": 2}]}}}
    set_path(doc, "stations.gates.servers.1.servers", 5)
    assert doc["stations"]["gates"]["servers"][1]["servers"] == 5
    set_path(doc, "stations.gates.discipline", "priority")  # a new key at the leaf is allowed
    assert doc["stations"]["gates"]["discipline"] == "priority"
    with pytest.raises(SweepError, match="did you mean 'gates'"):
        set_path(doc, "stations.gate.servers", 1)
    with pytest.raises(SweepError, match="not an index"):
        set_path(doc, "stations.gates.servers.7.servers", 1)
    with pytest.raises(SweepError, match="is a value"):
        set_path(doc, "stations.gates.servers.0.servers.x", 1)


def test_grid_is_the_product_first_setting_slowest() -> None:
    points = grid([Setting("a", (1, 2)), Setting("b", ("x", "y"))])
    assert points == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"},
                      {"a": 2, "b": "y"}]
    with pytest.raises(SweepError, match="set twice"):
        grid([Setting("a", (1,)), Setting("a", (2,))])
    with pytest.raises(SweepError, match="given twice"):
        grid([Setting("a", (1, 2, 1))])


def test_sweep_points_equal_runs_of_the_edited_scenario(mini) -> None:
    kpi = KPI("classes", "truck", "wait_mean")
    result = sweep(mini, [parse_setting("stations.truck_lanes.servers=1:3:1")], kpis=[kpi],
                   replications=2, workers=2)
    assert [p.assignment for p in result.points] == [
        {"stations.truck_lanes.servers": n} for n in (1, 2, 3)]
    means = [p.results.summary("classes", "truck", "wait_mean").mean for p in result.points]
    assert means[0] > means[1] > means[2]  # more lanes, shorter waits (same random numbers)
    document = mini.resolved(None)
    document["stations"]["truck_lanes"]["servers"] = 2
    direct = simulate(document, replications=2)
    assert result.points[1].results.to_dict()["kpis"] == direct.to_dict()["kpis"]
    rows = result.rows()
    assert rows[0] == {"stations.truck_lanes.servers": 1, "kpi": "classes.truck.wait_mean",
                       **result.points[0].results.summary("classes", "truck",
                                                          "wait_mean").as_dict(),
                       "overloaded": True}  # one lane for 1.5 erlangs of trucks
    assert [row["overloaded"] for row in rows] == [True, False, False]
    assert result.to_dict()["format"] == "portsim-sweep/1"


def test_sweep_of_a_variant_and_bad_inputs(mini) -> None:
    setting = parse_setting("classes.truck.arrivals.rate=0.2")
    result = sweep(mini, [setting], variant="truck_fast_lane", replications=1)
    resolved = result.points[0].results.provenance["scenario"]["resolved"]
    assert resolved["stations"]["truck_lanes"]["servers"] == 3  # the variant's value kept
    with pytest.raises(SweepError, match=r"at stations.truck_lanes.servers=0: .*greater"):
        sweep(mini, [parse_setting("stations.truck_lanes.servers=0")], replications=1)
    with pytest.raises(SweepError, match="did you mean 'wait_p99'"):
        sweep(mini, [setting], kpis=[KPI("classes", "truck", "wait_p96")], replications=1)
    with pytest.raises(SweepError, match="no classes named 'trucks'"):
        sweep(mini, [setting], kpis=[KPI("classes", "trucks", "wait_p95")], replications=1)


def test_scale_and_add_keep_a_shift_schedule_and_linked_paths_move_together(mini) -> None:
    scaled = parse_setting("stations.car_lanes.servers*=1.5,2")
    assert scaled == Setting("stations.car_lanes.servers", (1.5, 2), "*=")
    assert scaled.key == "stations.car_lanes.servers *="
    document = mini.resolved(None)
    apply_setting(document, scaled, 1.5)  # 1 and 2 servers -> 1.5 and 3, halves up -> 2, 3
    assert [w["servers"] for w in document["stations"]["car_lanes"]["servers"]] == [2, 3]
    added = parse_setting("stations.car_lanes.servers,stations.truck_lanes.servers+=1")
    assert added.paths == ("stations.car_lanes.servers", "stations.truck_lanes.servers")
    apply_setting(document, added, 1)
    assert [w["servers"] for w in document["stations"]["car_lanes"]["servers"]] == [3, 4]
    assert document["stations"]["truck_lanes"]["servers"] == 3
    apply_setting(document, parse_setting("classes.truck.arrivals.rate*=2"), 2)
    assert document["classes"]["truck"]["arrivals"]["rate"] == pytest.approx(0.6)
    with pytest.raises(SweepError, match="takes numbers"):
        parse_setting("stations.car_lanes.discipline*=fifo")
    with pytest.raises(SweepError, match="needs a number or a shift schedule"):
        apply_setting(document, parse_setting("stations.car_lanes.service*=2"), 2)
    with pytest.raises(SweepError, match="set twice"):
        grid([parse_setting("stations.a.servers,stations.b.servers=1"),
              parse_setting("stations.b.servers=2")])


def test_a_flat_value_over_a_schedule_warns_and_scaling_runs(mini) -> None:
    assert flattening_warnings(mini.resolved(None), [parse_setting(
        "stations.car_lanes.servers=3")]) == [
        "--set stations.car_lanes.servers=3: replaces a shift schedule of 1/2 servers by a "
        "flat count; use stations.car_lanes.servers*=FACTOR or stations.car_lanes.servers+=N "
        "to keep its shape"]
    assert flattening_warnings(mini.resolved(None), [parse_setting(
        "stations.car_lanes.servers+=1")]) == []
    result = sweep(mini, [parse_setting("stations.car_lanes.servers+=0:1:1")],
                   kpis=[KPI("classes", "car", "wait_mean")], replications=1)
    assert result.warnings == []
    resolved = [p.results.provenance["scenario"]["resolved"]["stations"]["car_lanes"]["servers"]
                for p in result.points]
    assert [[w["servers"] for w in r] for r in resolved] == [[1, 2], [2, 3]]


def test_overloaded_points_are_flagged_everywhere(mini) -> None:
    result = sweep(mini, [parse_setting("classes.truck.arrivals.rate=0.1,1.0")],
                   kpis=[KPI("classes", "truck", "wait_sla_share")], replications=1)
    assert [p.overloaded for p in result.points] == [False, True]
    assert [row["overloaded"] for row in result.rows()] == [False, True]
    assert [p["overloaded"] for p in result.to_dict()["points"]] == [False, True]


def test_targets_are_parsed_in_the_kpis_stored_unit() -> None:
    assert parse_target("95%") == pytest.approx(0.95)
    assert parse_target("0.9") == 0.9
    assert parse_target("20min") == 20.0
    assert parse_target("1h") == 60.0
    with pytest.raises(SweepError, match="expected a share"):
        parse_target("lots")


def test_sweep_plot_draws_shares_in_percent_clipped_with_target_and_overload(mini) -> None:
    from portsim.report.sweep_plot import sweep_figure

    kpi = KPI("classes", "truck", "wait_sla_share")
    result = sweep(mini, [parse_setting("classes.truck.arrivals.rate=0.1,1.0")], kpis=[kpi],
                   replications=2)
    (ax,) = sweep_figure(result, kpi, target=0.95).axes
    assert ax.get_ylabel().endswith("(%)") and ax.get_ylim() == (-2, 102)
    bars = [line for container in ax.containers for line in container.lines[2]]
    tops = [segment[:, 1].max() for bar in bars for segment in bar.get_segments()]
    bottoms = [segment[:, 1].min() for bar in bars for segment in bar.get_segments()]
    assert max(tops) <= 100.0 and min(bottoms) >= 0.0
    labels = ax.get_legend_handles_labels()[1]
    assert "target 95 %" in labels
    assert "overloaded: queues grow without bound" in labels
    assert len(ax.collections[-1].get_offsets()) == 1  # the one overloaded point, circled


def test_in_an_overloaded_sweep_the_share_within_the_standard_falls_as_lanes_go(mini) -> None:
    """Trucks at 40/h (3.3 lanes' work): with 1, 2 or 3 lanes the queue grows all day. Those
    still queueing at the end count with their wait so far, so fewer lanes always read worse,
    as do the waits still in progress; before, the share was judged on those served only."""
    kpis = [KPI("classes", "truck", "wait_sla_share"), KPI("classes", "truck", "waiting_end")]
    # The fast-lane variant sends 5 % of trucks to inspection, so the lanes are the bottleneck.
    result = sweep(mini, [parse_setting("stations.truck_lanes.servers=1:5:1"),
                          parse_setting("classes.truck.arrivals.rate=0.667")], kpis=kpis,
                   variant="truck_fast_lane", replications=3)
    shares = [p.results.summary("classes", "truck", "wait_sla_share").mean
              for p in result.points]
    waiting = [p.results.summary("classes", "truck", "waiting_end").mean
               for p in result.points]
    assert shares == sorted(shares) and len(set(shares)) == len(shares)  # strictly rising
    assert waiting[0] > waiting[1] > waiting[2] > 0
    assert [p.overloaded for p in result.points] == [True, True, True, False, False]
