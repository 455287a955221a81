"""Comparisons whose variants add or drop classes, stations and policies: every output shows
the union of what the baseline and the variants have, "—" or an empty cell where one lacks it.

A property test generates such variants over a small scenario with two policies switched on
(e-gates for cars, a fast lane for trucks) and checks every output a comparison makes.
"""

from __future__ import annotations

import copy
import csv
import io
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from exp_support import DATA, canonical
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

import portsim
from portsim.experiment.comparison import BASELINE, Comparison, compare
from portsim.report.compare_plots import kpi_bars, utilisation_bars
from portsim.report.compare_table import print_comparison
from portsim.report.html import comparison_html
from portsim.report.outputs import write_comparison

POLICY_PORT = DATA / "policy_port.yaml"
BASE: dict[str, Any] = yaml.safe_load(POLICY_PORT.read_text(encoding="utf-8"))
EXPONENTIAL = {"dist": "exponential", "mean": "3min"}
#: What a variant adds when it adds each kind of thing.
NEW_CLASS, NEW_STATION, NEW_POLICY_STATION = "bus", "bus_bay", "port_visa_office"


@st.composite
def variant_patches(draw: st.DrawFn) -> dict[str, Any]:
    """A variant that drops or adds any class, station or policy, and stays a valid scenario:
    what names a dropped item goes with it."""
    patch: dict[str, Any] = {"classes": {}, "stations": {}, "policies": {}}
    dropped = set(draw(st.sets(st.sampled_from(["egates", "fast_lane"]))))
    drop_class = draw(st.sampled_from([None, "car", "truck"]))
    drop_inspection = draw(st.booleans())
    add_station = draw(st.booleans())
    add_class = draw(st.booleans())
    add_policy = draw(st.booleans())
    if drop_class is not None:
        patch["classes"][drop_class] = None
        # The e-gates name cars, the fast lane trucks.
        dropped.add("egates" if drop_class == "car" else "fast_lane")
    if drop_inspection:
        patch["stations"]["inspection"] = None
        dropped.add("fast_lane")  # its inspection step is gone
        for name, lanes in (("car", "car_lanes"), ("truck", "truck_lanes")):
            if name != drop_class:
                patch["classes"][name] = {"route": [lanes]}
    if add_station:
        patch["stations"][NEW_STATION] = {"servers": 1, "service": EXPONENTIAL}
    if add_class:
        patch["classes"][NEW_CLASS] = {
            "arrivals": {"kind": "poisson", "rate": "6/h"},
            "route": [NEW_STATION if add_station else "truck_lanes"]}
    if add_policy:
        kept = next(name for name in ("truck", "car") if name != drop_class)
        patch["policies"]["port_visa"] = {"classes": [kept], "servers": 1,
                                          "service": EXPONENTIAL}
    for policy in dropped:
        patch["policies"][policy] = None
    return {key: value for key, value in patch.items() if value}


def scenario_with(variants: list[dict[str, Any]]) -> portsim.Scenario:
    raw = copy.deepcopy(BASE)
    raw["variants"] = {f"v{index}": patch or {"description": "no change"}
                       for index, patch in enumerate(variants)}
    return portsim.load_scenario(raw)


