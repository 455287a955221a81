"""Outputs are never half-written: results go to a temporary folder renamed into place, an
existing output folder is kept unless --force is given, and a failure (while writing, or in a
replication) leaves the previous results exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from robustness_helpers import SMALL

from portsim.report import files

RESULT_FILES = ("results.json", "summary.csv", "timings.json")


@pytest.fixture
def scenario(write: Callable[..., Path]) -> Path:
    return write(SMALL)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def leftovers(out: Path) -> list[str]:
    """Staging or retired folders left beside ``out`` (all but ``out`` and the scenario)."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p != out and p.suffix != ".yaml")


def run(cli: Callable[..., Result], scenario: Path, out: Path, *extra: str) -> Result:
    return cli("run", scenario, "--out", out, "--workers", "1", *extra)


def test_results_are_written_to_a_temporary_folder_then_renamed(
        cli: Callable[..., Result], scenario: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    written_into: list[Path] = []
    real_dump_json = files.dump_json

    def spy(data: Any, path: Path) -> None:
        written_into.append(path.parent)
        assert not (out / path.name).exists()  # nothing appears in place before the rename
        real_dump_json(data, path)

    monkeypatch.setattr(files, "dump_json", spy)
    assert run(cli, scenario, out).exit_code == 0
    assert written_into and all(folder != out.resolve() for folder in written_into)
    assert set(snapshot(out)) == set(RESULT_FILES)
    assert leftovers(out) == []


def test_existing_results_are_not_overwritten_without_force(cli: Callable[..., Result],
                                                            scenario: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(cli, scenario, out).exit_code == 0
    before = snapshot(out)
    result = run(cli, scenario, out, "--seed", "99")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{out}: output folder already holds results; use --force" in result.stderr
    assert snapshot(out) == before
    # With --force the new run replaces them.
    assert run(cli, scenario, out, "--seed", "99", "--force").exit_code == 0
    assert snapshot(out)["results.json"] != before["results.json"]


def test_an_output_path_that_is_a_file_is_refused(cli: Callable[..., Result], scenario: Path,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("keep me")
    result = run(cli, scenario, out, "--force")
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr
    assert out.read_text() == "keep me"


@pytest.mark.parametrize("failing", ["dump_json", "dump_csv"])
def test_a_failure_while_writing_keeps_the_previous_results(
        cli: Callable[..., Result], scenario: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    out = tmp_path / "out"
    assert run(cli, scenario, out).exit_code == 0
    before = snapshot(out)
    real = getattr(files, failing)

    def half_then_fail(data: Any, path: Path) -> None:
        real(data, path)
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, failing, half_then_fail)
    result = run(cli, scenario, out, "--seed", "5", "--force")
    assert result.exit_code != 0
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_failure_while_writing_a_new_folder_leaves_no_results(
        cli: Callable[..., Result], scenario: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"

    def fail(data: Any, path: Path) -> None:
        path.write_text("{ half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "dump_csv", fail)
    result = run(cli, scenario, out)
    assert result.exit_code != 0
    # Only the finished replications may remain (for --resume); no result file at all.
    assert not out.exists() or {p.name for p in out.iterdir()} <= {".partial"}
    assert leftovers(out) == []


def test_a_failed_replication_keeps_the_previous_results(
        cli: Callable[..., Result], scenario: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from portsim.experiment import executors

    out = tmp_path / "out"
    assert run(cli, scenario, out).exit_code == 0
    before = snapshot(out)
    real = executors.run_replication

    def fail_second(model: Any, *, seed: int, replication: int, **kwargs: Any) -> Any:
        if replication == 1:
            raise RuntimeError("boom")
        return real(model, seed=seed, replication=replication, **kwargs)

    monkeypatch.setattr(executors, "run_replication", fail_second)
    result = run(cli, scenario, out, "--force")
    assert result.exit_code == 3
    assert "replication 1" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before
