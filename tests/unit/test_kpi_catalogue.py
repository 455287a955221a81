"""The KPI catalogue is the one list of KPIs: the engine computes exactly it, the docs show it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import portsim
from portsim.engine.collect import kpi_names
from portsim.stats import kpi_doc
from portsim.stats import kpis as catalogue

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def test_docs_results_md_shows_the_current_catalogue() -> None:
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    assert kpi_doc.markdown() in text, (
        "docs/results.md is out of date: run `python -m portsim.stats.kpi_doc docs/results.md`")


def test_keys_are_unique_within_each_scope() -> None:
    for scope in catalogue.SCOPES:
        keys = [kpi.key for kpi in catalogue.scope_kpis(scope)]
        if scope == "classes":
            keys += [kpi.key for kpi in catalogue.DUE_KPIS + catalogue.MILESTONE_KPIS]
        assert len(keys) == len(set(keys)), scope


def test_every_kpi_says_whom_it_counts_and_has_a_unit() -> None:
    units = {catalogue.MINUTES, catalogue.SHARE, catalogue.COUNT, catalogue.PER_HOUR,
             catalogue.LEVEL, catalogue.HOURS_A_DAY}
    for scope in catalogue.SCOPES:
        for kpi in catalogue.scope_kpis(scope):
            assert kpi.counts and kpi.label and kpi.unit in units, kpi


def test_lookup_finds_milestone_and_due_time_kpis() -> None:
    found = catalogue.lookup("classes", "until_berth_clear_p95")
    assert found is not None and found.label == "95th percentile time until berth clear"
    assert catalogue.lookup("classes", "late_share").unit == catalogue.SHARE  # type: ignore[union-attr]
    assert catalogue.lookup("stations", "late_share") is None
    assert catalogue.lookup("classes", "until__mean") is None
    assert catalogue.lookup("system", "in_system_end") is not None


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(path for path in SCENARIOS.glob("*/*.yaml")
                                         if path.parent.name != "targets"), ids=lambda p: p.stem)
def test_the_engine_reports_exactly_the_catalogue_in_its_order(path: Path) -> None:
    """kpi_names(model), read from the catalogue without running, is what a run reports."""
    scenario = portsim.load_scenario(path)
    for variant in [None, *scenario.variant_names]:
        model = portsim.compile_model(scenario, variant)
        short = dataclasses.replace(model, horizon=min(model.horizon, 1800.0), warmup=60.0,
                                    queue_at=(30.0, 600.0))
        result = portsim.run_replication(short, seed=1)
        expected = kpi_names(short)
        for scope, members in result.kpis.items():
            assert list(members) == list(expected[scope]), (path.name, variant, scope)
            for name, row in members.items():
                assert list(row) == expected[scope][name], (path.name, variant, scope, name)


def test_slot_and_clock_kpis_follow_the_warm_up_and_the_days() -> None:
    scenario = portsim.load_scenario(SCENARIOS / "validation" / "mm1.yaml")
    model = dataclasses.replace(portsim.compile_model(scenario), horizon=3 * 1440.0,
                                warmup=1440.0 + 600.0, queue_at=(480.0, 1020.0))
    names = kpi_names(model)["stations"]["server"]
    assert "wait_h0000_mean" in names and "wait_d2_h0900_mean" not in names
    assert "wait_d2_h1000_mean" in names and "wait_d3_h0000_mean" in names
    assert "queue_at_0800" in names and "queue_at_d3_0800" in names
    assert "queue_at_d2_0800" not in names and "queue_at_d2_1700" in names
    single = dataclasses.replace(model, horizon=2 * 1440.0, warmup=1440.0)
    assert not any(key.startswith("wait_d") for key in kpi_names(single)["stations"]["server"])