def every_output(comparison: Comparison) -> dict[str, Any]:
    """What a user sees: the terminal tables, comparison.csv, results.json, two plots' bars,
    and the report (without its images)."""
    console = Console(record=True, width=200, file=io.StringIO())
    print_comparison(comparison, console, detail=True)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        write_comparison(comparison, out, plots=False)
        with (out / "comparison.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    ticks = {scope: {label.get_text() for ax in figure.axes for label in ax.get_xticklabels()}
             for scope, figure in (("classes", kpi_bars(comparison.all)),
                                   ("stations", utilisation_bars(comparison.all)))}
    return {"table": console.export_text(), "rows": rows, "ticks": ticks,
            "html": comparison_html(comparison, {}), "json": comparison.to_dict()}


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(variant_patches(), min_size=1, max_size=2))
def test_every_output_shows_the_union(patches: list[dict[str, Any]]) -> None:
    scenario = scenario_with(patches)
    comparison = compare(scenario, replications=2, workers=1)
    seen = every_output(comparison)
    canonical(seen["json"])
    for scope in ("classes", "stations"):
        expected = list(dict.fromkeys(name for results in comparison.all
                                      for name in results.names(scope)))
        assert comparison.names(scope) == expected  # the baseline's first, in its order
        assert list(dict.fromkeys(row["name"] for row in seen["rows"]
                                  if row["scope"] == scope)) == expected
        assert seen["ticks"][scope] == set(expected)
        for name in expected:
            assert f"<h3>{name}</h3>" in seen["html"]
            assert f"│ {name} " in seen["table"]
    # What a variant adds is there even though the baseline lacks it.
    names = set(comparison.names("classes")) | set(comparison.names("stations"))
    for index, patch in enumerate(patches):
        added = {NEW_CLASS} & set(patch.get("classes", {}))
        added |= {NEW_STATION} & set(patch.get("stations", {}))
        added |= {NEW_POLICY_STATION} if "port_visa" in patch.get("policies", {}) else set()
        assert added <= names
        assert added <= {name for scope in ("classes", "stations")
                         for name in comparison.variants[f"v{index}"].names(scope)}
    # One row per KPI of the union and label; empty where a label lacks the KPI, and a
    # difference only where both sides have it -- or where the KPI is a resource of the
    # whole port's ledger that one side does not use (e-gates dropped: 0 gate-hours); then
    # the ledger's benefit per unit added.
    rows = [row for row in seen["rows"]
            if not row["kpi"].startswith("waiting_hours_saved_per_extra_")]
    assert rows == seen["rows"][:len(rows)]
    assert len(rows) == len(list(comparison.items())) * len(comparison.labels)
    for row in rows:
        scope, name, kpi, label = row["scope"], row["name"], row["kpi"], row["variant"]
        has = comparison.results(label).has(scope, name, kpi)
        assert (row["n"] != "") == has
        unused = comparison.absent_means_none(scope, name, kpi)
        paired = label != BASELINE and ((has and comparison.baseline.has(scope, name, kpi))
                                        or (unused and (has or comparison.baseline.has(
                                            scope, name, kpi))))
        assert (row["diff_n"] != "") == paired
        if label != BASELINE:
            differences = seen["json"]["differences"][label]
            assert (kpi in differences.get(scope, {}).get(name, {})) == paired


def test_a_difference_needs_both_sides(tmp_path: Path) -> None:
    scenario = scenario_with([{"policies": {"egates": None}},
                              {"stations": {NEW_STATION: {"servers": 1,
                                                          "service": EXPONENTIAL}}}])
    comparison = compare(scenario, replications=3, workers=1)
    assert comparison.labels_with("stations", "egates") == [BASELINE, "v1"]
    assert comparison.labels_with("stations", NEW_STATION) == ["v1"]
    assert comparison.summary("v0", "stations", "egates", "wait_mean") is None
    assert comparison.difference("v0", "stations", "egates", "wait_mean") is None
    assert comparison.difference("v1", "stations", NEW_STATION, "wait_mean") is None
    # Where both have the item the difference is paired as always.
    paired = comparison.difference("v0", "classes", "car", "wait_mean")
    assert paired is not None and paired.n == 3
    np.testing.assert_array_equal(
        comparison.difference_values("v0", "classes", "car", "wait_mean"),
        comparison.variants["v0"].per_replication("classes", "car", "wait_mean")
        - comparison.baseline.per_replication("classes", "car", "wait_mean"))
    html = comparison_html(comparison, {})
    assert "<h3>egates</h3><p class=\"note\">not in v0</p>" in html
    assert f"<h3>{NEW_STATION}</h3><p class=\"note\">only in v1</p>" in html
    assert "<h3>car_lanes</h3><h3>" not in html and "<h3>car_lanes</h3><table>" in html
