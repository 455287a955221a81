"""What README and the docs name of the Python API exists: every ``portsim.…`` in their Python
examples and inline code resolves, and README's Python example runs as written."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import portsim

ROOT = Path(__file__).parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_PYTHON = re.compile(r"```python\n(.*?)```", re.DOTALL)
_INLINE = re.compile(r"`(portsim\.[A-Za-z_][A-Za-z0-9_.]*)")
_DOTTED = re.compile(r"\bportsim(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def named(text: str) -> set[str]:
    """The dotted ``portsim.…`` names in ``text``'s Python blocks and inline code."""
    found = set(_INLINE.findall(text))
    for block in _PYTHON.findall(text):
        found.update(_DOTTED.findall(block))
    return {name.rstrip(".") for name in found}


def resolve(dotted: str) -> object:
    """The object ``dotted`` names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:end]))
        except ImportError:
            continue
        for attribute in parts[end:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_name_the_docs_use_exists(document: Path) -> None:
    missing = []
    for name in sorted(named(document.read_text(encoding="utf-8"))):
        try:
            resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert missing == []


def test_readme_names_the_api_it_describes() -> None:
    names = named((ROOT / "README.md").read_text(encoding="utf-8"))
    assert {"portsim.simulate", "portsim.compare", "portsim.sweep", "portsim.RunOptions"} \
        <= names
    assert set(portsim.__all__) >= {"simulate", "compare", "sweep", "Sweep", "RunOptions"}


def test_sweep_takes_options_and_the_command_line_s_settings(tmp_path: Path) -> None:
    scenario = portsim.load_scenario(ROOT / "scenarios" / "validation" / "mm1.yaml")
    options = portsim.RunOptions(replications=2, seed=3, workers=1)
    grid = portsim.sweep(scenario, ["time.horizon=2d"], options,
                         kpis=["classes.customer.wait_mean"])
    assert isinstance(grid, portsim.Sweep)
    assert [point.assignment for point in grid.points] == [{"time.horizon": "2d"}]
    assert [str(kpi) for kpi in grid.kpis] == ["classes.customer.wait_mean"]
    again = portsim.sweep(scenario, ["time.horizon=2d"], replications=2, seed=3, workers=1,
                          kpis=["classes.customer.wait_mean"])
    assert again.to_dict() == grid.to_dict()


@pytest.mark.slow
def test_readme_python_example_runs_as_written(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    (block,) = _PYTHON.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    exec(compile(block, "README.md", "exec"), {})  # the README's own example
    printed = capsys.readouterr().out
    assert "Interval(" in printed and "{'stations.server.servers': 12}" in printed
