"""Property: every side input is held to the rules of scenario files. A state file, a study file
or an event log, valid or mutated with the scenario fuzzing's own mutations, as data, as YAML
or CSV text, truncated or as bytes, either loads or is refused with a PortsimError (the one
message with exit code 2), never another exception; a state that loads runs; an option's text
is a value or a PortsimError."""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from side_strategies import (
    OPTION_TEXTS,
    SCENARIO,
    mutated_logs,
    mutated_states,
    mutated_studies,
    valid_logs,
    valid_states,
    valid_studies,
)

from portsim.engine.model import Model
from portsim.engine.simulation import run_replication
from portsim.engine.state import StartState
from portsim.engine.warm import warm_model
from portsim.errors import PortsimError, ScenarioError
from portsim.experiment.logstate import state_from_log
from portsim.scenario import load_scenario
from portsim.scenario.state import load_state
from portsim.scenario.study import Study, load_study

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        here = Path(name)
        (here / "port.yaml").write_text(SCENARIO, encoding="utf-8")
        yield here


@pytest.fixture(scope="module")
def model(folder: Path) -> Model:
    return load_scenario(folder / "port.yaml").model()


def refused_cleanly(error: PortsimError, file: Path) -> None:
    """One message naming the file, never quoting a whole line of another one."""
    text = str(error)
    assert text
    assert "root:x:0" not in text
    if isinstance(error, ScenarioError):
        assert error.file == str(file)
        assert all(problem.message for problem in error.problems)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def yaml_text(data: Any) -> str | None:
    try:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return None  # not representable as YAML: nothing a file could hold


# ----------------------------------------------------------------------------- state files


def state_or_error(path: Path, model: Model) -> StartState | None:
    try:
        return load_state(path, model)
    except PortsimError as error:
        refused_cleanly(error, path)
        return None


def runs(model: Model, state: StartState) -> None:
    """A state that loads runs a short warm start (what the engine refuses is a ValueError the
    command turns into a message naming the variant)."""
    try:
        warm = warm_model(model, state, 30.0)
    except ValueError:
        return
    result = run_replication(warm, 1, 0)
    assert result.kpis["system"]["all"]["completions"] >= 0


@pytest.mark.slow
@SETTINGS
@given(valid_states())
def test_valid_states_load_and_run(folder: Path, model: Model, doc: dict[str, Any]) -> None:
    text = yaml_text(doc)
    assert text is not None
    state = load_state(write(folder, "state.yaml", text), model)
    runs(model, state)


@pytest.mark.slow
@SETTINGS
@given(mutated_states(), st.data())
def test_mutated_states_load_and_run_or_are_refused(folder: Path, model: Model,
                                                    doc: dict[str, Any],
                                                    data: st.DataObject) -> None:
    text = yaml_text(doc)
    if text is None:
        return
    path = write(folder, "state.yaml", text)
    state = state_or_error(path, model)
    if state is not None:
        runs(model, state)
    cut = data.draw(st.integers(0, len(text)))
    state_or_error(write(folder, "state.yaml", text[:cut]), model)


# ----------------------------------------------------------------------------- study files


def study_or_error(path: Path) -> Study | None:
    try:
        return load_study(path)
    except PortsimError as error:
        # A port file's own error names that file (it holds the scenario, unchanged here).
        port = isinstance(error, ScenarioError) and error.file is not None \
            and error.file.endswith("port.yaml")
        refused_cleanly(error, path.parent / "port.yaml" if port else path)
        return None


@pytest.mark.slow
@SETTINGS
@given(valid_studies())
def test_valid_studies_load(folder: Path, doc: dict[str, Any]) -> None:
    text = yaml_text(doc)
    assert text is not None
    assert isinstance(load_study(write(folder, "study.yaml", text)), Study)


