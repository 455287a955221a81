"""The KPI catalogue is the one list of KPIs: the engine computes exactly it, the docs show it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import portsim
from portsim.stats import kpis as catalogue

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def test_docs_results_md_shows_the_current_catalogue() -> None:
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    assert catalogue.markdown() in text, (
        "docs/results.md is out of date: run `python -m portsim.stats.kpis docs/results.md`")


def test_keys_are_unique_within_each_scope() -> None:
    for scope in catalogue.SCOPES:
        keys = [kpi.key for kpi in catalogue.scope_kpis(scope)]
        if scope == "classes":
            keys += [kpi.key for kpi in catalogue.DUE_KPIS + catalogue.MILESTONE_KPIS]
        assert len(keys) == len(set(keys)), scope


def test_every_kpi_says_whom_it_counts_and_has_a_unit() -> None:
    units = {catalogue.MINUTES, catalogue.SHARE, catalogue.COUNT, catalogue.PER_HOUR,
             catalogue.LEVEL}
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


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*/*.yaml")), ids=lambda p: p.stem)
def test_the_engine_reports_exactly_the_catalogue_in_its_order(path: Path) -> None:
    scenario = portsim.load_scenario(path)
    for variant in [None, *scenario.variant_names]:
        model = portsim.compile_model(scenario, variant)
        short = dataclasses.replace(model, horizon=min(model.horizon, 120.0), warmup=0.0)
        result = portsim.run_replication(short, seed=1)
        for scope, members in result.kpis.items():
            for name, row in members.items():
                if scope == "classes":
                    spec = next(c for c in model.classes if c.name == name)
                    milestones = [key.removeprefix("until_").removesuffix("_mean")
                                  for key in row if key.startswith("until_")
                                  and key.endswith("_mean")]
                    expected = [kpi.key for kpi in catalogue.class_kpis(
                        milestones, due=spec.due_after is not None)]
                else:
                    expected = [kpi.key for kpi in catalogue.scope_kpis(scope)]
                assert list(row) == expected, (path.name, variant, scope, name)
