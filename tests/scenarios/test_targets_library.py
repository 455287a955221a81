"""The library of published targets (scenarios/targets/): every file reads, every figure names
a source of docs/sources.md and its confidence, and every file that names a shipped scenario
can be calibrated against it (its variants, classes, stations, KPIs and free parameters are the
scenario's); the others say what scenario they need."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portsim.calibration.free import free_parameters
from portsim.calibration.targets import check_against, load_targets
from portsim.engine.collect import kpi_names
from portsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted((ROOT / "scenarios" / "targets").glob("*.yaml"))
SOURCES = set(re.findall(r"^\[(\d+)\] ", (ROOT / "docs" / "sources.md").read_text(
    encoding="utf-8"), re.MULTILINE))


def test_the_library_holds_the_published_targets() -> None:
    names = {path.stem for path in LIBRARY}
    assert {"mohan", "west_kowloon", "uk_airports_2008", "hong_kong_airport",
            "liantang"} <= names
    assert (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8").count(
        "scenarios/targets/") >= 1


@pytest.mark.parametrize("path", LIBRARY, ids=lambda path: path.stem)
def test_every_figure_has_a_listed_source_and_a_confidence(path: Path) -> None:
    targets = load_targets(path)
    for _, target in targets.items():
        numbers = re.findall(r"\[(\d+)\]", target.source)
        assert numbers and set(numbers) <= SOURCES, target.source
        assert target.confidence is not None
    assert any(target.use == "fit" for _, target in targets.items())


@pytest.mark.parametrize("path", LIBRARY, ids=lambda path: path.stem)
def test_a_file_names_its_scenario_or_says_it_needs_one(path: Path) -> None:
    targets = load_targets(path)
    document = targets.document
    if document.scenario is None:
        assert "needs a scenario" in (document.description or "")
        return
    scenario = load_scenario(path.parent / document.scenario)
    variants = {v for _, target in targets.items() for v in target.variants()}
    check_against(targets, scenario.variant_names,
                  {variant: kpi_names(scenario.model(variant)) for variant in variants})
    free = free_parameters(scenario, {variant: scenario.resolved(variant)
                                      for variant in variants})
    assert free and all(f.low <= f.written <= f.high for f in free)
