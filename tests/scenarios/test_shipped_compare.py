"""``compare`` on every shipped scenario with variants, on a short horizon: every output covers
the classes and stations of the baseline and of every variant, including those a variant adds
(a policy's own desk or lane) or drops (a class, or a policy switched off with ``NAME: null``).

Each scenario also gets a variant per policy of its baseline that switches the policy off, the
documented way to ask "what if the e-gates are out of service".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from matplotlib.figure import Figure
from rich.console import Console

import portsim
from portsim.experiment.comparison import BASELINE, Comparison, compare
from portsim.report.compare_plots import comparison_figures
from portsim.report.compare_table import print_comparison
from portsim.report.html import comparison_html
from portsim.report.outputs import write_comparison

SCENARIOS = Path(__file__).parents[2] / "scenarios"
FILES = sorted(path for path in SCENARIOS.glob("*/*.yaml")
               if path.parent.name != "targets" and portsim.load_scenario(path).variant_names)
AIRPORT = SCENARIOS / "airport" / "airport.yaml"
LAND_PORT = SCENARIOS / "land_port" / "land_port.yaml"
RAILWAY = SCENARIOS / "railway_port" / "railway_port.yaml"
CARGO = SCENARIOS / "airport" / "cargo_flights.yaml"
LIANTANG = SCENARIOS / "land_port" / "liantang_freight.yaml"
MOHAN = SCENARIOS / "railway_port" / "mohan_onboard.yaml"


def short_with_policies_off(path: Path) -> tuple[portsim.Scenario, list[str]]:
    """The scenario on a 14-hour horizon (2 hours of warm-up), with a variant ``no_NAME`` for
    each policy its baseline switches on; and those policies' names."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["time"] = {"horizon": "14h", "warmup": "2h"}
    policies = portsim.load_scenario(raw, base_dir=path.parent).resolved(None)["policies"]
    active = [name for name, block in policies.items() if block is not None]
    for name in active:
        raw["variants"][f"no_{name}"] = {"policies": {name: None}}
    return portsim.load_scenario(raw, base_dir=path.parent), active


@dataclass
class Outputs:
    comparison: Comparison
    policies_off: list[str]
    table: str                       # the terminal tables as printed
    rows: list[dict[str, str]]       # comparison.csv as written
    figures: dict[str, Figure]       # the plots, before they are drawn to PNG
    html: str                        # report.html, without its images

    def names(self, scope: str) -> set[str]:
        """What the outputs must show: the names of every variant, read from its results."""
        return {name for results in self.comparison.all for name in results.names(scope)}

    def csv_names(self, scope: str) -> set[str]:
        return {row["name"] for row in self.rows if row["scope"] == scope}

    def row(self, scope: str, name: str, kpi: str, label: str) -> dict[str, str]:
        """The one CSV row of this KPI and variant."""
        if not hasattr(self, "_by_key"):
            self._by_key: dict[tuple[str, ...], list[dict[str, str]]] = {}
            for row in self.rows:
                key = (row["scope"], row["name"], row["kpi"], row["variant"])
                self._by_key.setdefault(key, []).append(row)
        (found,) = self._by_key.get((scope, name, kpi, label), [])
        return found


def tick_labels(figure: Figure) -> set[str]:
    return {label.get_text() for ax in figure.axes for label in ax.get_xticklabels()}


def panel_titles(figure: Figure) -> set[str]:
    return {ax.get_title() for ax in figure.axes if ax.get_visible()}


def outputs(path: Path, folder: Path) -> Outputs:
    """Compare ``path`` (short, with its policies off) and read every output back."""
    scenario, active = short_with_policies_off(path)
    comparison = compare(scenario, replications=2, workers=1)
    write_comparison(comparison, folder, plots=False)
    console = Console(record=True, width=200, file=io.StringIO())
    print_comparison(comparison, console, detail=True)
    with (folder / "comparison.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return Outputs(comparison, active, console.export_text(), rows,
                   comparison_figures(comparison.all, comparison.sla),
                   comparison_html(comparison, {}))


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Outputs]:
    """Each scenario compared once for all the tests of this module."""
    done: dict[Path, Outputs] = {}

    def get(path: Path) -> Outputs:
        if path not in done:
            done[path] = outputs(path, tmp_path_factory.mktemp(path.stem) / "out")
        return done[path]

    return get


