"""docs/policies.md shows every policy variant of the shipped files with what it buys and costs."""

from __future__ import annotations

from pathlib import Path

import pytest

import portsim

ROOT = Path(__file__).parents[2]
SCENARIOS = ROOT / "scenarios"
SECTION = "## What each shipped variant shows now"
#: Files whose variants are not policies: calibration families (a variant per port).
NOT_POLICIES = {"uk_airports_2008.yaml", "hong_kong_airport.yaml"}
FILES = sorted(path for folder in ("airport", "land_port", "water_port", "railway_port",
                                   "services")
               for path in (SCENARIOS / folder).glob("*.yaml")
               if path.name not in NOT_POLICIES and portsim.load_scenario(path).variant_names)


def _section() -> str:
    text = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end >= 0 else None]


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_every_shipped_variant_has_a_row(path: Path) -> None:
    section = _section()
    assert f"`{path.parent.name}/{path.name}`" in section, path
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    for variant in portsim.load_scenario(path).variant_names:
        assert any(f"`{variant}`" in row.split("|")[1] for row in rows), (path, variant)
