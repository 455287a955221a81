"""Fixtures of the robustness tests: default limits, the command line, files in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import LIMIT_VARIABLES
from typer.testing import CliRunner

import portsim.report.outputs
import portsim.report.staffing
import portsim.report.study  # noqa: F401  (see the note below)
from portsim.cli.main import app

# Tests here replace portsim.report.files.dump_json / dump_csv for one test (a full disk, a spy).
# The writers that import those names are imported now, with the real functions: imported for
# the first time during such a test, they would keep its stand-in for every later test of the
# same worker.


@pytest.fixture(autouse=True)
def default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the default limits, whatever the environment running it says."""
    for variable in LIMIT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def cli() -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, [str(arg) for arg in args])

    return invoke


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def write_file(content: str | bytes, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write_file
