"""The limits themselves: defaults, overrides from the environment, refusals of bad settings;
and the YAML reader's handling of the odd corners the limits live next to."""

from __future__ import annotations

from pathlib import Path

import pytest
from robustness_helpers import SMALL

from portsim import limits
from portsim.document.yamlsource import parse_yaml
from portsim.errors import PortsimError, ScenarioError


def test_defaults() -> None:
    current = limits.current()
    assert current == limits.DEFAULTS
    assert current.max_file_bytes == 10 * 1024 * 1024
    assert current.max_csv_bytes == 32 * 1024 * 1024
    assert current.max_csv_rows == 200_000
    assert current.max_depth == 64
    assert current.max_nodes == 1_000_000
    assert current.max_horizon == 100 * 365.25 * 1440
    assert current.max_entities == 10_000_000
    assert current.max_replications == 10_000


@pytest.mark.parametrize(("variable", "text", "field", "value"), [
    ("PORTSIM_MAX_FILE_BYTES", "20MiB", "max_file_bytes", 20 * 1024**2),
    ("PORTSIM_MAX_FILE_BYTES", "4096", "max_file_bytes", 4096),
    ("PORTSIM_MAX_CSV_BYTES", "1GiB", "max_csv_bytes", 1024**3),
    ("PORTSIM_MAX_CSV_ROWS", "1_000_000", "max_csv_rows", 1_000_000),
    ("PORTSIM_MAX_CSV_ROWS", "1,000,000", "max_csv_rows", 1_000_000),
    ("PORTSIM_MAX_DEPTH", " 100 ", "max_depth", 100),
    ("PORTSIM_MAX_NODES", "5000000", "max_nodes", 5_000_000),
    ("PORTSIM_MAX_HORIZON", "250y", "max_horizon", 250 * 365.25 * 1440),
    ("PORTSIM_MAX_HORIZON", "400d", "max_horizon", 400 * 1440.0),
    ("PORTSIM_MAX_HORIZON", "90", "max_horizon", 90.0),
    ("PORTSIM_MAX_ENTITIES", "50000000", "max_entities", 50_000_000),
    ("PORTSIM_MAX_REPLICATIONS", "20", "max_replications", 20),
    ("PORTSIM_MAX_TASKS", "1_000_000", "max_tasks", 1_000_000),
    ("PORTSIM_MAX_LOG_BYTES", "4GiB", "max_log_bytes", 4 * 1024**3),
])
def test_overrides(monkeypatch: pytest.MonkeyPatch, variable: str, text: str, field: str,
                   value: float) -> None:
    monkeypatch.setenv(variable, text)
    assert getattr(limits.current(), field) == value
    assert limits.ENVIRONMENT[field] == variable


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_MAX_DEPTH", "")
    assert limits.current().max_depth == 64


@pytest.mark.parametrize(("variable", "text", "fragment"), [
    ("PORTSIM_MAX_DEPTH", "deep", "expected a whole number"),
    ("PORTSIM_MAX_DEPTH", "0", "must be above 0"),
    ("PORTSIM_MAX_DEPTH", "-3", "expected a whole number"),
    ("PORTSIM_MAX_DEPTH", "257", "must be at most 256"),
    ("PORTSIM_MAX_FILE_BYTES", "10MB", "KiB, MiB or GiB"),
    ("PORTSIM_MAX_HORIZON", "forever", "a duration such as 100y"),
    ("PORTSIM_MAX_HORIZON", "inf", "a duration such as 100y"),
    ("PORTSIM_MAX_ENTITIES", "1e7", "expected a whole number"),
])
def test_bad_settings_are_clear_errors(monkeypatch: pytest.MonkeyPatch, variable: str,
                                       text: str, fragment: str) -> None:
    monkeypatch.setenv(variable, text)
    with pytest.raises(limits.LimitsError, match=fragment) as caught:
        limits.current()
    assert isinstance(caught.value, PortsimError)  # the CLI reports it with exit code 2
    assert variable in str(caught.value)


def test_node_limit_is_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    # The root, two keys, a list of 9 (10 values), a list of three aliases of it (1 + 30).
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a]\n"
    assert parse_yaml(text)[0]["b"][2] == list(range(1, 10))
    monkeypatch.setenv("PORTSIM_MAX_NODES", "43")
    with pytest.raises(ScenarioError, match="more than 43 values"):
        parse_yaml(text)
    monkeypatch.setenv("PORTSIM_MAX_NODES", "44")
    assert parse_yaml(text)[0]["a"] == list(range(1, 10))


def test_exponent_numbers_without_a_dot_get_a_hint(tmp_path: Path) -> None:
    """YAML 1.1 (PyYAML, and so every tool that writes scenario files) reads 1e-3 as text; the
    message says how to write the number."""
    from portsim.scenario import load_scenario

    path = tmp_path / "s.yaml"
    path.write_text(SMALL.replace("route: [desk]", "route: [desk, {optional: {p: 5e-1, "
                                  "route: [desk]}}]"))
    with pytest.raises(ScenarioError, match=r"valid number \(got '5e-1'\); write 5.0e-1: "
                       "without a dot YAML reads it as text"):
        load_scenario(path)


@pytest.mark.parametrize(("text", "fragment"), [
    ("a: !!int abc\n", "'abc' is not a valid !!int"),
    ("a: !!int\n", "'' is not a valid !!int"),
    ("a: !!bool maybe\n", "'maybe' is not a valid !!bool"),
    ("a: !!float x\n", "'x' is not a valid !!float"),
])
def test_values_that_do_not_fit_their_tag(text: str, fragment: str) -> None:
    with pytest.raises(ScenarioError, match=fragment) as caught:
        parse_yaml(text)
    assert caught.value.problems[0].line == 1


@pytest.mark.parametrize("text", ["name: x\n\u2028b: [", "name: x\r\rb: [", "a: 1\nb: [1,\n"])
def test_syntax_error_lines_are_within_the_file(text: str) -> None:
    with pytest.raises(ScenarioError, match="YAML syntax error") as caught:
        parse_yaml(text)
    line = caught.value.problems[0].line
    assert line is not None and 1 <= line <= 3


def test_mappings_from_python_are_held_to_the_same_limits() -> None:
    from portsim.scenario import load_scenario

    deep: dict[str, object] = {}
    inner = deep
    for _ in range(5000):
        inner["a"] = {}
        inner = inner["a"]  # type: ignore[assignment]
    with pytest.raises(ScenarioError, match="nested more than 64 levels"):
        load_scenario({"name": "x", "description": deep})
    looped: dict[str, object] = {"name": "x"}
    looped["self"] = looped
    with pytest.raises(ScenarioError, match="contains itself"):
        load_scenario(looped)


def test_replications_from_the_command_line_respect_the_limit(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from portsim.cli.main import app

    monkeypatch.setenv("PORTSIM_MAX_REPLICATIONS", "5")
    out = tmp_path / "out"
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "validation" / "mm1.yaml"
    result = CliRunner().invoke(app, ["run", str(scenario), "--replications",
                                      "6", "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "PORTSIM_MAX_REPLICATIONS" in result.output
    assert not out.exists()
