"""Property: loading any document either succeeds or raises ScenarioError, nothing else; a
document that loads compiles; the YAML text of a valid document loads to the same scenario as
the mapping; arbitrary text and bytes never escape as another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_strategies import mutated_documents, valid_documents

from portsim.engine.load import overload_warnings
from portsim.errors import ScenarioError
from portsim.scenario import Scenario, compile_model, load_scenario

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def load_or_error(source: Any) -> Scenario | ScenarioError:
    """The scenario, or the ScenarioError; any other exception fails the test."""
    try:
        return load_scenario(source)
    except ScenarioError as error:
        assert error.problems
        assert str(error)
        assert all(problem.message for problem in error.problems)
        return error


def load_text(text: str | bytes) -> Scenario | ScenarioError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        outcome = load_or_error(path)
        if isinstance(outcome, ScenarioError):
            assert outcome.file == str(path)
            shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            lines = len(shown.splitlines()) + 1  # YAML's line breaks are among these
            assert all(p.line is None or 1 <= p.line <= lines for p in outcome.problems)
        return outcome


def check_compiles(scenario: Scenario) -> None:
    for variant in [None, *scenario.variant_names]:
        model = compile_model(scenario, variant)
        overload_warnings(model)  # what `portsim validate` prints; must not fail either


@pytest.mark.slow
@SETTINGS
@given(valid_documents())
def test_valid_documents_load_and_compile(doc: dict[str, Any]) -> None:
    scenario = load_scenario(doc)
    check_compiles(scenario)


@pytest.mark.slow
@SETTINGS
@given(valid_documents())
def test_yaml_text_loads_like_the_mapping(doc: dict[str, Any]) -> None:
    from_text = load_text(yaml.safe_dump(doc, sort_keys=False))
    assert isinstance(from_text, Scenario), str(from_text)
    assert from_text.resolved() == load_scenario(doc).resolved()


@pytest.mark.slow
@settings(SETTINGS, max_examples=300)
@given(mutated_documents())
def test_mutated_documents_load_or_raise_scenario_error(doc: dict[str, Any]) -> None:
    outcome = load_or_error(doc)
    if isinstance(outcome, Scenario):
        check_compiles(outcome)


@pytest.mark.slow
@SETTINGS
@given(mutated_documents(), st.data())
def test_mutated_yaml_text_and_its_truncations(doc: dict[str, Any], data: st.DataObject) -> None:
    try:
        text = yaml.safe_dump(doc, sort_keys=False)
    except yaml.YAMLError:
        return  # not representable as YAML: nothing a file could hold
    load_text(text)
    cut = data.draw(st.integers(0, len(text)))
    load_text(text[:cut])


TOKENS = st.sampled_from([
    "name", "time", "horizon", "warmup", "stations", "classes", "route", "arrivals", "servers",
    "service", "dist", "kind", "variants", "policies", ":", ": ", "-", "- ", "{", "}", "[", "]",
    ",", "\n", "\n  ", "\n    ", " ", "&a ", "*a", "&b ", "*b", "<<: ", "!!python/object:os.system",
    "!tag ", "!!str ", "!!int ", "!!float ", "!!binary ", "'", '"', "#", "---", "...", "?", "|",
    ">", "%YAML 1.1", "1", "0", "-1", "1e308", ".nan", ".inf", "-.inf", "3min", "06:30", "1:30:00",
    "2001-12-14", "null", "~", "true", "no", "exponential", "poisson", "\t", "\x00", "\u2028",
    "é", "🚢", "\ufeff",
])


@settings(SETTINGS, max_examples=400)
@given(st.lists(TOKENS, max_size=60).map("".join))
def test_token_soup_loads_or_raises_scenario_error(text: str) -> None:
    load_text(text)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_load_or_raise_scenario_error(data: bytes) -> None:
    load_text(data)
