"""Arguments that used to be accepted silently, or refused only after the whole simulation:
each is now refused at once with a clear message (the Python API with a ValueError), and the
messages say what happened (no "got a list" for a tuple, no "no variants" for ",,,")."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from robustness_helpers import SMALL

import portsim
from portsim.errors import ScenarioError
from portsim.experiment import executors
from portsim.report import files

WITH_VARIANT = SMALL + "variants:\n  more:\n    stations: {desk: {servers: 3}}\n"


@pytest.mark.parametrize(("argument", "value"), [
    ("seed", -1), ("seed", "x"), ("seed", 1.5), ("seed", True),
    ("workers", 0), ("workers", -3), ("workers", 2.0), ("workers", True),
    ("replications", True), ("replications", 0), ("replications", "3"),
])
def test_the_python_api_refuses_bad_arguments_before_running(
        monkeypatch: pytest.MonkeyPatch, argument: str, value: Any) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a replication was started")

    monkeypatch.setattr(executors, "replicate", never)
    with pytest.raises(ValueError, match=argument):
        portsim.simulate(yaml.safe_load(SMALL), **{argument: value})


def test_a_tuple_route_is_called_a_tuple() -> None:
    document = yaml.safe_load(SMALL)
    document["classes"]["pax"]["route"] = ("desk",)
    with pytest.raises(ScenarioError) as caught:
        portsim.load_scenario(document)
    assert "got a tuple" in str(caught.value) and "(got a list)" not in str(caught.value)


@pytest.mark.parametrize("variants", [",,,", " , "])
def test_compare_with_no_variant_named_says_so(cli: Callable[..., Result],
                                              write: Callable[..., Path], tmp_path: Path,
                                              variants: str) -> None:
    result = cli("compare", write(WITH_VARIANT), "--variants", variants, "--out",
                 tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "names no variant" in result.stderr and "more" in result.stderr
    assert "has no variants" not in result.stderr


def test_a_trace_that_cannot_be_written_is_refused_before_running(
        cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A parent that is a file cannot be written even by root (a read-only folder can).
    blocker = tmp_path / "blocker"
    blocker.write_text("a file\n", encoding="utf-8")
    scenario = write(SMALL)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the simulation ran")

    monkeypatch.setattr(executors, "replicate", never)
    result = cli("run", scenario, "--out", tmp_path / "out", "--workers", "1", "--trace",
                 blocker / "events.csv")
    assert result.exit_code == 1, result.output
    assert str(blocker) in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    (tmp_path / "folder.csv").mkdir()
    result = cli("run", scenario, "--out", tmp_path / "out", "--workers", "1", "--trace",
                 tmp_path / "folder.csv")
    assert result.exit_code == 2 and "is a folder" in result.stderr, result.output


def test_a_full_disk_names_the_folder_and_how_to_resume(
        cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def full(data: Any, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "dump_json", full)
    out = tmp_path / "out"
    result = cli("run", write(SMALL), "--out", out, "--workers", "1")
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert "No space left on device" in message and str(out) in message, message
    assert "--resume" in message and "Traceback" not in result.output


def test_counts_of_one_are_singular(cli: Callable[..., Result], write: Callable[..., Path],
                                    tmp_path: Path) -> None:
    file = write(WITH_VARIANT)
    run = cli("run", file, "--out", tmp_path / "run", "--workers", "1", "--replications", "1")
    assert run.exit_code == 0 and "1 replication," in run.output, run.output
    compare = cli("compare", file, "--out", tmp_path / "cmp", "--workers", "1",
                  "--replications", "1", "--no-plots", "--detail")
    assert compare.exit_code == 0 and "1 replication per variant" in compare.output, \
        compare.output
    assert "1 replications" not in run.output + compare.output