@pytest.mark.slow
@SETTINGS
@given(mutated_studies(), st.data())
def test_mutated_studies_load_or_are_refused(folder: Path, doc: dict[str, Any],
                                             data: st.DataObject) -> None:
    text = yaml_text(doc)
    if text is None:
        return
    study_or_error(write(folder, "study.yaml", text))
    cut = data.draw(st.integers(0, len(text)))
    study_or_error(write(folder, "study.yaml", text[:cut]))


# ----------------------------------------------------------------------------- event logs


def csv_text(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row if isinstance(row, list) else [row])
    return out.getvalue()


def log_or_error(path: Path) -> StartState | None:
    try:
        return state_from_log(path, 300.0)
    except PortsimError as error:
        refused_cleanly(error, path)
        assert len(str(error)) < 600, str(error)
        return None


@pytest.mark.slow
@SETTINGS
@given(valid_logs())
def test_valid_logs_give_a_state_that_loads(folder: Path, model: Model,
                                            rows: list[list[Any]]) -> None:
    from portsim.experiment.forecast import write_state

    state = state_from_log(write(folder, "log.csv", csv_text(rows)), 300.0)
    write_state(state, folder / "from-log.yaml", "test", replace=True)  # the last example's
    assert load_state(folder / "from-log.yaml", model).customers == state.customers


@pytest.mark.slow
@SETTINGS
@given(mutated_logs(), st.data())
def test_mutated_logs_give_a_state_or_are_refused(folder: Path, rows: list[list[Any]],
                                                  data: st.DataObject) -> None:
    text = csv_text(rows)
    log_or_error(write(folder, "log.csv", text))
    cut = data.draw(st.integers(0, len(text)))
    log_or_error(write(folder, "log.csv", text[:cut]))
    encoding = data.draw(st.sampled_from(["utf-8-sig", "utf-16", "latin-1", "utf-32"]))
    with contextlib.suppress(UnicodeEncodeError):  # not writable so: no such file exists
        log_or_error(write(folder, "log.csv", text.encode(encoding)))


@pytest.mark.slow
@SETTINGS
@given(mutated_logs())
def test_mutated_parquet_logs_give_a_state_or_are_refused(folder: Path,
                                                          rows: list[list[Any]]) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    header, *body = [row if isinstance(row, list) else [row] for row in rows]
    names = [str(name) for name in header]
    if len(set(names)) != len(names) or any(len(row) != len(names) for row in body):
        return  # no table has rows of other lengths or two columns of one name
    try:
        table = pa.table({name: [row[i] for row in body] for i, name in enumerate(names)})
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return  # columns of mixed types: no Parquet file holds them
    pq.write_table(table, folder / "log.parquet")
    log_or_error(folder / "log.parquet")


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_a_log_or_a_state_are_refused_cleanly(folder: Path, model: Model,
                                                                 data: bytes) -> None:
    log_or_error(write(folder, "log.csv", data))
    log_or_error(write(folder, "log.parquet", b"PAR1" + data))
    state_or_error(write(folder, "state.yaml", data), model)
    study_or_error(write(folder, "study.yaml", data))


# ----------------------------------------------------------------------------- options


@SETTINGS
@given(OPTION_TEXTS)
def test_option_texts_are_values_or_one_message(model: Model, text: str) -> None:
    from portsim.cli.common import parsed_duration
    from portsim.cli.runs import precision_goal
    from portsim.experiment.staffing.roster import parse_shifts
    from portsim.experiment.staffing.target import parse_target
    from portsim.experiment.sweeps import grid, parse_kpi, parse_setting

    checks = [
        lambda: parsed_duration("--interval", text),
        lambda: precision_goal(text, None, 200, [model]),
        lambda: precision_goal("5%", [text], 200, [model]),
        lambda: grid([parse_setting(text)]),
        lambda: parse_kpi(text),
        lambda: parse_target(text, 30.0),
        lambda: parse_shifts(text, 60.0),
    ]
    for check in checks:
        try:
            check()
        except PortsimError as error:
            assert str(error)