@pytest.fixture(params=FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def shipped(request: Any, compared: Callable[[Path], Outputs]) -> Outputs:
    return compared(request.param)


def test_every_scenario_with_variants_is_compared() -> None:
    assert {AIRPORT, LAND_PORT, RAILWAY, CARGO, MOHAN} <= set(FILES)


@pytest.mark.slow
def test_every_output_shows_every_variants_classes_and_stations(shipped: Outputs) -> None:
    comparison = shipped.comparison
    for scope in ("classes", "stations"):
        names = shipped.names(scope)
        assert shipped.csv_names(scope) == names
        # Baseline's items first, in its order; then what the variants add.
        base = comparison.baseline.names(scope)
        assert comparison.names(scope)[:len(base)] == base
        for name in names:
            assert f"<h3>{name}</h3>" in shipped.html
            assert f"│ {name} " in shipped.table
    # Every KPI of the union has one row per variant, the baseline first; then each variant's
    # benefit per unit of what it adds (the ledger's ratios).
    items = list(comparison.items())
    kpi_rows = [row for row in shipped.rows
                if not row["kpi"].startswith("waiting_hours_saved_per_extra_")]
    assert kpi_rows == shipped.rows[:len(kpi_rows)]
    assert len(kpi_rows) == len(items) * len(comparison.labels)
    assert [row["variant"] for row in shipped.rows[:len(comparison.labels)]] == \
        comparison.labels
    assert tick_labels(shipped.figures["utilisation.png"]) == shipped.names("stations")
    assert tick_labels(shipped.figures["kpis.png"]) == shipped.names("classes")


@pytest.mark.slow
def test_a_missing_item_is_an_empty_cell_and_has_no_difference(shipped: Outputs) -> None:
    comparison = shipped.comparison
    differences = comparison.to_dict()["differences"]
    for scope, name, kpi in comparison.items():
        base = comparison.baseline.has(scope, name, kpi)
        for label in comparison.labels:
            row = shipped.row(scope, name, kpi, label)
            has = comparison.results(label).has(scope, name, kpi)
            none = comparison.absent_means_none(scope, name, kpi)  # a resource not had
            if not has:
                assert all(row[field] == "" for field in ("mean", "ci_low", "n")), row
                assert none or row["diff_mean"] == row["diff_n"] == "", row
            if label != BASELINE:
                paired = (base and has) or (none and (base or has))
                assert (row["diff_n"] != "") == paired, row
                assert (kpi in differences[label].get(scope, {}).get(name, {})) == paired


@pytest.mark.parametrize(("path", "variant", "station"), [
    (LIANTANG, "one_stop", "joint_booths"),
    (RAILWAY, "port_visa", "port_visa_office"),
    (CARGO, "green_channel_own_team", "flight_inspection.green"),
])
def test_a_station_only_a_variant_has_appears_in_every_output(
        path: Path, variant: str, station: str,
        compared: Callable[[Path], Outputs]) -> None:
    shipped = compared(path)
    comparison = shipped.comparison
    assert not comparison.baseline.has("stations", station)
    assert comparison.labels_with("stations", station) == [variant]
    # Terminal: the variant's value, "—" for everyone else and for the difference.
    lines = shipped.table.splitlines()
    (first,) = [index for index, line in enumerate(lines)
                if f"│ {station} " in line and "│ utilisation (%) " in line]
    # Rows: station, KPI, variant, value, Δ; the baseline first (no Δ), then each variant.
    cells = [[cell.strip() for cell in line.split("│")[3:6]]
             for line in lines[first:first + len(comparison.labels)]]
    assert [row[0] for row in cells] == comparison.labels
    for label, value, diff in cells:
        if label == variant:
            assert value != "—" and diff == "—", cells
        else:
            assert value == "—" and diff == ("" if label == BASELINE else "—"), cells
    # comparison.csv: the variant's interval, empty cells elsewhere, no difference.
    mine = shipped.row("stations", station, "utilisation", variant)
    assert float(mine["mean"]) > 0 and mine["n"] == "2" and mine["diff_mean"] == ""
    assert shipped.row("stations", station, "utilisation", BASELINE)["mean"] == ""
    # Plots: a bar in the utilisation plot; the report: its table, saying where it exists.
    assert station in tick_labels(shipped.figures["utilisation.png"])
    assert f"<h3>{station}</h3><p class=\"note\">only in {variant}</p>" in shipped.html


def test_visa_on_arrival_class_of_the_port_visa_variant(
        compared: Callable[[Path], Outputs]) -> None:
    shipped = compared(RAILWAY)
    assert not shipped.comparison.baseline.has("classes", "visa_on_arrival")
    assert "visa_on_arrival" in tick_labels(shipped.figures["kpis.png"])
    assert shipped.row("classes", "visa_on_arrival", "wait_mean", "port_visa")["mean"] != ""
    assert "<h3>visa_on_arrival</h3><p class=\"note\">only in port_visa</p>" in shipped.html


def test_entrants_class_of_the_transit_visa_free_variants(
        compared: Callable[[Path], Outputs]) -> None:
    shipped = compared(AIRPORT)
    comparison = shipped.comparison
    assert comparison.labels_with("classes", "transit_visa_free") == [
        "transit_visa_free", "transit_visa_free_240h"]
    assert shipped.row("classes", "transit_visa_free", "sojourn_mean", BASELINE)["mean"] == ""
    assert shipped.row("classes", "transit_visa_free", "sojourn_mean",
                       "transit_visa_free")["mean"] != ""
    assert ("<h3>transit_visa_free</h3><p class=\"note\">only in transit_visa_free, "
            "transit_visa_free_240h</p>") in shipped.html


def test_a_variant_that_drops_a_class(compared: Callable[[Path], Outputs]) -> None:
    shipped = compared(MOHAN)
    assert shipped.comparison.labels_with("classes", "hall_passengers") == [BASELINE]
    assert shipped.row("classes", "hall_passengers", "wait_mean", "onboard")["mean"] == ""
    # Both on-board variants drop the hall's passengers.
    assert ("<h3>hall_passengers</h3><p class=\"note\">not in onboard, onboard_desk_crew</p>"
            in shipped.html)
    assert "onboard_passengers" in tick_labels(shipped.figures["kpis.png"])


@pytest.mark.parametrize(("path", "policies", "station"), [
    (AIRPORT, ["port_visa", "egates"], "egates"),
    (LAND_PORT, ["egates"], "egates"),
    (RAILWAY, ["egates"], "egates"),
])
def test_switching_a_policy_off_with_null(path: Path, policies: list[str], station: str,
                                          compared: Callable[[Path], Outputs]) -> None:
    shipped = compared(path)
    comparison = shipped.comparison
    assert shipped.policies_off == policies
    for policy in policies:
        variant = comparison.variants[f"no_{policy}"]
        assert variant.provenance["scenario"]["resolved"]["policies"][policy] is None
    # The station the e-gate policy creates is the baseline's, not the variant's.
    assert station not in comparison.variants["no_egates"].names("stations")
    assert comparison.difference("no_egates", "stations", station, "utilisation") is None
    assert shipped.row("stations", station, "utilisation", "no_egates")["mean"] == ""
    assert "no_egates" in shipped.html.split(f"<h3>{station}</h3>")[1].split("</p>")[0]
    # Without the gates everyone queues at the desks: the wait grows, beyond doubt.
    wait = comparison.difference("no_egates", "system", "all", "wait_mean")
    assert wait is not None and wait.mean > 0
